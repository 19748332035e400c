"""Role × endpoint, generated from the URL conf (issue 14, "and keep it that way").

Every URL pattern of the site (each room's public pages under / and /kiosk/, its files and
feeds, its back office) is requested by every role, GET and POST, with its parameters filled
from records that exist: a village's code, a case number, a voucher, a project, a household,
a report, an import batch… of village A (石门村, township A). The decisions live in
`role_matrix_decisions.DECISIONS`: for each URL name, the roles that may GET and POST it.
- allowed → the view is reached: not 403, 404, 405 nor a redirect to the login page (200,
  a redirect elsewhere, 400 or 409 are fine: the bodies are empty);
- refused → 302 to the login page for an anonymous visitor of the office, 404 for a record
  outside one's jurisdiction (it does not exist for you), 403 or 405 where the code says so;
- never a 500.
A URL name with no decision fails the suite: a new endpoint needs one.

The records are built once per module (in a transaction rolled back at the end); each
request runs in its own savepoint, so a POST that changes something changes it for itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sunlit.accounts.models import Role, User
from sunlit.accounts.tests.role_matrix_decisions import ANON, DECISIONS, PUBLIC, UNREACHED, Decision
from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, login, make_cast, make_regions, make_user, township_b_actors
from sunlit.lib.rooms import KIOSK_NAME

ROLES = [
    ANON,
    "cadre_a",
    "cadre_b",
    "supervisor_a",
    "official",
    "official_b",
    "inspector",
    "inspector_b",
    "operator",
    "admin",
]
SURVEY = os.environ.get("SUNLIT_MATRIX_SURVEY")  # print what each role gets, to draft decisions


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced, e.g. "finance:voucher"; a kiosk twin keeps its own name
    route: str  # e.g. "office/finance/vouchers/<int:pk>/"

    @property
    def decision_name(self) -> str:
        """A kiosk twin shares the decision of its page."""
        ns, _, name = self.name.rpartition(":")
        return f"{ns}:{name.removeprefix(KIOSK_NAME)}"


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            yield Pattern(name, prefix + str(p.pattern))


PATTERNS = sorted(set(_walk(get_resolver().url_patterns)), key=lambda p: p.route)


@dataclass
class World:
    clients: dict[str, Client]
    users: dict[str, User]
    args: dict[str, str]  # URL parameter → the value for records of village A


def _build(tmp: Path) -> World:
    from sunlit.bulletins.services import bulletin_publish
    from sunlit.finance import services as finance
    from sunlit.finance.models import Chart
    from sunlit.finance.models import ImportBatch as FinanceBatch
    from sunlit.finance.tests.conftest import book, pay, publish_month
    from sunlit.powers.models import PowerItem, PowerListVersion
    from sunlit.powers.services import default_source, powers_load
    from sunlit.projects.models import ImportBatch as ProjectsBatch
    from sunlit.projects.services import document_attach
    from sunlit.projects.tests.conftest import full_project, png
    from sunlit.reports.models import File as ReportFile
    from sunlit.reports.tests.conftest import file_report
    from sunlit.transparency.models import Entry
    from sunlit.transparency.services import root_sign
    from sunlit.welfare import services as welfare
    from sunlit.welfare.models import ImportBatch as WelfareBatch
    from sunlit.welfare.tests.conftest import new_id

    cast = make_cast(make_regions())
    users = {**cast.actors(), **township_b_actors()}
    powers_load(source=default_source(), label="", by=None)
    version = PowerListVersion.objects.filter(is_current=True).get()
    item = PowerItem.objects.filter(version=version).order_by("position").first()
    assert item is not None

    director = make_user("director_a", "马文", Role.CADRE, VILLAGE_A, title="主任")
    voucher = book(cast, director, date(2025, 3, 5), pay(12_000))
    receipt = finance.receipt_attach(voucher=voucher, data=png(), filename="r.png", by=cast.official)
    publish_month(cast, 202503)
    project = full_project(cast)
    document = document_attach(project=project, kind="contract", data=png("blue"), filename="c.png", by=cast.cadre_a)
    household = welfare.household_create(
        village_code=VILLAGE_A,
        number="0001",
        members=[welfare.MemberInput("张建国", "head", new_id(1))],
        by=cast.cadre_a,
    )
    relative = welfare.relative_declare(
        village_code=VILLAGE_A, name="王小二", relation="sibling", id_number=new_id(5), by=cast.cadre_a
    )
    report = file_report(files=[("evidence.png", png("green"))]).report
    bulletin = bulletin_publish(
        kind="policy", title="政策", body="正文", region_code=VILLAGE_A, files=[("p.png", png())], by=cast.admin
    )
    root = root_sign(by=None)  # a signed root: the public key and a root's JSON exist
    assert root is not None
    entry = Entry.objects.order_by("pk").last()
    assert entry is not None
    batch = dict(
        sha256="0" * 64,
        filename="book.csv",
        default_village=VILLAGE_A,
        villages=[VILLAGE_A],
        uploaded_by=cast.official,
        created_at=timezone.now(),
    )
    batches = {
        "finance": FinanceBatch.objects.create(**batch),
        "projects": ProjectsBatch.objects.create(**batch),
        "welfare": WelfareBatch.objects.create(**batch),
    }
    clients = {ANON: Client(raise_request_exception=False)}
    for role in ROLES[1:]:
        clients[role] = login(Client(raise_request_exception=False), users[role])
    return World(
        clients=clients,
        users=users,
        args={
            "voucher": str(voucher.pk),
            "receipt": str(receipt.pk),
            "receipt_sha256": receipt.sha256,
            "project": str(project.pk),
            "project_number": project.number,
            "document_sha256": document.sha256,
            "household": str(household.pk),
            "relative": str(relative.pk),
            "report": report.public_id,
            "bulletin": bulletin.number,
            "bulletin_sha256": bulletin.attachments.get().sha256,
            "report_file": str(ReportFile.objects.get(report=report).pk),
            "chart": Chart.objects.order_by("code").values_list("code", flat=True)[0],
            "village": VILLAGE_A,
            "township": TOWNSHIP_A,
            "entry": str(entry.pk),
            "root": str(root.batch),
            "version": str(version.number),
            "item": item.code,
            "case_number": _open_case(version, cast).number,
            "finance_batch": str(batches["finance"].pk),
            "projects_batch": str(batches["projects"].pk),
            "welfare_batch": str(batches["welfare"].pk),
        },
    )


# A parameter's value, by URL name where it depends on the room, else by parameter name.
BY_NAME: dict[str, dict[str, str]] = {
    "finance:voucher_receipt": {"pk": "voucher", "receipt_id": "receipt"},
    "finance:import": {"pk": "finance_batch"},
    "finance:import_progress": {"pk": "finance_batch"},
    "projects:import": {"pk": "projects_batch"},
    "projects:import_progress": {"pk": "projects_batch"},
    "welfare:import": {"pk": "welfare_batch"},
    "welfare:import_progress": {"pk": "welfare_batch"},
    "welfare:relative_withdraw": {"pk": "relative"},
    "finance:chart": {"code": "chart"},
    "powers:township": {"code": "township"},
    "powers:village": {"code": "village"},
}
BY_ROOM: dict[str, dict[str, str]] = {
    "finance": {"pk": "voucher", "sha256": "receipt_sha256"},
    "projects": {"pk": "project", "number": "project_number", "sha256": "document_sha256"},
    "welfare": {"pk": "household"},
    "bulletins": {"number": "bulletin", "sha256": "bulletin_sha256"},
    "cases": {"number": "case_number"},
    "powers": {"number": "version", "code": "item"},
    "reports": {"public_id": "report", "file_id": "report_file"},
    "transparency": {"entry_id": "entry", "batch": "root"},
}
FIXED = {
    "year": "2025",
    "account": "541",
    "period": "2025-03",
    "fmt": "csv",
    "programme": "dibao",
    "a": "1",
    "b": "1",
    "file_id": "1",
    "attachment_id": "1",
    "objection_id": "1",
}


def _url(pattern: Pattern, world: World) -> str:
    room = pattern.name.split(":")[0]
    route = pattern.route
    for segment in re.findall(r"<(?:\w+:)?(\w+)>", route):
        key = BY_NAME.get(pattern.decision_name, {}).get(segment) or BY_ROOM.get(room, {}).get(segment)
        if key:
            value = world.args[key]
        elif segment == "code":
            value = TOWNSHIP_A if "t/<" in route else VILLAGE_A
        else:
            value = FIXED[segment]
        route = re.sub(r"<(?:\w+:)?" + segment + ">", value, route, count=1)
    return "/" + route


def _open_case(version: Any, cast: Any) -> Any:
    """A case of village A opened by its cadre under the first item of the shipped list he may open."""
    from sunlit.cases.services import case_open
    from sunlit.lib.errors import ApplicationError

    for item in version.items.order_by("position"):
        try:
            return case_open(item=item, village_code=VILLAGE_A, subject="修缮村部", by=cast.cadre_a)
        except ApplicationError:
            continue
    raise AssertionError("no item of the shipped list may be opened by a village cadre")


SETTINGS = dict(
    SUNLIT_REPORTS_ARGON2_MEMORY_KIB=64,
    SUNLIT_REPORTS_ARGON2_TIME=1,
    SUNLIT_REPORTS_SECRET="test-installation-secret",
    SUNLIT_SMS_BACKEND="locmem",
)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("role-matrix")
    with (
        override_settings(SUNLIT_SIGNING_KEY_PATH=tmp / "signing-ed25519.pem", MEDIA_ROOT=tmp / "media", **SETTINGS),
        django_db_blocker.unblock(),
    ):
        cache.clear()
        with transaction.atomic():
            yield _build(tmp)
            transaction.set_rollback(True)
        cache.clear()


@pytest.fixture
def fresh_limits(world: World, db: Any) -> Iterator[None]:
    # Rate limits and caches are per request here: the matrix asks about permissions only.
    cache.clear()
    with override_settings(**SETTINGS):
        yield


def test_it_has_a_decision_for_every_url_name() -> None:
    missing = sorted({p.decision_name for p in PATTERNS} - set(DECISIONS))
    assert not missing, f"URL names without a decision in role_matrix_decisions.DECISIONS: {missing}"
    stale = sorted(set(DECISIONS) - {p.decision_name for p in PATTERNS})
    assert not stale, f"decisions for URL names that no longer exist: {stale}"


def _login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


REFUSED = {403, 404, 405}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_it_keeps_each_decision(pattern: Pattern, role: str, world: World, fresh_limits: None) -> None:
    url = _url(pattern, world)
    decision: Decision = DECISIONS.get(pattern.decision_name, {})  # a missing one fails the test above
    client = world.clients[role]
    if pattern.decision_name == "accounts:logout" and role != ANON:
        client = login(Client(raise_request_exception=False), world.users[role])  # logging out ends a session
    failures = []
    for method in ("GET", "POST"):
        response = client.generic(method, url)
        status = response.status_code
        allowed = role in decision.get(method, set()) or PUBLIC in decision.get(method, set())
        if SURVEY:
            print(f"SURVEY {pattern.decision_name} {method} {role} {status} {response.get('Location', '')} {url}")
            continue
        if status >= 500:
            failures.append(f"{method} {url} as {role}: {status}")
        elif allowed and pattern.decision_name not in UNREACHED and (status in REFUSED or _login_redirect(response)):
            failures.append(f"{method} {url} as {role}: refused ({status}) but the decision allows it")
        elif not allowed and not (status in REFUSED or (role == ANON and _login_redirect(response))):
            failures.append(f"{method} {url} as {role}: {status}, but the decision refuses it")
    assert not failures, failures
