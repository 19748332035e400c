"""The discipline office's desk. A report outside a person's reach — including one they
have a conflict of interest in — is a 404 here, exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.accounts.models import User
from sunlit.audit.services import audit_view
from sunlit.lib.errors import ApplicationError
from sunlit.reports import selectors, services
from sunlit.reports.models import File, Finding, Report, State


def _report_or_404(request: AuthenticatedHttpRequest, public_id: str) -> Report:
    report = selectors.office_report(request.user, public_id)
    if report is None:
        raise Http404(_("Not found"))
    return report


@login_required
@require_GET
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.report_office_prefixes(request.user):
        raise Http404(_("Not found"))
    state = request.GET.get("state", "")
    qs = selectors.office_reports(request.user, state=state if state in State.values else "")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "reports/office_list.html", {"page": page, "states": State.choices, "state": state})


def _detail_context(request: AuthenticatedHttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    return {
        "report": report,
        "events": report.events.select_related("by").order_by("at", "id"),
        "messages_": report.messages.select_related("by").order_by("at", "id"),
        "files": report.files.defer("clean_copy", "sealed"),
        "findings": Finding.choices,
        "offices": selectors.transfer_offices(),
        "is_head": jurisdiction.may_head_reports(request.user, report.office_code),
        "people": User.objects.filter(is_active=True, memberships__region__code__startswith=report.township_code[:9])
        .distinct()
        .order_by("username"),
        **extra,
    }


ACTIONS = {
    "accept": lambda r, p, by: services.report_accept(report=r, by=by),
    "refuse": lambda r, p, by: services.report_refuse(report=r, reason=p.get("reason", ""), by=by),
    "investigate": lambda r, p, by: services.report_investigate(report=r, by=by),
    "conclude": lambda r, p, by: services.report_conclude(
        report=r, finding=p.get("finding", ""), summary=p.get("summary", ""), by=by
    ),
    "reply": lambda r, p, by: services.report_reply(report=r, body=p.get("body", ""), by=by),
    "message": lambda r, p, by: services.report_message(report=r, body=p.get("body", ""), by=by),
    "note": lambda r, p, by: services.report_note(report=r, body=p.get("body", ""), by=by),
    "transfer": lambda r, p, by: services.report_transfer(
        report=r, office_code=p.get("office", ""), reason=p.get("reason", ""), by=by
    ),
    "recuse": lambda r, p, by: services.report_recuse(report=r, reason=p.get("reason", ""), by=by),
    "mark_review": lambda r, p, by: services.report_mark_review(report=r, on=True, by=by),
    "clear_review": lambda r, p, by: services.report_mark_review(report=r, on=False, by=by),
    "name_person": lambda r, p, by: services.report_name_person(
        report=r, person=User.objects.get(pk=int(p.get("person", "0") or 0)), by=by
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    report = _report_or_404(request, public_id)
    if request.method == "GET":
        services.report_view(report=report, by=request.user)
        return render(request, "reports/office_detail.html", _detail_context(request, report))
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404(_("Not found"))
    try:
        action(report, request.POST, request.user)
    except (ApplicationError, User.DoesNotExist, ValueError) as e:
        report.refresh_from_db()
        return render(
            request,
            "reports/office_detail.html",
            _detail_context(request, report, error=getattr(e, "message", str(e))),
            status=400,
        )
    if selectors.office_report(request.user, public_id) is None:
        # Recused or transferred away: the report has left this person's desk.
        return redirect("reports:office")
    return redirect("reports:detail", public_id=public_id)


@login_required
@require_GET
def file_clean(request: AuthenticatedHttpRequest, public_id: str, file_id: int) -> HttpResponse:
    report = _report_or_404(request, public_id)
    file = File.objects.filter(report=report, pk=file_id).first()
    if file is None:
        raise Http404(_("Not found"))
    audit_view(by=request.user, obj=file, region_code=report.office_code)
    response = HttpResponse(bytes(file.clean_copy), content_type=file.content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{file.pk}.{file.content_type.split("/")[-1]}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def file_sealed(request: AuthenticatedHttpRequest, public_id: str, file_id: int) -> HttpResponse:
    report = _report_or_404(request, public_id)
    file = File.objects.filter(report=report, pk=file_id).first()
    if file is None:
        raise Http404(_("Not found"))
    try:
        data = services.report_file_sealed(file=file, reason=request.POST.get("reason", ""), by=request.user)
    except ApplicationError as e:
        return render(
            request, "reports/office_detail.html", _detail_context(request, report, error=e.message), status=400
        )
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="sealed-{file.pk}-{file.sealed_sha256[:12]}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def view_log(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    report = _report_or_404(request, public_id)
    if not jurisdiction.may_head_reports(request.user, report.office_code):
        raise Http404(_("Not found"))
    return render(request, "reports/office_views.html", {"report": report, "events": selectors.view_log(report)})


@login_required
@require_http_methods(["GET", "POST"])
def kiosk_unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An operator's unlock of a kiosk's hourly limits (audit-logged by the service)."""
    if not jurisdiction.prefixes(request.user, "kiosk.unlock"):
        raise Http404(_("Not found"))
    context: dict[str, Any] = {"ip": "", "error": "", "done": ""}
    if request.method == "POST":
        context["ip"] = request.POST.get("ip", "")[:64]
        try:
            context["done"] = services.kiosk_unlock(ip=context["ip"], by=request.user)
        except ApplicationError as e:
            context["error"] = e.message
    return render(request, "reports/kiosk_unlock.html", context, status=400 if context["error"] else 200)
