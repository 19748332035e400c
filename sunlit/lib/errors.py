"""One error hierarchy for services, and its one mapping to a response.

Services raise these; views do not catch them to make a response of their own. An error
that leaves a view becomes, in `ApplicationErrorMiddleware`:
- for JSON (a `.json` address, or a client that asks for JSON): `{"error": {"code", "message",
  "field"}}` with the error's status;
- for a form posted from a page of this site: the message on that page (flashed), back
  where the person was (303), so nothing they can see changes but the message;
- otherwise an error page with the message and the error's status.
A view that wants the message inside its form (next to a field) asks `form_error(form, e)`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


class ApplicationError(Exception):
    """A request that cannot be carried out; `message` is shown to the user as is."""

    status = 409  # the request is understood, but the records' state refuses it
    code = "refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotPermitted(ApplicationError):
    """The person lacks the membership that the action requires."""

    status = 403
    code = "not_permitted"


class InvalidInput(ApplicationError):
    """The input is malformed: the message names the field (and row/column for files)."""

    status = 400
    code = "invalid_input"


def form_error(form: Any, error: ApplicationError) -> None:
    """Put a service's refusal into the form that was posted: by its field when it names one."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.endswith(".json") or ("application/json" in accept and "text/html" not in accept)


def _back(request: HttpRequest) -> str | None:
    """The page of this site the form was posted from, if the browser said so."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return None


def response_for(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": error.as_dict()}, status=error.status, json_dumps_params={"ensure_ascii": False})
    back = _back(request)
    if request.method == "POST" and back:
        messages.error(request, error.message)
        return HttpResponseRedirect(back, status=303)
    office = request.path.startswith("/office/")
    kiosk = request.path.startswith("/kiosk/")
    context = {
        "error": error,
        "frame": "office/base.html" if office else None,
        "back_url": "/office/" if office else "/kiosk/" if kiosk else "/",
    }
    return render(request, "error.html", context, status=error.status)


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ApplicationError):
            return response_for(request, exception)
        return None
