from __future__ import annotations

import random
from datetime import date

import pytest
from django.utils import translation

from sunlit.lib import idnumbers
from sunlit.lib.errors import InvalidInput

# The standard's own worked example (GB 11643-1999, appendix).
EXAMPLE = "11010519491231002X"


def test_it_accepts_the_standards_example_and_normalises_what_readers_type() -> None:
    assert idnumbers.normalize(EXAMPLE) == EXAMPLE
    assert idnumbers.normalize(" 110105 19491231 002x ") == EXAMPLE
    assert idnumbers.normalize("１１０１０５１９４９１２３１００２Ｘ") == EXAMPLE


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "Enter the ID number"),
        ("11010519491231002", "18 characters"),
        ("1101051949123100XX", "18 characters"),
        ("110105194913310021", "date of birth"),
        ("110105194912310021", "does not match"),
    ],
)
def test_it_refuses_malformed_numbers_with_a_reason(value: str, says: str) -> None:
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        idnumbers.normalize(value)
    assert says in str(info.value.message)


def test_it_seals_and_unseals_and_fingerprints_without_the_plain_text() -> None:
    sealed = idnumbers.seal(EXAMPLE)
    assert EXAMPLE not in sealed
    assert sealed != idnumbers.seal(EXAMPLE)  # a fresh nonce each time
    assert idnumbers.unseal(sealed) == EXAMPLE
    assert idnumbers.fingerprint(EXAMPLE) == idnumbers.fingerprint(EXAMPLE)
    assert idnumbers.fingerprint(EXAMPLE) != idnumbers.fingerprint("110105194912310037")
    assert EXAMPLE not in idnumbers.fingerprint(EXAMPLE)


def test_it_shows_only_the_last_four() -> None:
    assert idnumbers.masked(idnumbers.last4(EXAMPLE)) == "**************002X"


def test_it_generates_valid_numbers_for_demo_data_and_finds_them_in_text() -> None:
    rng = random.Random(5)
    numbers = [
        idnumbers.generate(rng, area="431382", born=date(1950 + i, 1 + i % 12, 1 + i), female=i % 2 == 0)
        for i in range(20)
    ]
    assert all(idnumbers.is_valid(n) for n in numbers)
    assert all(int(n[16]) % 2 == (0 if i % 2 == 0 else 1) for i, n in enumerate(numbers))
    text = "编号 " + numbers[0] + "，尾号 " + numbers[1][-4:] + " 电话 13812345678"
    assert idnumbers.FULL_NUMBER.findall(text) == [numbers[0]]
