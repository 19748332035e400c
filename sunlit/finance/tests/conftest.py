"""The finance room's actors, on top of the shared cast.

Village A keeps its books with: 王建国 (cadre_a, 书记) and 马文 (director_a, 主任), who
countersign; 刘志强 (official, the township agent who keeps the books: 村财乡管), who
records, imports, posts and closes; 赵秀英 (supervisor_a, the supervision committee),
who reviews and signs off. 李春华 (cadre_b) of village B and the others must be refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from sunlit.accounts.models import Role, User
from sunlit.conftest import VILLAGE_A, Cast, make_user
from sunlit.finance import selectors, services
from sunlit.finance.models import Month, Voucher
from sunlit.finance.services import EntryInput

CHART_2023 = Path(services.DATA_DIR) / "chart-2023.yaml"


@pytest.fixture(autouse=True)
def _keys_and_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "keys" / "signing-ed25519.pem"
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    selectors._accounts_cache.clear()
    yield
    selectors._accounts_cache.clear()


@pytest.fixture
def director_a(cast: Cast) -> User:
    return make_user("director_a", "马文", Role.CADRE, VILLAGE_A, title="主任")


def pay(
    amount: int,
    *,
    expense: str = "541",
    cash: str = "102",
    summary: str = "支付电费",
    counterparty: str = "国网涟源市供电公司",
) -> list[EntryInput]:
    """An expense paid from the bank (2004 chart): debit the expense, credit the bank."""
    return [
        EntryInput(account_code=expense, side="D", amount=amount, summary=summary, counterparty=counterparty),
        EntryInput(account_code=cash, side="C", amount=amount, summary=summary, counterparty=counterparty),
    ]


def receive(
    amount: int, *, income: str = "522", summary: str = "收到村级组织运转经费", counterparty: str = "六亩塘镇财政所"
) -> list[EntryInput]:
    return [
        EntryInput(account_code="102", side="D", amount=amount, summary=summary, counterparty=counterparty),
        EntryInput(account_code=income, side="C", amount=amount, summary=summary, counterparty=counterparty),
    ]


def through_workflow(voucher: Voucher, cast: Cast, director: User) -> Voucher:
    """Review, countersign twice and post a recorded voucher."""
    voucher = services.voucher_review(voucher=voucher, approve=True, opinion="同意", by=cast.supervisor_a)
    voucher = services.voucher_countersign(voucher=voucher, by=cast.cadre_a)
    voucher = services.voucher_countersign(voucher=voucher, by=director)
    return services.voucher_post(voucher=voucher, by=cast.official)


def book(cast: Cast, director: User, day: date, entries: list[EntryInput], summary: str = "支付电费") -> Voucher:
    voucher = services.voucher_record(
        village=cast.village_a, date=day, summary=summary, entries=entries, by=cast.official
    )
    return through_workflow(voucher, cast, director)


def publish_month(cast: Cast, period: int) -> Month:
    services.month_close(village=cast.village_a, period=period, by=cast.official)
    return services.month_signoff(village=cast.village_a, period=period, opinion="账目清楚", by=cast.supervisor_a)


def make_case(
    cast: Cast,
    *,
    seq: int = 3,
    state: str = "approved",
    village: Any = None,
    code: str = "M01",
    authorises: tuple[str, ...] = ("finance.voucher", "projects.project"),
) -> Any:
    """A case of village A (stored directly: the cases room tests its own flow), of list
    item `code`, which may authorise what `authorises` says (first call per code)."""
    from django.utils import timezone

    from sunlit.cases.models import Case
    from sunlit.powers.models import PowerItem, PowerListVersion

    version = PowerListVersion.objects.filter(label="finance tests").first() or PowerListVersion.objects.create(
        number=900,
        label="finance tests",
        source="",
        sha256="0" * 64,
        loaded_at=timezone.now(),
        is_current=False,
        meetings={},
    )
    item = PowerItem.objects.filter(version=version, code=code).first() or PowerItem.objects.create(
        version=version,
        position=seq,
        code=code,
        authorises=list(authorises),
        name_zh="村级工程项目建设",
        name_en="Village construction projects",
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
