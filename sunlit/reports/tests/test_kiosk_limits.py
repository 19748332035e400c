"""Issue #14, point 7: wrong receipts at a kiosk (one device and one address for a whole
village) no longer block the follow-up for everyone there; one person still cannot guess."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sunlit.reports.tests.conftest import People, file_report

KIOSK = "/kiosk/reports/follow/"


def _end_visit(client: Client) -> None:
    # What the kiosk's idle reset (kiosk/base.html) posts.
    client.post("/language/", {"language": "zh-hans", "next": "/kiosk/", "end_visit": "1"})


def test_it_serves_the_next_villager_after_someone_elses_wrong_receipts(client: Client, people: People) -> None:
    filed = file_report()
    client.get(KIOSK)
    statuses = [client.post(KIOSK, {"receipt": f"{n:016d}"}).status_code for n in range(6)]
    assert statuses == [404] * 5 + [429]  # 5 wrong receipts a visit
    _end_visit(client)
    client.get(KIOSK)
    assert client.post(KIOSK, {"receipt": filed.receipt}).status_code == 200


def test_it_gives_a_visit_no_more_than_five_guesses_even_without_cookies(client: Client, people: People) -> None:
    filed = file_report()
    statuses = [Client().post(KIOSK, {"receipt": f"{n:016d}"}).status_code for n in range(5)]
    assert statuses == [404] * 5
    assert Client().post(KIOSK, {"receipt": filed.receipt}).status_code == 429


def test_it_holds_a_kiosks_ceiling_against_restarted_visits(client: Client, people: People, settings: Any) -> None:
    settings.SUNLIT_REPORTS_GUESSES_PER_KIOSK = 7
    filed = file_report()
    for visit in range(2):
        client.get(KIOSK)
        for n in range(4):
            client.post(KIOSK, {"receipt": f"{10 * visit + n:016d}"})
        _end_visit(client)
    client.get(KIOSK)
    assert client.post(KIOSK, {"receipt": filed.receipt}).status_code == 429
    # Phones behind the same address are counted apart from the kiosk.
    assert Client().post("/reports/follow/", {"receipt": filed.receipt}).status_code == 200


def test_it_hands_back_the_place_of_a_right_receipt(client: Client, people: People, settings: Any) -> None:
    settings.SUNLIT_REPORTS_GUESSES_PER_VISIT = 2
    filed = file_report()
    client.get(KIOSK)
    statuses = [client.post(KIOSK, {"receipt": filed.receipt}).status_code for _ in range(4)]
    assert statuses == [200] * 4


def test_it_lets_an_operator_unlock_a_kiosk_with_an_audit_row(client: Client, people: People, settings: Any) -> None:
    from sunlit.audit.models import AuditEvent
    from sunlit.conftest import login

    settings.SUNLIT_REPORTS_GUESSES_PER_KIOSK = 3
    filed = file_report()
    for n in range(3):
        Client(REMOTE_ADDR="10.0.3.21").get(KIOSK)
        Client(REMOTE_ADDR="10.0.3.21").post(KIOSK, {"receipt": f"{n:016d}"})
    kiosk = Client(REMOTE_ADDR="10.0.3.21")
    kiosk.get(KIOSK)
    assert kiosk.post(KIOSK, {"receipt": filed.receipt}).status_code == 429
    operator = login(Client(), people.cast.operator)
    assert operator.get("/office/kiosk-unlock/").status_code == 200
    response = operator.post("/office/kiosk-unlock/", {"ip": " 10.0.3.21 "})
    assert response.status_code == 200 and "10.0.3.21" in response.content.decode()
    assert AuditEvent.objects.filter(action="kiosk.unlock", object_id="10.0.3.21", actor=people.cast.operator).exists()
    assert kiosk.post(KIOSK, {"receipt": filed.receipt}).status_code == 200
    assert operator.post("/office/kiosk-unlock/", {"ip": "not an address"}).status_code == 400


def test_it_refuses_the_unlock_to_everyone_else(client: Client, people: People) -> None:
    from sunlit.audit.models import AuditEvent
    from sunlit.conftest import login

    assert Client().post("/office/kiosk-unlock/", {"ip": "10.0.3.21"}).status_code == 302  # to the login
    for user in (people.cast.cadre_a, people.cast.official, people.cast.inspector, people.city_inspector):
        assert login(Client(), user).post("/office/kiosk-unlock/", {"ip": "10.0.3.21"}).status_code == 404
    assert not AuditEvent.objects.filter(action="kiosk.unlock").exists()
