"""Back office of village projects: a desk per village. Thin: parse, check jurisdiction,
call a service or a selector, render. A service's refusal becomes a message."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.cases.models import Case
from sunlit.finance.models import Voucher
from sunlit.finance.money import parse_yuan
from sunlit.lib import exports, importdesk
from sunlit.lib.errors import ApplicationError, InvalidInput
from sunlit.projects import imports as imports_service
from sunlit.projects import selectors, services
from sunlit.projects.models import (
    BidStatus,
    Category,
    ContractorKind,
    DocumentKind,
    FundingKind,
    ImportBatch,
    Method,
    Project,
)
from sunlit.projects.public import LABELS
from sunlit.projects.tasks import projects_import_task
from sunlit.regions import codes


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(_("%(field)s: enter a date as YYYY-MM-DD") % {"field": field}, field=field) from None


def _day_or_none(value: str, field: str) -> date | None:
    return _day(value, field) if (value or "").strip() else None


def _fen(value: str, field: str) -> int:
    try:
        return parse_yuan(value)
    except InvalidInput as e:
        raise InvalidInput(f"{field}: {e.message}", field=field) from None


def _village_or_404(user: Any, code: str) -> Any:
    jurisdiction.require_or_404(user, "projects.view", code)
    region = selectors.region(code, codes.VILLAGE)
    if region is None:
        raise Http404
    return region


def _project_or_404(user: Any, pk: int) -> Project:
    project = selectors.desk_project(pk)
    if project is None or not jurisdiction.can(user, "projects.view", project.village_id):
        raise Http404
    return project


@login_required
@require_GET
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "projects.view"):
        raise Http404
    return render(
        request,
        "projects/office/index.html",
        {
            "villages": selectors.desk_villages(request.user),
            "can_import": bool(jurisdiction.prefixes(request.user, "projects.import")),
        },
    )


@login_required
@require_GET
def desk(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    return render(
        request,
        "projects/office/desk.html",
        {
            "village": region,
            "projects": selectors.desk_projects(code),
            "labels": LABELS,
            "can_record": jurisdiction.can(request.user, "projects.record", code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    if not jurisdiction.can(request.user, "projects.record", code):
        raise Http404
    if request.method == "POST":
        p = request.POST
        try:
            funding = [
                (kind, _fen(p.get(f"funding_{kind}", ""), str(label)))
                for kind, label in FundingKind.choices
                if (p.get(f"funding_{kind}") or "").strip()
            ]
            case = None
            if (p.get("case") or "").strip():
                case = Case.objects.filter(number=p["case"].strip(), village_id=code).first()
                if case is None:
                    raise InvalidInput(_("No case %(number)s in this village") % {"number": p["case"]}, field="case")
            project = services.project_create(
                village=region,
                number=p.get("number", ""),
                name=p.get("name", ""),
                category=p.get("category", ""),
                budget=_fen(p.get("budget", ""), _("Budget")),
                funding=funding,
                case=case,
                location=p.get("location", ""),
                planned_start=_day_or_none(p.get("planned_start", ""), _("Planned start")),
                planned_end=_day_or_none(p.get("planned_end", ""), _("Planned completion")),
                by=request.user,
            )
        except ApplicationError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Project %(number)s registered.") % {"number": project.number})
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/office/new.html",
        {
            "village": region,
            "categories": Category.choices,
            "sources": FundingKind.choices,
            "post": request.POST,
        },
    )


def _bids(post: Any) -> list[services.BidInput]:
    bids = []
    for i in range(1, 7):
        name = (post.get(f"bidder_{i}") or "").strip()
        if not name:
            continue
        status = BidStatus.DISQUALIFIED if post.get(f"disqualified_{i}") else BidStatus.VALID
        bids.append(
            services.BidInput(
                bidder=name,
                quote=_fen(post.get(f"quote_{i}", ""), _("Quote")),
                status=status,
                reason=post.get(f"reason_{i}", ""),
            )
        )
    return bids


def _action(request: AuthenticatedHttpRequest, project: Project) -> str:
    """Carry out the posted action; the success message."""
    p, f, by = request.POST, request.FILES, request.user
    action = p.get("action", "")
    if action == "publish":
        services.project_publish_first(project=project, by=by)
        return _("Published.")
    if action == "tender":
        services.tender_record(
            project=project,
            method=p.get("method", ""),
            bids=_bids(p),
            winner=p.get("winner", ""),
            direct_reason=p.get("direct_reason", ""),
            notice_on=_day_or_none(p.get("notice_on", ""), _("Notice")),
            deadline_on=_day_or_none(p.get("deadline_on", ""), _("Bids due by")),
            opened_on=_day_or_none(p.get("opened_on", ""), _("Bids opened on")),
            supervisors=(p.get("supervisors") or "").replace("，", ",").split(","),
            by=by,
        )
        return _("Tender recorded.")
    if action == "contract":
        services.contract_record(
            project=project,
            contractor=p.get("contractor", ""),
            contractor_kind=p.get("contractor_kind", ""),
            credit_code=p.get("credit_code", ""),
            id_number=p.get("id_number", ""),
            value=_fen(p.get("value", ""), _("Contract value")),
            signed_on=_day(p.get("signed_on", ""), _("Signed on")),
            by=by,
        )
        return _("Contract recorded.")
    if action == "amendment":
        sign = -1 if (p.get("direction") == "down") else 1
        services.amendment_record(
            project=project,
            signed_on=_day(p.get("signed_on", ""), _("Signed on")),
            value_change=sign * _fen(p.get("value_change", ""), _("Value change")),
            reason=p.get("reason", ""),
            by=by,
        )
        return _("Amendment recorded.")
    if action == "milestone":
        try:
            progress = int(p.get("progress", ""))
        except ValueError:
            raise InvalidInput(_("Physical progress is a whole percentage from 0 to 100"), field="progress") from None
        photos = [(upload.read(), upload.name or "photo") for upload in f.getlist("photos")]
        services.milestone_record(
            project=project,
            date=_day(p.get("date", ""), _("Date")),
            title=p.get("title", ""),
            progress=progress,
            photos=photos,
            by=by,
        )
        return _("Milestone recorded.")
    if action == "document":
        upload = f.get("file")
        if upload is None:
            raise InvalidInput(_("Choose a file"), field="file")
        services.document_attach(
            project=project,
            kind=p.get("kind", ""),
            data=upload.read(),
            filename=upload.name or "document",
            title=p.get("title", ""),
            by=by,
        )
        return _("Document attached.")
    if action == "acceptance":
        upload = f.get("report")
        services.acceptance_record(
            project=project,
            accepted_on=_day(p.get("accepted_on", ""), _("Accepted on")),
            inspectors=(p.get("inspectors") or "").replace("，", ",").replace("、", ",").split(","),
            opinion=p.get("opinion", ""),
            report=(upload.read(), upload.name or "report") if upload else None,
            by=by,
        )
        return _("Acceptance recorded.")
    if action == "payment":
        voucher = None
        if (p.get("voucher") or "").strip():
            try:
                year, number = (int(x) for x in p["voucher"].strip().split("-", 1))
            except ValueError:
                raise InvalidInput(_("Give the voucher as YEAR-NUMBER, e.g. 2025-17"), field="voucher") from None
            voucher = Voucher.objects.filter(village_id=project.village_id, year=year, number=number).first()
            if voucher is None:
                raise InvalidInput(_("This village has no voucher %(v)s") % {"v": p["voucher"]}, field="voucher")
        services.payment_record(
            project=project,
            amount=_fen(p.get("amount", ""), _("Amount")),
            paid_on=_day(p.get("paid_on", ""), _("Paid on")),
            voucher=voucher,
            note=p.get("note", ""),
            by=by,
        )
        return _("Payment recorded.")
    raise InvalidInput(_("Unknown action"))


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request.user, pk)
    code = project.village_id
    if request.method == "POST":
        needed = (
            "projects.accept"
            if request.POST.get("action") == "acceptance"
            else ("projects.publish" if request.POST.get("action") == "publish" else "projects.record")
        )
        if not jurisdiction.can(request.user, needed, code):
            raise Http404
        try:
            message = _action(request, project)
        except ApplicationError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, message)
            return redirect("projects:detail", pk=project.pk)
        project = _project_or_404(request.user, pk)
    paid = sum(x.amount for x in project.payments.all())
    contract = getattr(project, "contract", None) if hasattr(project, "contract") else None
    return render(
        request,
        "projects/office/detail.html",
        {
            "project": project,
            "labels": LABELS,
            "paid": paid,
            "contract": contract,
            "contract_value": services.contract_value(contract) if contract else None,
            "tender": project.tender if hasattr(project, "tender") else None,
            "acceptance": project.acceptance if hasattr(project, "acceptance") else None,
            "can_record": jurisdiction.can(request.user, "projects.record", code),
            "can_accept": jurisdiction.can(request.user, "projects.accept", code),
            "can_publish": jurisdiction.can(request.user, "projects.publish", code),
            "methods": Method.choices,
            "contractor_kinds": ContractorKind.choices,
            "document_kinds": [(k, v) for k, v in DocumentKind.choices if k not in ("photo", "acceptance")]
            + ([("acceptance", DocumentKind.ACCEPTANCE.label)] if hasattr(project, "acceptance") else []),
            "bid_rows": range(1, 7),
        },
    )


# --- imports ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "projects.import"):
        raise Http404

    villages = list(selectors.villages_in_scope(request.user, "projects.import")[:1000])
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(_("Choose a file"), field="file")
            return importdesk.start_upload(
                request,
                upload,
                default_village=request.POST.get("village", ""),
                start=imports_service.batch_start,
                task=projects_import_task,
                page="projects:import",
            )
        except ApplicationError as e:
            error = e.message
    batches = ImportBatch.objects.filter(uploaded_by=request.user).order_by("-created_at")[:20]
    return render(request, "projects/office/imports.html", {"villages": villages, "batches": batches, "error": error})


def _batch_or_404(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return importdesk.batch_or_404(
        ImportBatch, request, pk, may_view=lambda village: jurisdiction.can(request.user, "projects.view", village)
    )


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "projects/office/import.html", {"batch": _batch_or_404(request, pk)})


@login_required
@require_GET
def import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return importdesk.progress(request, "projects/office/_import_progress.html", _batch_or_404(request, pk))


@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The import layout as a file to fill in (public: it holds no data)."""

    headers, rows = imports_service.template_rows()
    return exports.response(fmt, headers, rows, filename="projects-import-template", title="项目")
