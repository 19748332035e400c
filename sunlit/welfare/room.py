"""The welfare room: benefit programmes, households, payments, published lists, the relatives register."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import ADMIN, CADRE, INSPECTOR, SUPERVISOR, TOWNSHIP, Desk, Job, PageLink, RecordKind, Room
from sunlit.welfare.publication import KIND
from sunlit.welfare.selectors import public_list


def _list_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    try:
        village, programme, year = snapshot["village"]["code"], snapshot["programme"]["code"], snapshot["year"]
    except (KeyError, TypeError):
        return None
    return PageLink("welfare:list", (str(village), str(programme), str(year)))


ROOM = Room(
    name="welfare",
    label=_("Welfare and subsidies"),
    depends_on=("regions", "accounts", "transparency", "cases", "finance"),
    # Cadres and the township record households and payments and publish the lists;
    # reviewers read them. Cadres declare their close relatives (近亲属备案); payments
    # reaching one are reviewed by the village's supervision committee and the township
    # (and inspectors), never by the cadre.
    actions={
        "welfare.view": {CADRE, SUPERVISOR, TOWNSHIP, INSPECTOR, ADMIN},
        "welfare.record": {CADRE, TOWNSHIP},
        "welfare.import": {CADRE, TOWNSHIP},
        "welfare.publish": {CADRE, TOWNSHIP},
        "welfare.declare": {CADRE},
        "welfare.relatives": {SUPERVISOR, TOWNSHIP, INSPECTOR},
        "welfare.programmes": {ADMIN},
    },
    desks=(
        Desk("welfare:office", _("Households and benefit payments"), "welfare.view"),
        Desk("welfare:imports", _("Import households and payments"), "welfare.import"),
        Desk("welfare:relatives", _("My declared relatives"), "welfare.declare"),
        Desk("welfare:review", _("Payments to cadres' relatives"), "welfare.relatives"),
    ),
    kinds=(RecordKind(KIND, _("Welfare and subsidies"), page=_list_page),),
    # "Question this" on a published list: a report about the list's village.
    resolvers={KIND: public_list},
    purposes={"welfare.payment": "programme"},  # a benefit payment of one programme
    # End the imports whose worker was killed mid-run, so none stays "running" for ever.
    jobs=(
        Job(
            "welfare_imports_stalled",
            "SUNLIT_IMPORT_STALLED_INTERVAL",
            "sunlit.welfare.tasks.fail_stalled_imports_task",
        ),
    ),
    demo="sunlit.welfare.demo.seed",
    urls="sunlit.welfare.urls",
)
