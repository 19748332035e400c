from __future__ import annotations

import io
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from sunlit.audit.models import AuditEvent
from sunlit.lib.errors import NotPermitted
from sunlit.transparency import merkle, selectors, services, signing
from sunlit.transparency.canonical import GENESIS
from sunlit.transparency.models import Entry, SignedRoot
from sunlit.transparency.services import root_sign
from sunlit.transparency.tasks import sign_root_task

from .conftest import TOWNSHIP, VILLAGE, publish_many
from .test_merkle import mth

pytestmark = pytest.mark.django_db


def test_it_signs_nothing_when_nothing_is_new(regions) -> None:
    assert root_sign(by=None) is None
    publish_many(VILLAGE, 1)
    assert root_sign(by=None) is not None
    assert root_sign(by=None) is None
    assert SignedRoot.objects.count() == 1


def test_it_signs_a_merkle_root_over_the_new_entries(regions, signing_key_path) -> None:
    entries = publish_many(VILLAGE, 3) + publish_many(TOWNSHIP, 2)
    root = root_sign(by=None)
    assert root is not None
    assert (root.batch, root.tree_size, root.prev_root_hash) == (1, 5, GENESIS)
    assert (root.first_entry_id, root.last_entry_id) == (entries[0].pk, entries[-1].pk)
    # RFC 6962 over the raw entry hashes, computed by the literal definition.
    assert root.root_hash == mth([bytes.fromhex(e.entry_hash) for e in entries]).hex()
    public = serialization.load_pem_private_key(signing_key_path.read_bytes(), None).public_key()
    assert isinstance(public, type(Ed25519PrivateKey.generate().public_key()))
    public.verify(bytes.fromhex(root.signature), root.statement().encode())
    assert root.key_fingerprint == signing.fingerprint(public)


def test_it_chains_each_root_to_the_one_before(regions) -> None:
    publish_many(VILLAGE, 2)
    first = root_sign(by=None)
    later = publish_many(VILLAGE, 3, start=3)
    second = root_sign(by=None)
    assert first is not None and second is not None
    assert second.batch == 2
    assert second.prev_root_hash == first.statement_hash
    assert (second.first_entry_id, second.last_entry_id, second.tree_size) == (later[0].pk, later[-1].pk, 3)


def test_it_creates_its_key_private_to_the_server(regions, signing_key_path) -> None:
    assert not signing_key_path.parent.exists()
    publish_many(VILLAGE, 1)
    root_sign(by=None)
    assert stat.S_IMODE(signing_key_path.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in signing_key_path.read_bytes()
    # And keeps using it.
    publish_many(VILLAGE, 1, start=2)
    again = root_sign(by=None)
    assert again is not None and selectors.root_signature_valid(again)


def test_it_splits_a_large_backlog_into_batches(regions, monkeypatch) -> None:
    monkeypatch.setattr(services, "MAX_BATCH", 3)
    entries = publish_many(VILLAGE, 7)
    last = root_sign(by=None)
    roots = list(SignedRoot.objects.order_by("batch"))
    assert last == roots[-1]
    assert [r.tree_size for r in roots] == [3, 3, 1]
    assert roots[2].last_entry_id == entries[-1].pk


def test_it_proves_each_entry_is_in_its_root(regions) -> None:
    entries = publish_many(VILLAGE, 6) + publish_many(TOWNSHIP, 5)
    root = root_sign(by=None)
    assert root is not None
    for index, entry in enumerate(entries):
        proof = selectors.inclusion_proof(entry, root)
        assert proof is not None and proof.verified
        assert (proof.leaf_index, proof.tree_size) == (index, 11)
        assert merkle.verify_inclusion(
            bytes.fromhex(entry.leaf_hash),
            index,
            11,
            [bytes.fromhex(p) for p in proof.audit_path],
            bytes.fromhex(root.root_hash),
        )


def test_it_lets_an_administrator_sign(regions, admin) -> None:
    publish_many(VILLAGE, 1)
    root = root_sign(by=admin)
    assert root is not None
    assert AuditEvent.objects.get(action="transparency.root_sign").actor == admin


def test_it_refuses_a_cadre(regions, charlie) -> None:
    publish_many(VILLAGE, 1)
    with pytest.raises(NotPermitted):
        root_sign(by=charlie)
    assert not SignedRoot.objects.exists()


def test_it_signs_from_the_command_line(regions) -> None:
    out = io.StringIO()
    call_command("sign_root", stdout=out)
    assert SignedRoot.objects.count() == 0
    publish_many(VILLAGE, 2)
    call_command("sign_root", stdout=out)
    root = SignedRoot.objects.get()
    assert root.root_hash in out.getvalue()


def test_it_signs_from_a_task(regions) -> None:
    publish_many(VILLAGE, 2)
    result = sign_root_task.enqueue()
    assert result.return_value == 1
    assert SignedRoot.objects.get().tree_size == Entry.objects.count()
