"""Who takes a step, as the pages name it."""

from __future__ import annotations


def test_it_names_a_county_step_by_its_department_not_as_a_township_official() -> None:
    from django.utils import translation

    from sunlit.powers.selectors import role_at

    with translation.override("zh-hans"):
        assert role_at("township_official", "county") == "县级部门"
        assert role_at("township_official", "township") == "乡镇干部"
        assert role_at("cadre", "village") == "村干部"
