from __future__ import annotations

import pytest

from sunlit.transparency import selectors
from sunlit.transparency.services import publish

from .conftest import TOWNSHIP, VILLAGE, publish_many

pytestmark = pytest.mark.django_db


def test_it_lists_the_current_version_of_each_record_newest_first(regions, django_assert_num_queries) -> None:
    a, b, c = publish_many(VILLAGE, 3)
    b2 = publish(chain=VILLAGE, kind="notice", ref=b.ref, snapshot={"fixed": True}, by=None, reason="更正")
    publish(chain=VILLAGE, kind="finance", ref="2024-05", snapshot={"fen": 100}, by=None)
    publish_many(TOWNSHIP, 2)
    with django_assert_num_queries(1):
        rows = list(selectors.current_for_chain(VILLAGE, kind="notice"))
    assert [e.pk for e in rows] == [b2.pk, c.pk, a.pk]
    assert len(selectors.current_for_chain(VILLAGE)) == 4


def test_it_answers_none_for_an_unpublished_record(regions) -> None:
    assert selectors.current("notice", "nothing") is None


def test_it_lists_a_chain_newest_first_with_corrections(regions, django_assert_num_queries) -> None:
    a, _b = publish_many(VILLAGE, 2)
    a2 = publish(chain=VILLAGE, kind="notice", ref=a.ref, snapshot={"v": 2}, by=None, reason="r")
    with django_assert_num_queries(1):
        rows = [(e.seq, getattr(e, "superseded_by", None)) for e in selectors.entries_for_chain(VILLAGE)]
    assert rows == [(3, None), (2, None), (1, a2)]
