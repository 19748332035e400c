"""`sunlit backup` and `sunlit restore`, as an operator runs them: two installations, each
in its own process with its own SUNLIT_VAR_DIR (database, media, keys), the archive between."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[3]

# The source: migrate, keep a copy of the new empty database for the target (so the schema
# is built once), then a published village profile, a voucher with its receipt upload, a
# signed root of the publication log; back it up; read its public pages.
SOURCE = """
import json, sqlite3, sys
from pathlib import Path
import django
django.setup()
from datetime import date
from django.conf import settings
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)
connection.close()
with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as src, sqlite3.connect(sys.argv[2]) as dst:
    src.backup(dst)

from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A, make_user
from sunlit.accounts.models import Role
from sunlit.finance import services as finance
from sunlit.finance.tests.conftest import pay
from sunlit.ops.tests.test_backup import png, public_pages
from sunlit.regions.services import region_create, region_publish_profile
from sunlit.transparency.services import root_sign

region_create(code=COUNTY, name="涟源市", by=None)
region_create(code=TOWNSHIP_A, name="六亩塘镇", by=None)
village = region_create(code=VILLAGE_A, name="石门村", phone="0738-4000001", by=None)
official = make_user("official", "刘志强", Role.TOWNSHIP_OFFICIAL, TOWNSHIP_A, title="经管站站长")
region_publish_profile(region=village, by=None)
voucher = finance.voucher_record(
    village=village, date=date(2025, 3, 9), summary="购买办公用品",
    entries=pay(30_000, counterparty="涟源市文具店", summary="购买办公用品"), by=official,
)
finance.receipt_attach(voucher=voucher, data=png(), filename="发票.png", by=official)
assert root_sign(by=None) is not None
call_command("backup", sys.argv[1], stdout=sys.stderr)
print(json.dumps(public_pages()))
"""

# The target: restore into the empty database, verify the log, read the same pages.
TARGET = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from sunlit.ops.tests.test_backup import public_pages

call_command("restore", sys.argv[1], stdout=sys.stderr)
out = io.StringIO()
call_command("verify", stdout=out)
print(json.dumps({"verify": out.getvalue(), **public_pages()}))
"""


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 20)).save(out, format="PNG")
    return out.getvalue()


