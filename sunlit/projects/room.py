"""The projects room: village construction projects, tenders, contracts, payments, acceptance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import ADMIN, CADRE, INSPECTOR, SUPERVISOR, TOWNSHIP, Desk, Job, PageLink, RecordKind, Room
from sunlit.projects.publication import KIND
from sunlit.projects.selectors import public_project


def _project_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    return PageLink("projects:project", (ref,))


ROOM = Room(
    name="projects",
    label=_("Construction projects"),
    depends_on=("regions", "accounts", "transparency", "cases", "finance"),
    # Cadres and the township agent record, import and publish; acceptance is recorded by
    # the village committees, the supervision committee or the township; reviewers and
    # inspectors read the desk.
    actions={
        "projects.view": {CADRE, SUPERVISOR, TOWNSHIP, INSPECTOR, ADMIN},
        "projects.record": {CADRE, TOWNSHIP},
        "projects.import": {CADRE, TOWNSHIP},
        "projects.accept": {CADRE, SUPERVISOR, TOWNSHIP},
        "projects.publish": {CADRE, TOWNSHIP},
    },
    desks=(
        Desk("projects:office", _("Village projects"), "projects.view"),
        Desk("projects:imports", _("Import projects"), "projects.import"),
    ),
    kinds=(RecordKind(KIND, _("Construction project"), page=_project_page),),
    # Field names of a published project, for the publication log's pages. A key means one
    # thing across snapshots: those another room names already (opened_on, …) are theirs.
    labels={
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
    },
    # "Question this" on a project page: the report is about the project's village.
    resolvers={KIND: public_project},
    purposes={"projects.project": ""},  # a village construction project
    # End the imports whose worker was killed mid-run, so none stays "running" for ever.
    jobs=(
        Job(
            "projects_imports_stalled",
            "SUNLIT_IMPORT_STALLED_INTERVAL",
            "sunlit.projects.tasks.fail_stalled_imports_task",
        ),
    ),
    demo="sunlit.projects.demo.seed",
    urls="sunlit.projects.urls",
)
