"""Back-office pages of the village books. Thin: parse, check jurisdiction, call a service
or a selector, render. A service's refusal (ApplicationError) becomes a message."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.finance import imports as imports_service
from sunlit.finance import periods, selectors, services
from sunlit.finance.forms import ChartForm, UploadForm, VoucherForm
from sunlit.finance.models import ImportBatch, Month, MonthStatus, Receipt, VoucherStatus
from sunlit.finance.tasks import finance_import_task
from sunlit.lib import importdesk
from sunlit.lib.errors import ApplicationError, InvalidInput, form_error
from sunlit.regions import selectors as region_selectors


def _village_or_404(user: Any, code: str) -> Any:
    jurisdiction.require_or_404(user, "finance.view", code)
    region = selectors.village(code)
    if region is None:
        raise Http404
    return region


@login_required
@require_GET
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "finance/office/index.html",
        {
            "desks": selectors.desks(request.user),
            "can_import": bool(jurisdiction.prefixes(request.user, "finance.import")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "finance.import"):
        raise Http404
    villages = [
        (v.code, f"{v.parent.name if v.parent else ''} {v.name} ({v.code})")
        for v in selectors.villages_in_scope(request.user, "finance.import")[:1000]
    ]
    form = UploadForm(request.POST or None, request.FILES or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            return importdesk.start_upload(
                request,
                form.cleaned_data["file"],
                default_village=form.cleaned_data["village"],
                start=imports_service.batch_start,
                task=finance_import_task,
                page="finance:import",
            )
        except ApplicationError as e:
            form_error(form, e)
    return render(
        request,
        "finance/office/imports.html",
        {
            "form": form,
            "batches": selectors.import_batches(request.user),
        },
    )


def _batch_or_404(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return importdesk.batch_or_404(
        ImportBatch, request, pk, may_view=lambda village: jurisdiction.can(request.user, "finance.view", village)
    )


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "finance/office/import.html", {"batch": _batch_or_404(request, pk)})


@login_required
@require_GET
def import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the import page polls (htmx) until the import ends."""
    return importdesk.progress(request, "finance/office/_import_progress.html", _batch_or_404(request, pk))


@login_required
@require_GET
def late(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "finance.view"):
        raise Http404
    townships = sorted(
        {v.parent for v in selectors.villages_in_scope(request.user)[:1000] if v.parent}, key=lambda r: r.code
    )
    return render(
        request,
        "finance/office/late.html",
        {
            "rows": selectors.late_months_backoffice(request.user),
            "townships": townships,
            "limit_day": services.settings.SUNLIT_FINANCE_PUBLISH_BY_DAY,
        },
    )


