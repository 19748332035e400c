from __future__ import annotations

import pytest

from sunlit.lib.errors import InvalidInput
from sunlit.regions import codes


class TestValidate:
    @pytest.mark.parametrize("bad", ["", "43138210020", "4313821002010", "43138210020a", "４３１３８２１００２０１"])
    def test_it_refuses_anything_but_12_ascii_digits(self, bad: str) -> None:
        with pytest.raises(InvalidInput) as e:
            codes.validate(bad)
        assert e.value.field == "code"

    def test_it_refuses_a_code_without_province(self) -> None:
        with pytest.raises(InvalidInput, match="no province"):
            codes.validate("001382100201")

    def test_it_strips_surrounding_spaces(self) -> None:
        assert codes.validate(" 431382100201\n") == "431382100201"


class TestHierarchy:
    @pytest.mark.parametrize(
        ("code", "level", "parent", "prefix"),
        [
            ("430000000000", codes.PROVINCE, None, "43"),
            ("431300000000", codes.PREFECTURE, "430000000000", "4313"),
            ("431382000000", codes.COUNTY, "431300000000", "431382"),
            ("431382100000", codes.TOWNSHIP, "431382000000", "431382100"),
            ("431382100201", codes.VILLAGE, "431382100000", "431382100201"),
            ("431382001001", codes.VILLAGE, "431382001000", "431382001001"),
        ],
    )
    def test_it_derives_level_parent_and_prefix_from_the_code(
        self, code: str, level: str, parent: str | None, prefix: str
    ) -> None:
        assert codes.level_of(code) == level
        assert codes.parent_code(code) == parent
        assert codes.prefix_of(code) == prefix

    def test_it_skips_a_missing_county_level(self) -> None:
        # 东莞市 has townships directly under the prefecture: county digits are 00.
        assert codes.level_of("441900003000") == codes.TOWNSHIP
        assert codes.parent_code("441900003000") == "441900000000"

    def test_it_knows_the_county_and_the_subtree(self) -> None:
        assert codes.county_of("431382100201") == "431382000000"
        assert codes.contains("431382100000", "431382100201")
        assert not codes.contains("431382100000", "431382101201")
        # A village's subtree is itself alone.
        assert not codes.contains("431382100201", "431382100202")
