"""The back office: every endpoint with its positive and negative permission test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.audit.models import AuditEvent
from sunlit.conftest import VILLAGE_A, Cast
from sunlit.welfare import services
from sunlit.welfare.models import Household, Payment
from sunlit.welfare.tests.conftest import Family, new_id

pytestmark = pytest.mark.django_db


def test_it_lists_only_villages_in_jurisdiction(
    as_user: Any, cast: Cast, family: Family, django_assert_num_queries: Any
) -> None:
    client = as_user(cast.cadre_a)
    client.get(reverse("welfare:office"))
    with django_assert_num_queries(10):  # session, user, OTP device, memberships, villages, households, payments…
        body = client.get(reverse("welfare:office")).content.decode()
    assert "石门村" in body and "白竹村" not in body
    assert as_user(cast.operator).get(reverse("welfare:office")).status_code == 404
    assert Client().get(reverse("welfare:office")).status_code == 302


def test_it_shows_a_village_s_households_to_its_cadre_only(
    as_user: Any, cast: Cast, family: Family, django_assert_max_num_queries: Any
) -> None:
    url = reverse("welfare:village", args=[VILLAGE_A])
    client = as_user(cast.cadre_a)
    client.get(url)
    for n in range(2, 6):  # more households, the same queries (no query per row)
        services.household_create(
            village_code=VILLAGE_A,
            number=f"000{n}",
            members=[services.MemberInput("某某", "head", new_id(100 + n))],
            by=None,
        )
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert "0001" in body and "张建国" in body and family.head_id not in body
    assert as_user(cast.supervisor_a).get(url).status_code == 200
    assert as_user(cast.cadre_b).get(url).status_code == 404
    found = as_user(cast.cadre_a).post(url, {"q": family.son_id})
    assert found.status_code == 302 and found["Location"] == reverse("welfare:household", args=[family.household.pk])
    assert family.son_id not in found["Location"]
    by_name = as_user(cast.cadre_a).post(url, {"q": "张建国"}, follow=True).content.decode()
    assert "0001" in by_name
    # A number in the URL is neither searched nor written back into the page.
    in_url = as_user(cast.cadre_a).get(url, {"q": family.son_id})
    assert in_url.status_code == 302 and family.son_id not in in_url["Location"]


def test_it_opens_a_household_with_an_audit_row(as_user: Any, cast: Cast, family: Family) -> None:
    url = reverse("welfare:household", args=[family.household.pk])
    body = as_user(cast.official).get(url).content.decode()
    assert "李秀英" in body and family.wife_id[-4:] in body and family.wife_id not in body
    assert AuditEvent.objects.filter(action="view", object_id=str(family.household.pk)).exists()
    assert as_user(cast.cadre_b).get(url).status_code == 404
    assert as_user(cast.operator).get(url).status_code == 404


def test_it_records_a_household_through_the_page(as_user: Any, cast: Cast) -> None:
    url = reverse("welfare:household_new", args=[VILLAGE_A])
    data = {
        "number": "0007",
        "card_last4": "1111",
        "m0_name": "赵大",
        "m0_relation": "head",
        "m0_id": new_id(30),
        "m1_name": "钱二",
        "m1_relation": "spouse",
        "m1_id": new_id(31, female=True),
    }
    assert as_user(cast.cadre_b).post(url, data).status_code == 404
    assert as_user(cast.supervisor_a).post(url, data).status_code == 404
    response = as_user(cast.cadre_a).post(url, data)
    assert response.status_code == 302
    assert Household.objects.get(number="0007").members.count() == 2


def test_it_shows_the_same_id_refusal_on_the_page(as_user: Any, cast: Cast, family: Family) -> None:
    url = reverse("welfare:household_new", args=[VILLAGE_A])
    data = {"number": "0008", "m0_name": "王春华", "m0_relation": "head", "m0_id": family.other_id}
    body = as_user(cast.cadre_a).post(url, data).content.decode()
    assert "431382101202-0001" in body and family.other_id not in body


def test_it_records_payments_and_status_through_the_page(as_user: Any, cast: Cast, family: Family) -> None:
    h = family.household
    client = as_user(cast.cadre_a)
    wife = h.members.get(relation="spouse")
    assert (
        client.post(
            reverse("welfare:status", args=[h.pk]), {"member": wife.pk, "status": "deceased", "on": "2025-01-31"}
        ).status_code
        == 302
    )
    response = client.post(
        reverse("welfare:payment_new", args=[h.pk]),
        {
            "programme": "canji",
            "member": wife.pk,
            "period": "2025-03",
            "amount": "90.00",
            "paid_on": "2025-03-05",
            "channel": "card",
            "case": "",
        },
        follow=True,
    )
    assert "marked for review" in response.content.decode()
    payment = Payment.objects.get()
    assert payment.after_death and payment.amount_fen == 9000
    assert "after death" in client.get(reverse("welfare:household", args=[h.pk])).content.decode()
    other = as_user(cast.cadre_b)
    assert other.post(reverse("welfare:payment_new", args=[h.pk]), {}).status_code == 404
    assert other.post(reverse("welfare:member_add", args=[h.pk]), {}).status_code == 404
    assert other.post(reverse("welfare:status", args=[h.pk]), {}).status_code == 404
    assert as_user(cast.supervisor_a).post(reverse("welfare:payment_new", args=[h.pk]), {}).status_code == 404


def test_it_adds_a_member_through_the_page(as_user: Any, cast: Cast, family: Family) -> None:
    h = family.household
    response = as_user(cast.cadre_a).post(
        reverse("welfare:member_add", args=[h.pk]),
        {"name": "张小红", "relation": "grandchild", "id_number": new_id(40, born=date(2015, 6, 1))},
    )
    assert response.status_code == 302 and h.members.count() == 4


def test_it_publishes_a_list_through_the_page(as_user: Any, cast: Cast, family: Family) -> None:
    from sunlit.welfare import services
    from sunlit.welfare.tests.conftest import programme

    services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-03",
        amount_fen=65000,
        paid_on=date(2025, 3, 10),
        by=cast.cadre_a,
    )
    url = reverse("welfare:publish", args=[VILLAGE_A])
    assert as_user(cast.supervisor_a).post(url, {"programme": "dibao", "year": 2025}).status_code == 404
    assert as_user(cast.cadre_b).post(url, {"programme": "dibao", "year": 2025}).status_code == 404
    assert as_user(cast.cadre_a).post(url, {"programme": "dibao", "year": 2025}).status_code == 302
    assert Client().get(reverse("welfare:list", args=[VILLAGE_A, "dibao", 2025])).status_code == 200


def test_it_lists_the_room_on_the_office_front_door(as_user: Any, cast: Cast) -> None:
    body = as_user(cast.cadre_a).get(reverse("accounts:office")).content.decode()
    assert reverse("welfare:office") in body and reverse("welfare:relatives") in body
    assert reverse("welfare:review") not in body
    assert reverse("welfare:review") in as_user(cast.supervisor_a).get(reverse("accounts:office")).content.decode()
