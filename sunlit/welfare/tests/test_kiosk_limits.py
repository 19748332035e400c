"""Issue #14, point 7: a kiosk is one device and one address for a whole village. The next
villager is served after someone else's typos; one person still cannot enumerate."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sunlit.welfare.tests.test_check import Family, _post, new_id, paid  # noqa: F401

KIOSK = "/kiosk/welfare/check/"


def _end_visit(client: Client) -> None:
    # What the kiosk's idle reset (kiosk/base.html) posts.
    client.post("/language/", {"language": "zh-hans", "next": "/kiosk/", "end_visit": "1"})


def test_it_serves_the_next_villager_after_someone_elses_typos(client: Client, paid: Family) -> None:  # noqa: F811
    client.get(KIOSK)
    for i in range(5):
        assert _post(client, new_id(60 + i), "某人", url=KIOSK).status_code == 200
    assert _post(client, paid.head_id, "张建国", url=KIOSK).status_code == 429  # 5 misses per visit
    _end_visit(client)
    client.get(KIOSK)
    assert "650.00" in _post(client, paid.head_id, "张建国", url=KIOSK).content.decode()


def test_it_lets_one_person_try_no_more_than_five_numbers_a_visit(client: Client, paid: Family) -> None:  # noqa: F811
    client.get(KIOSK)
    statuses = [_post(client, new_id(70 + i), "某人", url=KIOSK).status_code for i in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    # Dropping the visit cookie does not help: cookieless attempts share one small bucket.
    statuses = [_post(Client(), new_id(80 + i), "某人", url=KIOSK).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_it_holds_a_kiosks_ceiling_against_restarted_visits(client: Client, paid: Family, settings: Any) -> None:  # noqa: F811
    settings.SUNLIT_WELFARE_CHECKS_PER_KIOSK = 7
    for visit in range(2):
        client.get(KIOSK)
        for i in range(4):
            _post(client, new_id(90 + 4 * visit + i), "某人", url=KIOSK)
        _end_visit(client)
    client.get(KIOSK)
    assert _post(client, paid.head_id, "张建国", url=KIOSK).status_code == 429


def test_it_limits_misses_per_id_number_across_devices(paid: Family) -> None:  # noqa: F811
    for i in range(5):
        _post(Client(), paid.head_id, f"错名{i}", REMOTE_ADDR=f"10.2.0.{i}")
    # A sixth device at a sixth address, even with the right name: this number is held.
    assert _post(Client(), paid.head_id, "张建国", REMOTE_ADDR="10.2.0.99").status_code == 429
    assert _post(Client(), paid.head_id, "张建国", url=KIOSK, REMOTE_ADDR="10.2.0.98").status_code == 429
