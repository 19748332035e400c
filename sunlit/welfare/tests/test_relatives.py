"""The relatives register (近亲属备案): declared, matched, queued for the committee and the
township; the cadre sees his own declarations only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from sunlit.conftest import VILLAGE_A, VILLAGE_B, Cast
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.welfare import services
from sunlit.welfare.models import Member, RelativeDeclaration
from sunlit.welfare.tests.conftest import Family, programme

pytestmark = pytest.mark.django_db


def test_it_marks_future_payments_to_a_declared_relative(cast: Cast, family: Family) -> None:
    declaration = services.relative_declare(
        village_code=VILLAGE_B, name="王春华", relation="舅舅", id_number=family.other_id, by=cast.cadre_b
    )
    payment = services.payment_record(
        programme=programme("dibao"),
        household=family.other,
        period="2025-03",
        amount_fen=50000,
        paid_on=date(2025, 3, 10),
        by=cast.cadre_b,
    )
    assert payment.relative_id == declaration.pk and payment.marked
    assert declaration.id_last4 == family.other_id[-4:] and family.other_id not in declaration.id_sealed


def test_it_marks_past_payments_when_declared_later(cast: Cast, family: Family) -> None:
    payment = services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-03",
        amount_fen=65000,
        paid_on=date(2025, 3, 10),
        by=cast.cadre_a,
    )
    # The cadre of village B declares the son of a household in village A.
    services.relative_declare(
        village_code=VILLAGE_B, name="张小明", relation="女婿", id_number=family.son_id, by=cast.cadre_b
    )
    payment.refresh_from_db()
    assert payment.relative is not None and payment.relative.cadre == cast.cadre_b


def test_it_marks_personal_payments_only_to_that_person(cast: Cast, family: Family) -> None:
    wife = Member.objects.get(household=family.household, relation="spouse")
    son = Member.objects.get(household=family.household, relation="child")
    services.relative_declare(
        village_code=VILLAGE_A, name="李秀英", relation="姐姐", id_number=family.wife_id, by=cast.cadre_a
    )
    to_son = services.payment_record(
        programme=programme("canji"),
        household=family.household,
        member=son,
        period="2025-Q1",
        amount_fen=100,
        paid_on=date(2025, 3, 1),
        by=cast.official,
    )
    to_wife = services.payment_record(
        programme=programme("canji"),
        household=family.household,
        member=wife,
        period="2025-Q1",
        amount_fen=100,
        paid_on=date(2025, 3, 1),
        by=cast.official,
    )
    assert to_son.relative_id is None and to_wife.relative_id is not None


def test_it_refuses_declarations_by_others_than_cadres(cast: Cast, family: Family) -> None:
    for who in (cast.supervisor_a, cast.official):
        with pytest.raises(NotPermitted):
            services.relative_declare(village_code=VILLAGE_A, name="某", relation="弟", id_number=family.son_id, by=who)
    with pytest.raises(NotPermitted):
        services.relative_declare(
            village_code=VILLAGE_B, name="某", relation="弟", id_number=family.son_id, by=cast.cadre_a
        )
    services.relative_declare(
        village_code=VILLAGE_A, name="张小明", relation="弟", id_number=family.son_id, by=cast.cadre_a
    )
    with pytest.raises(InvalidInput):
        services.relative_declare(
            village_code=VILLAGE_A, name="张小明", relation="弟", id_number=family.son_id, by=cast.cadre_a
        )


@pytest.fixture
def flagged(cast: Cast, family: Family) -> Family:
    services.relative_declare(
        village_code=VILLAGE_A, name="张建国", relation="父亲", id_number=family.head_id, by=cast.cadre_a
    )
    services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-03",
        amount_fen=65000,
        paid_on=date(2025, 3, 10),
        by=cast.official,
    )
    return family


def test_it_queues_the_payment_for_the_committee_and_the_township(
    as_user: Any, cast: Cast, flagged: Family, django_assert_max_num_queries: Any
) -> None:
    url = reverse("welfare:review")
    for who in (cast.supervisor_a, cast.official, cast.inspector):
        client = as_user(who)
        client.get(url)
        with django_assert_max_num_queries(12):
            body = client.get(url + "?relatives=1").content.decode()
        assert "650.00" in body and "王建国" in body, who


def test_it_hides_the_queue_from_cadres_and_other_villages(as_user: Any, cast: Cast, flagged: Family) -> None:
    url = reverse("welfare:review")
    assert as_user(cast.cadre_a).get(url).status_code == 404
    assert as_user(cast.cadre_b).get(url).status_code == 404
    assert as_user(cast.admin).get(url).status_code == 404
    assert as_user(cast.operator).get(url).status_code == 404


def test_it_shows_the_cadre_his_own_declarations_only(as_user: Any, cast: Cast, flagged: Family) -> None:
    services.relative_declare(
        village_code=VILLAGE_B, name="王春华", relation="表哥", id_number=family_other(flagged), by=cast.cadre_b
    )
    body = as_user(cast.cadre_a).get(reverse("welfare:relatives")).content.decode()
    assert "张建国" in body and "王春华" not in body and flagged.head_id not in body
    assert flagged.head_id[-4:] in body
    # Nothing about who reviewed, or what was flagged, beyond his own list.
    assert "650.00" not in body
    assert as_user(cast.supervisor_a).get(reverse("welfare:relatives")).status_code == 404


def family_other(family: Family) -> str:
    return family.other_id


def test_it_declares_and_withdraws_through_the_page(as_user: Any, cast: Cast, family: Family) -> None:
    client = as_user(cast.cadre_b)
    response = client.post(
        reverse("welfare:relatives"),
        {"village": VILLAGE_B, "name": "王春华", "relation": "哥哥", "id_number": family.other_id},
    )
    assert response.status_code == 302
    declaration = RelativeDeclaration.objects.get()
    assert as_user(cast.cadre_a).post(reverse("welfare:relative_withdraw", args=[declaration.pk])).status_code == 404
    assert client.post(reverse("welfare:relative_withdraw", args=[declaration.pk])).status_code == 302
    declaration.refresh_from_db()
    assert declaration.withdrawn_at is not None
