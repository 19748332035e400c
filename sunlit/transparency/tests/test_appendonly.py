"""The database itself refuses to change or remove what was published or signed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sunlit.transparency.models import Entry, SignedRoot
from sunlit.transparency.services import root_sign

from .conftest import VILLAGE, publish_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(regions) -> tuple[Entry, SignedRoot]:
    entry = publish_many(VILLAGE, 2)[0]
    root = root_sign(by=None)
    assert root is not None
    return entry, root


def refused(sql: str, params: list) -> None:
    # IntegrityError on SQLite, InternalError on PostgreSQL: both are DatabaseErrors.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_it_refuses_to_update_an_entry(signed) -> None:
    entry, _root = signed
    refused("UPDATE transparency_entry SET snapshot_json = %s WHERE id = %s", ['{"a":2}', entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(reason="changed")
    assert Entry.objects.get(pk=entry.pk).reason == ""


def test_it_refuses_to_delete_an_entry(signed) -> None:
    entry, _root = signed
    refused("DELETE FROM transparency_entry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk)._raw_delete(connection.alias)
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_it_refuses_to_update_or_delete_a_root(signed) -> None:
    _entry, root = signed
    refused("UPDATE transparency_signedroot SET root_hash = %s WHERE id = %s", ["0" * 64, root.pk])
    refused("DELETE FROM transparency_signedroot WHERE id = %s", [root.pk])
    assert SignedRoot.objects.get(pk=root.pk).root_hash == root.root_hash
