"""The reports room's actors: besides the shared cast, a second inspector of township A
(not the head of the office), an inspector of the county-level city, and a cheap argon2
so that the suite stays fast (the production cost is set in settings)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation
from PIL import Image

from sunlit.accounts.models import Role, User
from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A, Cast, make_user
from sunlit.reports import receipts, services, sms
from sunlit.reports.models import Report


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> Iterator[None]:
    settings.SUNLIT_REPORTS_ARGON2_MEMORY_KIB = 64
    settings.SUNLIT_REPORTS_ARGON2_TIME = 1
    settings.SUNLIT_REPORTS_SECRET = "test-installation-secret"
    settings.SUNLIT_SMS_BACKEND = "locmem"
    settings.LANGUAGE_CODE = "en"
    sms.OUTBOX.clear()
    from django.core.cache import cache

    cache.clear()
    with translation.override("en"):
        yield


@dataclass
class People:
    cast: Cast
    inspector2: User  # a discipline officer of township A, not the head
    city_inspector: User  # the county-level city's discipline commission


@pytest.fixture
def people(cast: Cast) -> People:
    return People(
        cast=cast,
        inspector2=make_user("inspector2", "黄敏", Role.INSPECTOR, TOWNSHIP_A, title="纪检干事"),
        city_inspector=make_user("city_inspector", "马力", Role.INSPECTOR, COUNTY, title="纪委书记"),
    )


DEVICE = "a-villagers-phone"  # the id in a browser's signed device cookie


def file_report(
    *,
    kind: str = "village",
    ref: str = VILLAGE_A,
    text: str = "The road money went missing.",
    key: str | None = None,
    device: str = DEVICE,
    **kw: Any,
) -> services.Filed:
    """File as the filing form does: with a key minted for the device that sends it."""
    return services.report_file(
        category=kw.pop("category", "finance"),
        record_kind=kind,
        record_ref=ref,
        text=text,
        idempotency_key=key or receipts.form_key(device),
        device=device,
        **kw,
    )


@pytest.fixture
def filed(people: People) -> services.Filed:
    return file_report()


@pytest.fixture
def report(filed: services.Filed) -> Report:
    return filed.report


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (27.0, 41.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
