from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "sunlit.welfare"
    verbose_name = _("Welfare and poverty alleviation")

    def ready(self) -> None:
        from sunlit.accounts import views as account_views
        from sunlit.reports import records

        checks.register(_id_key_check, checks.Tags.security, deploy=False)
        # "Question this" on a published list: a report about the list's village.
        records.RESOLVERS.setdefault("welfare.list", _resolve_list)
        for entry in (
            ("welfare:office", _("Households and benefit payments"), "welfare.view"),
            ("welfare:imports", _("Import households and payments"), "welfare.import"),
            ("welfare:relatives", _("My declared relatives"), "welfare.declare"),
            ("welfare:review", _("Payments to cadres' relatives"), "welfare.relatives"),
        ):
            if entry not in account_views.OFFICE_LINKS:
                account_views.OFFICE_LINKS.append(entry)


def _resolve_list(ref: str) -> Any:
    from django.utils.translation import gettext

    from sunlit.reports.records import Record
    from sunlit.transparency import selectors as tsel
    from sunlit.welfare.publication import KIND

    entry = tsel.current(KIND, ref)
    if entry is None:
        return None
    snapshot = entry.snapshot
    label = gettext("%(village)s: list of %(programme)s, %(year)s") % {
        "village": snapshot["village"]["name"],
        "programme": snapshot["programme"]["name"],
        "year": snapshot["year"],
    }
    return Record("welfare.list", ref, label, snapshot["village"]["code"])


def _id_key_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Identity numbers are sealed under SUNLIT_ID_KEY (sunlit/lib/idnumbers.py); one
    derived from SECRET_KEY would change with it and is refused in production."""
    from django.conf import settings

    if getattr(settings, "PRODUCTION", False) and getattr(settings, "SUNLIT_ID_KEY_IS_DERIVED", True):
        return [
            checks.Error(
                "SUNLIT_ID_KEY (or SUNLIT_ID_KEY_FILE) must be set in production: 32 random bytes, base64",
                id="sunlit.welfare.E001",
            )
        ]
    return []
