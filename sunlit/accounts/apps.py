from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "sunlit.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        checks.register(_manifest_roles_check)


def _manifest_roles_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every role a room's manifest grants an action to is one of accounts' roles (and the
    manifests load: two rooms declaring one action, kind or label is refused there)."""
    # Imported when the check runs: models and manifests are not ready while apps load.
    from sunlit.accounts.models import Role
    from sunlit.lib import rooms

    known = set(Role.values)
    return [
        checks.Error(
            f"action {action!r} is granted to unknown role(s) {sorted(set(roles) - known)}", id="sunlit.accounts.E001"
        )
        for action, roles in rooms.registry().actions.items()
        if not set(roles) <= known
    ]
