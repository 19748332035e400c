from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from sunlit.transparency import merkle
from sunlit.transparency.canonical import sha256_hex
from sunlit.transparency.models import Entry, SignedRoot
from sunlit.transparency.services import publish, root_sign

from .conftest import VILLAGE, publish_many

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def page(client, name: str, *args, **query):
    response = client.get(reverse(f"transparency:{name}", args=args), query, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert not INLINE_SCRIPT.search(html), "the CSP allows no inline script"
    return response, html


@pytest.fixture
def corrected(regions, alice) -> tuple[Entry, Entry]:
    with time_machine.travel(datetime(2024, 5, 1, 2, 30, tzinfo=UTC), tick=False):
        old = publish(
            chain=VILLAGE,
            kind="finance.month",
            ref="2024-04",
            snapshot={
                "month": "2024-04",
                "income_fen": 1200000,
                "items": [{"name": "修路", "fen": 500000}],
                "audited": True,
                "note": None,
            },
            by=alice,
        )
    with time_machine.travel(datetime(2024, 5, 3, 8, 0, tzinfo=UTC), tick=False):
        new = publish(
            chain=VILLAGE,
            kind="finance.month",
            ref="2024-04",
            snapshot={"month": "2024-04", "income_fen": 1250000},
            by=alice,
            reason="漏记一笔收入",
        )
    return old, new


def test_it_explains_itself_on_the_index_page_before_any_root(client, db) -> None:
    response, html = page(client, "index")
    assert response.status_code == 200
    assert "The key is created when the first root is signed." in html
    assert "public" in response["Cache-Control"] and response["ETag"]


def test_it_shows_the_public_key_and_latest_roots(client, regions, signing_key_path) -> None:
    publish_many(VILLAGE, 2)
    root = root_sign(by=None)
    assert root is not None
    _response, html = page(client, "index")
    assert root.key_fingerprint in html and "BEGIN PUBLIC KEY" in html
    assert root.root_hash in html
    assert "PRIVATE" not in html
    pem = client.get(reverse("transparency:public_key"))
    assert pem.content.decode().startswith("-----BEGIN PUBLIC KEY-----")


def test_it_looks_up_an_entry_by_number_or_hash(client, regions) -> None:
    e = publish_many(VILLAGE, 1)[0]
    url = reverse("transparency:entry", args=[e.pk])
    assert client.get(reverse("transparency:lookup"), {"q": str(e.pk)}).url == url
    assert client.get(reverse("transparency:lookup"), {"q": f"#{e.pk}"}).url == url
    assert client.get(reverse("transparency:lookup"), {"q": e.entry_hash.upper()}).url == url
    response, html = page(client, "lookup", q="999999")
    assert response.status_code == 404 and "999999" in html
    response, html = page(client, "lookup", q="abc")
    assert response.status_code == 400 and "64-character entry hash" in html


def test_it_shows_an_entry_as_a_readable_table(client, corrected, django_assert_num_queries) -> None:
    old, new = corrected
    # The entry with its region, publisher and corrections; its root (none yet).
    with django_assert_num_queries(2):
        response, html = page(client, "entry", old.pk)
    assert response.status_code == 200
    assert "石门村" in html and old.entry_hash in html and old.prev_hash in html
    assert "items[1].name" in html and "修路" in html and "1200000" in html
    assert "2024-05-01 10:30:00" in html  # 02:30 UTC is 10:30 in Beijing
    assert "李爱丽" in html
    assert "This version has been corrected." in html and "漏记一笔收入" in html
    assert reverse("transparency:entry", args=[new.pk]) in html
    assert "Not yet sealed in a signed root" in html
    assert response["ETag"].startswith(f'"{old.entry_hash}.')

    _response, html = page(client, "entry", new.pk)
    assert f"This entry corrects entry #{old.pk}" in html and "漏记一笔收入" in html


def test_it_shows_the_inclusion_proof_once_a_root_covers_the_entry(
    client, corrected, django_assert_num_queries
) -> None:
    old, _new = corrected
    root_sign(by=None)
    # entry, root, the root's leaves (then cached)
    with django_assert_num_queries(3):
        _response, html = page(client, "entry", old.pk)
    assert "The inclusion proof checks out: leaf 0 of 2" in html
    with django_assert_num_queries(2):
        page(client, "entry", old.pk)


def test_it_answers_an_unchanged_entry_with_304(client, corrected) -> None:
    old, _new = corrected
    first = client.get(reverse("transparency:entry_json", args=[old.pk]))
    again = client.get(reverse("transparency:entry_json", args=[old.pk]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    root_sign(by=None)
    # Sealed in a root since: the page says more now, so the validator changed.
    assert (
        client.get(reverse("transparency:entry_json", args=[old.pk]), HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 200
    )


def test_it_gives_an_entry_with_its_proof_as_json(client, corrected) -> None:
    old, new = corrected
    root = root_sign(by=None)
    assert root is not None
    response = client.get(reverse("transparency:entry_json", args=[old.pk]))
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    data = response.json()
    assert data["snapshot"]["items"][0]["name"] == "修路"
    # Everything a villager's own program needs, from this document alone:
    assert sha256_hex(data["snapshot_canonical"]) == data["snapshot_sha256"]
    assert sha256_hex(data["hash_input"]) == data["entry_hash"] == old.entry_hash
    assert data["superseded_by"] == {"id": new.pk, "entry_hash": new.entry_hash, "reason": "漏记一笔收入"}
    proof = data["inclusion"]
    leaf = merkle.leaf_hash(bytes.fromhex(data["entry_hash"]))
    assert leaf.hex() == data["leaf_hash"] == proof["leaf_hash"]
    assert merkle.verify_inclusion(
        leaf,
        proof["leaf_index"],
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["audit_path"]],
        bytes.fromhex(data["root"]["root_hash"]),
    )
    assert proof["verified"] is True
    assert data["root"]["batch"] == root.batch
    assert sha256_hex(data["root"]["statement"]) == data["root"]["statement_sha256"]


def test_it_answers_404_for_an_unknown_entry(client, db) -> None:
    assert client.get(reverse("transparency:entry", args=[404])).status_code == 404
    assert client.get(reverse("transparency:entry_json", args=[404])).status_code == 404


def test_it_lists_roots_page_by_page(client, regions, settings, django_assert_num_queries) -> None:
    from sunlit.transparency import views

    for i in range(3):
        publish_many(VILLAGE, 1, start=i)
        root_sign(by=None)
    views.PAGE_SIZE, saved = 2, views.PAGE_SIZE
    try:
        with django_assert_num_queries(2):  # count, page
            response, html = page(client, "roots")
        assert response.status_code == 200
        roots = list(SignedRoot.objects.order_by("-batch"))
        assert roots[0].root_hash in html and roots[2].root_hash not in html
        _response, html = page(client, "roots", page=2)
        assert roots[2].root_hash in html
        data = client.get(reverse("transparency:roots_json")).json()
        assert [r["batch"] for r in data["roots"]] == [3, 2]
        assert data["next"].endswith("?page=2")
        assert data["key_fingerprint"] == roots[0].key_fingerprint
    finally:
        views.PAGE_SIZE = saved


def test_it_gives_one_root_as_json(client, regions) -> None:
    publish_many(VILLAGE, 2)
    root = root_sign(by=None)
    assert root is not None
    response = client.get(reverse("transparency:root_json", args=[1]))
    assert response["ETag"] == f'"{root.root_hash}"'
    data = response.json()
    assert (data["batch"], data["tree_size"], data["root_hash"]) == (1, 2, root.root_hash)
    assert data["statement"] == root.statement()
    assert client.get(reverse("transparency:root_json", args=[2])).status_code == 404


def test_it_lists_a_chain_newest_first_without_n_plus_1(client, regions, django_assert_num_queries) -> None:
    from sunlit.transparency import views

    entries = publish_many(VILLAGE, 7)
    for e in entries[:3]:
        publish(chain=VILLAGE, kind="notice", ref=e.ref, snapshot={"v": 2}, by=None, reason="r")
    views.PAGE_SIZE, saved = 4, views.PAGE_SIZE
    try:
        with django_assert_num_queries(2):  # region, entries with their correctors
            response, html = page(client, "chain", VILLAGE)
        assert response.status_code == 200
        seqs = [int(s) for s in re.findall(r'/transparency/entries/\d+/">(\d+)</a>', html)]
        assert seqs == [10, 9, 8, 7]
        assert "?before=7" in html
        with django_assert_num_queries(2):
            _response, html = page(client, "chain", VILLAGE, before="7")
        seqs = [int(s) for s in re.findall(r'/transparency/entries/\d+/">(\d+)</a>', html)]
        assert seqs == [6, 5, 4, 3]
        assert html.count("corrected by #") == 1  # seq 3; seq 1 and 2 are on the next page
    finally:
        views.PAGE_SIZE = saved
    assert client.get(reverse("transparency:chain", args=["431382999999"])).status_code == 404


def test_it_labels_snapshot_fields_in_the_readers_language(client, regions) -> None:
    from sunlit.regions.models import Region
    from sunlit.regions.services import region_publish_profile

    entry = region_publish_profile(region=Region.objects.get(code="431382100201"), by=None)
    body = client.get(f"/transparency/entries/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "便民服务中心电话" in body and 'title="phone"' in body