@login_required
@require_GET
def village_books(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    return render(
        request,
        "finance/office/books.html",
        {
            "village": region,
            "months": selectors.months_of(code),
            "can_record": jurisdiction.can(request.user, "finance.record", code),
            "can_post": jurisdiction.can(request.user, "finance.post", code),
            "today_period": periods.of(timezone.localdate()),
            "chart_years": selectors.chart_years(code),
            "can_choose_chart": jurisdiction.can(request.user, "finance.chart", code),
            "charts": selectors.charts(),
        },
    )


def _month_action(request: AuthenticatedHttpRequest, region: Any, period: int) -> None:
    action = request.POST.get("action", "")
    opinion = request.POST.get("opinion", "")
    if action == "review_all":
        n = services.vouchers_review_month(village=region, period=period, opinion=opinion, by=request.user)
        messages.success(request, _("%(n)d voucher(s) approved.") % {"n": n})
    elif action == "close":
        services.month_close(village=region, period=period, by=request.user)
        messages.success(request, _("Month closed; balances computed."))
    elif action == "reopen":
        services.month_reopen(village=region, period=period, reason=opinion, by=request.user)
        messages.success(request, _("Month reopened."))
    elif action == "signoff":
        services.month_signoff(village=region, period=period, opinion=opinion, by=request.user)
        messages.success(request, _("Signed off and published."))
    else:
        raise InvalidInput(_("Unknown action"))


@login_required
@require_http_methods(["GET", "POST"])
def month_desk(request: AuthenticatedHttpRequest, code: str, period: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    try:
        p = periods.parse(period)
    except InvalidInput:
        raise Http404 from None
    if request.method == "POST":
        # A refusal goes to the one mapping (sunlit/lib/errors.py): back here with its message.
        _month_action(request, region, p)
        return redirect("finance:month_desk", code=code, period=period)
    month = Month.objects.filter(village=region, period=p).first()
    vouchers = selectors.month_vouchers(code, p)
    awaiting = [
        v
        for v in vouchers
        if v.status == VoucherStatus.RECORDED or (v.status == VoucherStatus.POSTED and v.reviewed_at is None)
    ]
    user = request.user
    status = month.status if month else MonthStatus.OPEN
    return render(
        request,
        "finance/office/month.html",
        {
            "village": region,
            "period": p,
            "month": month,
            "vouchers": vouchers,
            "awaiting": awaiting,
            "status": status,
            "can_review": jurisdiction.can(user, "finance.review", code) and status != MonthStatus.PUBLISHED,
            "can_close": jurisdiction.can(user, "finance.post", code) and status == MonthStatus.OPEN,
            "can_reopen": jurisdiction.can(user, "finance.post", code) and status == MonthStatus.CLOSED,
            "can_signoff": jurisdiction.can(user, "finance.signoff", code) and status == MonthStatus.CLOSED,
            "public_url": reverse("finance:month", args=[code, periods.text(p)])
            if status == MonthStatus.PUBLISHED
            else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def voucher_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    if not jurisdiction.can(request.user, "finance.record", code):
        raise Http404
    today = timezone.localdate()
    chart = services.chart_for(village_code=code, year=today.year, create=False)
    accounts = [(a.code, f"{a.code} {a.name}") for a in selectors.accounts_of(chart.code).values()]
    form = VoucherForm(request.POST or None, accounts=accounts, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        try:
            voucher = services.voucher_record(
                village=region,
                date=form.cleaned_data["date"],
                summary=form.cleaned_data["summary"],
                entries=form.entries(),
                payment_method=form.cleaned_data["payment_method"],
                case_number=form.cleaned_data["case_number"],
                by=request.user,
            )
        except ApplicationError as e:
            form_error(form, e)
        else:
            messages.success(
                request, _("Voucher No. %(n)d recorded; it awaits the supervision committee.") % {"n": voucher.number}
            )
            return redirect("finance:voucher", pk=voucher.pk)
    entry_rows = [[form[name] for name in row] for row in form.rows()]
    return render(
        request,
        "finance/office/voucher_new.html",
        {"village": region, "form": form, "chart": chart, "entry_rows": entry_rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def voucher_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a voucher that awaits review or was returned; it goes to review again."""
    found = selectors.voucher_detail(pk)
    if found is None:
        raise Http404
    jurisdiction.require_or_404(request.user, "finance.view", found.village_id)
    if not jurisdiction.can(request.user, "finance.record", found.village_id) or found.status not in (
        VoucherStatus.RECORDED,
        VoucherStatus.RETURNED,
    ):
        raise Http404
    chart = services.chart_for(village_code=found.village_id, year=found.year, create=False)
    accounts = [(a.code, f"{a.code} {a.name}") for a in selectors.accounts_of(chart.code).values()]
    initial: dict[str, Any] = {
        "date": found.date,
        "summary": found.summary,
        "payment_method": found.payment_method,
        "case_number": found.case.number if found.case is not None else "",
    }
    for line, entry in enumerate(found.entries.all(), start=1):
        initial.update(
            {
                f"account_{line}": entry.account_code,
                f"side_{line}": entry.side,
                f"amount_{line}": f"{entry.amount // 100}.{entry.amount % 100:02d}",
                f"counterparty_{line}": entry.counterparty,
            }
        )
    form = VoucherForm(request.POST or None, accounts=accounts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.voucher_update(
                voucher=found,
                date=form.cleaned_data["date"],
                summary=form.cleaned_data["summary"],
                entries=form.entries(),
                payment_method=form.cleaned_data["payment_method"],
                case_number=form.cleaned_data["case_number"],
                by=request.user,
            )
        except ApplicationError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Voucher changed; it awaits the supervision committee again."))
            return redirect("finance:voucher", pk=pk)
    entry_rows = [[form[name] for name in row] for row in form.rows()]
    return render(
        request,
        "finance/office/voucher_new.html",
        {"village": found.village, "form": form, "chart": chart, "entry_rows": entry_rows, "voucher": found},
    )


def _voucher_action(request: AuthenticatedHttpRequest, voucher: Any) -> str:
    action = request.POST.get("action", "")
    user = request.user
    if action == "approve":
        services.voucher_review(voucher=voucher, approve=True, opinion=request.POST.get("opinion", ""), by=user)
        return _("Approved.")
    if action == "return":
        services.voucher_review(voucher=voucher, approve=False, opinion=request.POST.get("opinion", ""), by=user)
        return _("Returned to the handler.")
    if action == "countersign":
        services.voucher_countersign(voucher=voucher, by=user)
        return _("Countersigned.")
    if action == "post":
        services.voucher_post(voucher=voucher, by=user)
        return _("Posted.")
    if action == "receipt":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Choose a file"), field="file")
        services.receipt_attach(voucher=voucher, data=upload.read(), filename=upload.name or "", by=user)
        return _("Receipt attached.")
    if action == "reverse":
        try:
            day = date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            raise InvalidInput(_("Give the date of the reversing voucher"), field="date") from None
        reversal = services.voucher_reverse(voucher=voucher, date=day, reason=request.POST.get("reason", ""), by=user)
        return _("Reversing voucher No. %(n)d recorded.") % {"n": reversal.number}
    raise InvalidInput(_("Unknown action"))


@login_required
@require_http_methods(["GET", "POST"])
def voucher(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = selectors.voucher_detail(pk)
    if found is None:
        raise Http404
    jurisdiction.require_or_404(request.user, "finance.view", found.village_id)
    if request.method == "POST":
        messages.success(request, _voucher_action(request, found))  # a refusal: the one mapping
        return redirect("finance:voucher", pk=pk)
    code, user = found.village_id, request.user
    month = Month.objects.filter(village_id=code, period=found.period).first()
    published = month is not None and month.status == MonthStatus.PUBLISHED
    awaiting_review = found.status == VoucherStatus.RECORDED or (
        found.status == VoucherStatus.POSTED and found.reviewed_at is None
    )
    return render(
        request,
        "finance/office/voucher.html",
        {
            "voucher": found,
            "published": published,
            "month": month,
            "can_review": awaiting_review
            and not published
            and jurisdiction.can(user, "finance.review", code)
            and found.recorded_by_id != user.pk,
            "can_countersign": found.status == VoucherStatus.REVIEWED
            and jurisdiction.can(user, "finance.countersign", code)
            and user.pk not in (found.recorded_by_id, found.first_signed_by_id),
            "can_post": found.status == VoucherStatus.COUNTERSIGNED and jurisdiction.can(user, "finance.post", code),
            "can_attach": not published and jurisdiction.can(user, "finance.record", code),
            "can_edit": found.status in (VoucherStatus.RECORDED, VoucherStatus.RETURNED)
            and jurisdiction.can(user, "finance.record", code),
            "can_reverse": published and found.kind == "normal" and jurisdiction.can(user, "finance.record", code),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def voucher_receipt(request: AuthenticatedHttpRequest, pk: int, receipt_id: int) -> FileResponse:
    """A receipt for the people who keep and review the books (before publication too)."""
    found = Receipt.objects.select_related("voucher").filter(pk=receipt_id, voucher_id=pk).first()
    if found is None:
        raise Http404
    jurisdiction.require_or_404(request.user, "finance.view", found.village_code)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- charts of accounts --------------------------------------------------------------------

SHIPPED_CHARTS = Path(__file__).resolve().parent / "data"


def _may_load_charts(user: Any) -> bool:
    """A chart is shared by every village: loading one needs finance.chart over every top
    region (the service checks it again)."""
    tops = list(region_selectors.top_regions())
    return bool(tops) and all(jurisdiction.can(user, "finance.chart", top.code) for top in tops)


@login_required
@require_http_methods(["GET", "POST"])
def charts(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "finance.view"):
        raise Http404
    may_load = _may_load_charts(request.user)
    shipped = sorted(p.name for p in SHIPPED_CHARTS.glob("chart-*.yaml"))
    form = ChartForm(request.POST or None, request.FILES or None, shipped=shipped)
    if request.method == "POST":
        if not may_load:
            return HttpResponse(_("You may not load charts of accounts"), status=403)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload is not None:
                    data = yaml.safe_load(upload.read().decode("utf-8"))
                    if not isinstance(data, dict):
                        raise InvalidInput(_("The file is not a chart of accounts in YAML"))
                    chart = services.chart_load(source=data, by=request.user)
                else:
                    chart = services.chart_load(source=SHIPPED_CHARTS / form.cleaned_data["shipped"], by=request.user)
            except (UnicodeDecodeError, yaml.YAMLError) as e:
                messages.error(request, _("The file cannot be read as YAML in UTF-8: %(error)s") % {"error": e})
            except ApplicationError as e:
                messages.error(request, e.message)
            else:
                messages.success(
                    request, _("Chart %(code)s loaded: %(name)s") % {"code": chart.code, "name": chart.name}
                )
                return redirect("finance:charts")
    return render(
        request,
        "finance/office/charts.html",
        {
            "charts": selectors.charts(),
            "form": form if may_load else None,
        },
    )


@login_required
@require_GET
def chart_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "finance.view"):
        raise Http404
    chart = next((c for c in selectors.charts() if c.code == code), None)
    if chart is None:
        raise Http404
    return render(
        request,
        "finance/office/chart.html",
        {
            "chart": chart,
            "accounts": list(selectors.accounts_of(chart.code).values()),
        },
    )


@login_required
@require_http_methods(["POST"])
def chart_year(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    if not jurisdiction.can(request.user, "finance.chart", code):
        return HttpResponse(_("You may not choose this village's chart of accounts"), status=403)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("Choose a year"))
    else:
        services.fiscal_year_set(village=region, year=year, chart_code=request.POST.get("chart", ""), by=request.user)
        messages.success(
            request,
            _("%(year)d: the books are kept in chart %(chart)s")
            % {"year": year, "chart": request.POST.get("chart", "")},
        )
    return redirect("finance:books", code)
