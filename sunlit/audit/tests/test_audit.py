from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from sunlit.audit.models import AuditEvent
from sunlit.audit.services import audit_record, audit_view
from sunlit.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_it_refuses_to_update_an_audit_row_in_the_database_itself() -> None:
    event = audit_record(action="test", by=None)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_auditevent SET action = 'forged'")


def test_it_refuses_to_delete_an_audit_row_in_the_database_itself() -> None:
    event = audit_record(action="test", by=None)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_records_who_when_and_from_where(cast: Cast) -> None:
    client = Client(HTTP_USER_AGENT="KioskBrowser/1.0")
    client.post("/accounts/login/", {"username": "cadre_a", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": "阳光村务-新密码-2026",
            "new_password_again": "阳光村务-新密码-2026",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == cast.cadre_a and event.ip == "10.1.2.3"
    assert event.user_agent == "KioskBrowser/1.0" and event.at is not None


def test_it_logs_an_officials_view_of_a_sensitive_record(cast: Cast) -> None:
    event = audit_view(by=cast.inspector, obj=cast.cadre_a, region_code=cast.village_a.code, reason="核查")
    assert event.action == "view" and event.object_type == "accounts.user"
    assert event.detail == {"reason": "核查"}
