"""A form body that is not UTF-8 is a 400 with a message, never a 500 or a bare page (issue 14, point 13)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from sunlit.conftest import Cast, login
from sunlit.lib.formbody import MESSAGE, form_body_error

FORM = "application/x-www-form-urlencoded"
GBK_TEXT = "举报内容".encode("gbk")
BODIES = [
    pytest.param(FORM + "; charset=gbk", b"text=" + GBK_TEXT, id="gbk-declared"),
    pytest.param(FORM + "; charset=gbk", b"text=\xff\xfe\x81", id="gbk-declared-invalid-bytes"),
    pytest.param(FORM + "; charset=no-such-charset", b"text=abc", id="unknown-charset"),
    pytest.param(FORM, b"text=" + GBK_TEXT, id="undeclared-gbk-bytes"),
    pytest.param(FORM, b"text=%D6%D0%CE%C4", id="undeclared-gbk-escapes"),
    pytest.param(
        "multipart/form-data; boundary=x; charset=gbk",
        b'--x\r\nContent-Disposition: form-data; name="text"\r\n\r\n' + GBK_TEXT + b"\r\n--x--\r\n",
        id="multipart-gbk",
    ),
]
PUBLIC_FORMS = ["/reports/new/", "/welfare/check/", "/kiosk/welfare/check/", "/accounts/login/", "/reports/follow/"]
OFFICE_FORMS = ["/office/cases/open/", "/office/welfare/relatives/"]


def _assert_refused(response: Any) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert "UTF-8" in body and "表单" in body and "form" in body


@pytest.mark.django_db
@pytest.mark.parametrize("content_type, body", BODIES)
@pytest.mark.parametrize("url", PUBLIC_FORMS)
def test_it_refuses_a_public_form_body_that_is_not_utf8(url: str, content_type: str, body: bytes) -> None:
    client = Client(raise_request_exception=False)
    _assert_refused(client.generic("POST", url, body, content_type=content_type))


@pytest.mark.parametrize("content_type, body", BODIES)
@pytest.mark.parametrize("url", OFFICE_FORMS)
def test_it_refuses_an_office_form_body_that_is_not_utf8(cast: Cast, url: str, content_type: str, body: bytes) -> None:
    client = login(Client(raise_request_exception=False), cast.cadre_a)
    _assert_refused(client.generic("POST", url, body, content_type=content_type))


def test_it_refuses_before_csrf_reads_the_token_from_the_body(cast: Cast) -> None:
    # In production CSRF is enforced: the token is read from the body before any view runs.
    client = login(Client(enforce_csrf_checks=True, raise_request_exception=False), cast.cadre_a)
    page = client.get("/office/cases/open/")
    token = get_token(page.wsgi_request)
    body = b"csrfmiddlewaretoken=" + token.encode() + b"&title=" + GBK_TEXT
    _assert_refused(client.generic("POST", "/office/cases/open/", body, content_type=FORM + "; charset=gbk"))


@pytest.mark.django_db
def test_it_answers_json_clients_in_the_one_error_shape() -> None:
    response = Client().generic(
        "POST",
        "/reports/new/",
        b"text=" + GBK_TEXT,
        content_type=FORM + "; charset=gbk",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert json.loads(response.content) == {"error": {"code": "invalid_input", "message": MESSAGE, "field": None}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type, body",
    [
        (FORM, "text=举报内容&n=1".encode()),
        (FORM + "; charset=UTF-8", b"text=%E4%B8%BE%E6%8A%A5"),
        (FORM + "; charset=utf8", b"text=a+b"),
    ],
)
def test_it_lets_utf8_form_bodies_through(content_type: str, body: bytes) -> None:
    request = RequestFactory().generic("POST", "/reports/new/", body, content_type=content_type)
    assert form_body_error(request) is None
