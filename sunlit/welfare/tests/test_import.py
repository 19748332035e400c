"""The import: row/column problems (never echoing a full ID number), encodings,
all-or-nothing, idempotent, the command and the upload page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from sunlit.conftest import VILLAGE_A, VILLAGE_C, Cast
from sunlit.lib import idnumbers
from sunlit.lib.errors import InvalidInput
from sunlit.welfare import imports
from sunlit.welfare.imports import ImportRefused
from sunlit.welfare.models import Household, ImportBatch, ImportClaim, ImportStatus, Member, Payment, Programme
from sunlit.welfare.tests.conftest import Family, new_id

pytestmark = pytest.mark.django_db
HEAD = [
    "村代码",
    "户号",
    "一卡通后四位",
    "姓名",
    "与户主关系",
    "身份证号",
    "状态",
    "状态日期",
    "项目",
    "期间",
    "金额",
    "发放日期",
    "发放方式",
    "审批事项编号",
]
A, B, C = new_id(11), new_id(12, female=True), new_id(13, born=date(1940, 2, 3))


def rows() -> list[list[str]]:
    return [
        [VILLAGE_A, "0101", "4321", "周大勇", "户主", A, "正常", "", "", "", "", "", "", ""],
        [VILLAGE_A, "0101", "", "吴桂兰", "妻子", B, "死亡", "2025-01-15", "", "", "", "", "", ""],
        [VILLAGE_A, "0101", "", "", "", "", "", "", "低保", "2025-01", "650.00", "2025-01-10", "一卡通", ""],
        [VILLAGE_A, "0101", "", "", "", "", "", "", "低保", "2025年2月", "650", "2025/2/10", "", ""],
        [
            VILLAGE_A,
            "0101",
            "",
            "吴桂兰",
            "妻子",
            B,
            "死亡",
            "2025-01-15",
            "残疾人两项补贴",
            "2025-Q1",
            "270.00",
            "2025-03-20",
            "一卡通",
            "",
        ],
        [
            VILLAGE_A,
            "0102",
            "",
            "郑老伯",
            "户主",
            C,
            "正常",
            "",
            "特困供养",
            "2025-03",
            "1,100.00",
            "2025-03-05",
            "现金",
            "",
        ],
    ]


def write_csv(tmp_path: Path, data: list[list[str]], encoding: str = "utf-8-sig", name: str = "w.csv") -> Path:
    path = tmp_path / name
    text = "\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in [HEAD, *data]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, by: Any = None, village: str = "") -> imports.Outcome:
    batch = imports.batch_start(filename=path.name, default_village=village, by=by)
    return imports.import_file(batch=batch, path=path, by=by)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_imports_households_members_and_payments(cast: Cast, tmp_path: Path, encoding: str) -> None:
    outcome = run(write_csv(tmp_path, rows(), encoding), by=cast.cadre_a)
    batch = outcome.batch
    assert (batch.households_created, batch.members_created, batch.payments_created) == (2, 3, 4)
    h = Household.objects.get(number="0101")
    assert h.card_last4 == "4321" and [m.name for m in h.members.order_by("position")] == ["周大勇", "吴桂兰"]
    wife = Member.objects.get(name="吴桂兰")
    assert wife.status == "deceased" and wife.status_on == date(2025, 1, 15)
    assert wife.id_fingerprint == idnumbers.fingerprint(B) and B not in wife.id_sealed
    personal = Payment.objects.get(programme__code="canji")
    assert personal.member == wife and personal.after_death  # paid after her death: marked
    assert Payment.objects.get(period="2025-02").amount_fen == 65000
    assert Payment.objects.get(programme__code="tekun").channel == "cash"


def test_it_imports_xlsx(cast: Cast, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEAD)
    for row in rows():
        sheet.append(row)
    path = tmp_path / "w.xlsx"
    book.save(path)
    assert run(path, by=cast.cadre_a).batch.payments_created == 4


def test_it_changes_nothing_on_a_second_import(cast: Cast, tmp_path: Path) -> None:
    run(write_csv(tmp_path, rows()), by=cast.cadre_a)
    again = run(write_csv(tmp_path, rows()), by=cast.cadre_a)
    assert again.already_imported
    # The same rows in another file (other bytes): every payment is already recorded.
    other = run(write_csv(tmp_path, rows(), name="again.csv", encoding="gb18030"), by=cast.cadre_a)
    assert other.batch.payments_created == 0 and other.batch.unchanged == 4
    assert Payment.objects.count() == 4 and Member.objects.count() == 3


def _problems(path: Path, by: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(ImportRefused) as e:
        run(path, by=by)
    return [(p.row, p.column, p.message) for p in e.value.problems]


def test_it_reports_every_bad_row_with_row_and_column_and_writes_nothing(cast: Cast, tmp_path: Path) -> None:
    bad_id = A[:-1] + ("0" if A[-1] != "0" else "1")
    data = rows()
    data[0][5] = bad_id  # checksum
    data[2][8] = "养老金"  # unknown programme
    data[3][10] = "-650"  # negative
    data[3][11] = "2025-02-30"  # bad date
    data[5][0] = "431382101299"  # unknown village
    data.append([VILLAGE_C, "0001", "", "孙某", "户主", new_id(20), "正常", "", "", "", "", "", "", ""])  # outside
    data.append(
        [VILLAGE_A, "0103", "", "某", "户主", new_id(21), "正常", "", "低保", "2025-1-5", "1", "2025-1-5", "", ""]
    )  # period
    problems = _problems(write_csv(tmp_path, data), cast.cadre_a)
    found = {(row, column) for row, column, _m in problems}
    assert ("2", "身份证号") in found and ("4", "项目") in found and ("5", "金额") in found
    assert ("5", "发放日期") in found and ("7", "村代码") in found and ("8", "村代码") in found
    assert ("9", "期间") in found
    text = " ".join(m for _r, _c, m in problems)
    assert bad_id not in text and bad_id[-4:] in text and "outside your jurisdiction" in text
    assert not Household.objects.exists() and not Payment.objects.exists()
    assert ImportBatch.objects.get().status == "failed"


def test_it_refuses_the_same_id_in_two_households(cast: Cast, tmp_path: Path, family: Family) -> None:
    data = rows()
    data[5][5] = family.head_id  # registered in 0001 already
    data.append([VILLAGE_A, "0104", "", "周大勇", "户主", A, "正常", "", "", "", "", "", "", ""])  # twice in file
    problems = _problems(write_csv(tmp_path, data), cast.cadre_a)
    messages = {(row, column): m for row, column, m in problems}
    assert f"{VILLAGE_A}-0001" in messages[("7", "身份证号")]
    assert f"{VILLAGE_A}-0101" in messages[("8", "身份证号")] and "row 2" in messages[("8", "身份证号")]
    assert family.head_id not in str(problems) and A not in str(problems)
    assert not Payment.objects.exists()


def test_it_refuses_a_payment_already_recorded_with_another_amount(cast: Cast, tmp_path: Path) -> None:
    run(write_csv(tmp_path, rows()), by=cast.cadre_a)
    data = rows()
    data[2][10] = "700.00"
    problems = _problems(write_csv(tmp_path, data, name="changed.csv"), cast.cadre_a)
    assert problems == [("4", "金额", "this payment is already recorded with another amount")]
    assert Payment.objects.get(period="2025-01").amount_fen == 65000


def test_it_refuses_an_undecodable_file_and_a_missing_column(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    assert "neither UTF-8 nor GB18030" in _problems(path, cast.cadre_a)[0][2]
    path.write_text("村代码,姓名\n431382101201,x\n", encoding="utf-8")
    assert any(c == "household" for _r, c, _m in _problems(path, cast.cadre_a))


def test_it_refuses_importers_without_the_role(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        run(write_csv(tmp_path, rows()), by=cast.supervisor_a)
    assert not Payment.objects.exists()


def test_it_imports_from_the_command(cast: Cast, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("welfare", "import", str(write_csv(tmp_path, rows())), "--no-progress", stdout=out)
    assert "4 payment(s)" in out.getvalue()
    bad = rows()
    bad[0][5] = "123"
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("welfare", "import", str(write_csv(tmp_path, bad, name="bad.csv")), "--no-progress", stderr=err)
    assert "row 2, column 身份证号" in err.getvalue()


def test_it_imports_from_the_upload_page(as_user: Any, cast: Cast, tmp_path: Path) -> None:
    data = write_csv(tmp_path, rows()).read_bytes()
    url = reverse("welfare:imports")
    assert as_user(cast.supervisor_a).get(url).status_code == 404
    client = as_user(cast.cadre_a)
    response = client.post(url, {"file": SimpleUploadedFile("w.csv", data, "text/csv"), "village": ""})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == "done" and batch.payments_created == 4
    page = client.get(reverse("welfare:import", args=[batch.pk])).content.decode()
    assert "4 payment(s) imported" in page
    progress = client.get(reverse("welfare:import_progress", args=[batch.pk]))
    assert progress["Cache-Control"] == "no-store"
    assert as_user(cast.cadre_b).get(reverse("welfare:import", args=[batch.pk])).status_code == 404
    assert as_user(cast.cadre_b).get(reverse("welfare:import_progress", args=[batch.pk])).status_code == 404


def test_it_serves_the_templates_without_id_numbers(client: Any, db: None) -> None:
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("welfare:import_template", args=[fmt]))
        assert response.status_code == 200
    body = client.get(reverse("welfare:import_template", args=["csv"])).content.decode("utf-8-sig")
    assert "身份证号" in body and idnumbers.FULL_NUMBER.search(body) is None


def test_it_refuses_a_payment_to_an_unregistered_household(cast: Cast, tmp_path: Path) -> None:
    data = [[VILLAGE_A, "0999", "", "", "", "", "", "", "低保", "2025-01", "650.00", "2025-01-10", "", ""]]
    problems = _problems(write_csv(tmp_path, data), cast.cadre_a)
    assert problems[0][:2] == ("2", "户号") and "not registered" in problems[0][2]
    assert not Household.objects.exists()


def test_it_never_quotes_an_id_number_put_in_another_column(cast: Cast, tmp_path: Path) -> None:
    data = rows()
    data[2][11] = A  # the ID number in the date column
    data[3][8] = B  # and in the programme column
    problems = _problems(write_csv(tmp_path, data), cast.cadre_a)
    assert len(problems) == 2
    assert A not in str(problems) and B not in str(problems) and A[-4:] in str(problems)


def _hold(key: str) -> ImportBatch:
    """Another import, running, that holds `key` (as a second worker would)."""
    other = ImportBatch.objects.create(filename="other.csv", created_at=timezone.now())
    ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    ImportClaim.objects.create(key=key, holder=other.pk, claimed_at=timezone.now())
    return other


def test_it_refuses_a_register_or_period_another_import_is_writing(cast: Cast, tmp_path: Path) -> None:
    dibao = Programme.objects.get(code="dibao")
    register = _hold(f"{VILLAGE_A}/register")
    payments = _hold(f"{VILLAGE_A}/{dibao.pk}/2025-02")
    problems = _problems(write_csv(tmp_path, rows()), cast.cadre_a)
    assert [m.split(" (started")[0] for _r, _c, m in problems] == [
        f"The household register of village {VILLAGE_A}: import #{register.pk}",
        f"The 低保 payments of village {VILLAGE_A} for 2025-02: import #{payments.pk}",
    ]
    assert not Household.objects.exists() and not Payment.objects.exists()
    # Another programme's period, or another village, does not stand in the way.
    ImportBatch.objects.filter(pk__in=[register.pk, payments.pk]).update(status=ImportStatus.DONE)
    _hold(f"{VILLAGE_A}/{dibao.pk}/2025-04")
    _hold(f"{VILLAGE_C}/register")
    assert run(write_csv(tmp_path, rows(), name="again.csv"), by=cast.cadre_a).batch.payments_created == 4


def test_it_ends_failed_with_the_reason_and_writes_nothing_when_the_write_breaks(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = imports._Importer.write

    def write_then_break(self: imports._Importer) -> None:
        write(self)
        assert Payment.objects.count() == 4  # written, not yet committed
        raise RuntimeError("planted")

    monkeypatch.setattr(imports._Importer, "write", write_then_break)
    with pytest.raises(RuntimeError):
        run(write_csv(tmp_path, rows()), by=cast.cadre_a)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and "RuntimeError: planted" in batch.problems[0]["message"]
    assert (batch.households_created, batch.payments_created) == (0, 0)
    assert not Household.objects.exists() and not Member.objects.exists() and not Payment.objects.exists()
    assert not ImportClaim.objects.exists()


def test_it_refuses_digits_that_are_not_ascii_in_an_id_number_at_its_row(cast: Cast, tmp_path: Path) -> None:
    # "²".isdigit() is True, and int("²") stopped the import with a ValueError.
    data = rows()
    data[0][5] = A[:8] + "²" + A[9:]
    problems = _problems(write_csv(tmp_path, data), cast.cadre_a)
    assert [(row, column) for row, column, _message in problems] == [("2", "身份证号")]
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_it_refuses_a_huge_csv_cell_at_its_row_and_column(cast: Cast, tmp_path: Path) -> None:
    data = rows()
    data[2][3] = "名" * 200_000  # past the csv module's own 131,072 (it raised _csv.Error)
    problems = _problems(write_csv(tmp_path, data), cast.cadre_a)
    assert [(row, column) for row, column, _message in problems] == [("4", "D (姓名)")]
    assert "32,767" in problems[0][2]
    assert ImportBatch.objects.get().status == ImportStatus.FAILED and not Household.objects.exists()
