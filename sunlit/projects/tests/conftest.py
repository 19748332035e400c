"""The projects room's fixtures on top of the shared cast: village A's road project with
its tender, contract, milestones, payments and acceptance, built through the services."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from sunlit.conftest import Cast
from sunlit.projects import services
from sunlit.projects.models import Project
from sunlit.projects.services import BidInput

# A valid unified social credit code (check character computed by the services).
CREDIT = "91431382MA4L" + "12345" + services.credit_check_character("91431382MA4L12345")


def valid_id() -> str:
    from sunlit.lib import idnumbers

    first17 = "43138219800512301"
    return first17 + idnumbers.check_character(first17)


@pytest.fixture(autouse=True)
def _keys_and_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "keys" / "signing-ed25519.pem"
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    yield


def png(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_case(
    cast: Cast,
    *,
    village: Any = None,
    code: str = "ZD-01",
    name: str = "村级工程项目建设",
    seq: int = 7,
    state: str = "approved",
    authorises: tuple[str, ...] = ("finance.voucher", "projects.project"),
) -> Any:
    """A case of list item `code` (which may authorise what `authorises` says, the first
    time the item is made), stored directly: the cases room tests its own flow."""
    from sunlit.cases.models import Case
    from sunlit.powers.models import PowerItem, PowerListVersion

    version = PowerListVersion.objects.filter(label="projects tests").first() or PowerListVersion.objects.create(
        number=901,
        label="projects tests",
        source="",
        sha256="1" * 64,
        loaded_at=timezone.now(),
        is_current=False,
        meetings={},
    )
    item = PowerItem.objects.filter(version=version, code=code).first() or PowerItem.objects.create(
        version=version,
        position=seq,
        code=code,
        authorises=list(authorises),
        name_zh=name,
        name_en="x",
        category="major",
        basis="",
        exerciser="",
        supervisor="",
        conditions=[],
        materials=[],
        time_limit_days=30,
        fee="",
        risks=[],
        flow={},
    )
    village = village or cast.village_a
    existing = Case.objects.filter(village=village, year=2025, seq=seq).first()
    if existing is not None:
        return existing
    return Case.objects.create(
        number=f"{village.code}-2025-{seq:04d}",
        year=2025,
        seq=seq,
        item=item,
        village=village,
        county_code=cast.county.code,
        subject="村道硬化",
        state=state,
        opened_by=cast.cadre_a,
        opened_at=timezone.now(),
    )


def new_project(
    cast: Cast,
    *,
    number: str = "P2025-001",
    village: Any = None,
    by: Any = None,
    budget: int = 20_000_000,
    poverty: int = 5_000_000,
    **kw: Any,
) -> Project:
    village = village or cast.village_a
    return services.project_create(
        village=village,
        number=number,
        name=kw.pop("name", "石门村组道硬化"),
        category=kw.pop("category", "road"),
        budget=budget,
        funding=[("fiscal", budget - poverty), ("poverty", poverty)] if poverty else [("fiscal", budget)],
        location="石门村三组至五组",
        planned_start=date(2025, 3, 1),
        planned_end=date(2025, 8, 31),
        by=by if by is not None else cast.cadre_a,
        **kw,
    )


def full_project(cast: Cast, *, number: str = "P2025-001", publish: bool = True, individual: bool = False) -> Project:
    """Tendered, contracted, built, paid and accepted, with its report; published."""
    project = new_project(cast, number=number, case=make_case(cast))
    if publish:
        services.project_publish_first(project=project, by=cast.cadre_a)
    services.tender_record(
        project=project,
        method="quotes",
        notice_on=date(2025, 3, 1),
        deadline_on=date(2025, 3, 10),
        opened_on=date(2025, 3, 11),
        supervisors=["镇纪委", "经管站", "财政所", "规划办", "交通站"],
        bids=[
            BidInput("涟源市路桥建设有限公司", 19_000_000, submitted_on=date(2025, 3, 8)),
            BidInput("娄底市通达公路工程有限公司", 19_500_000),
            BidInput("湘中建工有限公司", 18_000_000, status="disqualified", reason="资质不符"),
        ],
        winner="涟源市路桥建设有限公司",
        by=cast.cadre_a,
    )
    if individual:
        services.contract_record(
            project=project,
            contractor="张三",
            contractor_kind="person",
            id_number=valid_id(),
            value=19_000_000,
            signed_on=date(2025, 3, 15),
            by=cast.cadre_a,
        )
    else:
        services.contract_record(
            project=project,
            contractor="涟源市路桥建设有限公司",
            contractor_kind="org",
            credit_code=CREDIT,
            value=19_000_000,
            signed_on=date(2025, 3, 15),
            by=cast.cadre_a,
        )
    services.amendment_record(
        project=project, signed_on=date(2025, 5, 2), value_change=500_000, reason="增加排水沟", by=cast.cadre_a
    )
    services.milestone_record(
        project=project,
        date=date(2025, 4, 1),
        title="路基完成",
        progress=40,
        photos=[(png(), "road.png")],
        by=cast.cadre_a,
    )
    services.payment_record(project=project, amount=5_700_000, paid_on=date(2025, 4, 10), by=cast.cadre_a)
    services.milestone_record(
        project=project, date=date(2025, 6, 1), title="路面硬化完成", progress=100, by=cast.cadre_a
    )
    services.acceptance_record(
        project=project,
        accepted_on=date(2025, 6, 20),
        inspectors=["王建国", "赵秀英"],
        opinion="合格",
        report=(png("white", (60, 80)), "验收报告.png"),
        by=cast.cadre_a,
    )
    services.payment_record(project=project, amount=12_000_000, paid_on=date(2025, 7, 1), by=cast.cadre_a)
    return Project.objects.get(pk=project.pk)
