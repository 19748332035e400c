from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BulletinsConfig(AppConfig):
    name = "sunlit.bulletins"
    verbose_name = _("Bulletins")

    def ready(self) -> None:
        from sunlit.accounts import views as account_views
        from sunlit.portal import selectors as portal_selectors
        from sunlit.transparency import labels

        entry = ("bulletins:office", _("Typical cases and policies"), "bulletin.publish")
        if entry not in account_views.OFFICE_LINKS:
            account_views.OFFICE_LINKS.append(entry)
        portal_selectors.KIND_LABELS.setdefault("bulletin", _("Typical case or policy"))
        labels.register(
            {
                "title": pgettext_lazy("bulletin", "Title"),
                "body_markdown": _("Text (Markdown)"),
                "region": _("Region"),
                "region_name": _("Region name"),
                "attachments": _("Attachments"),
                "sha256": _("SHA-256"),
                "name": _("Name"),
                "published_on": _("Published on"),
            }
        )
