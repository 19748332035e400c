"""`sunlit verify` must name every entry and root that no longer matches."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from sunlit.lib.appendonly import drop_sql
from sunlit.transparency.canonical import sha256_hex
from sunlit.transparency.models import Entry, SignedRoot
from sunlit.transparency.services import publish, root_sign
from sunlit.transparency.verification import verify_log

from .conftest import OTHER_VILLAGE, TOWNSHIP, VILLAGE, publish_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(regions) -> list[Entry]:
    """Two chains, a correction, a signed root, and two entries after it."""
    village = publish_many(VILLAGE, 4)
    publish_many(TOWNSHIP, 2)
    publish(chain=VILLAGE, kind="notice", ref=village[0].ref, snapshot={"v": 2}, by=None, reason="更正")
    root_sign(by=None)
    publish_many(OTHER_VILLAGE, 2)
    return village


def tamper(sql: str, params: list) -> None:
    """What someone with the database password could do: drop the guard, then edit."""
    with connection.cursor() as cursor:
        for table in ("transparency_entry", "transparency_signedroot"):
            for statement in drop_sql(table, connection.vendor):
                cursor.execute(statement)
        cursor.execute(sql, params)


def verify(*args: str) -> tuple[bool, str]:
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("verify", *args, stdout=out)
        except CommandError:
            return False, out.getvalue()
    return True, out.getvalue()


def named(output: str, entry: Entry, what: str) -> bool:
    return f"chain {entry.chain_id} seq {entry.seq} entry #{entry.pk} [{what}]" in output


def test_it_reports_that_all_matches(log) -> None:
    ok, output = verify()
    assert ok, output
    assert "9 entries in 3 chains, 1 root: all match" in output
    assert "2 entries are not yet covered by a signed root" in output
    assert "entries/s" in output


def test_it_catches_a_snapshot_edited_in_the_database(log) -> None:
    victim = log[1]
    tamper(
        "UPDATE transparency_entry SET snapshot_json = %s WHERE id = %s", ['{"n":2,"title":"公告 2 (改)"}', victim.pk]
    )
    ok, output = verify()
    assert not ok
    assert named(output, victim, "snapshot_sha256"), output
    assert "1 problem" in output


def test_it_catches_a_snapshot_edited_with_its_hashes_recomputed(log) -> None:
    # A careful forger also fixes the snapshot hash and entry hash, and the next link;
    # the signed root still knows the old entry hash.
    victim, after = log[1], log[2]
    text = '{"n":2,"title":"假"}'
    forged = Entry.objects.get(pk=victim.pk)
    forged.snapshot_json, forged.snapshot_sha256 = text, sha256_hex(text)
    new_hash = forged.compute_hash()
    tamper(
        "UPDATE transparency_entry SET snapshot_json = %s, snapshot_sha256 = %s, entry_hash = %s WHERE id = %s",
        [text, sha256_hex(text), new_hash, victim.pk],
    )
    ok, output = verify()
    assert not ok
    assert named(output, after, "prev_hash"), output
    assert "root 1 [root_hash]" in output


def test_it_catches_a_deleted_entry(log) -> None:
    victim, after = log[1], log[2]
    tamper("DELETE FROM transparency_entry WHERE id = %s", [victim.pk])
    ok, output = verify()
    assert not ok
    assert named(output, after, "seq"), output
    assert named(output, after, "prev_hash"), output
    assert "root 1 [tree_size]" in output
    assert "root 1 [root_hash]" in output


def test_it_catches_a_deleted_last_entry_through_its_root(regions) -> None:
    entries = publish_many(VILLAGE, 3)
    root_sign(by=None)
    tamper("DELETE FROM transparency_entry WHERE id = %s", [entries[-1].pk])
    ok, output = verify()
    assert not ok
    assert "root 1 [tree_size]" in output
    assert "root 1 [root_hash]" in output


def test_it_catches_a_reordered_sequence(log) -> None:
    a, b = log[1], log[2]
    tamper("UPDATE transparency_entry SET seq = %s WHERE id = %s", [1_000_000, a.pk])
    tamper("UPDATE transparency_entry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    tamper("UPDATE transparency_entry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    ok, output = verify()
    assert not ok
    # b now sits at seq 2 and a at seq 3: both are named, each at its new place.
    assert f"chain {VILLAGE} seq {a.seq} entry #{b.pk} [entry_hash]" in output, output
    assert f"chain {VILLAGE} seq {a.seq} entry #{b.pk} [prev_hash]" in output
    assert f"chain {VILLAGE} seq {b.seq} entry #{a.pk} [entry_hash]" in output


def test_it_catches_a_root_signed_by_another_key(log, signing_key_path) -> None:
    other = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signing_key_path.write_bytes(other)
    ok, output = verify()
    assert not ok
    assert "root 1 [fingerprint]" in output
    assert "root 1 [signature]" in output


def test_it_catches_a_root_checked_against_a_different_key_setting(log, settings, tmp_path) -> None:
    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "elsewhere" / "key.pem"
    ok, output = verify()
    assert not ok
    assert "root 1 [signature]" in output


def test_it_catches_a_root_whose_signed_fields_were_edited(log) -> None:
    root = SignedRoot.objects.get()
    tamper("UPDATE transparency_signedroot SET tree_size = %s WHERE id = %s", [root.tree_size - 1, root.pk])
    ok, output = verify()
    assert not ok
    assert "root 1 [tree_size]" in output
    assert "root 1 [signature]" in output


def test_it_catches_a_removed_root_by_the_next_ones_link(log) -> None:
    root_sign(by=None)
    tamper("DELETE FROM transparency_signedroot WHERE batch = %s", [1])
    ok, output = verify()
    assert not ok
    assert "root 2 [batch]" in output
    assert "root 2 [root_chain]" in output


def test_it_checks_one_village_without_roots(log) -> None:
    tamper("UPDATE transparency_entry SET reason = %s WHERE id = %s", ["x", log[0].pk])
    ok, output = verify("--village", OTHER_VILLAGE)
    assert ok, output
    assert "2 entries in 1 chain, roots not checked" in output
    # A township's code covers its villages' chains too.
    ok, output = verify("--village", TOWNSHIP)
    assert not ok
    assert "9 entries in 3 chains, roots not checked" in output
    ok, output = verify("--village", VILLAGE)
    assert not ok
    assert named(output, log[0], "entry_hash")


def test_it_refuses_a_malformed_village_code(log) -> None:
    with pytest.raises(CommandError, match="12 digits"), translation.override("en"):
        call_command("verify", "--village", "4313")


def test_it_streams_through_chunks(log, monkeypatch) -> None:
    from sunlit.transparency import verification

    monkeypatch.setattr(verification, "CHUNK", 2)
    report = verify_log()
    assert report.ok and (report.entries, report.chains, report.roots) == (9, 3, 1)
