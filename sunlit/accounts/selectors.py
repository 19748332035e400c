from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership
from sunlit.audit import scopes
from sunlit.audit.models import AuditEvent
from sunlit.regions import codes
from sunlit.regions.models import Region


def has_confirmed_totp(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def my_memberships(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("region").order_by("-starts_on")


def regions_in_scope(user: Any, *, levels: tuple[str, ...] = ("township", "village")) -> QuerySet[Region]:
    qs = Region.objects.filter(level__in=levels).select_related("parent")
    return jurisdiction.scope(qs, user, "region.view", field="code")


def memberships_in_scope(user: Any, region_code: str | None = None) -> QuerySet[Membership]:
    qs: QuerySet[Membership] = Membership.objects.select_related("user", "region", "granted_by")
    qs = jurisdiction.scope(qs, user, "membership.view")
    if region_code:
        qs = qs.filter(region_id=region_code)
    return qs.order_by("region_id", "role", "-starts_on")


def audit_in_scope(user: Any, region_code: str | None = None) -> QuerySet[AuditEvent]:
    """The audit rows of the person's regions, less those about records they may not know
    exist (a report is known only to those who may handle it: `audit.scopes`)."""
    qs = jurisdiction.scope(AuditEvent.objects.all(), user, "audit.view", field="region_code")
    qs = scopes.visible_to(qs, user)
    if region_code:
        qs = qs.filter(region_code__startswith=codes.prefix_of(region_code))
    return qs.order_by("-at", "-id")
