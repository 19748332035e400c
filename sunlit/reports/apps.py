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


def _secret_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.PRODUCTION and not settings.SUNLIT_REPORTS_SECRET:
        return [
            checks.Error(
                "SUNLIT_REPORTS_SECRET (or SUNLIT_REPORTS_SECRET_FILE) must be set in production",
                id="sunlit.reports.E001",
            )
        ]
    return []
