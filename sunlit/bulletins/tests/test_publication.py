"""Attachments are public only as a published snapshot names them: the file is served by
its hash only if the hash is in a bulletin's current snapshot, and under the name and
type the snapshot gives."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from sunlit.bulletins import services
from sunlit.bulletins.models import Attachment, Bulletin, PublishedAttachment
from sunlit.conftest import Cast

pytestmark = pytest.mark.django_db


def png(colour: tuple[int, int, int] = (10, 120, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def bulletin(cast: Cast) -> Bulletin:
    return services.bulletin_publish(
        kind="policy",
        title="Reception rules",
        body="Zero reception.",
        region_code=cast.township_a.code,
        files=[("通知.png", png())],
        by=cast.inspector,
    )


def rows() -> list[Any]:
    return list(
        PublishedAttachment.objects.order_by("number", "position").values_list(
            "sha256", "number", "position", "name", "content_type", "size", "publication_id"
        )
    )


def test_it_serves_a_published_attachment_under_its_published_name(client: Client, bulletin: Bulletin) -> None:
    stored = bulletin.attachments.get()
    response = client.get(f"/bulletins/files/{stored.sha256}")
    assert response.status_code == 200 and response.content == bytes(stored.content)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E9%80%9A%E7%9F%A5.png"


def test_a_file_in_no_published_snapshot_is_not_found(client: Client, bulletin: Bulletin) -> None:
    # Added to the working table after publication: no snapshot names it.
    data = png((200, 0, 0))
    digest = hashlib.sha256(data).hexdigest()
    Attachment.objects.create(
        bulletin=bulletin, name="later.png", content_type="image/png", content=data, sha256=digest, size=len(data)
    )
    assert client.get(f"/bulletins/files/{digest}").status_code == 404


def test_a_stored_file_changed_after_publication_is_not_served(client: Client, bulletin: Bulletin) -> None:
    stored = bulletin.attachments.get()
    Attachment.objects.filter(pk=stored.pk).update(content=png((0, 0, 200)))
    assert client.get(f"/bulletins/files/{stored.sha256}").status_code == 404


def test_the_public_rows_are_what_rederiving_from_the_log_gives(cast: Cast, bulletin: Bulletin) -> None:
    services.bulletin_publish(
        kind="case",
        title="Second",
        body="text",
        region_code=cast.county.code,
        files=[("a.png", png((1, 2, 3))), ("b.png", png((4, 5, 6)))],
        by=cast.admin,
    )
    built = rows()
    assert [r[3] for r in built] in (["通知.png", "a.png", "b.png"], ["a.png", "b.png", "通知.png"])
    PublishedAttachment.objects.all().delete()
    assert services.rebuild() == 2
    assert rows() == built
