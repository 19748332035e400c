from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sunlit.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        checks.register(_secret_check, checks.Tags.security, deploy=False)
        # A report exists only for those who may handle it: the audit log's rows about it,
        # its files and its messages too (no row may tell an excluded inspector it exists).
        from sunlit.audit import scopes
        from sunlit.reports import selectors

        scopes.restrict("reports.report", selectors.audit_visible_reports)
        scopes.restrict("reports.file", selectors.audit_visible_files)
        scopes.restrict("reports.message", selectors.audit_visible_messages)


def _secret_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.PRODUCTION and not settings.SUNLIT_REPORTS_SECRET:
        return [
            checks.Error(
                "SUNLIT_REPORTS_SECRET (or SUNLIT_REPORTS_SECRET_FILE) must be set in production",
                id="sunlit.reports.E001",
            )
        ]
    return []
