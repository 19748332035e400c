from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def layout(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SUNLIT_SITE_NAME,
        "layout": "kiosk" if request.path.startswith("/kiosk/") else "portal",
    }
