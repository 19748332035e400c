"""`{% question_this kind part part … %}`: the "question this" link of a public record,
with the record attached, and its "under review" mark (no content) when an inspector set one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from sunlit.reports import selectors

register = template.Library()


@register.inclusion_tag("reports/_question.html", takes_context=True)
def question_this(context: Any, kind: str, *parts: Any) -> dict[str, Any]:
    ref = "-".join(str(p) for p in parts)
    name = "reports:kiosk_new" if context.get("layout") == "kiosk" else "reports:new"
    return {
        "url": f"{reverse(name)}?{urlencode({'kind': kind, 'ref': ref})}",
        "under_review": selectors.record_under_review(kind, ref),
    }
