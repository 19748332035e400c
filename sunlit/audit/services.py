"""Writing the audit log. Every service that changes data calls `audit_record`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sunlit.audit.context import current_origin
from sunlit.audit.models import AuditEvent


def audit_record(
    *,
    action: str,
    by: Any | None,
    obj: Any | None = None,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    origin = current_origin.get()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=region_code,
        ip=origin.ip,
        user_agent=origin.user_agent,
        detail=detail or {},
    )


def audit_view(*, by: Any, obj: Any, region_code: str = "", reason: str = "") -> AuditEvent:
    """Log that an official opened a sensitive record (later rooms: reports, households)."""
    return audit_record(
        action="view",
        by=by,
        obj=obj,
        region_code=region_code,
        detail={"reason": reason} if reason else {},
    )
