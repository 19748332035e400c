from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "sunlit.welfare"
    verbose_name = _("Welfare and poverty alleviation")

    def ready(self) -> None:
        checks.register(_id_key_check, checks.Tags.security, deploy=False)


def _id_key_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Identity numbers are sealed under SUNLIT_ID_KEY (sunlit/lib/idnumbers.py); one
    derived from SECRET_KEY would change with it and is refused in production."""
    if settings.PRODUCTION and settings.SUNLIT_ID_KEY_IS_DERIVED:
        return [
            checks.Error(
                "SUNLIT_ID_KEY (or SUNLIT_ID_KEY_FILE) must be set in production: 32 random bytes, base64",
                id="sunlit.welfare.E001",
            )
        ]
    return []
