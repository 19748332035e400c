"""Audit rows about records whose very existence is restricted.

The audit log is scoped by region (`accounts.selectors.audit_in_scope`), but some records
may not be known to everyone over their region: a villager's report exists only for the
inspectors who may handle it. A room that owns such records says so here, for each kind
of object it audits, with a function giving the ids (as text, like `object_id`) that a
person may know of; every row about any other object of that kind is left out for them.
The room declares it in its manifest (`restricted_audit`); the audit room imports no room.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sunlit.audit.models import AuditEvent
from sunlit.lib import rooms


def visible_to(qs: QuerySet[AuditEvent], user: Any) -> QuerySet[AuditEvent]:
    """`qs` without the rows about restricted objects that `user` may not know of."""
    restricted = rooms.registry().restricted_audit
    if not restricted:
        return qs
    allowed = ~Q(object_type__in=list(restricted))
    for object_type, visible_ids in restricted.items():
        allowed |= Q(object_type=object_type, object_id__in=visible_ids(user))
    return qs.filter(allowed)
