"""The self-check "has my subsidy arrived?": found, not found (one answer for a wrong
pair and an unknown number), rate limits, audit without the number, no caching."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.audit.models import AuditEvent
from sunlit.conftest import Cast
from sunlit.lib import idnumbers
from sunlit.welfare import services
from sunlit.welfare.models import Member
from sunlit.welfare.tests.conftest import Family, new_id, programme

pytestmark = pytest.mark.django_db
URL = reverse("welfare:check")
KIOSK = reverse("welfare:kiosk_check")


@pytest.fixture
def paid(cast: Cast, family: Family) -> Family:
    services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-03",
        amount_fen=65000,
        paid_on=date(2025, 3, 10),
        by=cast.cadre_a,
    )
    son = Member.objects.get(household=family.household, relation="child")
    services.payment_record(
        programme=programme("canji"),
        household=family.household,
        member=son,
        period="2025-Q1",
        amount_fen=27000,
        paid_on=date(2025, 3, 20),
        by=cast.cadre_a,
    )
    services.payment_record(
        programme=programme("dibao"),
        household=family.other,
        period="2025-03",
        amount_fen=50000,
        paid_on=date(2025, 3, 10),
        by=cast.cadre_b,
    )
    return family


def _post(client: Client, id_number: str, name: str, url: str = URL, **extra: Any) -> Any:
    return client.post(url, {"id_number": id_number, "name": name}, **extra)


def _main(response: Any) -> str:
    body: str = response.content.decode()
    # Only the answer: the CSRF token and the device cookie differ between responses.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body[body.index("<main") : body.index("</main>")])


def test_it_shows_the_households_payments_only(client: Client, paid: Family) -> None:
    response = _post(client, paid.wife_id, "李秀英")
    body = response.content.decode()
    assert response.status_code == 200
    assert "650.00" in body and "270.00" in body and "500.00" not in body
    assert "李秀英" in body and "张*" in body and "张建国" not in body and "张小明" not in body
    assert paid.wife_id[-4:] in body and paid.wife_id not in body and paid.head_id[-4:] not in body
    assert "no-store" in response["Cache-Control"]


def test_it_accepts_what_a_card_reader_types(client: Client, paid: Family) -> None:
    # Full-width digits and spaces, as some readers and input methods type them.
    typed = paid.head_id.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    body = _post(client, f" {typed[:6]} {typed[6:]}", "张建国").content.decode()
    assert "650.00" in body


def test_it_answers_a_wrong_name_exactly_as_an_unknown_number(client: Client, paid: Family) -> None:
    wrong = _post(client, paid.head_id, "张三")
    unknown = _post(client, new_id(77), "张三")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.templates[0].name == unknown.templates[0].name == "welfare/check_result.html"
    assert _main(wrong) == _main(unknown)
    assert "650.00" not in wrong.content.decode()


def test_it_answers_a_malformed_number_with_the_reason(client: Client, paid: Family) -> None:
    body = _post(client, "43138219600517", "张建国").content.decode()
    assert "18 characters" in body and "650.00" not in body


def test_it_is_post_only_with_csrf(paid: Family) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"id_number": paid.head_id, "name": "张建国"}).status_code == 403
    assert Client().put(URL).status_code == 405
    page = strict.get(URL)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]


def test_it_designs_the_kiosk_field_for_a_card_reader(client: Client, db: None) -> None:
    body = client.get(KIOSK).content.decode()
    field = re.search(r'<input id="id_number"[^>]*>', body)
    assert field is not None
    tag = field.group(0)
    assert 'autocomplete="off"' in tag and 'inputmode="text"' in tag and "autofocus" in tag
    assert "pattern=" not in tag  # nothing that rejects or reformats typed input
    assert "welfare/check.js" in body
    phone = re.search(r'<input id="id_number"[^>]*>', client.get(URL).content.decode())
    assert phone is not None and "autofocus" not in phone.group(0)


def test_it_offers_finish_and_keeps_no_number_in_the_page(client: Client, paid: Family) -> None:
    response = _post(client, paid.head_id, "张建国", url=KIOSK)
    body = response.content.decode()
    assert "welfare-finish" in body and f'href="{KIOSK}"' in body
    assert paid.head_id not in body and "no-store" in response["Cache-Control"]
    assert 'href="/v/' not in body and 'href="/reports/' not in body  # the kiosk stays in the kiosk


def test_it_logs_every_lookup_without_the_number(client: Client, paid: Family) -> None:
    _post(client, paid.head_id, "张建国", REMOTE_ADDR="10.0.0.7")
    _post(client, paid.head_id, "张三", REMOTE_ADDR="10.0.0.7")
    events = list(AuditEvent.objects.filter(action="welfare.self_check").order_by("id"))
    assert [e.detail["found"] for e in events] == [True, False]
    fingerprint = idnumbers.fingerprint(paid.head_id)[:16]
    for e in events:
        assert e.detail["ip"] == "10.0.0.7" and e.detail["id_fingerprint"] == fingerprint
        assert paid.head_id not in str(e.detail) and paid.head_id not in e.object_id
    assert events[0].region_code == paid.household.village_id and events[1].region_code == ""
    _post(client, paid.head_id[:-2], "张建国", REMOTE_ADDR="10.0.0.7")
    malformed = AuditEvent.objects.filter(action="welfare.self_check").latest("id")
    assert malformed.detail["refused"] == "malformed" and paid.head_id[:-2] not in str(malformed.detail)


def test_it_limits_failed_lookups_per_device(client: Client, paid: Family, settings: Any) -> None:
    settings.SUNLIT_WELFARE_CHECKS_PER_DEVICE = 3
    settings.SUNLIT_WELFARE_CHECKS_PER_IP = 100
    client.get(URL)  # the device cookie
    for _ in range(3):
        assert _post(client, new_id(50), "某人").status_code == 200
    blocked = _post(client, paid.head_id, "张建国")
    assert blocked.status_code == 429 and "Too many" in blocked.content.decode()
    assert AuditEvent.objects.filter(action="welfare.self_check", detail__refused="blocked").exists()
    assert "650.00" not in blocked.content.decode()
    # Another device behind another address is not held up.
    assert "650.00" in _post(Client(), paid.head_id, "张建国", REMOTE_ADDR="10.9.9.9").content.decode()


def test_it_limits_failed_lookups_per_ip(paid: Family, settings: Any) -> None:
    settings.SUNLIT_WELFARE_CHECKS_PER_DEVICE = 100
    settings.SUNLIT_WELFARE_CHECKS_PER_IP = 2
    for _ in range(2):  # a fresh client each time: no device cookie to count
        _post(Client(), new_id(51), "某人", REMOTE_ADDR="10.1.1.1")
    assert _post(Client(), paid.head_id, "张建国", REMOTE_ADDR="10.1.1.1").status_code == 429
    assert _post(Client(), paid.head_id, "张建国", REMOTE_ADDR="10.1.1.2").status_code == 200


def test_it_links_the_check_from_home_and_village_pages(client: Client, paid: Family) -> None:
    from sunlit.conftest import VILLAGE_A

    assert URL in client.get(reverse("portal:home")).content.decode()
    assert KIOSK in client.get(reverse("portal:kiosk_home")).content.decode()
    village = client.get(reverse("portal:village", args=[VILLAGE_A])).content.decode()
    assert reverse("welfare:village_lists", args=[VILLAGE_A]) in village
