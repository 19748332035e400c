"""Reads of the publication log, for the public pages and for other rooms.

Other rooms show what is public by reading here (never their own working tables):

    current("region.profile", code)      the live version of one record, or None
    current_for_chain(code, kind=...)    the live version of every record in a chain
    history("region.profile", code)      every version of one record, oldest first
    entries_for_chain(code)              a chain's entries, newest first
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet

from sunlit.transparency import merkle, signing
from sunlit.transparency.models import Entry, SignedRoot


def current(kind: str, ref: str) -> Entry | None:
    """The version of (kind, ref) that no later entry supersedes, or None if unpublished."""
    return (
        Entry.objects.select_related("chain", "supersedes")
        .filter(kind=kind, ref=ref, superseded_by__isnull=True)
        .order_by("-id")
        .first()
    )


def current_for_chain(chain: str, kind: str | None = None) -> QuerySet[Entry]:
    """The live version of each record in `chain` (optionally of one kind), newest first.

    One query: superseded versions are left out by an anti-join on the correction that
    replaced them. Slice it for a page; `.snapshot` on each row gives the published data.
    """
    qs = Entry.objects.filter(chain_id=chain, superseded_by__isnull=True)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-seq")


def history(kind: str, ref: str) -> QuerySet[Entry]:
    """Every published version of (kind, ref), oldest first, each with its corrector."""
    return Entry.objects.select_related("superseded_by").filter(kind=kind, ref=ref).order_by("seq")


def entries_for_chain(chain: str) -> QuerySet[Entry]:
    """All entries of `chain`, newest first, each with the entry that corrected it (if any)."""
    return Entry.objects.select_related("superseded_by").filter(chain_id=chain).order_by("-seq")


def entry_detail(entry_id: int) -> Entry | None:
    """One entry with everything its page shows, in one query."""
    return Entry.objects.select_related("chain", "publisher", "supersedes", "superseded_by").filter(pk=entry_id).first()


def entry_by_hash(entry_hash: str) -> Entry | None:
    return Entry.objects.filter(entry_hash=entry_hash.lower()).order_by("id").first()


def root_covering(entry: Entry) -> SignedRoot | None:
    return SignedRoot.objects.filter(first_entry_id__lte=entry.pk, last_entry_id__gte=entry.pk).first()


def latest_roots(limit: int = 5) -> list[SignedRoot]:
    return list(SignedRoot.objects.order_by("-batch")[:limit])


@dataclass(frozen=True)
class InclusionProof:
    """Where an entry sits in its root's tree, and the hashes that prove it."""

    batch: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]
    root_hash: str

    @property
    def verified(self) -> bool:
        return merkle.verify_inclusion(
            bytes.fromhex(self.leaf_hash),
            self.leaf_index,
            self.tree_size,
            [bytes.fromhex(p) for p in self.audit_path],
            bytes.fromhex(self.root_hash),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "batch": self.batch,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash,
            "audit_path": self.audit_path,
            "root_hash": self.root_hash,
            "verified": self.verified,
        }


def inclusion_proof(entry: Entry, root: SignedRoot) -> InclusionProof | None:
    """The entry's audit path in `root`'s tree (None if the stored entries no longer
    contain it). Cached under both hashes: the same hashes always give the same proof."""
    key = f"transparency:proof:{root.root_hash}:{entry.entry_hash}:{entry.pk}"
    found: InclusionProof | None = cache.get(key)
    if found is not None:
        return found
    rows = list(
        Entry.objects.filter(id__gte=root.first_entry_id, id__lte=root.last_entry_id)
        .order_by("id")
        .values_list("id", "entry_hash")
    )
    ids = [r[0] for r in rows]
    try:
        index = ids.index(entry.pk)
    except ValueError:
        return None
    leaves = [merkle.leaf_hash(bytes.fromhex(h)) for _id, h in rows]
    proof = InclusionProof(
        batch=root.batch,
        leaf_index=index,
        tree_size=root.tree_size,
        leaf_hash=leaves[index].hex(),
        audit_path=[p.hex() for p in merkle.audit_path(leaves, index)],
        root_hash=root.root_hash,
    )
    cache.set(key, proof, 24 * 3600)
    return proof


@dataclass(frozen=True)
class PublicKey:
    pem: str
    fingerprint: str


def public_key() -> PublicKey | None:
    """The current root-signing public key, or None before the first root is signed."""
    public = signing.public_key_or_none()
    if public is None:
        return None
    return PublicKey(pem=signing.public_pem(public), fingerprint=signing.fingerprint(public))


def root_signature_valid(root: SignedRoot) -> bool:
    public = signing.public_key_or_none()
    return (
        public is not None
        and root.key_fingerprint == signing.fingerprint(public)
        and signing.signature_valid(public, root.statement(), root.signature)
    )
