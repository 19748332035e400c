"""The one mapping from a service's refusal to a response (sunlit/lib/errors.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from sunlit.lib.errors import ApplicationError, ApplicationErrorMiddleware, InvalidInput, NotPermitted


def _request(method: str, path: str, **headers: Any) -> Any:
    request = getattr(RequestFactory(), method)(path, headers=headers)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _respond(request: Any, error: Exception) -> Any:
    return ApplicationErrorMiddleware(lambda r: None).process_exception(request, error)


@pytest.mark.parametrize(
    "error, status, code",
    [
        (NotPermitted("不可以"), 403, "not_permitted"),
        (InvalidInput("第3行第2列：金额不是数字", field="amount"), 400, "invalid_input"),
        (ApplicationError("已经公开"), 409, "refused"),
    ],
)
def test_it_answers_json_with_one_error_shape(error: ApplicationError, status: int, code: str) -> None:
    response = _respond(_request("get", "/v/431382101201/finance/2024-03.json"), error)
    assert response.status_code == status
    assert json.loads(response.content) == {"error": {"code": code, "message": error.message, "field": error.field}}


def test_it_answers_json_to_a_client_that_asks_for_it() -> None:
    response = _respond(_request("post", "/office/x/", accept="application/json"), NotPermitted("不可以"))
    assert response.status_code == 403 and response["Content-Type"] == "application/json"


def test_it_takes_a_refused_form_back_to_its_page_with_the_message() -> None:
    request = _request("post", "/office/finance/vouchers/7/", referer="http://testserver/office/finance/vouchers/7/")
    response = _respond(request, ApplicationError("本月已公开，不能修改"))
    assert response.status_code == 303 and response["Location"] == "http://testserver/office/finance/vouchers/7/"
    assert [m.message for m in get_messages(request)] == ["本月已公开，不能修改"]


def test_it_never_sends_a_refused_form_to_another_site(db: Any) -> None:
    request = _request("post", "/office/finance/vouchers/7/", referer="https://evil.example/")
    response = _respond(request, ApplicationError("本月已公开，不能修改"))
    assert response.status_code == 409 and "本月已公开，不能修改" in response.content.decode()


def test_it_shows_an_error_page_in_the_office_frame(db: Any) -> None:
    response = _respond(_request("get", "/office/cases/x/"), NotPermitted("不可以"))
    assert response.status_code == 403
    assert 'href="/office/"' in response.content.decode()


def test_it_leaves_other_exceptions_alone() -> None:
    assert _respond(_request("get", "/"), ValueError("a bug")) is None
