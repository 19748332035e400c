"""Importing households (with their members) and benefit payments from XLSX or CSV:
checked whole, then written whole, or not at all (docs/formats/welfare-import.md).

1. One pass over the bytes (`tabular.scan`): the file's SHA-256 (the same file twice is
   a no-op) and a CSV's encoding (UTF-8 ± BOM, else GB18030, else refused).
2. One streamed pass over the rows: each row is checked on its own (village and the
   uploader's jurisdiction, ID number checksum, relation, status and date, programme,
   period, amount, date paid, channel, authorising case) and kept as a compact tuple:
   never the ID number itself, only its fingerprint, sealed text and last four.
3. Checks across rows and against the register: the same ID number in two households
   (in the file, or already registered elsewhere), one person under two names, the same
   payment twice, a payment already recorded with another amount.
4. Only when no problem was found: one transaction writes the new households, members
   and payments (bulk inserts; marks computed as `payment_record` computes them).
   Rows already in the register are skipped, so importing a file again changes nothing.

A problem names its row and column, and never echoes an ID number: the last four at most.
Welfare files are a village's or a township's register (thousands to a few hundred
thousand rows): the checked rows are held in memory as tuples, not the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.cases.selectors import authorising_case
from sunlit.finance.money import NegativeAmount, parse_yuan
from sunlit.lib import idnumbers, importdesk, tabular
from sunlit.lib.errors import InvalidInput
from sunlit.lib.importdesk import Claim
from sunlit.lib.tabular import ImportRefused, Problem, header_key, row_label, text  # noqa: F401 -- re-exported
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.welfare import services
from sunlit.welfare.models import (
    PERIOD,
    Channel,
    Household,
    ImportBatch,
    ImportClaim,
    Member,
    Payment,
    Per,
    Programme,
    Relation,
    RelativeDeclaration,
    Status,
)

if TYPE_CHECKING:
    from sunlit.accounts.models import User

MAX_PROBLEMS = 200
PROGRESS_EVERY = 2000

HEADERS: dict[str, tuple[str, ...]] = {
    "village": ("village", "villagecode", "村代码", "村编码", "区划代码", "村"),
    "household": ("household", "householdnumber", "户号", "户编号", "家庭编号"),
    "card_last4": ("cardlast4", "card", "一卡通后四位", "一卡通尾号", "账号后四位", "一卡通"),
    "name": ("name", "姓名", "成员姓名"),
    "relation": ("relation", "与户主关系", "关系"),
    "id_number": ("idnumber", "id", "身份证号", "身份证号码", "公民身份号码"),
    "status": ("status", "状态", "人员状态"),
    "status_on": ("statuson", "statusdate", "状态日期", "变动日期", "死亡日期", "迁出日期"),
    "programme": ("programme", "program", "项目", "补贴项目", "救助项目", "资金项目"),
    "period": ("period", "期间", "所属期", "发放期间", "月份"),
    "amount": ("amount", "金额", "发放金额", "金额元"),
    "paid_on": ("paidon", "paymentdate", "发放日期", "支付日期"),
    "channel": ("channel", "发放方式", "支付方式", "渠道"),
    "case": ("case", "casenumber", "审批事项编号", "事项编号", "授权事项编号"),
}
ALIASES = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
RELATIONS = {
    "head": Relation.HEAD,
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "spouse": Relation.SPOUSE,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "child": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "长子": Relation.CHILD,
    "长女": Relation.CHILD,
    "次子": Relation.CHILD,
    "次女": Relation.CHILD,
    "子女": Relation.CHILD,
    "parent": Relation.PARENT,
    "父": Relation.PARENT,
    "母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "父母": Relation.PARENT,
    "grandchild": Relation.GRANDCHILD,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD,
    "孙子女": Relation.GRANDCHILD,
    "sibling": Relation.SIBLING,
    "兄弟姐妹": Relation.SIBLING,
    "兄": Relation.SIBLING,
    "弟": Relation.SIBLING,
    "姐": Relation.SIBLING,
    "妹": Relation.SIBLING,
    "childinlaw": Relation.CHILD_IN_LAW,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "other": Relation.OTHER,
    "其他": Relation.OTHER,
    "其它": Relation.OTHER,
}
STATUSES = {
    "": Status.ACTIVE,
    "active": Status.ACTIVE,
    "正常": Status.ACTIVE,
    "在册": Status.ACTIVE,
    "movedout": Status.MOVED_OUT,
    "迁出": Status.MOVED_OUT,
    "已迁出": Status.MOVED_OUT,
    "deceased": Status.DECEASED,
    "死亡": Status.DECEASED,
    "已故": Status.DECEASED,
    "去世": Status.DECEASED,
}
CHANNELS = {
    "": Channel.CARD,
    "card": Channel.CARD,
    "一卡通": Channel.CARD,
    "惠民惠农一卡通": Channel.CARD,
    "bank": Channel.BANK,
    "银行": Channel.BANK,
    "银行转账": Channel.BANK,
    "转账": Channel.BANK,
    "cash": Channel.CASH,
    "现金": Channel.CASH,
    "kind": Channel.KIND,
    "实物": Channel.KIND,
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PERIOD_MONTH_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?$")
_ANY_NUMBER = re.compile(r"[0-9０-９]{15,}[0-9XxＸｘ]?")
_PERIOD_Q_CN = re.compile(r"^(\d{4})\s*年?\s*(?:第)?\s*([1-4一二三四])\s*季度?$")


@dataclass
class Outcome(importdesk.Outcome[ImportBatch]):
    pass


# A checked member row: (rowno, village, number, name, relation, fp, sealed, last4, status, status_on)
# A checked payment row: (rowno, village, number, programme_id, member_fp or "", period, year, amount,
#                          paid_on, channel, case_id)


def _echo(value: Any, limit: int = 24) -> str:
    """A cell as a problem may quote it: short, and with anything shaped like an ID
    number (a column shifted by one, a number in the wrong cell) cut to its last four."""
    raw = text(value)[:limit]
    return _ANY_NUMBER.sub(lambda m: "…" + m.group(0)[-4:], raw)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    m = _DATE.match(raw) or _DATE_COMPACT.match(raw)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _period(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return f"{value.year}-{value.month:02d}"
    raw = text(value).upper().replace("/", "-").replace(".", "-")
    if PERIOD.match(raw):
        return raw
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", raw) or _PERIOD_MONTH_CN.match(raw)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    m = _PERIOD_Q_CN.match(raw)
    if m:
        q = "一二三四".find(m.group(2)) + 1 or int(m.group(2))
        return f"{m.group(1)}-Q{q}"
    return None


class _Importer(importdesk.ImportRun[ImportBatch]):
    action = "welfare.import"
    claim_model = ImportClaim
    count_fields = ("households_created", "members_created", "payments_created", "unchanged")
    max_problems = MAX_PROBLEMS
    by: User | None

    def __init__(
        self, batch: ImportBatch, *, by: User | None, on_progress: Callable[[ImportBatch], None] | None
    ) -> None:
        super().__init__(batch, by=by, on_progress=on_progress)
        self.columns: dict[str, int] = {}
        self.villages: dict[str, bool | None] = {}
        self.programmes: dict[str, Programme] = {}
        for p in Programme.objects.all():
            for key in (p.code, p.short_zh, p.name_zh, p.name_en):
                self.programmes[header_key(key)] = p
        self.cases: dict[tuple[str, str, int], tuple[int | None, str]] = {}
        self.members: list[tuple[Any, ...]] = []
        self.payments: list[tuple[Any, ...]] = []
        self.cards: dict[tuple[str, str], str] = {}
        self.today = timezone.localdate()

    def permit(self) -> None:
        if self.by is not None and self.batch.default_village:
            jurisdiction.require(self.by, "welfare.import", self.batch.default_village)
        if self.by is not None and not jurisdiction.prefixes(self.by, "welfare.import"):
            raise InvalidInput(_("You have no role that allows importing households and payments"))

    def claims(self) -> Iterable[Claim]:
        # What the write could collide on: a village's households (numbered per village)
        # and members, when the file registers people; a programme's payments of a period
        # in a village (one per household, member and period).
        programmes = {p.pk: p for p in self.programmes.values()}
        for village in sorted({r[1] for r in self.members}):
            yield Claim(f"{village}/register", _("The household register of village %(v)s") % {"v": village})
        for village, programme_id, period in sorted({(r[1], r[3], r[5]) for r in self.payments}):
            yield Claim(
                f"{village}/{programme_id}/{period}",
                _("The %(programme)s payments of village %(v)s for %(period)s")
                % {"programme": programmes[programme_id].short_zh, "v": village, "period": period},
            )

    def reuse(self, earlier: ImportBatch) -> None:
        self.batch.unchanged = earlier.payments_created + earlier.unchanged

    def record(self, action: str, detail: dict[str, object]) -> None:
        audit_record(action=action, by=self.by, obj=self.batch, region_code=self.batch.default_village, detail=detail)

    # pass 2

    def read(self, encoding: str | None) -> None:
        trackers: list[tabular.Progress] = []
        header_found = False
        seen = 0
        for number, cells in tabular.rows(self.path, encoding, trackers):
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            if not header_found:
                header_found = True
                self._header(cells)
                if self.count:
                    return
                continue
            if number % 10_000_000 == 1:
                continue  # the header row of a later sheet
            seen += 1
            self._check(number, cells)
            if seen % PROGRESS_EVERY == 0:
                done = trackers[0].done if trackers else 0
                self.progress("reading", min(70, done * 70 // self.size), seen)
        if not header_found:
            self.problem("1", "", _("The file is empty"))
        self.progress("checking", 70, seen)

    def _header(self, cells: list[Any]) -> None:
        headers = [str(c).strip() if c is not None else "" for c in cells]
        for index, heading in enumerate(headers):
            name = ALIASES.get(header_key(heading).lstrip("\ufeff"))
            if name and name not in self.columns:
                self.columns[name] = index
                self.headings[name] = heading
        missing = [f for f in ("household",) if f not in self.columns]
        if "village" not in self.columns and not self.batch.default_village:
            missing.append("village")
        if not ({"name", "id_number"} <= self.columns.keys() or {"programme", "amount"} <= self.columns.keys()):
            missing.append("name, id_number / programme, amount")
        for name in missing:
            self.problem("1", name, _("the column %(c)s is missing (see docs/formats/welfare-import.md)") % {"c": name})

    def cell(self, cells: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def _village(self, number: int, cells: list[Any]) -> str | None:
        code = text(self.cell(cells, "village")) or self.batch.default_village
        if code not in self.villages:
            region = Region.objects.filter(code=code, level=codes.VILLAGE).only("code").first() if code else None
            self.villages[code] = (
                None if region is None else (self.by is None or jurisdiction.can(self.by, "welfare.import", code))
            )
        allowed = self.villages[code]
        if allowed is None:
            self.problem(number, "village", _("there is no village %(code)s") % {"code": _echo(code) or "—"})
            return None
        if not allowed:
            self.problem(number, "village", _("village %(code)s is outside your jurisdiction") % {"code": code})
            return None
        return code

    def _check(self, number: int, cells: list[Any]) -> None:
        village = self._village(number, cells)
        household = text(self.cell(cells, "household"))[:21]
        if not household or len(household) > 20:
            self.problem(number, "household", _("give the household number (at most 20 characters)"))
        card = text(self.cell(cells, "card_last4"))
        if card and (len(card) != 4 or not (card.isascii() and card.isdigit())):
            self.problem(number, "card_last4", _("give only the last four digits of the one-card account"))
            card = ""
        raw_id = text(self.cell(cells, "id_number"))
        name = " ".join(text(self.cell(cells, "name")).split())
        sid: services.SealedId | None = None
        if raw_id:
            try:
                number_text = idnumbers.normalize(raw_id)
            except InvalidInput as e:
                # The message says what is wrong; the number itself is not repeated.
                tail = re.sub(r"\s+", "", raw_id)[-4:]
                self.problem(
                    number, "id_number", _("ID number ending %(last4)s: %(why)s") % {"last4": tail, "why": e.message}
                )
            else:
                sid = services.SealedId(
                    idnumbers.fingerprint(number_text), idnumbers.seal(number_text), idnumbers.last4(number_text)
                )
        member_row = bool(name or raw_id)
        if member_row:
            if not name:
                self.problem(number, "name", _("the member's name is missing"))
            elif len(name) > 50:
                self.problem(number, "name", _("a name has at most 50 characters"))
            if not raw_id:
                self.problem(number, "id_number", _("the member's ID number is missing"))
            relation = RELATIONS.get(header_key(self.cell(cells, "relation")))
            if relation is None:
                self.problem(
                    number,
                    "relation",
                    _("unknown relation %(r)r: write e.g. 户主, 配偶, 子, 女, 父, 母")
                    % {"r": _echo(self.cell(cells, "relation"))},
                )
            status = STATUSES.get(header_key(self.cell(cells, "status")))
            status_on: date | None = None
            if status is None:
                self.problem(number, "status", _("unknown status: write 正常, 迁出 or 死亡"))
            elif status != Status.ACTIVE:
                status_on = _day(self.cell(cells, "status_on"))
                if status_on is None:
                    self.problem(number, "status_on", _("a member who moved out or died needs the date"))
                elif status_on > self.today:
                    self.problem(number, "status_on", _("the date is in the future"))
            if village and household and sid and name and relation and status is not None:
                self.members.append(
                    (
                        number,
                        village,
                        household,
                        name,
                        relation,
                        sid.fingerprint,
                        sid.sealed,
                        sid.last4,
                        status,
                        status_on,
                    )
                )
        if card and village and household:
            self.cards.setdefault((village, household), card)
        programme_text = text(self.cell(cells, "programme"))
        if not programme_text:
            if not member_row:
                self.problem(number, "programme", _("the row has neither a member nor a payment"))
            return
        programme = self.programmes.get(header_key(programme_text))
        if programme is None:
            self.problem(number, "programme", _("unknown programme %(p)r") % {"p": _echo(programme_text)})
        period = _period(self.cell(cells, "period"))
        if period is None:
            self.problem(number, "period", _("a period is 2024, 2024-03 or 2024-Q1"))
        amount = self._amount(number, self.cell(cells, "amount"))
        paid_on = _day(self.cell(cells, "paid_on"))
        if paid_on is None:
            self.problem(number, "paid_on", _("%(v)r is not a date") % {"v": _echo(self.cell(cells, "paid_on"))})
        elif paid_on > self.today:
            self.problem(number, "paid_on", _("the payment date is in the future"))
        channel = CHANNELS.get(header_key(self.cell(cells, "channel")))
        if channel is None:
            self.problem(number, "channel", _("unknown channel: write 一卡通, 银行, 现金 or 实物"))
        member_fp = ""
        if programme is not None and programme.per == Per.MEMBER:
            if sid is None:
                if not raw_id:
                    self.problem(
                        number,
                        "id_number",
                        _("%(p)s is paid to a person: give the member's ID number") % {"p": programme.short_zh},
                    )
            else:
                member_fp = sid.fingerprint
        case_id = None
        case_number = text(self.cell(cells, "case"))
        if case_number and village and programme is not None:
            case_id = self._case(number, case_number, village, programme)
        if (
            village
            and household
            and programme is not None
            and period
            and amount > 0
            and paid_on
            and channel
            and (programme.per == Per.HOUSEHOLD or member_fp)
        ):
            self.payments.append(
                (
                    number,
                    village,
                    household,
                    programme.pk,
                    member_fp,
                    period,
                    int(period[:4]),
                    amount,
                    paid_on,
                    channel,
                    case_id,
                )
            )

    def _amount(self, number: int, value: Any) -> int:
        if value is None or text(value) == "":
            self.problem(number, "amount", _("the amount is missing"))
            return -1
        try:
            amount = parse_yuan(value)
        except NegativeAmount:
            self.problem(number, "amount", _("%(v)s is negative: a payment is more than zero") % {"v": _echo(value)})
            return -1
        except InvalidInput:
            self.problem(number, "amount", _("%(v)r is not an amount") % {"v": _echo(value)})
            return -1
        if amount <= 0:
            self.problem(number, "amount", _("a payment is more than zero"))
            return -1
        if amount > services.MAX_AMOUNT_FEN:
            self.problem(number, "amount", _("the amount is implausibly large"))
            return -1
        return amount

    def _case(self, number: int, case_number: str, village: str, programme: Programme) -> int | None:

        key = (case_number, village, programme.pk)
        if key not in self.cases:
            case = authorising_case(case_number)
            why = (
                _("there is no case %(n)s") % {"n": _echo(case_number, 40)}
                if case is None
                else services.check_case(case, village_code=village, programme=programme)
            )
            self.cases[key] = (case.pk if case is not None and not why else None, why)
        case_id, why = self.cases[key]
        if why:
            self.problem(number, "case", why)
        return case_id

    # pass 3

    def check(self) -> None:
        # Members: one household per ID number, one name per ID number.
        first: dict[str, tuple[int, str, str, str]] = {}
        for row in self.members:
            number, village, household, name, _rel, fp, _sealed, last4 = row[:8]
            seen = first.get(fp)
            if seen is None:
                first[fp] = (number, village, household, name)
            elif (seen[1], seen[2]) != (village, household):
                self.problem(
                    number,
                    "id_number",
                    _(
                        "the ID number ending %(last4)s is also in household %(other)s "
                        "(row %(row)s): a person belongs to one household"
                    )
                    % {"last4": last4, "other": f"{seen[1]}-{seen[2]}", "row": row_label(seen[0])},
                )
            elif seen[3] != name:
                self.problem(
                    number,
                    "name",
                    _("the ID number ending %(last4)s has another name at row %(row)s")
                    % {"last4": last4, "row": row_label(seen[0])},
                )
        registered: dict[str, Member] = {}
        fps = list(first)
        for start in range(0, len(fps), 500):
            for m in Member.objects.filter(id_fingerprint__in=fps[start : start + 500]).select_related("household"):
                registered[m.id_fingerprint] = m
        for fp, (number, village, household, name) in first.items():
            found = registered.get(fp)
            if found is None:
                continue
            m = found
            if (m.household.village_id, m.household.number) != (village, household):
                self.problem(
                    number,
                    "id_number",
                    _(
                        "the ID number ending %(last4)s is already registered in "
                        "household %(other)s: a person belongs to one household"
                    )
                    % {"last4": m.id_last4, "other": m.household.label},
                )
            elif m.name != name:
                self.problem(
                    number,
                    "name",
                    _("the ID number ending %(last4)s is registered under another name") % {"last4": m.id_last4},
                )
        # Payments: to a registered household (or one the file registers); each once;
        # personal ones to a member of the same household.
        in_file = {(r[1], r[2]) for r in self.members}
        wanted = {(r[1], r[2]) for r in self.payments} - in_file
        known: set[tuple[str, str]] = set()
        for village in {v for v, _n in wanted}:
            numbers = [n for v, n in wanted if v == village]
            known |= {
                (village, n)
                for n in Household.objects.filter(village_id=village, number__in=numbers).values_list(
                    "number", flat=True
                )
            }
        keys: dict[tuple[Any, ...], tuple[int, int]] = {}
        for row in self.payments:
            number, village, household, programme_id, member_fp, period = row[:6]
            if (village, household) in wanted and (village, household) not in known:
                self.problem(
                    number,
                    "household",
                    _("household %(n)s is not registered: add its members' rows (at least the head) first")
                    % {"n": household},
                )
                continue
            if member_fp:
                seen = first.get(member_fp)
                reg = registered.get(member_fp)
                place = (
                    (seen[1], seen[2]) if seen else ((reg.household.village_id, reg.household.number) if reg else None)
                )
                if place is None:
                    self.problem(
                        number,
                        "id_number",
                        _("the member of this payment is not registered: add a row with their name and relation"),
                    )
                elif place != (village, household):
                    self.problem(number, "household", _("the member of this payment belongs to another household"))
            key = (village, household, programme_id, member_fp, period)
            if key in keys:
                self.problem(
                    number, "period", _("the same payment is in row %(row)s already") % {"row": row_label(keys[key][0])}
                )
            else:
                keys[key] = (number, row[7])

    # pass 4

    def write(self) -> None:
        # Inside the driver's transaction: all or nothing.
        by = self.by if getattr(self.by, "is_authenticated", False) else None
        now = timezone.now()
        wanted = {(r[1], r[2]) for r in self.members} | {(r[1], r[2]) for r in self.payments}
        existing: dict[tuple[str, str], Household] = {}
        for village in {v for v, _n in wanted}:
            numbers = [n for v, n in wanted if v == village]
            for h in Household.objects.filter(village_id=village, number__in=numbers):
                existing[(village, h.number)] = h
        new = [
            Household(
                county_code=codes.county_of(v),
                village_id=v,
                number=n,
                card_last4=self.cards.get((v, n), ""),
                created_at=now,
                created_by=by,
                import_batch=self.batch,
            )
            for v, n in sorted(wanted - existing.keys())
        ]
        Household.objects.bulk_create(new)
        for h in Household.objects.filter(import_batch=self.batch):
            existing[(h.village_id, h.number)] = h
        self.progress("writing", 80)
        # Members: those not registered yet (registered ones were checked to match).
        known = set(
            Member.objects.filter(id_fingerprint__in=[r[5] for r in self.members]).values_list(
                "id_fingerprint", flat=True
            )
        )
        positions: dict[int, int] = dict(
            Member.objects.filter(household_id__in=[h.pk for h in existing.values()])
            .values_list("household_id")
            .annotate(top=Max("position"))
            .values_list("household_id", "top")
        )
        new_members = []
        for _n, village, household, name, relation, fp, sealed, last4, status, status_on in self.members:
            if fp in known:
                continue
            known.add(fp)
            h = existing[(village, household)]
            if relation == Relation.HEAD:
                position = 0
            else:
                position = positions[h.pk] = positions.get(h.pk, 0) + 1
            new_members.append(
                Member(
                    household=h,
                    name=name,
                    relation=relation,
                    id_fingerprint=fp,
                    id_sealed=sealed,
                    id_last4=last4,
                    status=status,
                    status_on=status_on if status != Status.ACTIVE else None,
                    position=position,
                )
            )
        Member.objects.bulk_create(new_members, batch_size=1000)
        members = {
            m.id_fingerprint: m
            for m in Member.objects.filter(
                id_fingerprint__in=[r[4] for r in self.payments if r[4]] + [r[5] for r in self.members]
            )
        }
        household_ids = [h.pk for h in existing.values()]
        people: dict[int, list[Member]] = {}
        for m in Member.objects.filter(household_id__in=household_ids):
            people.setdefault(m.household_id, []).append(m)
        relatives = dict(
            RelativeDeclaration.objects.filter(withdrawn_at__isnull=True)
            .order_by("-declared_at")
            .values_list("id_fingerprint", "id")
        )
        recorded = {
            (p[0], p[1], p[2] or 0, p[3]): p[4]
            for p in Payment.objects.filter(household_id__in=household_ids).values_list(
                "household_id", "programme_id", "member_id", "period", "amount_fen"
            )
        }
        new_payments, unchanged = [], 0
        for (
            number,
            village,
            household,
            programme_id,
            member_fp,
            period,
            year,
            amount,
            paid_on,
            channel,
            case_id,
        ) in self.payments:
            h = existing[(village, household)]
            member = members.get(member_fp) if member_fp else None
            key = (h.pk, programme_id, member.pk if member else 0, period)
            if key in recorded:
                if recorded[key] != amount:
                    self.problem(number, "amount", _("this payment is already recorded with another amount"))
                unchanged += 1
                continue
            after_death, moved = services.marks_for(
                household=h, member=member, paid_on=paid_on, members=people.get(h.pk, [])
            )
            reach = [member_fp] if member else [m.id_fingerprint for m in people.get(h.pk, [])]
            relative = next((relatives[f] for f in reach if f in relatives), None)
            new_payments.append(
                Payment(
                    county_code=h.county_code,
                    village_code=village,
                    programme_id=programme_id,
                    household=h,
                    member=member,
                    period=period,
                    year=year,
                    amount_fen=amount,
                    paid_on=paid_on,
                    channel=channel,
                    case_id=case_id,
                    after_death=after_death,
                    moved_out=moved,
                    relative_id=relative,
                    recorded_at=now,
                    recorded_by=by,
                    import_batch=self.batch,
                )
            )
        if self.count:
            raise ImportRefused(self.problems, self.count)
        Payment.objects.bulk_create(new_payments, batch_size=1000)
        batch = self.batch
        batch.households_created, batch.members_created = len(new), len(new_members)
        batch.payments_created, batch.unchanged = len(new_payments), unchanged
        batch.villages = sorted({r[1] for r in self.members} | {r[1] for r in self.payments})[:500]


def import_file(
    *,
    batch: ImportBatch,
    by: User | None,
    path: Path | None = None,
    on_progress: Callable[[ImportBatch], None] | None = None,
) -> Outcome:
    """Check the file (`path`, else the one stored under the batch) whole, then import it
    whole (sunlit/lib/importdesk.py). Raises ImportRefused with every problem when nothing
    was imported; `batch` records the run for the upload page."""
    done = _Importer(batch, by=by, on_progress=on_progress).run(path)
    return Outcome(done.batch, done.already_imported)


def batch_start(*, filename: str, default_village: str = "", by: User | None) -> ImportBatch:
    if default_village:
        codes.validate(default_village)
        if by is not None:
            jurisdiction.require(by, "welfare.import", default_village)
    return importdesk.new_batch(ImportBatch, filename=filename, default_village=default_village, by=by)
