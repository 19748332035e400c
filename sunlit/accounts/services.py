"""Every write about people and their memberships. Keyword-only, atomic, audited."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role, User
from sunlit.audit.services import audit_record
from sunlit.lib.errors import InvalidInput
from sunlit.regions.models import Region

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    password: str | None,
    phone: str = "",
    must_change_password: bool = True,
    by: Any | None,
) -> User:
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("The username %(u)s is taken") % {"u": username}, field="username")
    user = User(username=username, full_name=full_name, phone=phone, must_change_password=must_change_password)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(action="user.create", by=by, obj=user, detail={"username": username})
    return user


@transaction.atomic
def membership_grant(
    *,
    user: User,
    role: str,
    region_code: str,
    starts_on: date,
    ends_on: date | None = None,
    title: str = "",
    by: Any | None,
) -> Membership:
    """Grant `role` over `region_code`'s subtree. `by=None` only for bootstrap commands."""
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(r)s") % {"r": role}, field="role")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise InvalidInput(_("Unknown region %(c)s") % {"c": region_code}, field="region")
    if by is not None:
        jurisdiction.require(by, "membership.grant", region.code)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput(_("A membership cannot end before it starts"), field="ends_on")
    if ends_on is not None and ends_on < timezone.localdate():
        raise InvalidInput(_("This membership would already have ended on %(d)s") % {"d": ends_on}, field="ends_on")
    membership = Membership(
        user=user, role=role, region=region, title=title, starts_on=starts_on, ends_on=ends_on, granted_by=by
    )
    membership.full_clean()
    membership.save()
    audit_record(
        action="membership.grant",
        by=by,
        obj=membership,
        region_code=region.code,
        detail={
            "user": user.username,
            "role": role,
            "starts_on": str(starts_on),
            "ends_on": str(ends_on) if ends_on else None,
        },
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, ends_on: date, by: Any) -> Membership:
    jurisdiction.require(by, "membership.grant", membership.region_id)
    if ends_on < membership.starts_on:
        raise InvalidInput(_("A membership cannot end before it starts"), field="ends_on")
    membership.ends_on = ends_on
    membership.save(update_fields=["ends_on"])
    audit_record(
        action="membership.end",
        by=by,
        obj=membership,
        region_code=membership.region_id,
        detail={"ends_on": str(ends_on)},
    )
    return membership


@transaction.atomic
def password_change(*, user: User, new_password: str, by: Any) -> User:
    try:
        validate_password(new_password, user)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), field="new_password") from e
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(action="user.password_change", by=by, obj=user)
    return user


def otp_required(user: Any) -> bool:

    return bool(jurisdiction.roles_of(user) & set(settings.SUNLIT_OTP_REQUIRED_ROLES))


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the person to scan; reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a first code; returns fresh recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise InvalidInput(_("This authenticator cannot be confirmed"), field="token")
    if not device.verify_token(token.strip()):
        raise InvalidInput(_("The code is wrong or has expired; try the newest one"), field="token")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=user)
    audit_record(action="otp.totp_confirm", by=user, obj=device)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit_record(action="otp.recovery_codes", by=user, obj=device)
    return codes


@transaction.atomic
def account_create(
    *,
    username: str,
    full_name: str,
    phone: str,
    role: str,
    region_code: str,
    starts_on: date,
    ends_on: date | None,
    title: str,
    by: Any,
) -> tuple[User, str]:
    """A person and their first membership, with a temporary password they must change.

    The membership is granted first in spirit: `membership_grant` checks the granter's
    jurisdiction, and the transaction undoes the account if it refuses.
    """
    temporary = secrets.token_urlsafe(9)
    user = user_create(
        username=username, full_name=full_name, password=temporary, phone=phone, must_change_password=True, by=by
    )
    membership_grant(
        user=user, role=role, region_code=region_code, starts_on=starts_on, ends_on=ends_on, title=title, by=by
    )
    return user, temporary
