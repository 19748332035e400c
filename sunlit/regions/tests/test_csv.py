"""The region tree as CSV: `sunlit regions export|import` over the services."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from sunlit.audit.models import AuditEvent
from sunlit.regions.models import Region
from sunlit.regions.services import regions_export_csv

from .conftest import TOWNSHIP, VILLAGE_A, build_tree

HEADER = "code,name,level,parent_code,is_community,phone,address\n"


class Rollback(Exception):
    pass


def _tree() -> list[tuple[str, str, str, bool, str, str]]:
    return [(r.code, r.name, r.level, r.is_community, r.phone, r.address) for r in Region.objects.order_by("code")]


def _export(**options: str) -> str:
    out = StringIO()
    call_command("regions", "export", *[f"--{k}={v}" for k, v in options.items()], stdout=out)
    return out.getvalue()


def _import(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("regions", "import", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_round_trips_the_tree_into_an_empty_database(tmp_path: Path) -> None:
    # Build and export inside a savepoint that is then rolled back: the database is
    # empty again, as a fresh deployment's would be.
    try:
        with transaction.atomic():
            build_tree()
            Region.objects.filter(code=VILLAGE_A).update(is_community=True, name="石门社区")
            before = _tree()
            path = tmp_path / "regions.csv"
            call_command("regions", "export", "-o", str(path), stderr=StringIO())
            raise Rollback
    except Rollback:
        pass
    assert not Region.objects.exists()

    out, _ = _import(path)
    assert "6 created, 0 updated, 0 unchanged" in out
    assert _tree() == before
    assert Region.objects.get(code=VILLAGE_A).parent_id == TOWNSHIP


def test_it_exports_utf8_with_bom_for_excel(tree: dict[str, Region], tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    call_command("regions", "export", "-o", str(path), stderr=StringIO())
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert "431382100201,石门村,village,431382100000,0,0738-4000000,石门村服务中心" in data.decode("utf-8-sig")


def test_it_exports_only_the_subtree_asked_for(tree: dict[str, Region]) -> None:
    text = _export(under=VILLAGE_A)
    assert text.lstrip("\ufeff").splitlines()[1:] == [
        "431382100201,石门村,village,431382100000,0,0738-4000000,石门村服务中心"
    ]


def test_it_refuses_to_export_under_an_unknown_region(tree: dict[str, Region]) -> None:
    with pytest.raises(CommandError, match="No region with code 431382199000"):
        _export(under="431382199000")


def test_it_changes_nothing_when_importing_twice(tree: dict[str, Region], tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(_export(), encoding="utf-8")
    events = AuditEvent.objects.count()
    out, _ = _import(path)
    assert "0 created, 0 updated, 6 unchanged" in out
    out, _ = _import(path)
    assert "0 created, 0 updated, 6 unchanged" in out
    assert AuditEvent.objects.count() == events


def test_it_updates_names_and_contacts(tree: dict[str, Region], tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        HEADER + "431382100202,白竹村,village,431382100000,0,0738-4111111,白竹村新址\n431382100203,枫林村,,,0,,\n",
        encoding="utf-8",
    )
    out, _ = _import(path)
    assert "1 created, 1 updated, 0 unchanged" in out
    assert Region.objects.get(code="431382100202").phone == "0738-4111111"
    assert Region.objects.get(code="431382100203").parent_id == TOWNSHIP


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_imports_utf8_with_or_without_bom_and_gb18030(
    tree: dict[str, Region], tmp_path: Path, encoding: str
) -> None:
    # Chinese headers, as a township clerk's own spreadsheet would have them.
    path = tmp_path / "regions.csv"
    path.write_bytes("代码,名称,电话\r\n431382100203,枫林村,0738-4222222\r\n".encode(encoding))
    out, _ = _import(path)
    assert "1 created" in out
    region = Region.objects.get(code="431382100203")
    assert (region.name, region.phone) == ("枫林村", "0738-4222222")


def test_it_refuses_undecodable_bytes(tree: dict[str, Region], tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_bytes(HEADER.encode() + b"431382100203,\xff\xfe,,,,,\n")
    with pytest.raises(CommandError, match=r"line 2, byte \d+: 0xff is neither UTF-8 nor GB18030"):
        _import(path)
    assert not Region.objects.filter(code="431382100203").exists()


def test_it_reports_every_problem_with_row_and_column_and_writes_nothing(
    tree: dict[str, Region], tmp_path: Path
) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        HEADER
        + "431382100203,枫林村,village,431382100000,0,,\n"  # fine on its own
        + "43138210020,短码村,village,,0,,\n"  # row 3: 11 digits
        + "431382100204,,village,,0,,\n"  # row 4: no name
        + "431382100205,新塘村,township,,0,,\n"  # row 5: wrong level
        + "431382100206,长冲村,village,431382101000,0,,\n"  # row 6: wrong parent
        + "431382100203,枫林村,village,,0,,\n",  # row 7: twice
        encoding="utf-8",
    )
    err = StringIO()
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"5 problem\(s\) in .*; nothing was imported"):
        call_command("regions", "import", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 5
    assert "row 3, column code" in lines[0] and "not 12 digits" in lines[0]
    assert "row 4, column name" in lines[1]
    assert "row 5, column level" in lines[2]
    assert "row 6, column parent_code" in lines[3]
    assert "row 7, column code" in lines[4] and "twice" in lines[4]
    assert not Region.objects.filter(code__in=["431382100203", "431382100205"]).exists()
    assert AuditEvent.objects.count() == events


def test_it_refuses_rows_whose_parent_is_nowhere(tree: dict[str, Region], tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    rows = "431382100203,枫林村,,,0,,\n431382109201,孤村,,,0,,\n"
    path.write_text(HEADER + rows, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\)"):
        call_command("regions", "import", str(path), stdout=StringIO(), stderr=err)
    problem = "row 3, column code: parent 431382109000 is neither in the file nor stored"
    assert problem in err.getvalue()
    assert not Region.objects.filter(code="431382100203").exists()


def test_it_refuses_a_file_without_the_code_column(tree: dict[str, Region], tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("名称\n枫林村\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"1 problem"):
        call_command("regions", "import", str(path), stdout=StringIO(), stderr=StringIO())


def test_it_matches_the_service_export(tree: dict[str, Region]) -> None:
    assert _export() == "\ufeff" + regions_export_csv()


def test_it_publishes_the_profiles_an_import_creates_or_changes(tree: dict[str, Region], tmp_path: Path) -> None:
    from sunlit.transparency import selectors as published

    path = tmp_path / "regions.csv"
    path.write_text(
        HEADER + "431382100202,白竹村,village,431382100000,0,0738-4111111,白竹村新址\n431382100203,枫林村,,,0,,\n",
        encoding="utf-8",
    )
    _import(path)
    new = published.current(kind="region.profile", ref="431382100203")
    changed = published.current(kind="region.profile", ref="431382100202")
    assert new is not None and new.snapshot["name"] == "枫林村"
    assert changed is not None and changed.snapshot["phone"] == "0738-4111111"
    # Importing the same file again publishes nothing new.
    count = published.entries_for_chain("431382100202").count()
    _import(path)
    assert published.entries_for_chain("431382100202").count() == count
