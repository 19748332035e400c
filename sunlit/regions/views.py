"""The back office's page of a region: its place in the tree, its contact details, its people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sunlit.accounts import jurisdiction
from sunlit.accounts import selectors as account_selectors
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.lib.errors import ApplicationError
from sunlit.regions import selectors, services
from sunlit.regions.forms import ContactForm
from sunlit.regions.models import Region


@login_required
@require_http_methods(["GET", "POST"])
def region_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    jurisdiction.require_or_404(request.user, "region.view", code)
    region = get_object_or_404(Region.objects.select_related("parent"), code=code)
    can_edit = jurisdiction.can(request.user, "region.edit_contact", code)
    form = ContactForm(request.POST or None, initial={"phone": region.phone, "address": region.address})
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(_("You may not change this region"), status=403)
        if form.is_valid():
            try:
                services.region_update_contact(
                    region=region,
                    phone=form.cleaned_data["phone"],
                    address=form.cleaned_data["address"],
                    by=request.user,
                )
            except ApplicationError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Saved and published."))
                return redirect("regions:detail", code=code)
    can_see_members = jurisdiction.can(request.user, "membership.view", code)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "children": selectors.children(region),
            "form": form,
            "can_edit": can_edit,
            "members": account_selectors.memberships_in_scope(request.user, code) if can_see_members else None,
        },
    )
