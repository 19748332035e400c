"""The administrator's page for the working-day calendar's overrides."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.lib.errors import ApplicationError
from sunlit.workdays import calendar, services
from sunlit.workdays.models import DayOverride


class OverrideForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working = forms.TypedChoiceField(
        label=_("The day is"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("a working day")), ("0", _("a day off"))],
    )
    note = forms.CharField(label=_("Why"), max_length=200)


@login_required
def overrides(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        services.require_calendar_admin(request.user)
    except ApplicationError:
        raise Http404 from None
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.day_override_set(by=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("The calendar is changed for that day."))
            return redirect("workdays:overrides")
    rows = [(o, calendar.official_is_working_day(o.day)) for o in DayOverride.objects.select_related("created_by")]
    return render(request, "workdays/overrides.html", {"form": form, "rows": rows})
