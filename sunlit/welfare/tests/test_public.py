"""Public lists (masked, published through the log), the section page and "question this"."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, Cast
from sunlit.lib import idnumbers
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.transparency.models import Entry
from sunlit.welfare import publication, services
from sunlit.welfare.models import Member, PublishedList
from sunlit.welfare.tests.conftest import Family, programme

pytestmark = pytest.mark.django_db


def _pay_and_publish(cast: Cast, family: Family) -> Entry:
    dibao = programme("dibao")
    for month in (1, 2, 3):
        services.payment_record(
            programme=dibao,
            household=family.household,
            period=f"2025-{month:02d}",
            amount_fen=65000,
            paid_on=date(2025, month, 10),
            by=cast.cadre_a,
        )
    return services.list_publish(village_code=VILLAGE_A, programme=dibao, year=2025, by=cast.cadre_a)


@pytest.mark.parametrize(("mode", "shown"), [("surname", "张*"), ("full", "张建国"), ("none", "")])
def test_it_masks_names_by_the_setting(settings: Any, cast: Cast, family: Family, mode: str, shown: str) -> None:
    settings.SUNLIT_WELFARE_NAME_MASK = mode
    entry = _pay_and_publish(cast, family)
    snapshot = entry.snapshot
    assert snapshot["name_mask"] == mode
    assert snapshot["rows"][0]["name"] == shown
    assert snapshot["totals"] == {"beneficiaries": 1, "households": 1, "payments": 3, "amount": 195000}
    text = entry.snapshot_json
    if mode != "full":
        assert "建国" not in text
    assert family.head_id not in text and family.head_id[-4:] not in text and "6789" not in text


def test_it_masks_an_unknown_setting_as_surname(settings: Any) -> None:
    settings.SUNLIT_WELFARE_NAME_MASK = "initials"
    assert publication.mask("欧阳修") == "欧*"


def test_it_publishes_through_the_log_and_derives_the_aggregate(cast: Cast, family: Family) -> None:
    entry = _pay_and_publish(cast, family)
    assert entry.kind == "welfare.list" and entry.chain_id == VILLAGE_A
    row = PublishedList.objects.get()
    assert (row.households, row.payments, row.amount_fen, row.publication_id) == (1, 3, 195000, entry.pk)
    # New payments, published again: a correction with a reason, both versions kept.
    services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-04",
        amount_fen=65000,
        paid_on=date(2025, 4, 10),
        by=cast.cadre_a,
    )
    second = services.list_publish(village_code=VILLAGE_A, programme=programme("dibao"), year=2025, by=cast.cadre_a)
    assert second.supersedes_id == entry.pk and second.reason
    assert PublishedList.objects.get().payments == 4


def test_it_refuses_publishing_an_empty_list_or_by_a_supervisor(cast: Cast, family: Family) -> None:
    with pytest.raises(InvalidInput):
        services.list_publish(village_code=VILLAGE_A, programme=programme("tekun"), year=2025, by=cast.cadre_a)
    with pytest.raises(NotPermitted):
        services.list_publish(village_code=VILLAGE_A, programme=programme("dibao"), year=2025, by=cast.supervisor_a)


def test_it_shows_the_list_on_phone_and_kiosk(
    client: Client, cast: Cast, family: Family, django_assert_num_queries: Any
) -> None:
    _pay_and_publish(cast, family)
    url = reverse("welfare:list", args=[VILLAGE_A, "dibao", 2025])
    with django_assert_num_queries(1):  # the entry (the "under review" mark is cached)
        body = client.get(url).content.decode()
    assert "张*" in body and "张建国" not in body and "1,950.00" in body
    assert "kind=welfare.list" in body and f"ref={VILLAGE_A}-dibao-2025" in body
    kiosk = client.get(reverse("welfare:kiosk_list", args=[VILLAGE_A, "dibao", 2025])).content.decode()
    assert "/kiosk/reports/" in kiosk or "kiosk" in kiosk
    assert 'href="/v/' not in kiosk and 'href="/welfare/' not in kiosk
    data = json.loads(client.get(reverse("welfare:list_json", args=[VILLAGE_A, "dibao", 2025])).content)
    assert data["rows"][0]["name"] == "张*"
    assert "张*" in client.get(reverse("welfare:list_csv", args=[VILLAGE_A, "dibao", 2025])).content.decode()


def test_it_answers_404_for_an_unpublished_list(client: Client, cast: Cast, family: Family) -> None:
    assert client.get(reverse("welfare:list", args=[VILLAGE_A, "dibao", 2025])).status_code == 404
    assert client.get(reverse("welfare:list", args=["12", "dibao", 2025])).status_code == 404
    assert client.get(reverse("welfare:list_json", args=[VILLAGE_A, "dibao", 2025])).status_code == 404


def test_it_lists_the_villages_lists(
    client: Client, cast: Cast, family: Family, django_assert_num_queries: Any
) -> None:
    _pay_and_publish(cast, family)
    with django_assert_num_queries(3):  # the village, the programmes, the lists
        body = client.get(reverse("welfare:village_lists", args=[VILLAGE_A])).content.decode()
    assert reverse("welfare:list", args=[VILLAGE_A, "dibao", 2025]) in body
    assert reverse("welfare:check") in body


def test_it_resolves_question_this_to_the_village(cast: Cast, family: Family) -> None:
    from sunlit.reports.records import resolve

    _pay_and_publish(cast, family)
    record = resolve("welfare.list", f"{VILLAGE_A}-dibao-2025")
    assert record.subject_code == VILLAGE_A and record.office_code == TOWNSHIP_A
    with pytest.raises(InvalidInput):
        resolve("welfare.list", f"{VILLAGE_A}-tekun-2025")


def test_it_shows_the_section_with_charts_and_tables(
    client: Client, cast: Cast, family: Family, django_assert_num_queries: Any
) -> None:
    _pay_and_publish(cast, family)
    with django_assert_num_queries(10):  # the ETag's one, then the section's
        response = client.get(reverse("welfare:section"))
    body = response.content.decode()
    with django_assert_num_queries(1):  # a browser that holds it: 304 after one query
        again = client.get(reverse("welfare:section"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert response.status_code == 200 and "welfare-amounts" in body and "1,950.00" in body
    assert "echarts.min.js" in body and "六亩塘镇" in body
    with django_assert_num_queries(8):
        body = client.get(reverse("welfare:township_section", args=[TOWNSHIP_A])).content.decode()
    assert "石门村" in body
    kiosk = client.get(reverse("welfare:kiosk_section")).content.decode()
    assert reverse("welfare:kiosk_township_section", args=[TOWNSHIP_A]) in kiosk


def test_it_keeps_member_data_out_of_the_snapshot(cast: Cast, family: Family) -> None:
    entry = _pay_and_publish(cast, family)
    for member in Member.objects.all():
        assert member.id_last4 not in entry.snapshot_json or member.id_last4 in ("2025",)
        assert idnumbers.FULL_NUMBER.search(entry.snapshot_json) is None
