from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from sunlit.reports.records import Record


class ProjectsConfig(AppConfig):
    name = "sunlit.projects"
    verbose_name = _("Village projects")

    def ready(self) -> None:
        from sunlit.accounts import views as account_views
        from sunlit.portal import selectors as portal_selectors
        from sunlit.reports import records
        from sunlit.transparency import labels

        # "Question this" on a project page: the report is about the project's village.
        records.RESOLVERS.setdefault("project", _resolve_project)
        # The back office's front door lists the projects desk and the import.
        for entry in (
            ("projects:office", _("Village projects"), "projects.view"),
            ("projects:imports", _("Import projects"), "projects.import"),
        ):
            if entry not in account_views.OFFICE_LINKS:
                account_views.OFFICE_LINKS.append(entry)
        portal_selectors.KIND_LABELS.setdefault("project", _("Construction project"))
        # Field names of a published project, for the publication log's pages. Only keys
        # no other room has named: a key means one thing across snapshots.
        mine = {
            "budget": _("Budget (fen)"),
            "funding": _("Funding sources"),
            "source": _("Source"),
            "amount": _("Amount (fen)"),
            "location": _("Location"),
            "planned": _("Planned"),
            "actual": _("Actual"),
            "start": _("Start"),
            "end": _("End"),
            "tender": _("Tender"),
            "method": _("Method"),
            "direct_reason": _("Reason for direct award"),
            "notice_on": _("Notice published on"),
            "deadline_on": _("Bids due by"),
            "opened_on": _("Bids opened on"),
            "notice_days": _("Notice period (days)"),
            "supervisors": _("Supervised by (4+X)"),
            "bidders": _("Bidders"),
            "quote": _("Quote (fen)"),
            "submitted_on": _("Submitted on"),
            "reason": _("Reason"),
            "winner": _("Winner"),
            "award": _("Award (fen)"),
            "contract": _("Contract"),
            "contractor": _("Contractor"),
            "contractor_kind": _("Contractor is"),
            "credit_code": _("Unified social credit code"),
            "value": _("Contract value (fen)"),
            "signed_on": _("Signed on"),
            "amendments": _("Amendments"),
            "value_change": _("Value change (fen)"),
            "current_value": _("Value after amendments (fen)"),
            "milestones": _("Milestones"),
            "progress": _("Physical progress (%)"),
            "photos": _("Photos"),
            "payments": _("Payments"),
            "voucher": _("Voucher"),
            "over_contract": _("Above the contract value"),
            "before_acceptance": _("Paid before acceptance"),
            "paid": _("Paid (fen)"),
            "acceptance": _("Acceptance"),
            "inspectors": _("Inspectors"),
            "opinion": _("Opinion"),
            "report": _("Acceptance report"),
            "documents": _("Documents"),
            "currency": _("Currency"),
            "unit": _("Unit"),
            "year": _("Year"),
            "status": _("Status"),
        }
        labels.register({k: v for k, v in mine.items() if labels.label_for(k) == k})


def _resolve_project(ref: str) -> Record | None:
    from sunlit.projects.models import PublishedProject
    from sunlit.reports.records import Record

    row = PublishedProject.objects.filter(number=(ref or "").strip()).only("number", "name", "village_code").first()
    if row is None:
        return None
    return Record("project", row.number, f"{row.number} {row.name}", row.village_code)
