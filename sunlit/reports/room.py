"""The reports room: villagers' reports and complaints, their handling and deadlines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import ADMIN, INSPECTOR, OPERATOR, Desk, Job, PageLink, RecordKind, Room
from sunlit.reports import selectors

ROOM = Room(
    name="reports",
    label=_("Complaints and their handling"),
    # A report is about a record of any room that declares a "question this" resolver.
    depends_on=("regions", "accounts", "transparency", "workdays"),
    # Only discipline inspectors handle reports, and only through may_see_report and
    # scope_reports (sunlit/accounts/jurisdiction.py), which add the conflict-of-interest
    # rules. The head of an office is an inspector whose membership title is one of
    # SUNLIT_REPORTS_HEAD_TITLES (see may_head_reports).
    actions={
        "report.handle": {INSPECTOR},
        # Lifting a kiosk's hourly limits on wrong receipts and self-checks (issue #14).
        "kiosk.unlock": {OPERATOR, ADMIN},
    },
    desks=(
        Desk("reports:office", _("Reports"), "report.handle"),
        Desk("reports:unlock_kiosk", _("Unlock a kiosk"), "kiosk.unlock"),
    ),
    # Published on each county's chain by the hourly sweep: a report's public status (no text,
    # no reporter, no village), and the county's figures behind the statistics page.
    kinds=(
        RecordKind("reports.status", _("Status of a report")),
        RecordKind("reports.figures", _("Report statistics"), page=lambda ref, snapshot: PageLink("reports:stats")),
    ),
    # Remind before the accept/reply deadlines, escalate after.
    jobs=(Job("reports_sweep", "SUNLIT_REPORTS_SWEEP_INTERVAL", "sunlit.reports.tasks.sweep_task"),),
    # A report exists only for those who may handle it: the audit log's rows about it, its
    # files and its messages too (no row may tell an excluded inspector it exists).
    restricted_audit={
        "reports.report": selectors.audit_visible_reports,
        "reports.file": selectors.audit_visible_files,
        "reports.message": selectors.audit_visible_messages,
    },
    urls="sunlit.reports.urls",
)
