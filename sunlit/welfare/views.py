"""Back-office pages of the welfare room. Thin: parse, check jurisdiction (the one check),
call a service or a selector, render. A service's refusal becomes a message.

A household outside the person's jurisdiction does not exist for them (404). Opening a
household (its people) is audit-logged. ID numbers are shown by their last four only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.audit.services import audit_view
from sunlit.cases.selectors import authorising_case
from sunlit.lib import idnumbers, importdesk
from sunlit.lib.errors import ApplicationError, form_error
from sunlit.welfare import imports as imports_service
from sunlit.welfare import selectors, services
from sunlit.welfare.forms import (
    MEMBER_ROWS,
    HouseholdForm,
    MemberForm,
    PaymentForm,
    PublishForm,
    RelativeForm,
    StatusForm,
    UploadForm,
)
from sunlit.welfare.models import Household, ImportBatch, Member, Programme, RelativeDeclaration
from sunlit.welfare.tasks import welfare_import_task


def _village_or_404(user: Any, code: str, action: str = "welfare.view") -> Any:
    jurisdiction.require_or_404(user, action, code)
    region = selectors.village(code)
    if region is None:
        raise Http404
    return region


def _household_or_404(user: Any, pk: int, action: str = "welfare.view") -> Household:
    household = selectors.household(pk)
    if household is None:
        raise Http404
    jurisdiction.require_or_404(user, action, household.village_id)
    return household


def _programme_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.short_zh} ({p.get_rhythm_display()})") for p in selectors.programmes()]


@login_required
@require_GET
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "welfare.view"):
        raise Http404
    return render(
        request,
        "welfare/office/index.html",
        {
            "desks": selectors.desks(request.user),
            "can_import": bool(jurisdiction.prefixes(request.user, "welfare.import")),
            "can_review": bool(jurisdiction.prefixes(request.user, "welfare.relatives")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def village_households(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code)
    if request.method == "POST":
        # The search is posted, so that an ID number typed into it never lands in a URL
        # (access logs, browser history); a number goes straight to its household.
        q = (request.POST.get("q") or "").strip()[:40]
        if idnumbers.is_valid(q):
            found = selectors.households(code, q=q).first()
            if found is None:
                messages.error(request, _("No household found."))
                return redirect("welfare:village", code=code)
            return redirect("welfare:household", pk=found.pk)
        return redirect(f"{reverse('welfare:village', args=[code])}?{urlencode({'q': q})}")
    q = request.GET.get("q", "")[:40]
    if idnumbers.is_valid(q):
        return redirect("welfare:village", code=code)  # a number in a URL is not searched, nor shown back
    page = Paginator(selectors.households(code, q=q), 50).get_page(request.GET.get("page"))
    heads = selectors.heads([h.pk for h in page])
    rows = [(h, heads.get(h.pk, "")) for h in page]
    return render(
        request,
        "welfare/office/village.html",
        {
            "village": region,
            "rows": rows,
            "page": page,
            "q": q,
            "can_record": jurisdiction.can(request.user, "welfare.record", code),
            "publish_form": PublishForm(programmes=_programme_choices())
            if jurisdiction.can(request.user, "welfare.publish", code)
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = _village_or_404(request.user, code, "welfare.record")
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        members = [
            services.MemberInput(name=data[f"m{i}_name"], relation=data[f"m{i}_relation"], id_number=data[f"m{i}_id"])
            for i in range(MEMBER_ROWS)
            if data.get(f"m{i}_name") or data.get(f"m{i}_id")
        ]
        try:
            household = services.household_create(
                village_code=code,
                number=data["number"],
                card_last4=data["card_last4"],
                members=members,
                by=request.user,
            )
        except ApplicationError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Household %(n)s recorded.") % {"n": household.number})
            return redirect("welfare:household", pk=household.pk)
    return render(request, "welfare/office/household_new.html", {"village": region, "form": form})


def _payment_form(household: Household, data: Any = None) -> PaymentForm:
    members = [(m.pk, f"{m.name} (*{m.id_last4})") for m in household.members.all()]
    item_codes = [p.item_code for p in selectors.programmes()]
    cases = [
        (c.number, f"{c.number} {c.item.code} {c.subject[:30]}")
        for c in selectors.approved_cases(household.village_id, item_codes)
    ]
    return PaymentForm(data, programmes=_programme_choices(), members=members, cases=cases)


@login_required
@require_GET
def household(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    h = _household_or_404(request.user, pk)
    audit_view(by=request.user, obj=h, region_code=h.village_id)
    can_record = jurisdiction.can(request.user, "welfare.record", h.village_id)
    return render(
        request,
        "welfare/office/household.html",
        {
            "household": h,
            "members": list(h.members.all()),
            "payments": selectors.household_payments(h)[:300],
            "can_record": can_record,
            "member_form": MemberForm() if can_record else None,
            "status_form": StatusForm() if can_record else None,
            "payment_form": _payment_form(h) if can_record else None,
        },
    )


def _done(request: AuthenticatedHttpRequest, h: Household, error: ApplicationError | None, ok: str) -> HttpResponse:
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, ok)
    return redirect("welfare:household", pk=h.pk)


@login_required
@require_POST
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    h = _household_or_404(request.user, pk, "welfare.record")
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _done(request, h, ApplicationError(_("Fill in the name, relation and ID number")), "")
    try:
        services.member_add(
            household=h,
            member=services.MemberInput(
                name=form.cleaned_data["name"],
                relation=form.cleaned_data["relation"],
                id_number=form.cleaned_data["id_number"],
            ),
            by=request.user,
        )
    except ApplicationError as e:
        return _done(request, h, e, "")
    return _done(request, h, None, _("Member added."))


@login_required
@require_POST
def status_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    h = _household_or_404(request.user, pk, "welfare.record")
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _done(request, h, ApplicationError(_("Choose a status and its date")), "")
    data = form.cleaned_data
    try:
        if data.get("member"):
            member = Member.objects.filter(pk=data["member"], household=h).first()
            if member is None:
                raise Http404
            services.member_status_set(member=member, status=data["status"], on=data["on"], by=request.user)
        else:
            services.household_status_set(household=h, status=data["status"], on=data["on"], by=request.user)
    except ApplicationError as e:
        return _done(request, h, e, "")
    return _done(request, h, None, _("Status changed."))


@login_required
@require_POST
def payment_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    h = _household_or_404(request.user, pk, "welfare.record")
    form = _payment_form(h, request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[k].label if k in form.fields else ''}: {' '.join(str(e) for e in v)}"
            for k, v in form.errors.items()
        )
        return _done(request, h, ApplicationError(problems), "")
    data = form.cleaned_data

    try:
        case = authorising_case(data["case"]) if data.get("case") else None
        member = h.members.filter(pk=data["member"]).first() if data.get("member") else None
        payment = services.payment_record(
            programme=Programme.objects.get(code=data["programme"]),
            household=h,
            member=member,
            period=data["period"].strip(),
            amount_fen=data["amount"],
            paid_on=data["paid_on"],
            channel=data["channel"],
            case=case,
            by=request.user,
        )
    except ApplicationError as e:
        return _done(request, h, e, "")
    ok = _("Payment recorded.")
    if payment.marked:
        ok += " " + _("It is marked for review (see the payment list).")
    return _done(request, h, None, ok)


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _village_or_404(request.user, code, "welfare.publish")
    form = PublishForm(request.POST, programmes=_programme_choices())
    if form.is_valid():
        # A refusal goes to the one mapping (sunlit/lib/errors.py): back with its message.
        entry = services.list_publish(
            village_code=code,
            programme=Programme.objects.get(code=form.cleaned_data["programme"]),
            year=form.cleaned_data["year"],
            by=request.user,
        )
        messages.success(request, _("Published as entry %(seq)d of the village's chain.") % {"seq": entry.seq})
    else:
        messages.error(request, _("Choose a programme and a year"))
    return redirect("welfare:village", code=code)


# --- the relatives register ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def relatives(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A cadre's own declarations: nobody else's, and not who reviewed what."""
    if not jurisdiction.prefixes(request.user, "welfare.declare"):
        raise Http404
    villages = [
        (v.code, f"{v.parent.name if v.parent else ''} {v.name}")
        for v in selectors.villages_in_scope(request.user, "welfare.declare")[:50]
    ]
    form = RelativeForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.relative_declare(
                village_code=data["village"],
                name=data["name"],
                relation=data["relation"],
                id_number=data["id_number"],
                by=request.user,
            )
        except ApplicationError as e:
            form_error(form, e)
        else:
            messages.success(
                request,
                _("Declared. Payments to this person will be shown to the supervision committee and the township."),
            )
            return redirect("welfare:relatives")
    return render(
        request,
        "welfare/office/relatives.html",
        {"form": form, "declarations": selectors.declarations_of(request.user)},
    )


