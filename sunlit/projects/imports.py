"""Importing a township agent's project register (XLSX or CSV): checked whole, then written
whole through the room's services, or not at all (docs/formats/projects-import.md).

One table, one row per record, a record-type column saying what the row is: 项目 (the
project), 资金 (one funding source), 招标 (the tender), 投标 (one bid), 合同 (the
contract), 变更 (an amendment), 进度 (a milestone), 付款 (a payment), 验收 (the
acceptance). Every row names its project by number.

1. One pass over the bytes: SHA-256 (the same file twice is a no-op) and the CSV
   encoding (UTF-8 ± BOM, GB18030, else refused with the line of the first bad byte).
2. One streamed pass over the rows: each row checked on its own, kept as a small
   parsed record under its project (memory: the parsed records, never the file).
3. Checks across rows: every project has its 项目 row, its funding adds up to its
   budget, a tender with bids names one winner; a project already in the registry is
   skipped when the file holds exactly what it holds, refused when it differs.
4. Only when nothing was found wrong: one transaction writes every project through the
   services (the same checks as the desk: no payment without contract, no acceptance
   before a milestone …). A refusal there names its row and rolls everything back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.cases.models import Case
from sunlit.finance.models import Voucher
from sunlit.finance.money import parse_yuan
from sunlit.lib import idnumbers, importdesk, tabular
from sunlit.lib.errors import ApplicationError, InvalidInput
from sunlit.lib.importdesk import Claim
from sunlit.lib.tabular import ImportRefused, Problem, header_key, row_label, text
from sunlit.projects import publication, services
from sunlit.projects.models import (
    BidStatus,
    Category,
    ContractorKind,
    FundingKind,
    ImportBatch,
    ImportClaim,
    Method,
    Project,
    Source,
)
from sunlit.regions import codes
from sunlit.regions.models import Region

if TYPE_CHECKING:
    from sunlit.accounts.models import User

MAX_PROBLEMS = 200
PROGRESS_EVERY = 500

HEADERS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "recordtype", "type", "记录类型", "类型"),
    "village": ("village", "villagecode", "村代码", "村编码", "区划代码"),
    "project": ("project", "projectnumber", "项目编号"),
    "name": ("name", "projectname", "项目名称"),
    "category": ("category", "项目类别", "类别"),
    "year": ("year", "年度"),
    "location": ("location", "地点", "建设地点"),
    "case": ("case", "casenumber", "授权事项编号", "事项编号"),
    "planned_start": ("plannedstart", "计划开工"),
    "planned_end": ("plannedend", "计划完工"),
    "source": ("source", "fundingsource", "资金来源"),
    "amount": ("amount", "金额", "金额元"),
    "date": ("date", "日期"),
    "deadline": ("deadline", "截止日期", "投标截止"),
    "party": ("party", "bidder", "contractor", "单位或个人", "投标人", "承包方"),
    "code": ("code", "creditcode", "idnumber", "证件号码", "统一社会信用代码或身份证号"),
    "method": ("method", "招标方式"),
    "status": ("status", "状态"),
    "winner": ("winner", "中标"),
    "reason": ("reason", "原因", "理由"),
    "progress": ("progress", "进度", "进度%"),
    "voucher": ("voucher", "凭证号"),
    "people": ("people", "人员", "监督或验收人员"),
    "note": ("note", "说明", "备注"),
}
ALIASES = {header_key(alias): name for name, aliases in HEADERS.items() for alias in aliases}
KINDS = {
    "project": "project",
    "项目": "project",
    "funding": "funding",
    "资金": "funding",
    "tender": "tender",
    "招标": "tender",
    "bid": "bid",
    "投标": "bid",
    "contract": "contract",
    "合同": "contract",
    "amendment": "amendment",
    "变更": "amendment",
    "milestone": "milestone",
    "进度": "milestone",
    "payment": "payment",
    "付款": "payment",
    "acceptance": "acceptance",
    "验收": "acceptance",
}


def _words(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    out = {header_key(v): v for v in choices.values}
    out.update({header_key(str(label)): v for v, label in choices.choices})
    out.update({header_key(k): v for k, v in extra.items()})
    return out


CATEGORY_WORDS = _words(
    Category,
    {
        "道路硬化": "road",
        "道路": "road",
        "饮水": "water",
        "水利": "water",
        "亮化": "lighting",
        "路灯": "lighting",
        "公共建筑": "building",
        "人居环境": "environment",
        "产业": "industry",
        "采购": "purchase",
        "物资采购": "purchase",
        "其他": "other",
    },
)
SOURCE_WORDS = _words(
    FundingKind,
    {
        "财政": "fiscal",
        "财政资金": "fiscal",
        "扶贫": "poverty",
        "扶贫资金": "poverty",
        "衔接资金": "poverty",
        "集体": "collective",
        "集体资金": "collective",
        "捐赠": "donation",
        "社会捐赠": "donation",
    },
)
METHOD_WORDS = _words(
    Method,
    {
        "公开招标": "open",
        "邀请招标": "invited",
        "比选": "quotes",
        "询价": "quotes",
        "三家以上比选": "quotes",
        "直接委托": "direct",
        "直接发包": "direct",
    },
)
STATUS_WORDS = {
    "": "valid",
    "valid": "valid",
    "有效": "valid",
    "disqualified": "disqualified",
    "无效": "disqualified",
    "废标": "disqualified",
    "取消资格": "disqualified",
}
YES = {"是", "y", "yes", "1", "true", "√", "中标"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_VOUCHER = re.compile(r"^(?:(\d{4})\s*[-/年]\s*)?\D{0,4}?0*(\d{1,9})\s*号?$")
ORDER = {
    "project": 0,
    "funding": 1,
    "tender": 2,
    "bid": 3,
    "contract": 4,
    "amendment": 5,
    "milestone": 6,
    "payment": 6,
    "acceptance": 6,
}


@dataclass
class Outcome(importdesk.Outcome[ImportBatch]):
    @property
    def projects_created(self) -> int:
        return self.batch.projects_created

    @property
    def projects_unchanged(self) -> int:
        return self.batch.projects_unchanged


@dataclass
class Rec:
    row: str
    kind: str
    values: dict[str, Any]


@dataclass
class Plan:
    number: str
    village: str = ""
    records: list[Rec] = field(default_factory=list)

    def fingerprint(self) -> str:
        canon = sorted(
            json.dumps([r.kind, r.values], sort_keys=True, default=str, ensure_ascii=False) for r in self.records
        )
        return hashlib.sha256("\n".join(canon).encode()).hexdigest()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DATE.match(text(value))
    if not m:
        raise InvalidInput(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": text(value)})
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InvalidInput(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": text(value)}) from None


class _Importer(importdesk.ImportRun[ImportBatch]):
    action = "projects.import"
    claim_model = ImportClaim
    count_fields = ("projects_created", "projects_unchanged")
    max_problems = MAX_PROBLEMS
    by: User | None

    def __init__(
        self,
        batch: ImportBatch,
        *,
        by: User | None,
        publish: bool = False,
        on_progress: Callable[[ImportBatch], None] | None = None,
    ) -> None:
        super().__init__(batch, by=by, on_progress=on_progress)
        self.publish = publish
        self.default_village = batch.default_village
        self.plans: dict[str, Plan] = {}
        self.fresh: list[Plan] = []
        self.villages: dict[str, bool] = {}
        self.columns: dict[int, str] = {}

    def permit(self) -> None:
        if self.by is not None and not jurisdiction.prefixes(self.by, "projects.import"):
            raise InvalidInput(_("You have no role that allows importing projects"))

    def read(self, encoding: str | None) -> None:
        batch = self.batch
        meters: list[tabular.Progress] = []
        header_seen = False
        for number, cells in tabular.rows(self.path, encoding, meters):
            label = row_label(number)
            if not header_seen:
                if all(text(c) == "" for c in cells):
                    continue
                header_seen = True
                if not self.header(label, cells):
                    break
                continue
            batch.rows_read += 1
            self.row(label, cells)
            if batch.rows_read % PROGRESS_EVERY == 0:
                self.progress("checking", min(60, 60 * (meters[0].done if meters else 0) // self.size))
        if not header_seen:
            self.problem("1", "", _("the file is empty"))
        self.progress("checking", 60)

    def claims(self) -> Iterable[Claim]:
        # Project numbers are unique in the registry: two imports creating the same
        # project at once would collide on it.
        for plan in self.plans.values():
            yield Claim(plan.number, _("Project %(number)s") % {"number": plan.number})

    def reuse(self, earlier: ImportBatch) -> None:
        self.batch.projects_unchanged = earlier.projects_created + earlier.projects_unchanged

    def record(self, action: str, detail: dict[str, object]) -> None:
        audit_record(action=action, by=self.by, obj=self.batch, region_code=self.batch.default_village, detail=detail)

    def header(self, label: str, cells: list[Any]) -> bool:
        for index, cell in enumerate(cells):
            name = ALIASES.get(header_key(cell))
            if name and name not in self.headings:
                self.columns[index] = name
                self.headings[name] = text(cell)
        missing = [n for n in ("kind", "project") if n not in self.headings]
        if missing:
            self.problem(
                label,
                ", ".join(missing),
                _("the header row lacks the column(s) %(names)s: see docs/formats/projects-import.md")
                % {"names": ", ".join(missing)},
            )
            return False
        return True

    def village_ok(self, label: str, code: str) -> bool:
        if code not in self.villages:
            try:
                ok = codes.level_of(code) == codes.VILLAGE and Region.objects.filter(code=code).exists()
            except InvalidInput:
                ok = False
            if not ok:
                self.villages[code] = False
                self.problem(label, "village", _("%(code)s is not a village of this deployment") % {"code": code})
                return False
            allowed = self.by is None or jurisdiction.can(self.by, "projects.import", code)
            self.villages[code] = allowed
            if not allowed:
                self.problem(label, "village", _("you may not import projects of village %(code)s") % {"code": code})
        return self.villages[code]

    def row(self, label: str, cells: list[Any]) -> None:
        raw = {name: cells[i] if i < len(cells) else None for i, name in self.columns.items()}
        if all(text(v) == "" for v in raw.values()):
            return
        kind = KINDS.get(header_key(raw.get("kind")))
        if kind is None:
            self.problem(
                label,
                "kind",
                _("%(value)r is not a record type (项目, 资金, 招标, 投标, 合同, 变更, 进度, 付款, 验收)")
                % {"value": text(raw.get("kind"))},
            )
            return
        number = text(raw.get("project"))
        if not number:
            self.problem(label, "project", _("the project number is missing"))
            return
        values: dict[str, Any] = {}
        bad = False

        def need(name: str, parse: Callable[[Any], Any], *, required: bool = True) -> None:
            nonlocal bad
            value = raw.get(name)
            if text(value) == "":
                if required:
                    self.problem(
                        label,
                        name,
                        _("%(column)s is required on a %(kind)s row")
                        % {"column": self.headings.get(name, name), "kind": text(raw.get("kind"))},
                    )
                    bad = True
                return
            try:
                values[name] = parse(value)
            except InvalidInput as e:
                self.problem(label, name, e.message)
                bad = True

        def word(table: dict[str, str], what: str) -> Callable[[Any], str]:
            def parse(value: Any) -> str:
                found = table.get(header_key(value))
                if found is None:
                    raise InvalidInput(_("%(value)r is not a known %(what)s") % {"value": text(value), "what": what})
                return found

            return parse

        def percent(value: Any) -> int:
            t = text(value).rstrip("%")
            if not (t.isascii() and t.isdigit()) or int(t) > 100:
                raise InvalidInput(_("%(value)r is not a percentage from 0 to 100") % {"value": text(value)})
            return int(t)

        def voucher(value: Any) -> tuple[int | None, int]:
            m = _VOUCHER.match(text(value))
            if not m:
                raise InvalidInput(_("%(value)r is not a voucher number (e.g. 2025-17)") % {"value": text(value)})
            return (int(m[1]) if m[1] else None, int(m[2]))

        if kind == "project":
            village = text(raw.get("village")) or self.default_village
            if not village:
                self.problem(label, "village", _("the village code is missing (or choose a village for the file)"))
                return
            if not self.village_ok(label, village):
                return
            values["village"] = village
            need("name", text)
            need("category", word(CATEGORY_WORDS, _("category")))
            need("amount", parse_yuan)
            need(
                "year",
                lambda v: (
                    int(text(v))
                    if text(v).isascii() and text(v).isdigit()
                    else (_ for _ in ()).throw(InvalidInput(_("%(value)r is not a year") % {"value": text(v)}))
                ),
                required=False,
            )
            need("location", text, required=False)
            need("case", text, required=False)
            need("planned_start", _date, required=False)
            need("planned_end", _date, required=False)
        elif kind == "funding":
            need("source", word(SOURCE_WORDS, _("funding source")))
            need("amount", parse_yuan)
        elif kind == "tender":
            need("method", word(METHOD_WORDS, _("tender method")))
            need("date", _date, required=False)
            need("deadline", _date, required=False)
            need("reason", text, required=False)
            need("people", text, required=False)
        elif kind == "bid":
            need("party", text)
            need("amount", parse_yuan)
            need("status", word(STATUS_WORDS, _("bid status")), required=False)
            need("reason", text, required=False)
            need("date", _date, required=False)
            values["winner"] = header_key(raw.get("winner")) in YES
        elif kind == "contract":
            need("party", text)
            need("code", lambda v: re.sub(r"\s+", "", text(v)).upper())
            need("amount", parse_yuan)
            need("date", _date)
        elif kind == "amendment":
            need("date", _date)
            need("amount", lambda v: -parse_yuan(text(v)[1:]) if text(v).startswith(("-", "－")) else parse_yuan(v))
            need("reason", text)
        elif kind == "milestone":
            need("date", _date)
            need("note", text)
            need("progress", percent)
        elif kind == "payment":
            need("date", _date)
            need("amount", parse_yuan)
            need("voucher", voucher, required=False)
            need("note", text, required=False)
        elif kind == "acceptance":
            need("date", _date)
            need("people", text)
            need("note", text, required=False)
        if bad:
            return
        plan = self.plans.setdefault(number, Plan(number=number))
        if kind == "project":
            if plan.village:
                self.problem(label, "project", _("project %(number)s has a second 项目 row") % {"number": number})
                return
            plan.village = values["village"]
        elif kind in ("tender", "contract", "acceptance") and any(r.kind == kind for r in plan.records):
            self.problem(
                label,
                "kind",
                _("project %(number)s has a second %(kind)s row") % {"number": number, "kind": text(raw.get("kind"))},
            )
            return
        plan.records.append(Rec(label, kind, values))

    def check(self) -> None:
        self.check_sets()
        if self.count:
            return
        # Projects already in the registry: skipped when the file holds exactly what they
        # hold, refused when it differs.
        plans = [p for p in self.plans.values() if p.village]
        stored = dict(
            Project.objects.filter(number__in=[p.number for p in plans]).values_list("number", "import_fingerprint")
        )
        for plan in plans:
            if plan.number not in stored:
                self.fresh.append(plan)
            elif stored[plan.number] == plan.fingerprint():
                self.batch.projects_unchanged += 1
            else:
                first = next(r for r in plan.records if r.kind == "project")
                self.problem(
                    first.row,
                    "project",
                    _("project %(number)s is already in the registry with other records: change it at its desk")
                    % {"number": plan.number},
                )

    def write(self) -> None:
        self.progress("writing", 65)
        self.batch.projects_created = _write(self, self.fresh, by=self.by, publish=self.publish, batch=self.batch)
        self.batch.villages = sorted({p.village for p in self.fresh})[:500]

    def check_sets(self) -> None:
        for number, plan in self.plans.items():
            first = plan.records[0].row if plan.records else "—"
            if not plan.village:
                self.problem(first, "project", _("project %(number)s has no 项目 row") % {"number": number})
                continue
            project = next(r for r in plan.records if r.kind == "project")
            funding = [r for r in plan.records if r.kind == "funding"]
            if not funding:
                self.problem(
                    project.row, "source", _("project %(number)s has no 资金 (funding) row") % {"number": number}
                )
            elif sum(r.values["amount"] for r in funding) != project.values["amount"]:
                self.problem(
                    project.row,
                    "amount",
                    _("the funding rows of project %(number)s do not add up to its budget") % {"number": number},
                )
            bids = [r for r in plan.records if r.kind == "bid"]
            if bids and not any(r.kind == "tender" for r in plan.records):
                self.problem(bids[0].row, "kind", _("project %(number)s has bids but no 招标 row") % {"number": number})
            if bids and sum(1 for r in bids if r.values["winner"]) != 1:
                self.problem(
                    bids[0].row,
                    "winner",
                    _("mark exactly one bid of project %(number)s as the winner") % {"number": number},
                )


def _problem_from(importer: _Importer, rec: Rec, error: ApplicationError) -> ImportRefused:
    column = {
        "amount": "amount",
        "accepted_on": "date",
        "voucher": "voucher",
        "case": "case",
        "id_number": "code",
        "credit_code": "code",
        "winner": "winner",
    }.get(error.field or "", error.field or "")
    return ImportRefused([Problem(rec.row, importer.headings.get(column, column), error.message)], 1)


def _write(importer: _Importer, plans: list[Plan], *, by: User | None, publish: bool, batch: ImportBatch) -> int:

    created = 0
    for plan in plans:
        recs = sorted(
            plan.records,
            key=lambda r: (
                ORDER[r.kind] if ORDER[r.kind] < 6 else 6,
                r.values.get("date") or date.min,
                {"milestone": 0, "acceptance": 1, "payment": 2}.get(r.kind, 0),
            ),
        )
        head = recs[0]
        try:
            v = head.values
            case = None
            if v.get("case"):
                case = Case.objects.filter(number=v["case"], village_id=plan.village).first()
                if case is None:
                    raise InvalidInput(
                        _("village %(village)s has no case %(number)s")
                        % {"village": plan.village, "number": v["case"]},
                        field="case",
                    )
            project = services.project_create(
                village=Region.objects.get(code=plan.village),
                number=plan.number,
                name=v["name"],
                category=v["category"],
                budget=v["amount"],
                year=v.get("year"),
                funding=[(r.values["source"], r.values["amount"]) for r in recs if r.kind == "funding"],
                case=case,
                location=v.get("location", ""),
                planned_start=v.get("planned_start"),
                planned_end=v.get("planned_end"),
                source=Source.IMPORT,
                by=by,
            )
            Project.objects.filter(pk=project.pk).update(import_batch=batch, import_fingerprint=plan.fingerprint())
            bids = [r for r in recs if r.kind == "bid"]
            for rec in recs[1:]:
                head, v = rec, rec.values
                if rec.kind == "tender":
                    services.tender_record(
                        project=project,
                        method=v["method"],
                        notice_on=v.get("date"),
                        deadline_on=v.get("deadline"),
                        direct_reason=v.get("reason", ""),
                        supervisors=re.split(r"[,，、;；]", v.get("people", "")),
                        bids=[
                            services.BidInput(
                                bidder=b.values["party"],
                                quote=b.values["amount"],
                                status=b.values.get("status", BidStatus.VALID),
                                reason=b.values.get("reason", ""),
                                submitted_on=b.values.get("date"),
                            )
                            for b in bids
                        ],
                        winner=next((b.values["party"] for b in bids if b.values["winner"]), ""),
                        by=by,
                    )
                elif rec.kind == "contract":
                    code = v["code"]
                    person = (
                        len(code) == 18
                        and code[:17].isascii()
                        and code[:17].isdigit()
                        and not any(c.isalpha() for c in code[:17])
                        and code[17] in "0123456789X"
                        and _is_id(code)
                    )
                    services.contract_record(
                        project=project,
                        contractor=v["party"],
                        contractor_kind=ContractorKind.INDIVIDUAL if person else ContractorKind.ORGANISATION,
                        credit_code="" if person else code,
                        id_number=code if person else "",
                        value=v["amount"],
                        signed_on=v["date"],
                        by=by,
                    )
                elif rec.kind == "amendment":
                    services.amendment_record(
                        project=project, signed_on=v["date"], value_change=v["amount"], reason=v["reason"], by=by
                    )
                elif rec.kind == "milestone":
                    services.milestone_record(
                        project=project, date=v["date"], title=v["note"], progress=v["progress"], by=by
                    )
                elif rec.kind == "payment":
                    voucher = None
                    if v.get("voucher"):
                        year, number = v["voucher"]
                        voucher = Voucher.objects.filter(
                            village_id=plan.village, year=year or v["date"].year, number=number
                        ).first()
                        if voucher is None:
                            raise InvalidInput(
                                _("village %(village)s has no voucher %(year)s-%(number)s in its books")
                                % {"village": plan.village, "year": year or v["date"].year, "number": number},
                                field="voucher",
                            )
                    services.payment_record(
                        project=project,
                        amount=v["amount"],
                        paid_on=v["date"],
                        voucher=voucher,
                        note=v.get("note", ""),
                        source=Source.IMPORT,
                        by=by,
                    )
                elif rec.kind == "acceptance":
                    services.acceptance_record(
                        project=project,
                        accepted_on=v["date"],
                        inspectors=re.split(r"[,，、;；]", v["people"]),
                        opinion=v.get("note", ""),
                        by=by,
                    )
            if publish:
                publication.project_publish(project=project, by=by)
        except ApplicationError as e:
            if isinstance(e, ImportRefused):
                raise
            raise _problem_from(importer, head, e) from None
        created += 1
    return created


def _is_id(code: str) -> bool:

    return idnumbers.is_valid(code)


def import_file(
    *,
    batch: ImportBatch,
    by: User | None,
    path: Path | None = None,
    publish: bool = False,
    on_progress: Callable[[ImportBatch], None] | None = None,
) -> Outcome:
    """Check the file (`path`, else the one stored under the batch) whole, then import it
    whole (see the module docstring and sunlit/lib/importdesk.py). Raises ImportRefused
    with every problem when nothing was imported."""
    done = _Importer(batch, by=by, publish=publish, on_progress=on_progress).run(path)
    return Outcome(done.batch, done.already_imported)


def batch_start(*, filename: str, default_village: str = "", by: User | None) -> ImportBatch:
    if default_village:
        codes.validate(default_village)
        if by is not None:
            jurisdiction.require(by, "projects.import", default_village)
    elif by is not None and not jurisdiction.prefixes(by, "projects.import"):
        raise InvalidInput(_("You have no role that allows importing projects"))
    return importdesk.new_batch(ImportBatch, filename=filename, default_village=default_village, by=by)


TEMPLATE_HEADERS = [
    "记录类型",
    "项目编号",
    "村代码",
    "项目名称",
    "项目类别",
    "年度",
    "建设地点",
    "授权事项编号",
    "计划开工",
    "计划完工",
    "资金来源",
    "金额",
    "日期",
    "截止日期",
    "单位或个人",
    "证件号码",
    "招标方式",
    "状态",
    "中标",
    "理由",
    "进度",
    "凭证号",
    "人员",
    "说明",
]


def template_rows() -> tuple[list[str], list[list[str]]]:
    """The import layout with one example project (docs/formats/projects-import.md)."""
    v, n = "431382101201", "SM-2025-001"
    code = "91431382MA4L12345" + services.credit_check_character("91431382MA4L12345")
    blank = [""] * len(TEMPLATE_HEADERS)

    def row(**cells: str) -> list[str]:
        out = list(blank)
        for key, value in cells.items():
            out[TEMPLATE_HEADERS.index(key)] = value
        return out

    return TEMPLATE_HEADERS, [
        row(
            记录类型="项目",
            项目编号=n,
            村代码=v,
            项目名称="石门村三组至五组道路硬化",
            项目类别="道路硬化",
            年度="2025",
            建设地点="三组至五组",
            计划开工="2025-03-01",
            计划完工="2025-08-31",
            金额="200000.00",
        ),
        row(记录类型="资金", 项目编号=n, 资金来源="财政资金", 金额="150000.00"),
        row(记录类型="资金", 项目编号=n, 资金来源="扶贫资金", 金额="50000.00"),
        row(
            记录类型="招标",
            项目编号=n,
            招标方式="三家以上比选",
            日期="2025-03-01",
            截止日期="2025-03-10",
            人员="镇纪委、经管站、财政所、规划办、交通站",
        ),
        row(记录类型="投标", 项目编号=n, 单位或个人="涟源市路桥建设有限公司", 金额="190000.00", 中标="是"),
        row(记录类型="投标", 项目编号=n, 单位或个人="娄底市通达公路工程有限公司", 金额="195000.00"),
        row(记录类型="投标", 项目编号=n, 单位或个人="湘中建工有限公司", 金额="180000.00", 状态="无效", 理由="资质不符"),
        row(
            记录类型="合同",
            项目编号=n,
            单位或个人="涟源市路桥建设有限公司",
            证件号码=code,
            金额="190000.00",
            日期="2025-03-15",
        ),
        row(记录类型="变更", 项目编号=n, 日期="2025-05-02", 金额="5000.00", 理由="增加排水沟"),
        row(记录类型="进度", 项目编号=n, 日期="2025-04-01", 进度="40", 说明="路基完成"),
        row(记录类型="付款", 项目编号=n, 日期="2025-04-10", 金额="57000.00", 说明="进度款"),
        row(记录类型="进度", 项目编号=n, 日期="2025-06-01", 进度="100", 说明="路面硬化完成"),
        row(记录类型="验收", 项目编号=n, 日期="2025-06-20", 人员="王建国、赵秀英", 说明="合格"),
        row(记录类型="付款", 项目编号=n, 日期="2025-07-01", 金额="120000.00", 说明="验收后付款"),
    ]
