"""The cases room: each exercise of a power moving through its flow, on the record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sunlit.cases.services import KIND
from sunlit.lib.rooms import (
    ADMIN,
    CADRE,
    INSPECTOR,
    SUPERVISOR,
    TOWNSHIP,
    Desk,
    Job,
    PageLink,
    PublicRecord,
    RecordKind,
    Room,
)
from sunlit.transparency import selectors as tsel


def _case_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    return PageLink("cases:public_case", (ref,))


def _question_case(ref: str) -> PublicRecord | None:
    """ "Question this" on a case's public page: the report is about the case's village."""
    entry = tsel.current(KIND, ref)
    if entry is None:
        return None
    snapshot = entry.snapshot
    return PublicRecord(KIND, ref, f"{ref} {snapshot.get('subject', '')}".strip(), snapshot["village"])


ROOM = Room(
    name="cases",
    label=_("Exercise of power"),
    depends_on=("regions", "accounts", "transparency", "workdays", "powers"),
    actions={
        "case.view": {CADRE, SUPERVISOR, TOWNSHIP, INSPECTOR, ADMIN},
        "case.open": {CADRE, TOWNSHIP},
        "case.opinion": {SUPERVISOR},
        "case.objection_record": {CADRE, SUPERVISOR, TOWNSHIP},
        "case.objection_resolve": {TOWNSHIP},
    },
    desks=(
        Desk("cases:list", _("Cases"), "case.view"),
        Desk("cases:open", _("Open a case"), "case.open"),
        Desk("cases:overdue", _("Overdue cases"), "case.view"),
    ),
    kinds=(RecordKind(KIND, _("Exercise of power"), page=_case_page),),
    # The publication log's pages name each field of a published case in the reader's language.
    labels={
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
    },
    resolvers={KIND: _question_case},
    # Remind whoever can act on a case step that is past its due date (once a day per step).
    jobs=(Job("cases_remind_overdue", "SUNLIT_CASES_REMIND_INTERVAL", "sunlit.cases.tasks.remind_overdue_task"),),
    demo="sunlit.cases.demo.seed",
    urls="sunlit.cases.urls",
)
