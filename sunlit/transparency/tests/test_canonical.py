from __future__ import annotations

from decimal import Decimal

import pytest

from sunlit.lib.errors import InvalidInput
from sunlit.transparency.canonical import canonical_json


def test_it_sorts_keys_compactly_and_keeps_chinese() -> None:
    text = canonical_json({"b": [1, {"d": None, "c": True}], "a": "村务公开"})
    assert text == '{"a":"村务公开","b":[1,{"c":true,"d":null}]}'


def test_it_gives_the_same_text_whatever_the_key_order() -> None:
    assert canonical_json({"x": 1, "y": 2}) == canonical_json({"y": 2, "x": 1})


@pytest.mark.parametrize(
    "value",
    [
        {"amount": 12.5},
        {"rows": [{"amount": 1.0}]},
        {"nan": float("nan")},
    ],
)
def test_it_rejects_floats(value: dict) -> None:
    with pytest.raises(InvalidInput) as e:
        canonical_json(value)
    assert e.value.field == "snapshot"


def test_it_names_the_float_that_it_rejects() -> None:
    with pytest.raises(InvalidInput) as e:
        canonical_json({"rows": [{"amount": 1.5}]})
    assert "rows[0].amount" in e.value.message


def test_it_rejects_keys_that_are_not_text() -> None:
    with pytest.raises(InvalidInput):
        canonical_json({1: "one"})


def test_it_rejects_values_json_cannot_carry() -> None:
    with pytest.raises(InvalidInput):
        canonical_json({"amount": Decimal("1.00")})
