"""One archive holds everything an installation cannot be rebuilt without.

A gzipped tar with these members, and `manifest.json` last, naming each of them with its
size and SHA-256 (plus versions, applied migrations and row counts per table):

    database.jsonl            every row of every table, Django's own JSON serialisation, one per line
    media/<path>              the uploaded files (receipts, documents, attachments)
    keys/signing-ed25519.pem  the key that signs the publication log's roots (if there is one yet)
    secrets.json              SUNLIT_ID_KEY (seals ID numbers) and SUNLIT_REPORTS_SECRET (receipts)

Why Django's serialisation and not the engine's dump: one archive restores into SQLite or
PostgreSQL alike (a county moving off SQLite restores its backup into PostgreSQL), it
streams table by table, and primary keys are kept verbatim, so every reference — foreign
keys, content types, the publication log's record ids — lines up exactly after a restore.

Restore is all-or-nothing: every member is unpacked to a staging folder and checked against
the manifest before anything is written; the rows go in inside one transaction (INSERTs
only, so the append-only triggers of the audit log and publication log are never asked to
allow an UPDATE or DELETE); the files are swapped in at the end of that transaction and
swapped back if it does not commit.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.lib import appendonly

FORMAT = "sunlit-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
SECRETS = "secrets.json"
SIGNING_KEY = "keys/signing-ed25519.pem"
MEDIA = "media/"
BATCH = 1000
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; nothing has been changed."""


@dataclass
class Restored:
    counts: dict[str, int]
    files: int
    warnings: list[str] = field(default_factory=list)


# --- What is backed up ----------------------------------------------------------------


def _models() -> list[type[models.Model]]:
    """Every table Django manages, many-to-many tables included, in a stable order."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _fields(model: type[models.Model]) -> list[str]:
    # Columns only: the rows of many-to-many tables are their own models in _models(),
    # so the serialiser must not fetch them again per object (it would be N+1 queries).
    names: list[str] = []
    for f in model._meta.local_concrete_fields:
        names += [f.name, f.attname]
    return names


def _media_root() -> Path:
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError(
            _(
                "Uploaded files are not kept on this server's disk (%(storage)s): back them up "
                "with the storage's own tools; this command backs up a file-system storage only."
            )
            % {"storage": type(default_storage).__name__}
        )
    return Path(default_storage.location)


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def _applied_migrations(using: str) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations())


def _version() -> str:
    try:
        return metadata.version("sunlit")
    except metadata.PackageNotFoundError:
        return "unknown"


def _secrets() -> dict[str, Any]:
    return {
        "SUNLIT_ID_KEY": settings.SUNLIT_ID_KEY,
        "SUNLIT_ID_KEY_IS_DERIVED": settings.SUNLIT_ID_KEY_IS_DERIVED,
        "SUNLIT_REPORTS_SECRET": settings.SUNLIT_REPORTS_SECRET,
    }


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds,
    as ECMA-262 does): the publication log hashes its timestamps, so a restore must be exact."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Hashing:
    """Reads a file once for the archive and for its SHA-256 together."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.sha.update(data)
        return data


# --- Backup ---------------------------------------------------------------------------


