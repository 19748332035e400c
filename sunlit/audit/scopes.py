"""Audit rows about records whose very existence is restricted.

The audit log is scoped by region (`accounts.selectors.audit_in_scope`), but some records
may not be known to everyone over their region: a villager's report exists only for the
inspectors who may handle it. A room that owns such records says so here, for each kind
of object it audits, with a function giving the ids (as text, like `object_id`) that a
person may know of; every row about any other object of that kind is left out for them.
The room registers in its AppConfig.ready(); the audit room imports no room.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from sunlit.audit.models import AuditEvent

# object_type ("app_label.model_name") -> user -> a queryset of one text column: the ids they may know of.
VisibleIds = Callable[[Any], QuerySet[Any]]
_restricted: dict[str, VisibleIds] = {}


def restrict(object_type: str, visible_ids: VisibleIds) -> None:
    """Rows about objects of `object_type` are shown only for the ids `visible_ids(user)` gives."""
    if _restricted.get(object_type, visible_ids) is not visible_ids:
        raise ValueError(f"audit rows of {object_type!r} are already restricted")
    _restricted[object_type] = visible_ids


def visible_to(qs: QuerySet[AuditEvent], user: Any) -> QuerySet[AuditEvent]:
    """`qs` without the rows about restricted objects that `user` may not know of."""
    if not _restricted:
        return qs
    allowed = ~Q(object_type__in=list(_restricted))
    for object_type, visible_ids in _restricted.items():
        allowed |= Q(object_type=object_type, object_id__in=visible_ids(user))
    return qs.filter(allowed)
