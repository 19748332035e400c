from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages are asserted in English; the deployment's default language is Chinese.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_cases(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most demo tests are about regions and accounts: skip the cases and the books (seconds
    each) unless a test asks for them with @pytest.mark.demo_cases. The books have their
    own tests in sunlit/finance/tests/test_demo.py."""
    if request.node.get_closest_marker("demo_cases"):
        return

    monkeypatch.setattr("sunlit.cases.demo.seed", lambda ctx: None)
    monkeypatch.setattr("sunlit.finance.demo.seed", lambda ctx: None)
