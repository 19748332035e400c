"""Back-office pages for cases: thin — parse, check through jurisdiction, call, render.

A case outside the person's jurisdiction does not exist for them (404). A refused
action re-renders the case with the message and the typed text kept: 403 when the
person lacks the role, 400 for missing or malformed input, 409 when the case moved on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.audit.services import audit_view
from sunlit.cases import engine, selectors, services
from sunlit.cases.flows import item_of, step_of
from sunlit.cases.forms import ActForm, FilterForm, ObjectionForm, OpenForm, OpinionForm, ResolveForm, WithdrawForm
from sunlit.cases.models import Case, CaseState, Objection
from sunlit.lib.errors import ApplicationError, form_error
from sunlit.powers import selectors as powers_selectors
from sunlit.regions import codes
from sunlit.regions.models import Region

PAGE_SIZE = 50


def _case_or_404(request: AuthenticatedHttpRequest, number: str) -> Case:
    case = selectors.case_for(request.user, number)
    if case is None:
        raise Http404(_("Not found"))
    return case


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "case.view"):
        raise Http404
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    region = data.get("region") or ""
    if region:
        jurisdiction.require_or_404(request.user, "case.view", region)
    qs = selectors.case_list(
        request.user,
        state=data.get("state") or "",
        overdue=bool(data.get("overdue")),
        item_code=(data.get("item") or "").strip(),
        region=region,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(data.get("page") or 1)
    for case in page:
        step = step_of(case)
        case.step_label = engine.label(step) if step else ""  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_open": bool(jurisdiction.prefixes(request.user, "case.open")),
        },
    )


def _villages_for_opening(user: Any) -> list[Region]:
    prefixes = jurisdiction.prefixes(user, "case.open")
    if not prefixes:
        return []

    condition = Q()
    for p in prefixes:
        condition |= Q(code__startswith=p)
    return list(Region.objects.filter(condition, level=codes.VILLAGE).order_by("code")[:2000])


def _items_for(village_code: str) -> list[Any]:

    return list(powers_selectors.items_for_village(village_code))


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    villages = _villages_for_opening(request.user)
    if not villages:
        raise Http404
    chosen = (
        request.POST.get("village") or request.GET.get("village") or (villages[0].code if len(villages) == 1 else "")
    )
    if chosen and not any(v.code == chosen for v in villages):
        raise Http404
    items = _items_for(chosen) if chosen else []
    by_id = {str(i.pk): i for i in items}
    form = OpenForm(
        request.POST or None,
        initial={"village": chosen},
        villages=[("", "—")] + [(v.code, f"{v.name} ({v.code})") for v in villages],
        items=[("", "—")] + [(str(i.pk), f"{i.code} {engine.label(item_of(i))}") for i in items],
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                item=by_id[form.cleaned_data["item"]],
                village_code=form.cleaned_data["village"],
                subject=form.cleaned_data["subject"],
                amount_fen=form.amount_fen,
                applicant_name=form.cleaned_data["applicant_name"],
                applicant_id_last4=form.cleaned_data["applicant_id_last4"],
                by=request.user,
            )
        except ApplicationError as e:
            form_error(form, e)
            status = e.status
        else:
            messages.success(request, _("Case %(number)s opened and published.") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    elif request.method == "POST":
        status = 400
    return render(request, "cases/open.html", {"form": form, "items": items, "chosen": chosen}, status=status)


def _detail(
    request: AuthenticatedHttpRequest,
    case: Case,
    *,
    act_form: ActForm | None = None,
    opinion_form: OpinionForm | None = None,
    objection_form: ObjectionForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    resolve_forms: dict[int, ResolveForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    item = item_of(case.item)
    step = step_of(case)
    history = selectors.case_history(case)
    village = case.village_id
    can_act = (
        step is not None
        and case.state == CaseState.OPEN
        and jurisdiction.holds_role(user, step.role, village, step.level)
    )
    if can_act and act_form is None and step is not None:
        act_form = _act_form(step, initial={"step_key": step.key, "version": case.version})
    now = timezone.now()
    notice_up = (
        step is not None
        and step.publicity_days > 0
        and (case.state == CaseState.PAUSED or (case.publicity_ends_at is not None and now < case.publicity_ends_at))
    )
    can_opinion = jurisdiction.can(user, "case.opinion", village)
    can_object = notice_up and jurisdiction.can(user, "case.objection_record", village)
    can_resolve = jurisdiction.can(user, "case.objection_resolve", village)
    can_withdraw = not case.is_closed and jurisdiction.can(user, "case.open", village)
    open_objections = [o for o in history["objections"] if o.is_open]
    resolve_forms = resolve_forms or {}
    opinion_form = opinion_form or OpinionForm(steps=_step_choices(item), initial={"step_key": case.current_step})
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "item": item,
            "step": step,
            "steps": item.flow.steps,
            **history,
            "act_form": act_form if can_act else None,
            "opinion_form": opinion_form if can_opinion else None,
            "objection_form": (objection_form or ObjectionForm()) if can_object else None,
            "withdraw_form": (withdraw_form or WithdrawForm()) if can_withdraw else None,
            "resolve": [(o, resolve_forms.get(o.pk) or ResolveForm(prefix=f"o{o.pk}")) for o in open_objections]
            if can_resolve
            else [],
            "who_acts": services.step_actors(case, step) if step is not None and not case.is_closed else [],
            "overdue": case.state == CaseState.OPEN
            and case.step_due_on is not None
            and case.step_due_on < timezone.localdate(),
            "notice_up": notice_up,
            "error": error,
            "public_url": reverse("cases:public_case", args=[case.number]),
        },
        status=status,
    )


def _step_choices(item: Any) -> list[tuple[str, str]]:
    return [(s.key, engine.label(s)) for s in item.flow.steps]


def _act_form(step: Any, data: Any = None, files: Any = None, initial: dict[str, Any] | None = None) -> ActForm:
    return ActForm(
        data,
        files,
        initial=initial,
        step=step,
        outcome_labels={k: str(v) for k, v in engine.OUTCOME_LABELS.items()},
        attachment_labels={a.kind: engine.label(a) for a in step.attachments},
    )


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _detail(request, _case_or_404(request, number))


@login_required
@require_POST
def case_act(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    step = step_of(case, request.POST.get("step_key", "")) or step_of(case)
    if step is None:
        return _detail(request, case, error=_("This case is closed. Nothing was changed."), status=409)
    form = _act_form(step, request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, case, act_form=form, error=_("Check the form."), status=400)
    data = form.cleaned_data
    meeting = None
    if form.has_meeting:
        meeting = engine.MeetingCounts(
            expected=data["expected"],
            present=data["present"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"],
            households_expected=data.get("households_expected"),
            households_present=data.get("households_present"),
        )
    uploads = []
    for name in request.FILES:
        if name.startswith("file_") and name in form.fields:
            for f in request.FILES.getlist(name):
                uploads.append(services.Upload(kind=name.removeprefix("file_"), filename=f.name or "", data=f.read()))
    try:
        services.case_act(
            case=case,
            step_key=data["step_key"],
            expected_version=data["version"],
            outcome=data.get("outcome") or "",
            decision=data["decision"],
            minutes=data["minutes"],
            meeting=meeting,
            attachments=uploads,
            by=request.user,
        )
    except ApplicationError as e:
        if e.field in form.fields:
            form.add_error(e.field, e.message)
        return _detail(request, case, act_form=form, error=e.message, status=e.status)
    messages.success(request, _("Recorded and published."))
    return redirect("cases:detail", number=case.number)


def _form_post(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: Any,
    slot: dict[str, Any],
    act: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """The side forms of a case page (opinion, objection, resolution, withdrawal): check
    the form, call the service, and either go back to the case with a message or show
    the page again with the form and what was wrong. `slot` names where the form goes."""
    if not form.is_valid():
        return _detail(request, case, **slot, error=_("Check the form."), status=400)
    try:
        act(form.cleaned_data)
    except ApplicationError as e:
        return _detail(request, case, **slot, error=e.message, status=e.status)
    messages.success(request, done)
    return redirect("cases:detail", number=case.number)


@login_required
@require_POST
def case_opinion(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    form = OpinionForm(request.POST, steps=_step_choices(item_of(case.item)))
    return _form_post(
        request,
        case,
        form,
        {"opinion_form": form},
        lambda data: services.case_opinion_add(
            case=case, step_key=data["step_key"], text=data["text"], by=request.user
        ),
        _("Opinion recorded."),
    )


@login_required
@require_POST
def case_objection(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    form = ObjectionForm(request.POST)
    return _form_post(
        request,
        case,
        form,
        {"objection_form": form},
        lambda data: services.case_objection_record(case=case, text=data["text"], by=request.user),
        _("Objection recorded; the case is paused until the township resolves it."),
    )


@login_required
@require_POST
def objection_resolve(request: AuthenticatedHttpRequest, number: str, objection_id: int) -> HttpResponse:
    case = _case_or_404(request, number)
    objection = get_object_or_404(Objection, pk=objection_id, case=case)
    form = ResolveForm(request.POST, prefix=f"o{objection.pk}")
    return _form_post(
        request,
        case,
        form,
        {"resolve_forms": {objection.pk: form}},
        lambda data: services.case_objection_resolve(
            objection=objection, upheld=data["upheld"], resolution=data["resolution"], by=request.user
        ),
        _("Objection resolved."),
    )


@login_required
@require_POST
def case_withdraw(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    form = WithdrawForm(request.POST)
    return _form_post(
        request,
        case,
        form,
        {"withdraw_form": form},
        lambda data: services.case_withdraw(case=case, reason=data["reason"], by=request.user),
        _("Case withdrawn."),
    )


@login_required
@require_GET
def attachment(request: AuthenticatedHttpRequest, number: str, attachment_id: int) -> FileResponse:
    case = _case_or_404(request, number)
    found = get_object_or_404(case.attachments.all(), pk=attachment_id)
    # Scans can carry personal data: who opened which file is on the record.
    audit_view(by=request.user, obj=found, region_code=case.village_id)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    extension = (found.file.name or "").rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="{found.sha256[:16]}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "case.view"):
        raise Http404
    summary = selectors.overdue_summary(request.user)
    return render(request, "cases/overdue.html", {**summary, "today": timezone.localdate()})
