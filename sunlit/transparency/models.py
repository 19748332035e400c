"""The publication log: per-region hash chains of published snapshots, and signed roots.

Both tables are append-only in the database (migration 0002). A correction is a new
entry that `supersedes` the old one; "superseded by" is the reverse relation, found by a
query, never written to the old row.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunlit.transparency import merkle
from sunlit.transparency.canonical import entry_hash_input, root_statement, sha256_hex


class Entry(models.Model):
    """One published version of one record, the `seq`-th link of its region's chain."""

    # The chain is a region: the column holds its 12-digit code, so a big deployment can
    # partition (or shard) the log by the code's leading digits.
    chain = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        db_column="chain",
        db_index=False,
        related_name="+",
        verbose_name=_("chain"),
    )
    seq = models.PositiveBigIntegerField(_("sequence number"))
    kind = models.CharField(_("kind"), max_length=64)
    ref = models.CharField(_("reference"), max_length=200)
    # Text, not JSONField: PostgreSQL's jsonb would reorder keys and the hash is over
    # these exact bytes.
    snapshot_json = models.TextField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("snapshot hash"), max_length=64)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("entry hash"), max_length=64, db_index=True)
    published_at = models.DateTimeField(_("published at"))
    publisher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publisher"),
    )
    # One-to-one: a version is corrected at most once, so a record's history is a line.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("published entry")
        verbose_name_plural = _("published entries")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="transparency_entry_chain_seq"),
            # Only one first version of a record; later ones each supersede a distinct entry.
            models.UniqueConstraint(
                fields=["chain", "kind", "ref"],
                condition=Q(supersedes__isnull=True),
                name="transparency_entry_one_first_version",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="transparency_entry_seq_positive"),
        ]
        indexes = [models.Index(fields=["kind", "ref"], name="transparency_entry_kind_ref")]

    def __str__(self) -> str:
        return f"{self.chain_id}#{self.seq} {self.kind} {self.ref}"

    @property
    def snapshot(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.snapshot_json)
        return value

    def hash_input(self) -> str:
        return entry_hash_input(
            chain=self.chain_id,
            seq=self.seq,
            prev_hash=self.prev_hash,
            kind=self.kind,
            ref=self.ref,
            snapshot_sha256=self.snapshot_sha256,
            published_at=self.published_at,
            publisher_id=self.publisher_id,
            supersedes_hash=self.supersedes.entry_hash if self.supersedes else None,
            reason=self.reason,
        )

    def compute_hash(self) -> str:
        return sha256_hex(self.hash_input())

    @property
    def leaf_hash(self) -> str:
        return merkle.leaf_hash(bytes.fromhex(self.entry_hash)).hex()


class SignedRoot(models.Model):
    """A Merkle root over the entries with ids first_entry_id..last_entry_id, signed."""

    batch = models.PositiveIntegerField(_("batch"), unique=True)
    first_entry_id = models.BigIntegerField(_("first entry"))
    last_entry_id = models.BigIntegerField(_("last entry"))
    tree_size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    # The previous root's statement hash: roots form a chain of their own, so a root
    # cannot be dropped or replaced without breaking the next one.
    prev_root_hash = models.CharField(_("previous root hash"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        verbose_name = _("signed root")
        verbose_name_plural = _("signed roots")

    def __str__(self) -> str:
        return f"root #{self.batch} ({self.tree_size} entries)"

    def statement(self) -> str:
        return root_statement(
            batch=self.batch,
            first_entry_id=self.first_entry_id,
            last_entry_id=self.last_entry_id,
            tree_size=self.tree_size,
            root_hash=self.root_hash,
            prev_root_hash=self.prev_root_hash,
            signed_at=self.signed_at,
            key_fingerprint=self.key_fingerprint,
        )

    @property
    def statement_hash(self) -> str:
        return sha256_hex(self.statement())