def public_pages() -> dict[str, Any]:
    """Bodies of a few public pages (per-request nonces blanked) and the media files' hashes."""
    from django.conf import settings
    from django.test import Client

    from sunlit.conftest import VILLAGE_A
    from sunlit.transparency.models import Entry

    client = Client()
    entry = Entry.objects.order_by("pk").first()
    assert entry is not None
    urls = [
        f"/v/{VILLAGE_A}/",
        f"/kiosk/v/{VILLAGE_A}/",
        "/transparency/roots/",
        "/transparency/roots.json",
        f"/transparency/entries/{entry.pk}/",
        f"/transparency/entries/{entry.pk}.json",
        f"/transparency/chains/{VILLAGE_A}/",
        "/transparency/public-key.pem",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
        text = re.sub(r'(nonce|csrfmiddlewaretoken" value)="[^"]*"', r'\1=""', body.decode())
        pages[url] = [response.status_code, text]
    root = Path(settings.MEDIA_ROOT)
    media = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*.*")}
    return {"pages": pages, "media": media}


def run(script: str, var: Path, *args: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "sunlit.settings",
        "SUNLIT_VAR_DIR": str(var),
        "SUNLIT_SIGNING_KEY_PATH": str(var / "keys" / "signing-ed25519.pem"),
        "SUNLIT_ID_KEY": "",
        "SUNLIT_REPORTS_SECRET": "",
        "DATABASE_URL": "",  # the round trip is between two SQLite files; the format is engine-neutral
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, cwd=var, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_it_round_trips_an_installation_into_an_empty_one(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    archive = tmp_path / "backup.tar.gz"

    before = run(SOURCE, source, str(archive), str(target / "sunlit.sqlite3"))

    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert {"database.jsonl", "secrets.json", "keys/signing-ed25519.pem"} <= set(manifest["members"])
    assert names[-1] == "manifest.json"
    assert [n for n in names if n.startswith("media/finance/")], names
    assert manifest["counts"]["transparency.signedroot"] == 1

    after = run(TARGET, target, str(archive))

    assert "全部一致" in after["verify"] or "all consistent" in after["verify"].lower(), after["verify"]
    assert after["media"] == before["media"] and before["media"]
    for url, (status, body) in before["pages"].items():
        assert status == 200, url
        assert after["pages"][url] == [status, body], url
    assert (target / "keys" / "signing-ed25519.pem").read_bytes() == (
        source / "keys" / "signing-ed25519.pem"
    ).read_bytes()
    assert (target / "keys" / "id-key").stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_it_refuses_a_damaged_archive_before_writing_anything(tmp_path: Path, settings: Any) -> None:
    from sunlit.ops.archive import BackupError, restore

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (
            ("database.jsonl", b""),
            ("secrets.json", b"{}"),
            ("media/x.png", b"tampered"),
            (
                "manifest.json",
                json.dumps(
                    {
                        "format": "sunlit-backup",
                        "format_version": 1,
                        "members": {
                            "database.jsonl": {"size": 0, "sha256": _sha(b"")},
                            "secrets.json": {"size": 2, "sha256": _sha(b"{}")},
                            "media/x.png": {"size": 8, "sha256": _sha(b"original")},
                        },
                    }
                ).encode(),
            ),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    with pytest.raises(BackupError, match=r"media/x\.png"):
        restore(archive)

    assert not (tmp_path / "media").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.tar.gz"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.django_db
def test_it_refuses_an_installation_that_is_not_empty_without_force(tmp_path: Path, settings: Any, cast: Any) -> None:
    from django.core.files.storage import default_storage

    from sunlit.accounts.models import User
    from sunlit.ops.archive import BackupError, backup, restore

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    default_storage.save("finance/x.png", io.BytesIO(png()))
    archive = tmp_path / "backup.tar.gz"
    manifest = backup(archive)
    assert manifest["counts"]["accounts.user"] == User.objects.count() > 0

    with pytest.raises(BackupError, match=r"accounts_user.*--force"):
        restore(archive)

    assert User.objects.count() == manifest["counts"]["accounts.user"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz", "media"]


@pytest.mark.django_db
def test_it_puts_everything_back_when_a_forced_restore_fails_at_the_end(
    tmp_path: Path, settings: Any, cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.storage import default_storage

    from sunlit.accounts.models import User
    from sunlit.ops import archive as ops

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "keys" / "signing-ed25519.pem"
    settings.SUNLIT_SIGNING_KEY_PATH.parent.mkdir()
    settings.SUNLIT_SIGNING_KEY_PATH.write_text("the key of the archive")
    default_storage.save("finance/x.png", io.BytesIO(png()))
    archive = tmp_path / "backup.tar.gz"
    ops.backup(archive)
    # After the backup: a user, a file and another key that the failed restore must leave alone.
    User.objects.create(username="later")
    (tmp_path / "media" / "later.txt").write_text("later")
    settings.SUNLIT_SIGNING_KEY_PATH.write_text("the key of today")
    swap = ops._swap_files

    def swap_then_fail(*args: Any) -> int:
        swap(*args)  # the files are in place: then the disk fills up, say
        raise OSError("No space left on device")

    monkeypatch.setattr(ops, "_swap_files", swap_then_fail)

    with pytest.raises(OSError, match="No space"):
        ops.restore(archive, force=True)

    assert User.objects.filter(username="later").exists()
    assert (tmp_path / "media" / "later.txt").read_text() == "later"
    assert settings.SUNLIT_SIGNING_KEY_PATH.read_text() == "the key of today"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz", "keys", "media"]