def backup(target: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to `target` (mode 0600, replaced only once complete); its manifest."""
    media_root = _media_root()
    target = target.resolve()
    if target.is_dir():
        raise BackupError(_("%(path)s is a folder: name the archive file to write.") % {"path": target})
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".sunlit-backup-", dir=target.parent))  # mode 0700
    try:
        dump = work / DATABASE
        counts, migrations_applied = _dump_database(dump, using=using)
        members: dict[str, dict[str, Any]] = {}
        partial = work / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_file(tar, DATABASE, dump, members)
            for name, path in _media_files(media_root):
                _add_file(tar, MEDIA + name, path, members)
            key_path = Path(settings.SUNLIT_SIGNING_KEY_PATH)
            if key_path.is_file():
                _add_file(tar, SIGNING_KEY, key_path, members)
            _add_bytes(tar, SECRETS, json.dumps(_secrets(), indent=2).encode(), members)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created": timezone.now().isoformat(),
                "versions": {
                    "sunlit": _version(),
                    "django": django.get_version(),
                    "python": sys.version.split()[0],
                    "engine": connections[using].vendor,
                },
                "migrations": migrations_applied,
                "counts": counts,
                "members": members,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode(), {})
        os.chmod(partial, 0o600)
        os.replace(partial, target)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _dump_database(path: Path, *, using: str) -> tuple[dict[str, int], list[list[str]]]:
    connection = connections[using]
    counts: dict[str, int] = {}
    # One transaction, so that every table is read at the same moment: on SQLite it holds
    # the write lock (transaction_mode IMMEDIATE); on PostgreSQL a repeatable-read snapshot.
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using), path.open("w", encoding="utf-8") as out:
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in _models():
            queryset = model._base_manager.using(using).order_by("pk")
            counts[model._meta.label_lower] = queryset.count()
            serializers.serialize(
                "jsonl", queryset.iterator(chunk_size=BATCH), stream=out, fields=_fields(model), cls=_ExactEncoder
            )
        applied = _applied_migrations(using)
    return counts, applied


def _add_file(tar: tarfile.TarFile, name: str, path: Path, members: dict[str, dict[str, Any]]) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as f:
        reader = _Hashing(f)
        tar.addfile(info, reader)  # tarfile only calls read()
    members[name] = {"size": info.size, "sha256": reader.sha.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, members: dict[str, dict[str, Any]]) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))
    members[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


# --- Restore --------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name in (MANIFEST, DATABASE, SECRETS, SIGNING_KEY) or (name.startswith(MEDIA) and len(path.parts) > 1)


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack into `staging` and check every member against the manifest; the manifest."""
    seen: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                folder = info.name.rstrip("/")
                if info.isdir() and (folder in ("keys", "media") or _safe_name(folder)):
                    continue  # folders of a re-packed archive: their files carry the paths
                if not info.isfile() or not _safe_name(info.name) or info.name in seen:
                    raise BackupError(_("The archive holds an unexpected member: %(name)s") % {"name": info.name})
                source = tar.extractfile(info)
                assert source is not None  # a regular file
                dest = staging / info.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                sha = hashlib.sha256()
                with dest.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        sha.update(chunk)
                        out.write(chunk)
                seen[info.name] = {"size": info.size, "sha256": sha.hexdigest()}
    except (OSError, tarfile.TarError, EOFError) as e:
        raise BackupError(
            _("%(path)s is not a readable Sunlit backup: %(error)s") % {"path": archive, "error": e}
        ) from e
    if MANIFEST not in seen:
        raise BackupError(_("%(path)s has no manifest: it is not a Sunlit backup.") % {"path": archive})
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        if manifest["format"] != FORMAT or manifest["format_version"] != FORMAT_VERSION:
            raise ValueError(f"format {manifest['format']!r} version {manifest['format_version']!r}")
        listed: dict[str, dict[str, Any]] = manifest["members"]
    except (ValueError, KeyError, TypeError) as e:
        raise BackupError(_("The archive's manifest cannot be read: %(error)s") % {"error": e}) from e
    del seen[MANIFEST]
    if set(seen) != set(listed):
        names = sorted(set(seen) ^ set(listed))
        raise BackupError(
            _("The archive's members do not match its manifest: %(names)s") % {"names": ", ".join(names[:10])}
        )
    bad = sorted(name for name, got in seen.items() if got != listed[name])
    if bad:
        raise BackupError(
            _("These members do not match their SHA-256 in the manifest (the archive is damaged): %(names)s")
            % {"names": ", ".join(bad[:10])}
        )
    if DATABASE not in seen or SECRETS not in seen:
        raise BackupError(_("The archive has no database or no secrets."))
    return manifest


def _append_only_tables(using: str) -> set[str]:
    """Tables whose triggers refuse UPDATE and DELETE (sunlit.lib.appendonly)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_no\\_delete' ESCAPE '\\'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE '%\\_append\\_only'"
            )
        return {row[0] for row in cursor.fetchall()}


def _has_data(using: str, media_root: Path) -> list[str]:
    """Why the installation is not empty: an account, a row in an append-only table, a file.

    Content types, permissions and the reference data that migrations seed (the charts of
    accounts, welfare programmes) are in every new database and are simply replaced; every
    real use of Sunlit makes an account and writes the audit log.
    """
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    reasons = []
    user_table = get_user_model()._meta.db_table
    for table in sorted({user_table} | _append_only_tables(using)):
        if table in tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    reasons.append(table)
    if next(_media_files(media_root), None):
        reasons.append(str(media_root))
    return reasons


def restore(
    archive: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    say: Callable[[str], None] = lambda _line: None,
) -> Restored:
    media_root = _media_root()
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sunlit-restore-", dir=var_dir))
    keep = False
    try:
        say(_("Checking every member of the archive…"))
        manifest = _unpack(archive, staging)
        not_empty = _has_data(using, media_root)
        if not_empty and not force:
            raise BackupError(
                _(
                    "This installation is not empty (%(what)s): restore into a new database and an "
                    "empty media folder, or add --force to replace everything in them."
                )
                % {"what": ", ".join(not_empty)}
            )
        say(_("Bringing the database schema up to date…"))
        call_command("migrate", database=using, interactive=False, verbosity=0)
        applied = _applied_migrations(using)
        if applied != manifest["migrations"]:
            theirs = {tuple(m) for m in manifest["migrations"]}
            ours = {tuple(m) for m in applied}
            differ = sorted(theirs ^ ours)[:5]
            raise BackupError(
                _(
                    "The archive was made by another version of Sunlit (migrations differ: %(names)s): "
                    "restore it with the version that made it (%(version)s), then upgrade."
                )
                % {"names": ", ".join(f"{a}.{n}" for a, n in differ), "version": manifest["versions"]["sunlit"]}
            )
        say(_("Loading the rows and swapping in the files…"))
        undo: list[Callable[[], None]] = []
        try:
            with transaction.atomic(using=using):
                counts = _load(staging / DATABASE, using=using)
                if counts != {k: v for k, v in manifest["counts"].items() if v}:
                    raise BackupError(_("The rows loaded do not match the manifest's counts."))
                files = _swap_files(staging, media_root, undo)
        except BaseException as e:
            try:
                for step in reversed(undo):
                    step()
            except OSError as undo_error:
                keep = True  # the replaced files are still in the staging folder: never delete them
                raise BackupError(
                    _("The restore failed and the files it replaced could not be put back: they are in %(path)s")
                    % {"path": staging / "replaced"}
                ) from undo_error
            if isinstance(e, DatabaseError | DeserializationError):
                message = _("The archive's rows could not be restored (%(error)s): nothing was changed.") % {"error": e}
                raise BackupError(message) from e
            raise
        warnings = _secret_warnings(json.loads((staging / SECRETS).read_text(encoding="utf-8")))
        return Restored(counts=counts, files=files, warnings=warnings)
    finally:
        if not keep:
            shutil.rmtree(staging, ignore_errors=True)


def _wipe(using: str) -> None:
    """Empty every table (inside the caller's transaction); append-only ones too, with --force.

    Foreign keys are deferred to the commit, so the order does not matter.
    """
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    guarded = _append_only_tables(using)
    with connection.cursor() as cursor:
        for model in _models():
            table = model._meta.db_table
            if table not in existing:
                continue
            if table in guarded:
                for statement in appendonly.drop_sql(table, connection.vendor):
                    cursor.execute(statement)
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
            if table in guarded:
                for statement in appendonly.create_sql(table, connection.vendor):
                    cursor.execute(statement)


def _load(path: Path, *, using: str) -> dict[str, int]:
    """INSERT every row of the dump, in batches; rows per table."""
    _wipe(using)
    counts: dict[str, int] = {}
    batch: list[models.Model] = []
    current: type[models.Model] | None = None

    connection = connections[using]

    def flush() -> None:
        # A raw INSERT, as loaddata's: values exactly as dumped (auto_now fields are not
        # touched), no save() and no signals, and never an UPDATE.
        if batch and current is not None:
            fields = current._meta.local_concrete_fields
            size = max(1, connection.ops.bulk_batch_size(list(fields), batch))
            for start in range(0, len(batch), size):
                current._base_manager.using(using)._insert(  # type: ignore[attr-defined]
                    batch[start : start + size], fields=fields, raw=True, using=using
                )
            counts[current._meta.label_lower] = counts.get(current._meta.label_lower, 0) + len(batch)
            batch.clear()

    with path.open("r", encoding="utf-8") as f:
        for item in serializers.deserialize("jsonl", f, using=using):
            model = type(item.object)
            if model is not current:
                flush()
                current = model
            batch.append(item.object)
            if len(batch) >= BATCH:
                flush()
        flush()
    statements = connection.ops.sequence_reset_sql(no_style(), _models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return counts


def _swap_files(staging: Path, media_root: Path, undo: list[Callable[[], None]]) -> int:
    """Put the staged media folder and signing key in place; `undo` puts the old ones back."""
    staged_media = staging / MEDIA
    staged_media.mkdir(exist_ok=True)
    files = sum(1 for _name in _media_files(staged_media))
    for staged, live in ((staged_media, media_root), (staging / SIGNING_KEY, Path(settings.SUNLIT_SIGNING_KEY_PATH))):
        if not staged.exists():
            continue
        live.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if staged.is_file():
            os.chmod(staged, 0o600)
        aside = staging / "replaced" / staged.relative_to(staging)
        if live.exists():
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(live, aside)
            undo.append(_putting_back(aside, live))
        else:
            undo.append(_removing(live))
        shutil.move(staged, live)
    return files


def _putting_back(aside: Path, live: Path) -> Callable[[], None]:
    def undo() -> None:
        _removing(live)()  # what the restore put there, if it got that far
        os.replace(aside, live)

    return undo


def _removing(live: Path) -> Callable[[], None]:
    def undo() -> None:
        if live.is_dir() and not live.is_symlink():
            shutil.rmtree(live)
        elif live.exists() or live.is_symlink():
            live.unlink()

    return undo


def _secret_warnings(secrets: dict[str, Any]) -> list[str]:
    """Write the archive's ID key and reports secret beside the signing key (0600) and say
    what to set, when this installation's own differ: they are read from the environment."""
    keys = Path(settings.SUNLIT_SIGNING_KEY_PATH).parent
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    warnings = []
    for name, filename in (("SUNLIT_ID_KEY", "id-key"), ("SUNLIT_REPORTS_SECRET", "reports-secret")):
        value = secrets.get(name) or ""
        if value:
            path = keys / filename
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(value)
            os.chmod(path, 0o600)
        if value != (getattr(settings, name) or ""):
            if value:
                warnings.append(
                    _("%(name)s differs from the archive's: set %(name)s_FILE=%(path)s before starting Sunlit.")
                    % {"name": name, "path": keys / filename}
                )
            else:
                warnings.append(
                    _("The archive's %(name)s was derived from its SECRET_KEY: start Sunlit with that SECRET_KEY.")
                    % {"name": name}
                )
    return warnings
