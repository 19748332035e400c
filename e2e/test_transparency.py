"""A villager checks that what her village published is sealed and unaltered."""

from __future__ import annotations

import json
from collections.abc import Callable
from hashlib import sha256
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if fn % 2 == 1 or fn == sn:
            r = sha256(b"\x01" + p + r).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return r


def test_a_villager_verifies_a_published_record(
    new_page: Callable[..., Any], screenshot: Callable[[Any, str], Any]
) -> None:
    page = new_page(viewport=PHONE)
    page.goto("/")
    page.locator("a.choice").first.click()
    page.locator("a.choice").first.click()
    # The oldest record shown: sealed in the demo's signed root (newer ones wait for the daily root).
    page.get_by_role("link", name="核验", exact=True).last.click()

    expect(page.locator("h1")).to_contain_text("431382")  # the record it publishes, by its reference
    expect(page.locator(".ok")).to_contain_text("✓")  # the inclusion proof checks out
    screenshot(page, "transparency-entry")

    # The same entry as JSON carries everything needed to check it by oneself, with
    # nothing but SHA-256 (RFC 9162 §2.1.3.2 for the audit path), independently of Sunlit.
    page.get_by_role("link", name="JSON").first.click()
    data = json.loads(page.locator("body").inner_text())
    assert sha256(data["snapshot_canonical"].encode()).hexdigest() == data["snapshot_sha256"]
    assert sha256(data["hash_input"].encode()).hexdigest() == data["entry_hash"]
    proof = data["inclusion"]
    leaf = sha256(b"\x00" + bytes.fromhex(data["entry_hash"])).digest()
    assert (
        root_from_path(
            leaf, proof["leaf_index"], proof["tree_size"], [bytes.fromhex(h) for h in proof["audit_path"]]
        ).hex()
        == data["root"]["root_hash"]
    )

    page.goto("/transparency/")
    expect(page.get_by_text("PUBLIC KEY", exact=False).first).to_be_visible()
    screenshot(page, "transparency-index")
