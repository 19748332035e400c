"""The reports room: villagers' reports and complaints, their handling and deadlines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import INSPECTOR, Desk, Job, Room

ROOM = Room(
    name="reports",
    label=_("Complaints and their handling"),
    # A report is about a record of any room that declares a "question this" resolver.
    depends_on=("regions", "accounts", "transparency", "workdays"),
    # Only discipline inspectors handle reports, and only through may_see_report and
    # scope_reports (sunlit/accounts/jurisdiction.py), which add the conflict-of-interest
    # rules. The head of an office is an inspector whose membership title is one of
    # SUNLIT_REPORTS_HEAD_TITLES (see may_head_reports).
    actions={"report.handle": {INSPECTOR}},
    desks=(Desk("reports:office", _("Reports"), "report.handle"),),
    # Remind before the accept/reply deadlines, escalate after.
    jobs=(Job("reports_sweep", "SUNLIT_REPORTS_SWEEP_INTERVAL", "sunlit.reports.tasks.sweep_task"),),
    urls="sunlit.reports.urls",
)
