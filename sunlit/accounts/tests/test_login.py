from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlit.accounts.services import totp_device_start
from sunlit.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def test_it_hashes_passwords_with_argon2_in_production_settings() -> None:
    import sunlit.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_logs_a_cadre_in_without_a_second_factor(cast: Cast) -> None:
    client = Client()
    assert post_login(client, "cadre_a", PASSWORD).status_code == 302
    assert client.get("/office/").status_code == 200


def test_it_locks_the_account_after_five_failures_from_one_ip(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, "cadre_a", "wrong password")
    locked = post_login(client, "cadre_a", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.content.decode()
    # The same account from another address, and another account from this one, still work.
    assert post_login(Client(), "cadre_a", PASSWORD, ip="10.0.0.2").status_code == 302
    assert post_login(Client(), "cadre_b", PASSWORD).status_code == 302


def test_it_unlocks_after_fifteen_minutes(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, "cadre_a", "wrong password")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert post_login(Client(), "cadre_a", PASSWORD).status_code == 302


def test_it_requires_a_second_factor_from_an_inspector(cast: Cast) -> None:
    client = Client()
    post_login(client, "inspector", PASSWORD)
    response = client.get("/office/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")


def test_it_refuses_a_wrong_totp_code_with_a_clear_message(cast: Cast) -> None:
    TOTPDevice.objects.create(user=cast.inspector, name="phone", confirmed=True)
    client = Client()
    post_login(client, "inspector", PASSWORD)
    response = client.post("/accounts/otp/", {"token": "000000"})
    assert response.status_code == 200
    assert "wrong or has expired" in response.content.decode()
    assert client.get("/office/").status_code == 302


def test_it_admits_an_inspector_with_the_right_totp_code(cast: Cast) -> None:
    device = TOTPDevice.objects.create(user=cast.inspector, name="phone", confirmed=True)
    client = Client()
    post_login(client, "inspector", PASSWORD)
    response = client.post("/accounts/otp/", {"token": totp_now(device)})
    assert response.status_code == 302
    assert client.get("/office/").status_code == 200


def test_it_sets_up_totp_and_shows_recovery_codes_once(cast: Cast) -> None:
    client = Client()
    post_login(client, "admin", PASSWORD)
    assert client.get("/accounts/otp/").status_code == 302  # no device yet → setup
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = totp_device_start(user=cast.admin)
    response = client.post("/accounts/otp/setup/", {"token": totp_now(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and all(len(c) == 10 for c in codes)
    assert client.get("/office/").status_code == 200

    # A recovery code works once, in place of the authenticator.
    other = Client()
    post_login(other, "admin", PASSWORD, ip="10.0.0.9")
    assert other.post("/accounts/otp/", {"token": codes[0]}).status_code == 302
    third = Client()
    post_login(third, "admin", PASSWORD, ip="10.0.0.10")
    assert third.post("/accounts/otp/", {"token": codes[0]}).status_code == 200


def test_it_ends_the_session_after_thirty_idle_minutes(cast: Cast) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = Client()
    post_login(client, "cadre_a", PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert client.get("/office/").status_code == 200  # activity slides the expiry
    with time_machine.travel(timezone.now() + timedelta(minutes=45)):
        assert client.get("/office/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=80)):
        response = client.get("/office/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_makes_a_seeded_account_change_its_password_first(cast: Cast) -> None:
    cast.cadre_a.must_change_password = True
    cast.cadre_a.save()
    client = Client()
    post_login(client, "cadre_a", PASSWORD)
    response = client.get("/office/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": "村务公开每一笔-2026",
            "new_password_again": "村务公开每一笔-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/office/").status_code == 200


def test_it_refuses_a_weak_new_password(cast: Cast) -> None:
    client = Client()
    post_login(client, "cadre_a", PASSWORD)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": "12345678",
            "new_password_again": "12345678",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_it_says_when_codes_are_refused_for_a_while_after_a_wrong_one(cast: Cast) -> None:
    device = TOTPDevice.objects.create(user=cast.inspector, name="phone", confirmed=True)
    client = Client()
    post_login(client, "inspector", PASSWORD)
    client.post("/accounts/otp/", {"token": "000000"})
    response = client.post("/accounts/otp/", {"token": totp_now(device)})
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert client.get("/office/").status_code == 302


def test_it_never_redirects_off_site_after_the_second_factor(cast: Cast) -> None:
    device = TOTPDevice.objects.create(user=cast.inspector, name="phone", confirmed=True)
    client = Client()
    post_login(client, "inspector", PASSWORD)
    response = client.post("/accounts/otp/?next=https://evil.example/", {"token": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == "/office/"


def test_it_makes_a_handed_over_account_change_its_password_outside_production_too(cast: Cast, settings: Any) -> None:
    # As a development or pilot server ran: the old demo mode (SUNLIT_DEMO, on outside
    # production) let every account skip the change; now only the demo's own accounts are
    # created without it.
    settings.PRODUCTION = False
    settings.SUNLIT_DEMO = True
    cast.cadre_a.must_change_password = True
    cast.cadre_a.save()
    client = Client()
    post_login(client, "cadre_a", PASSWORD)
    response = client.get("/office/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
