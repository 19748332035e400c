from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sunlit.bulletins import markdown, services
from sunlit.conftest import Cast
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_it_renders_markdown_and_escapes_html() -> None:
    html = markdown.render(
        "# Rule\n\n**Zero** reception.\n\n- one\n- two\n\n<script>x</script> "
        "[a](javascript:alert(1)) [b](https://gov.cn)"
    )
    assert "<h2>Rule</h2>" in html and "<strong>Zero</strong>" in html and "<ul><li>one</li><li>two</li></ul>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="javascript' not in html
    assert '<a href="https://gov.cn" rel="nofollow noopener">b</a>' in html


def test_it_publishes_through_the_publication_log(cast: Cast, client: Client) -> None:
    bulletin = services.bulletin_publish(
        kind="case",
        title="A cadre returned 3,000 yuan",
        body="**Warning**",
        region_code=cast.township_a.code,
        by=cast.inspector,
    )
    entry = Entry.objects.get(kind="bulletin", ref=bulletin.number)
    assert entry.chain_id == cast.township_a.code and entry.snapshot["title"] == "A cadre returned 3,000 yuan"
    assert "<strong>Warning</strong>" in client.get(f"/bulletins/{bulletin.number}/").content.decode()
    assert bulletin.number in client.get("/kiosk/bulletins/").content.decode()


def test_it_refuses_a_cadre(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        services.bulletin_publish(kind="policy", title="x", body="y", region_code=cast.village_a.code, by=cast.cadre_a)


def test_it_refuses_an_inspector_outside_their_region(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        services.bulletin_publish(
            kind="policy", title="x", body="y", region_code=cast.township_b.code, by=cast.inspector
        )


def test_it_refuses_a_wrong_type_attachment(cast: Cast) -> None:
    with pytest.raises(InvalidInput):
        services.bulletin_publish(
            kind="policy",
            title="x",
            body="y",
            region_code=cast.township_a.code,
            files=[("a.exe", b"MZ")],
            by=cast.inspector,
        )
    assert not Entry.objects.filter(kind="bulletin").exists()


def test_it_offers_the_form_to_inspectors_only(cast: Cast, as_user: Any) -> None:
    assert as_user(cast.inspector).get("/office/bulletins/").status_code == 200
    assert as_user(cast.cadre_a).get("/office/bulletins/").status_code == 404
