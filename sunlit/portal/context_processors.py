from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

KIOSK_PREFIX = "/kiosk/"


def layout(request: HttpRequest) -> dict[str, Any]:
    """What every template needs to draw its frame.

    The portal's own views pass `layout` themselves; this default covers pages of other
    rooms (and error pages) so a page under /kiosk/ still gets the kiosk frame.
    """
    kiosk = request.path.startswith(KIOSK_PREFIX)
    return {
        # Django's auth views put their own `site_name` (the host name) in the context;
        # the frame uses this one so the login page still says 阳光村务.
        "sunlit_site_name": settings.SUNLIT_SITE_NAME,
        "site_name": settings.SUNLIT_SITE_NAME,
        "layout": "kiosk" if kiosk else "portal",
        "base_template": "kiosk/base.html" if kiosk else "portal/base.html",
        "kiosk_idle_seconds": settings.SUNLIT_KIOSK_IDLE_SECONDS,
        # A kiosk left idle goes back to this language for the next villager.
        "default_language": settings.LANGUAGE_CODE,
    }
