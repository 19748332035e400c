"""Every write to the publication log. `publish` is the only way a record becomes public.

Callers (the rooms that own the records) check jurisdiction before they publish: publish
itself is the spine, not a permission boundary, and the scheduler publishes as nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.lib import validate
from sunlit.lib.errors import InvalidInput
from sunlit.regions import selectors as region_selectors
from sunlit.regions.models import Region
from sunlit.transparency import merkle, signing
from sunlit.transparency.canonical import GENESIS, canonical_json, root_statement, sha256_hex
from sunlit.transparency.models import Entry, SignedRoot

if TYPE_CHECKING:
    from sunlit.accounts.models import User

# A batch's leaves are loaded whole to build an inclusion proof; 2^16 of them is about
# 2 MB and a few tens of milliseconds. A larger backlog is signed as several batches.
MAX_BATCH = 1 << 16


@transaction.atomic
def publish(
    *,
    chain: str,
    kind: str,
    ref: str,
    snapshot: dict[str, Any],
    by: User | None,
    reason: str = "",
) -> Entry:
    """Append `snapshot` as the current public version of record (kind, ref) to `chain`.

    Publishing the same snapshot again returns the existing entry and writes nothing. A
    different snapshot for a record already published is a correction: it needs a
    `reason`, and the new entry supersedes the old one (both stay public).
    """
    kind = validate.text(kind, "kind", None, 64)
    ref = validate.text(ref, "ref", None, 200)
    reason = validate.text(reason, "reason", None, 2000, required=False)
    if not isinstance(snapshot, dict):
        raise InvalidInput(_("The snapshot must be a JSON object"), field="snapshot")
    text = canonical_json(snapshot)
    digest = sha256_hex(text)

    # The chain head lock: the region row. PostgreSQL queues the next publisher here;
    # SQLite's IMMEDIATE transactions already serialise writers (and ignore FOR UPDATE).
    # NO KEY: rows elsewhere that merely point at the region are not held up.
    region = Region.objects.select_for_update(no_key=True).filter(code=chain).first()
    if region is None:
        raise InvalidInput(_("There is no region %(code)s to publish to") % {"code": chain}, field="chain")

    current = (
        Entry.objects.select_related("supersedes")
        .filter(kind=kind, ref=ref, superseded_by__isnull=True)
        .order_by("-id")
        .first()
    )
    if current is not None:
        if current.chain_id != chain:
            raise InvalidInput(
                _("%(kind)s %(ref)s is published in chain %(other)s, not %(chain)s")
                % {"kind": kind, "ref": ref, "other": current.chain_id, "chain": chain},
                field="chain",
            )
        if current.snapshot_sha256 == digest:
            return current
        if not reason:
            raise InvalidInput(
                _("%(kind)s %(ref)s is already published: a correction needs a reason") % {"kind": kind, "ref": ref},
                field="reason",
            )

    head = Entry.objects.filter(chain_id=chain).order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    entry = Entry(
        chain=region,
        seq=seq,
        prev_hash=prev_hash,
        kind=kind,
        ref=ref,
        snapshot_json=text,
        snapshot_sha256=digest,
        published_at=timezone.now(),
        publisher=by if getattr(by, "is_authenticated", False) else None,
        supersedes=current,
        reason=reason,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save(force_insert=True)
    audit_record(
        action="publish",
        by=by,
        obj=entry,
        region_code=chain,
        detail={
            "kind": kind,
            "ref": ref,
            "seq": seq,
            "entry_hash": entry.entry_hash,
            "supersedes": current.pk if current else None,
            "reason": reason,
        },
    )
    return entry


def _lock_log() -> None:
    # Entry ids come from a sequence and, on PostgreSQL, can commit out of order: a root
    # over "every id up to N" must not be signed while a lower id is still uncommitted,
    # or that entry would never be covered. SHARE ROW EXCLUSIVE waits for open inserts,
    # holds new ones back for the moment of signing, and lets one signer in at a time.
    # SQLite's IMMEDIATE transaction already excludes every other writer.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Entry._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"LOCK TABLE {SignedRoot._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def _sign_next(key: Any, fingerprint: str) -> SignedRoot | None:
    last = SignedRoot.objects.order_by("-batch").first()
    after = last.last_entry_id if last else 0
    rows = list(Entry.objects.filter(id__gt=after).order_by("id").values_list("id", "entry_hash")[:MAX_BATCH])
    if not rows:
        return None
    root_hash = merkle.root(merkle.leaf_hash(bytes.fromhex(h)) for _id, h in rows).hex()
    fields: dict[str, Any] = {
        "batch": (last.batch + 1) if last else 1,
        "first_entry_id": rows[0][0],
        "last_entry_id": rows[-1][0],
        "tree_size": len(rows),
        "root_hash": root_hash,
        "prev_root_hash": last.statement_hash if last else GENESIS,
        "signed_at": timezone.now(),
        "key_fingerprint": fingerprint,
    }
    root = SignedRoot(**fields, signature=signing.sign(key, root_statement(**fields)))
    root.save(force_insert=True)
    return root


@transaction.atomic
def root_sign(*, by: User | None) -> SignedRoot | None:
    """Sign a Merkle root over the entries no root covers yet; None if there are none.

    A backlog larger than MAX_BATCH becomes several consecutive roots; the last is
    returned. `by` is None for the scheduler; a person needs `transparency.sign` over
    every top region, since a root covers all chains.
    """
    if by is not None:
        for top in region_selectors.top_regions():
            jurisdiction.require(by, "transparency.sign", top.code)
    _lock_log()
    key = signing.private_key()
    fingerprint = signing.fingerprint(key.public_key())
    newest = None
    while (root := _sign_next(key, fingerprint)) is not None:
        newest = root
        audit_record(
            action="transparency.root_sign",
            by=by,
            obj=root,
            detail={"batch": root.batch, "tree_size": root.tree_size, "root_hash": root.root_hash},
        )
    return newest