@login_required
@require_POST
def relative_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    declaration = RelativeDeclaration.objects.filter(pk=pk, cadre=request.user).first()
    if declaration is None:
        raise Http404
    services.relative_withdraw(declaration=declaration, by=request.user)
    messages.success(request, _("The declaration is withdrawn; earlier marks stay."))
    return redirect("welfare:relatives")


@login_required
@require_GET
def review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Marked payments (relatives of cadres, after death, moved out) of the reviewer's villages."""
    if not jurisdiction.prefixes(request.user, "welfare.relatives"):
        raise Http404
    only = request.GET.get("relatives") == "1"
    page = Paginator(selectors.review_queue(request.user, relatives_only=only), 100).get_page(request.GET.get("page"))
    return render(request, "welfare/office/review.html", {"page": page, "relatives_only": only})


# --- imports ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "welfare.import"):
        raise Http404
    villages = [
        (v.code, f"{v.parent.name if v.parent else ''} {v.name} ({v.code})")
        for v in selectors.villages_in_scope(request.user, "welfare.import")[:1000]
    ]
    form = UploadForm(request.POST or None, request.FILES or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            return importdesk.start_upload(
                request,
                form.cleaned_data["file"],
                default_village=form.cleaned_data["village"],
                start=imports_service.batch_start,
                task=welfare_import_task,
                page="welfare:import",
            )
        except ApplicationError as e:
            form_error(form, e)
    return render(
        request, "welfare/office/imports.html", {"form": form, "batches": selectors.import_batches(request.user)}
    )


def _batch_or_404(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return importdesk.batch_or_404(
        ImportBatch, request, pk, may_view=lambda village: jurisdiction.can(request.user, "welfare.view", village)
    )


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "welfare/office/import.html", {"batch": _batch_or_404(request, pk)})


@login_required
@require_GET
def import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return importdesk.progress(request, "welfare/office/_import_progress.html", _batch_or_404(request, pk))
