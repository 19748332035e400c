"""The one jurisdiction check: "may this person do this action on this region's data?"

Views, API endpoints, services and tasks ask here; nobody else tests roles. An action is
granted by a role, and a membership grants its role over one region's subtree for a
period. Each room declares its actions and the roles holding them in its manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from sunlit.accounts.models import Membership
from sunlit.lib import rooms
from sunlit.lib.errors import NotPermitted
from sunlit.regions import codes

# Which roles hold which action is declared by each room in its manifest (room.py,
# `actions`); the registry gathers them (sunlit/lib/rooms.py).


def actions() -> Mapping[str, frozenset[str]]:
    """action -> the roles that hold it (over the regions of their memberships)."""
    return rooms.registry().actions


M = TypeVar("M", bound=Model)


def _roles_for(action: str) -> frozenset[str]:
    try:
        return rooms.registry().actions[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}: declare it in a room's manifest (room.py)") from None


def memberships(user: Any, action: str) -> list[Membership]:
    """The person's active memberships that grant `action` (cached per request user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache: dict[str, list[Membership]] = user.__dict__.setdefault("_sunlit_memberships", {})
    if action not in cache:
        roles = _roles_for(action)
        active = user.__dict__.get("_sunlit_active")
        if active is None:
            active = list(Membership.objects.active().filter(user=user).only("role", "region_id"))
            user.__dict__["_sunlit_active"] = active
        cache[action] = [m for m in active if m.role in roles]
    return cache[action]


def prefixes(user: Any, action: str) -> list[str]:
    """Code prefixes of the regions where `user` may do `action` (minimal set)."""
    found = sorted({codes.prefix_of(m.region_id) for m in memberships(user, action)}, key=len)
    minimal: list[str] = []
    for p in found:
        if not any(p.startswith(q) for q in minimal):
            minimal.append(p)
    return minimal


def can(user: Any, action: str, region_code: str) -> bool:
    return any(region_code.startswith(p) for p in prefixes(user, action))


def require(user: Any, action: str, region_code: str) -> None:
    """Raise NotPermitted (a service's refusal, shown as a message) unless allowed."""
    if not can(user, action, region_code):
        raise NotPermitted(_("You have no role that allows this in region %(code)s") % {"code": region_code})


def require_or_404(user: Any, action: str, region_code: str) -> None:
    """For views: a region outside the person's jurisdiction does not exist for them."""
    if not can(user, action, region_code):
        raise Http404(_("Not found"))


def scope(qs: QuerySet[M], user: Any, action: str, field: str = "region") -> QuerySet[M]:
    """Only the rows whose region (a FK to Region named `field`, or a code column) lies in scope."""
    ps = prefixes(user, action)
    if not ps:
        return qs.none()
    # A code column is matched directly; a FK to Region through its key, which Django
    # resolves to the local column (no join).
    lookup = field if field.endswith(("_code", "code")) else f"{field}__code"
    condition = Q()
    for p in ps:
        condition |= Q(**{f"{lookup}__startswith": p})
    return qs.filter(condition)


def holds_role(user: Any, role: str, region_code: str, level: str) -> bool:
    """Does `user` hold `role` over `region_code` at `level` or above?

    For steps of a flow: "the township reviews" needs a township official whose
    membership covers the village from the township (or county) level; a village cadre's
    membership does not reach a township-level step even though it covers the village.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    memberships(user, "region.view")
    wanted = codes.LEVELS.index(level)
    return any(
        m.role == role
        and region_code.startswith(codes.prefix_of(m.region_id))
        and codes.LEVELS.index(codes.level_of(m.region_id)) <= wanted
        for m in user.__dict__.get("_sunlit_active", [])
    )


def roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    memberships(user, "region.view")
    return {m.role for m in user.__dict__.get("_sunlit_active", [])}


def require_not_own(user: Any, created_by_id: int | None) -> None:
    """Nobody approves (reviews, countersigns) a record they made themselves."""
    if created_by_id is not None and user.pk == created_by_id:
        raise NotPermitted(_("You cannot approve a record you created yourself"))


# --- Reports: who may see a villager's report -------------------------------------------
# A report is seen only by inspectors of the office it is routed to (or an office above
# it), at township level or higher, and never by anyone with a conflict of interest:
# whoever holds a membership in the reported village (or township, for a report about
# township officials), whoever the report names, whoever recused, and whoever the
# reporter asked to exclude. To them the report does not exist (404, absent from lists).

REPORT_HANDLER_LEVELS = (codes.PROVINCE, codes.PREFECTURE, codes.COUNTY, codes.TOWNSHIP)


def _active(user: Any) -> list[Membership]:
    memberships(user, "region.view")
    return list(user.__dict__.get("_sunlit_active", []))


def report_office_prefixes(user: Any) -> list[str]:
    """Prefixes of the offices whose reports `user` may handle (township level or above)."""
    return [
        codes.prefix_of(m.region_id)
        for m in memberships(user, "report.handle")
        if codes.level_of(m.region_id) in REPORT_HANDLER_LEVELS
    ]


def report_conflict_regions(user: Any) -> set[str]:
    """Regions where `user` holds a membership of their own: reports about them are not theirs."""
    return {m.region_id for m in _active(user)}


def may_see_report(user: Any, report: Any) -> bool:
    if not any(report.office_code.startswith(p) for p in report_office_prefixes(user)):
        return False
    if report.subject_code in report_conflict_regions(user):
        return False
    return not report.conflicted.filter(pk=user.pk).exists()


def require_report_or_404(user: Any, report: Any) -> None:
    if not may_see_report(user, report):
        raise Http404(_("Not found"))


def scope_reports(qs: QuerySet[M], user: Any) -> QuerySet[M]:
    ps = report_office_prefixes(user)
    if not ps:
        return qs.none()
    condition = Q()
    for p in ps:
        condition |= Q(office_code__startswith=p)
    return qs.filter(condition).exclude(subject_code__in=report_conflict_regions(user)).exclude(conflicted=user)


def may_head_reports(user: Any, office_code: str) -> bool:
    """The head of the discipline office over `office_code`: an inspector with a head title.

    A title, not a new role: the head is an inspector like the others (same desk, same
    conflict rules) who also reads the office's view log; titles are already on memberships.
    """
    titles = set(settings.SUNLIT_REPORTS_HEAD_TITLES)
    return any(
        m.title in titles
        and office_code.startswith(codes.prefix_of(m.region_id))
        and codes.level_of(m.region_id) in REPORT_HANDLER_LEVELS
        for m in memberships(user, "report.handle")
    )
