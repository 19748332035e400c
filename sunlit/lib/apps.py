from __future__ import annotations

from django.apps import AppConfig


class LibConfig(AppConfig):
    # Installed only for the shared rate-limit counters (sunlit.lib.models); no room.
    name = "sunlit.lib"
    label = "sunlit_lib"
    default_auto_field = "django.db.models.BigAutoField"
