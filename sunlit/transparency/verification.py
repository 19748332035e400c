"""Recompute the whole publication log from its stored rows and name what no longer matches.

Two streaming passes, so memory stays flat at a million entries:

1. every chain in (chain, seq) order: each snapshot's hash, each entry's hash, each link
   to the previous entry, and that sequence numbers run 1, 2, 3 … without gaps;
2. every signed root in batch order: the Merkle root recomputed from the stored entry
   hashes in its id range, its tree size, its link to the previous root, and its Ed25519
   signature under the current public key (whose fingerprint it must carry).

Pass 1 catches an edited or reordered entry, and a deleted one in the middle of a chain.
Pass 2 also catches a deleted last entry, and a chain rewritten with fresh hashes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sunlit.transparency import merkle, signing
from sunlit.transparency.canonical import GENESIS, entry_hash_input, sha256_hex
from sunlit.transparency.models import Entry, SignedRoot

CHUNK = 2000


@dataclass(frozen=True)
class Problem:
    # A stable token ("snapshot_sha256", "prev_hash", "signature" …) that scripts and
    # tests can match whatever the language of `message`.
    what: str
    message: str
    chain: str = ""
    seq: int | None = None
    entry_id: int | None = None
    batch: int | None = None

    def __str__(self) -> str:
        if self.batch is not None:
            where = _("root %(batch)d") % {"batch": self.batch}
        elif self.entry_id is not None:
            where = _("chain %(chain)s seq %(seq)s entry #%(id)d") % {
                "chain": self.chain,
                "seq": self.seq,
                "id": self.entry_id,
            }
        else:
            where = _("chain %(chain)s") % {"chain": self.chain}
        return f"{where} [{self.what}]: {self.message}"


@dataclass
class Report:
    entries: int = 0
    chains: int = 0
    roots: int = 0
    uncovered: int = 0
    roots_checked: bool = True
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_entries(report: Report, prefix: str, emit: Callable[[Problem], None]) -> None:
    qs = Entry.objects.order_by("chain_id", "seq")
    if prefix:
        qs = qs.filter(chain__code__startswith=prefix)
    rows = qs.values_list(
        "id",
        "chain_id",
        "seq",
        "prev_hash",
        "kind",
        "ref",
        "snapshot_json",
        "snapshot_sha256",
        "published_at",
        "publisher_id",
        "supersedes_id",
        "supersedes__entry_hash",
        "reason",
        "entry_hash",
    ).iterator(chunk_size=CHUNK)
    chain, expected_seq, prev = "", 1, GENESIS
    for (
        pk,
        code,
        seq,
        prev_hash,
        kind,
        ref,
        text,
        snapshot_sha,
        published_at,
        publisher_id,
        supersedes_id,
        supersedes_hash,
        reason,
        stored_hash,
    ) in rows:
        report.entries += 1
        if code != chain:
            chain, expected_seq, prev = code, 1, GENESIS
            report.chains += 1

        def problem(what: str, message: str, pk: int = pk, code: str = code, seq: int = seq) -> None:
            emit(Problem(what, message, chain=code, seq=seq, entry_id=pk))

        if seq > expected_seq:
            problem(
                "seq",
                _("expected seq %(expected)d here: seq %(expected)d to %(last)d are missing")
                % {"expected": expected_seq, "last": seq - 1},
            )
        elif seq < expected_seq:
            problem("seq", _("expected seq %(expected)d here") % {"expected": expected_seq})
        if sha256_hex(text) != snapshot_sha:
            problem("snapshot_sha256", _("the snapshot no longer matches its hash"))
        if prev_hash != prev:
            problem("prev_hash", _("does not link to the entry before it in the chain"))
        if supersedes_id is not None and supersedes_hash is None:
            problem("supersedes", _("the entry it corrects (#%(id)d) is missing") % {"id": supersedes_id})
        recomputed = sha256_hex(
            entry_hash_input(
                chain=code,
                seq=seq,
                prev_hash=prev_hash,
                kind=kind,
                ref=ref,
                snapshot_sha256=snapshot_sha,
                published_at=published_at,
                publisher_id=publisher_id,
                supersedes_hash=supersedes_hash,
                reason=reason,
            )
        )
        if recomputed != stored_hash:
            problem("entry_hash", _("its fields no longer match its entry hash"))
        # Link the next entry to the stored hash, so one bad entry is named once rather
        # than making every later entry in the chain fail too.
        prev, expected_seq = stored_hash, seq + 1


def _check_roots(report: Report, emit: Callable[[Problem], None]) -> None:
    public = signing.public_key_or_none()
    current_fingerprint = signing.fingerprint(public) if public is not None else None
    expected_batch, prev_last, prev_root = 1, 0, GENESIS
    for root in SignedRoot.objects.order_by("batch").iterator(chunk_size=CHUNK):
        report.roots += 1

        def problem(what: str, message: str, batch: int = root.batch) -> None:
            emit(Problem(what, message, batch=batch))

        if root.batch != expected_batch:
            problem("batch", _("expected batch %(n)d here") % {"n": expected_batch})
        if root.prev_root_hash != prev_root:
            problem("root_chain", _("does not link to the root before it"))
        # The range starts right after the previous root, so an entry slipped into a
        # gap between two ranges is counted, not skipped.
        stream, first_id = merkle.MerkleStream(), None
        leaves = (
            Entry.objects.filter(id__gt=prev_last, id__lte=root.last_entry_id)
            .order_by("id")
            .values_list("id", "entry_hash")
            .iterator(chunk_size=CHUNK)
        )
        for pk, entry_hash in leaves:
            first_id = pk if first_id is None else first_id
            stream.add(merkle.leaf_hash(bytes.fromhex(entry_hash)))
        if stream.size != root.tree_size:
            problem(
                "tree_size",
                _("signed over %(signed)d entries, %(found)d found in its range")
                % {"signed": root.tree_size, "found": stream.size},
            )
        if first_id != root.first_entry_id:
            problem(
                "first_entry",
                _("its first entry is #%(signed)s, but #%(found)s is stored")
                % {"signed": root.first_entry_id, "found": first_id},
            )
        if stream.root().hex() != root.root_hash:
            problem("root_hash", _("the entries in its range no longer give its root hash"))
        if public is None:
            problem("signature", _("there is no signing key to check the signature with"))
        else:
            if root.key_fingerprint != current_fingerprint:
                problem(
                    "fingerprint",
                    _("signed by key %(signed)s…, the current key is %(current)s…")
                    % {"signed": root.key_fingerprint[:16], "current": (current_fingerprint or "")[:16]},
                )
            if not signing.signature_valid(public, root.statement(), root.signature):
                problem("signature", _("the signature does not verify under the current key"))
        expected_batch, prev_last = root.batch + 1, root.last_entry_id
        prev_root = root.statement_hash
    report.uncovered = Entry.objects.filter(id__gt=prev_last).count()


def verify_log(
    *,
    prefix: str = "",
    check_roots: bool = True,
    on_problem: Callable[[Problem], None] | None = None,
) -> Report:
    """Check chains (those whose code starts with `prefix`) and, if asked, every root.

    `on_problem` sees each problem as it is found, so a long run reports as it goes.
    """
    report = Report(roots_checked=check_roots)
    started = time.monotonic()

    def emit(p: Problem) -> None:
        report.problems.append(p)
        if on_problem is not None:
            on_problem(p)

    _check_entries(report, prefix, emit)
    if check_roots:
        _check_roots(report, emit)
    report.seconds = time.monotonic() - started
    return report
