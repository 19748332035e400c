"""Form bodies are UTF-8: anything else is a clear 400, before any code reads `request.POST`.

A browser posts a form of a UTF-8 page in UTF-8 and declares no charset. A client that
declares another one (`charset=gbk`), an unknown one, or sends bytes that are not UTF-8
would otherwise reach the views as Django's bare "Bad Request" page (a declared non-UTF-8
charset), as silently garbled text (invalid bytes are decoded as Latin-1), or as a server
error when a charset cannot be looked up. One check, before CSRF reads the token from the
body, answers all of them the same way, in Chinese and in English.
"""

from __future__ import annotations

import codecs
from typing import Any
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
MESSAGE = (
    "表单内容必须使用 UTF-8 编码提交，请刷新页面后重新提交。"
    " / The form must be sent in UTF-8: reload the page and submit it again."
)


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def _urlencoded_is_utf8(body: bytes) -> bool:
    """Every byte of the body and of each %-escape, once unescaped, reads as UTF-8."""
    try:
        text = body.decode("utf-8")
        for pair in text.replace(";", "&").split("&"):
            unquote_to_bytes(pair.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def form_body_error(request: HttpRequest) -> str | None:
    """Why the form body of `request` cannot be read as UTF-8, or None when it can."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if request.content_type not in (URLENCODED, MULTIPART):
        return None
    charset = (request.content_params or {}).get("charset")
    if charset is not None and not _is_utf8(charset):
        return MESSAGE
    if request.content_type == URLENCODED:
        try:
            body = request.body
        except RequestDataTooBig:
            return None  # Django answers it with its own 400 when the body is read
        if not _urlencoded_is_utf8(body):
            return MESSAGE
    return None


class FormBodyEncodingMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = form_body_error(request)
        if message is None:
            return self.get_response(request)
        accept = request.headers.get("Accept", "")
        if request.path.endswith(".json") or ("application/json" in accept and "text/html" not in accept):
            error = {"code": "invalid_input", "message": message, "field": None}
            return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
