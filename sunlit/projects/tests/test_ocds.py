"""OCDS 1.1.5: a project's release and a township's package validate offline against the
schemas in ../shared/schemas/ocds-1.1.5/, and a broken release fails."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sunlit.conftest import TOWNSHIP_A, Cast
from sunlit.projects.tests.conftest import full_project

pytestmark = pytest.mark.django_db
# The OCDS 1.1.5 schemas as the Open Contracting Partnership publishes them (Apache 2.0),
# vendored so the suite runs wherever the repository is cloned; the copy must stay equal
# to the project's reference copy in ../shared when that is present.
SCHEMAS = Path(__file__).resolve().parents[1] / "schema" / "ocds-1.1.5"
SHARED = Path(settings.BASE_DIR).parent / "shared" / "schemas" / "ocds-1.1.5"


def test_it_validates_against_the_published_schemas() -> None:
    names = ("release-schema.json", "release-package-schema.json")
    assert all((SCHEMAS / name).is_file() for name in names)
    if SHARED.is_dir():
        assert all((SCHEMAS / name).read_bytes() == (SHARED / name).read_bytes() for name in names)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return data


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft4Validator]:
    release, package = _load("release-schema.json"), _load("release-package-schema.json")
    registry: Registry[Any] = Registry().with_resources(
        [(schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in (release, package)]
    )
    return {
        "release": Draft4Validator(release, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER),
        "package": Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER),
    }


def _errors(validator: Draft4Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_it_exports_a_project_as_a_valid_release(
    cast: Cast, client: Client, validators: dict[str, Draft4Validator]
) -> None:
    project = full_project(cast)
    data = json.loads(client.get(reverse("projects:project_ocds", args=[project.number])).content)
    assert _errors(validators["release"], data) == []
    assert data["ocid"] == f"ocds-sunlit-{project.number}" and data["initiationType"] == "tender"
    assert data["planning"]["budget"]["amount"] == {"amount": 200000, "currency": "CNY"}
    assert data["tender"]["numberOfTenderers"] == 3 and data["tender"]["procurementMethod"] == "limited"
    contract = data["contracts"][0]
    assert contract["value"]["amount"] == 195000 and len(contract["amendments"]) == 1
    assert [t["value"]["amount"] for t in contract["implementation"]["transactions"]] == [57000, 120000]
    assert contract["implementation"]["documents"][0]["documentType"] == "completionCertificate"
    assert contract["dateSigned"] == "2025-03-15T00:00:00+08:00"


def test_it_exports_a_township_package_that_validates(
    cast: Cast, client: Client, settings: Any, validators: dict[str, Draft4Validator]
) -> None:
    settings.SUNLIT_OCDS_PREFIX = "ocds-abc123"
    full_project(cast)
    full_project(cast, number="P2025-002", individual=True)
    response = client.get(reverse("projects:township_ocds", args=[TOWNSHIP_A]))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert _errors(validators["package"], data) == []
    assert sorted(r["ocid"] for r in data["releases"]) == ["ocds-abc123-P2025-001", "ocds-abc123-P2025-002"]


def test_it_fails_validation_of_a_broken_release(
    cast: Cast, client: Client, validators: dict[str, Draft4Validator]
) -> None:
    project = full_project(cast)
    good = json.loads(client.get(reverse("projects:project_ocds", args=[project.number])).content)
    broken = copy.deepcopy(good)
    del broken["ocid"]
    broken["contracts"][0]["value"]["amount"] = "lots"
    broken["tag"] = ["finished"]
    errors = _errors(validators["release"], broken)
    assert len(errors) >= 3, errors
