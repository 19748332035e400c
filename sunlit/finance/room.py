"""The finance room: village books — vouchers, entries, receipts, imports, monthly publication."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sunlit.finance.publication import KIND
from sunlit.finance.selectors import public_voucher
from sunlit.lib.rooms import ADMIN, CADRE, INSPECTOR, SUPERVISOR, TOWNSHIP, Desk, Job, PageLink, RecordKind, Room


def _month_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    match = re.fullmatch(r"([0-9]{12})-([0-9]{4}-[0-9]{2})", ref)
    return PageLink("finance:month", (match[1], match[2])) if match else None


ROOM = Room(
    name="finance",
    label=_("Finances"),
    depends_on=("regions", "accounts", "transparency", "cases"),
    # Village books (domain §5): the handler records, the supervision committee reviews,
    # two cadres (secretary and director) countersign, the accountant — a cadre or the
    # township agent who keeps the books (村财乡管) — posts and closes the month, and the
    # committee signs the month off, which publishes it.
    actions={
        "finance.view": {CADRE, SUPERVISOR, TOWNSHIP, INSPECTOR, ADMIN},
        "finance.record": {CADRE, TOWNSHIP},
        "finance.review": {SUPERVISOR},
        "finance.countersign": {CADRE},
        "finance.post": {CADRE, TOWNSHIP},
        "finance.import": {CADRE, TOWNSHIP},
        "finance.signoff": {SUPERVISOR},
        # Which chart of accounts a village keeps for a year; loading a chart needs it over
        # every top region (a chart is shared by all).
        "finance.chart": {TOWNSHIP, ADMIN},
    },
    desks=(
        Desk("finance:office", _("Village books"), "finance.view"),
        Desk("finance:imports", _("Import accounts"), "finance.import"),
        Desk("finance:late", _("Late disclosures"), "finance.view"),
    ),
    kinds=(RecordKind(KIND, _("Finances"), page=_month_page),),
    # "Question this" on a voucher of a published month.
    resolvers={"finance.voucher": public_voucher},
    purposes={"finance.voucher": ""},  # a voucher in a village's books
    # End the imports whose worker was killed mid-run, so none stays "running" for ever.
    jobs=(
        Job(
            "finance_imports_stalled",
            "SUNLIT_IMPORT_STALLED_INTERVAL",
            "sunlit.finance.tasks.fail_stalled_imports_task",
        ),
    ),
    demo="sunlit.finance.demo.seed",
    urls="sunlit.finance.urls",
)
