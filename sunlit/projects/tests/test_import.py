"""The project import: every problem with its row and column, encodings, all or nothing,
the same file twice changes nothing, through the CLI and the upload page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.projects import imports
from sunlit.projects.imports import ImportRefused
from sunlit.projects.models import ImportBatch, ImportClaim, ImportStatus, Payment, Project, PublishedProject

pytestmark = pytest.mark.django_db


def rows(number: str = "SM-2025-001") -> list[list[str]]:
    headers, template = imports.template_rows()
    out = [headers]
    for r in template:
        r = list(r)
        r[headers.index("项目编号")] = number
        out.append(r)
    return out


def write_csv(path: Path, data: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(data)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def run(cast: Cast, path: Path, by: Any = None, village: str = "") -> imports.Outcome:
    batch = imports.batch_start(filename=path.name, default_village=village, by=by or cast.official)
    return imports.import_file(batch=batch, path=path, by=by or cast.official, publish=True)


def test_it_imports_the_template_whole_and_publishes_it(cast: Cast, tmp_path: Path) -> None:
    outcome = run(cast, write_csv(tmp_path / "p.csv", rows()))
    assert outcome.projects_created == 1
    project = Project.objects.get(number="SM-2025-001")
    assert project.status == "accepted" and project.tender.bids.count() == 3
    assert list(Payment.objects.filter(project=project).values_list("before_acceptance", flat=True)) == [True, False]
    assert PublishedProject.objects.get(number="SM-2025-001").progress == 100


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_it_reads_utf8_with_or_without_bom_and_gb18030(cast: Cast, tmp_path: Path, encoding: str) -> None:
    assert run(cast, write_csv(tmp_path / "p.csv", rows(), encoding)).projects_created == 1


def test_it_refuses_an_undecodable_file(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("记录类型,项目编号\n".encode() + b"\xff\xfe\xfa\x80\x81\n")
    with pytest.raises(ImportRefused, match="problem"):
        run(cast, path)
    assert "neither UTF-8 nor GB18030" in ImportBatch.objects.get().problems[0]["message"]


def test_it_reports_each_problem_with_row_and_column_and_imports_nothing(cast: Cast, tmp_path: Path) -> None:
    data = rows() + rows("SM-2025-002")[1:]
    data[2][data[0].index("金额")] = "abc"  # row 3: funding amount
    data[5][data[0].index("单位或个人")] = ""  # row 6: bidder missing
    data[10][data[0].index("进度")] = "140"  # row 11: progress
    data[16][data[0].index("记录类型")] = "不知道"  # row 17: record type
    with pytest.raises(ImportRefused) as refused:
        run(cast, write_csv(tmp_path / "p.csv", data))
    found = {(p.row, p.column) for p in refused.value.problems}
    assert {("3", "金额"), ("6", "单位或个人"), ("11", "进度"), ("17", "记录类型")} <= found
    assert not Project.objects.exists()
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_it_rolls_back_everything_when_a_service_refuses_a_late_row(cast: Cast, tmp_path: Path) -> None:
    data = rows() + rows("SM-2025-002")[1:]
    # Project 2 pays before any contract: its 合同 row becomes a 进度 row.
    contract_row = next(i for i, r in enumerate(data) if r[0] == "合同" and r[1] == "SM-2025-002")
    data.pop(contract_row)
    for r in data:
        if r[1] == "SM-2025-002" and r[0] == "变更":
            r[0] = "进度"
            r[data[0].index("进度")] = "50"
            r[data[0].index("说明")] = "变更取消"
            r[data[0].index("金额")] = ""
            r[data[0].index("理由")] = ""
    with pytest.raises(ImportRefused) as refused:
        run(cast, write_csv(tmp_path / "p.csv", data))
    problem = refused.value.problems[0]
    assert "has no contract" in problem.message and problem.column == "金额"
    assert not Project.objects.exists() and not PublishedProject.objects.exists()


def test_it_changes_nothing_when_the_same_file_or_the_same_records_come_again(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", rows())
    run(cast, path)
    again = run(cast, path)
    assert again.already_imported and Project.objects.count() == 1
    # The same records in another file (another encoding): skipped as unchanged.
    other = run(cast, write_csv(tmp_path / "p2.csv", rows(), "gb18030"))
    assert other.projects_created == 0 and other.projects_unchanged == 1
    changed = rows()
    changed[1][changed[0].index("项目名称")] = "另一个名称"
    with pytest.raises(ImportRefused, match="problem"):
        run(cast, write_csv(tmp_path / "p3.csv", changed))


def test_it_reads_xlsx_with_english_headers(cast: Cast, tmp_path: Path) -> None:
    from sunlit.lib.exports import to_xlsx

    english = [
        "kind",
        "project",
        "village",
        "name",
        "category",
        "year",
        "location",
        "case",
        "planned start",
        "planned end",
        "source",
        "amount",
        "date",
        "deadline",
        "party",
        "code",
        "method",
        "status",
        "winner",
        "reason",
        "progress",
        "voucher",
        "people",
        "note",
    ]
    data = rows()
    path = tmp_path / "p.xlsx"
    path.write_bytes(to_xlsx(english, data[1:]))
    assert run(cast, path).projects_created == 1


def test_it_refuses_villages_outside_the_importers_jurisdiction(cast: Cast, tmp_path: Path) -> None:
    data = rows()
    data[1][data[0].index("村代码")] = "431382102201"  # village C, another township
    with pytest.raises(ImportRefused) as refused:
        run(cast, write_csv(tmp_path / "p.csv", data), by=cast.cadre_a)
    assert refused.value.problems[0].column == "村代码" and "may not import" in refused.value.problems[0].message


def test_it_imports_from_the_command_line(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", rows())
    out = io.StringIO()
    call_command("projects", "import", str(path), "--no-progress", stdout=out)
    assert "1 project(s) imported" in out.getvalue()
    bad = rows()
    bad[1][bad[0].index("项目类别")] = "火箭"
    with pytest.raises(CommandError):
        call_command(
            "projects",
            "import",
            str(write_csv(tmp_path / "bad.csv", bad)),
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_it_imports_through_the_upload_page(cast: Cast, as_user: Any, tmp_path: Path) -> None:
    client: Client = as_user(cast.official)
    path = write_csv(tmp_path / "p.csv", rows())
    with path.open("rb") as f:
        response = client.post(reverse("projects:imports"), {"file": f, "village": VILLAGE_A})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportStatus.DONE and batch.projects_created == 1
    progress = client.get(reverse("projects:import_progress", args=[batch.pk])).content.decode()
    assert "1 project(s) imported" in progress
    assert as_user(cast.cadre_b).get(reverse("projects:import", args=[batch.pk])).status_code == 404


def test_it_offers_the_templates(client: Client) -> None:
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("projects:import_template", args=[fmt]))
        assert response.status_code == 200 and response["Content-Disposition"].endswith(f'.{fmt}"')


def _hold(key: str) -> ImportBatch:
    """Another import, running, that holds `key` (as a second worker would)."""
    other = ImportBatch.objects.create(filename="other.csv", sha256="", created_at=timezone.now())
    ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    ImportClaim.objects.create(key=key, holder=other.pk, claimed_at=timezone.now())
    return other


def test_it_refuses_a_project_another_import_is_writing_naming_it_and_the_import(cast: Cast, tmp_path: Path) -> None:
    other = _hold("SM-2025-001")
    data = rows() + rows("SM-2025-002")[1:]
    with pytest.raises(ImportRefused) as refused:
        run(cast, write_csv(tmp_path / "p.csv", data))
    assert [p.message.split(" (started")[0] for p in refused.value.problems] == [
        f"Project SM-2025-001: import #{other.pk}"
    ]
    assert not Project.objects.exists()
    assert ImportBatch.objects.exclude(pk=other.pk).get().status == ImportStatus.FAILED
    ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.FAILED)
    assert run(cast, write_csv(tmp_path / "p2.csv", data)).projects_created == 2


def test_it_ends_failed_with_the_reason_and_writes_nothing_when_the_write_breaks(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = imports._Importer.write

    def write_then_break(self: imports._Importer) -> None:
        write(self)
        assert Project.objects.count() == 1  # written, not yet committed
        raise KeyError("planted")

    monkeypatch.setattr(imports._Importer, "write", write_then_break)
    with pytest.raises(KeyError):
        run(cast, write_csv(tmp_path / "p.csv", rows()))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and "KeyError: 'planted'" in batch.problems[0]["message"]
    assert batch.projects_created == 0 and not Project.objects.exists() and not PublishedProject.objects.exists()
    assert not ImportClaim.objects.exists()


def test_it_refuses_digits_that_are_not_ascii_at_their_row_and_column(cast: Cast, tmp_path: Path) -> None:
    # "5²".isdigit() is True and int("5²") raised ValueError: the import stopped unexplained.
    data = rows()
    data[10][data[0].index("进度")] = "5²"
    with pytest.raises(ImportRefused) as refused:
        run(cast, write_csv(tmp_path / "p.csv", data))
    assert [(p.row, p.column) for p in refused.value.problems] == [("11", "进度")]
    assert ImportBatch.objects.get().status == ImportStatus.FAILED
