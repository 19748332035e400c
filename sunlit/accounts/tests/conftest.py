from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """These tests assert the English source strings; Chinese is the deployed default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
