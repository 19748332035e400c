from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sunlit.cases"

    def ready(self) -> None:
        # The publication log's pages name each field of a published case in the
        # reader's language, and the village page names the kind of record.
        from sunlit.portal import selectors as portal_selectors
        from sunlit.transparency import labels

        portal_selectors.KIND_LABELS.setdefault("case", _("Exercise of power"))
        labels.register(
            {
                "number": _("Case number"),
                "village": _("Village code"),
                "village_name": _("Village"),
                "item": _("List item"),
                "name_zh": _("Name (Chinese)"),
                "name_en": _("Name (English)"),
                "category": _("Category"),
                "list_version": _("List version"),
                "subject": _("Subject"),
                "amount_fen": _("Amount (fen)"),
                "applicant": _("Applicant"),
                "state": _("State"),
                "current_step": _("Current step"),
                "key": _("Key"),
                "started_on": _("Started on"),
                "due_on": _("Due on"),
                "notice_until": _("Notice posted until"),
                "opened_on": _("Opened on"),
                "closed_on": _("Closed on"),
                "history": _("Steps taken"),
                "seq": _("No."),
                "kind": _("Kind"),
                "step": _("Step"),
                "outcome": _("Outcome"),
                "to": _("Next"),
                "on": _("Date"),
                "meeting": _("Meeting"),
                "body": _("Body"),
                "expected": _("Expected to attend"),
                "present": _("Present"),
                "households_expected": _("Households expected"),
                "households_present": _("Households present"),
                "for": _("For"),
                "against": _("Against"),
                "abstain": _("Abstaining"),
                "result": _("Result"),
                "objections": _("Objections"),
                "raised_on": _("Raised on"),
                "resolved_on": _("Resolved on"),
                "upheld": _("Upheld"),
                "opinions": _("Supervision opinions"),
            }
        )
