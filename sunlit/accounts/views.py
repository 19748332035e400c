"""Login, second factor, password, and the back office's own pages. Thin: parse, check, call."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login

from sunlit.accounts import jurisdiction, selectors, services
from sunlit.accounts.forms import (
    AccountCreateForm,
    MembershipGrantForm,
    PasswordChangeForm,
    TokenForm,
)
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.accounts.models import User
from sunlit.audit.services import audit_record
from sunlit.lib import rooms
from sunlit.lib.errors import ApplicationError


def _safe_next(request: AuthenticatedHttpRequest) -> str:
    """Where to go after the second factor: a path on this site, never elsewhere."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("accounts:office")


def _qr_svg_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.has_confirmed_totp(request.user):
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        devices = list(devices_for_user(request.user, confirmed=True))
        # django-otp slows guessing down: after each failure an authenticator refuses every
        # code for a doubling delay. Say so, or a right code typed too soon looks wrong.
        waits = [
            (info["locked_until"] - timezone.now()).total_seconds()
            for device in devices
            for allowed, info in [device.verify_is_allowed()]
            if not allowed and info and info.get("locked_until")
        ]
        for device in devices:
            if device.verify_token(token):
                otp_login(request, device)
                audit_record(
                    action="login.second_factor",
                    by=request.user,
                    obj=device,
                    detail={"device": device.__class__.__name__},
                )
                return redirect(_safe_next(request))
        audit_record(
            action="login.second_factor_failed",
            by=request.user,
            object_type="accounts.user",
            object_id=str(request.user.pk),
        )
        if waits:
            form.add_error(
                "token",
                _("Too many wrong codes. Wait %(s)d seconds, then type the newest code.")
                % {"s": max(1, int(max(waits)) + 1)},
            )
        else:
            form.add_error("token", _("The code is wrong or has expired. Use the newest code, or a recovery code."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if selectors.has_confirmed_totp(user):
        return redirect("accounts:otp_verify")
    device = services.totp_device_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except ApplicationError as e:
            form.add_error("token", e.message)
        else:
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr": _qr_svg_data_uri(device.config_url), "secret": secret},
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", _("The current password is wrong"))
        else:
            try:
                services.password_change(user=user, new_password=form.cleaned_data["new_password"], by=user)
            except ApplicationError as e:
                form.add_error("new_password", e.message)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("accounts:office")
    return render(request, "accounts/password_change.html", {"form": form, "forced": user.must_change_password})


def _office_links(user: Any) -> list[tuple[str, str]]:
    """The back office's front door: each room's desks (from the room manifests), shown to
    those whose roles reach them."""
    links: list[tuple[str, str]] = []
    for desk in rooms.registry().desks:
        if not jurisdiction.prefixes(user, desk.action):
            continue
        try:
            url = reverse(desk.url_name)
        except NoReverseMatch:  # a room whose URLs are not mounted in this deployment
            continue
        links.append((url, str(desk.label)))
    return links


@login_required
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/office.html",
        {
            "memberships": selectors.my_memberships(request.user),
            "regions": selectors.regions_in_scope(request.user)[:500],
            "links": _office_links(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def memberships(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "membership.view") and not jurisdiction.prefixes(
        request.user, "membership.grant"
    ):
        raise Http404
    creating = request.method == "POST" and "new_username" in request.POST
    form = MembershipGrantForm(request.POST if request.method == "POST" and not creating else None)
    create_form = AccountCreateForm(request.POST if creating else None)
    if request.method == "POST":
        if not jurisdiction.prefixes(request.user, "membership.grant"):
            return HttpResponse(_("You may not grant memberships"), status=403)
        if creating and create_form.is_valid():
            data = create_form.cleaned_data
            try:
                created, temporary = services.account_create(
                    username=data["new_username"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    role=data["role"],
                    region_code=data["region_code"].strip(),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    title=data["title"],
                    by=request.user,
                )
            except ApplicationError as e:
                field = {"username": "new_username"}.get(e.field or "", e.field)
                create_form.add_error(field if field in create_form.fields else None, e.message)
            else:
                # Shown once, to be handed over in person; the person must change it.
                return render(request, "accounts/account_created.html", {"account": created, "temporary": temporary})
        elif not creating and form.is_valid():
            data = form.cleaned_data
            user = User.objects.filter(username=data["username"]).first()
            if user is None:
                form.add_error("username", _("No account with this username"))
            else:
                try:
                    services.membership_grant(
                        user=user,
                        role=data["role"],
                        region_code=data["region_code"].strip(),
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        title=data["title"],
                        by=request.user,
                    )
                except ApplicationError as e:
                    form.add_error(e.field if e.field in form.fields else None, e.message)
                else:
                    messages.success(request, _("Membership granted."))
                    return redirect("accounts:memberships")
    return render(
        request,
        "accounts/memberships.html",
        {
            "memberships": selectors.memberships_in_scope(request.user)[:500],
            "form": form,
            "create_form": create_form,
            "can_grant": bool(jurisdiction.prefixes(request.user, "membership.grant")),
        },
    )


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not jurisdiction.prefixes(request.user, "audit.view"):
        raise Http404
    region = request.GET.get("region") or None
    if region:
        jurisdiction.require_or_404(request.user, "audit.view", region)
    events = selectors.audit_in_scope(request.user, region).select_related("actor")[:200]
    return render(request, "accounts/audit.html", {"events": events, "region": region})
