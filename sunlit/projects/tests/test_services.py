"""The registry's writes: each bad input refused with a clear message, nothing half-written,
marks on payments, the ID number of an individual contractor sealed."""

from __future__ import annotations

from datetime import date

import pytest

from sunlit.audit.models import AuditEvent
from sunlit.conftest import Cast
from sunlit.lib import idnumbers
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.projects import services
from sunlit.projects.models import Contract, Milestone, Payment, Project, Status
from sunlit.projects.services import BidInput
from sunlit.projects.tests.conftest import CREDIT, PDF, full_project, make_case, new_project, png, valid_id

pytestmark = pytest.mark.django_db


def test_it_checks_the_credit_code_check_character() -> None:
    assert services.credit_code_normalize(CREDIT.lower()) == CREDIT
    assert services.credit_code_normalize("91110000802100433B") == "91110000802100433B"  # a real company's
    wrong = CREDIT[:17] + ("0" if CREDIT[17] != "0" else "1")
    with pytest.raises(InvalidInput, match="last character"):
        services.credit_code_normalize(wrong)
    with pytest.raises(InvalidInput, match="18 characters"):
        services.credit_code_normalize("91431382MA4L1234I")


def test_it_records_a_whole_project(cast: Cast) -> None:
    project = full_project(cast)
    assert project.status == Status.ACCEPTED
    assert project.actual_start == date(2025, 4, 1) and project.actual_end == date(2025, 6, 20)
    assert project.tender.winner is not None and project.tender.winner.bidder == "涟源市路桥建设有限公司"
    assert services.contract_value(project.contract) == 19_500_000
    assert AuditEvent.objects.filter(action="project.payment", object_id=str(project.pk)).count() == 2


def test_it_refuses_funding_that_does_not_add_up_to_the_budget(cast: Cast) -> None:
    with pytest.raises(InvalidInput, match="add up to"):
        services.project_create(
            village=cast.village_a,
            number="X-1",
            name="路灯",
            category="lighting",
            budget=100_00,
            funding=[("fiscal", 50_00)],
            by=cast.cadre_a,
        )
    assert not Project.objects.exists()


# "Authorised by": the cases room's one check (sunlit.cases.selectors.case_authorising),
# with what may authorise a project read from the power list, not from this room's code.


def test_it_links_a_project_to_the_approved_case_that_authorised_it(cast: Cast) -> None:
    case = make_case(cast)
    assert new_project(cast, case=case).case == case


@pytest.mark.parametrize("state", ["open", "paused", "rejected", "withdrawn"])
def test_it_refuses_a_case_that_is_not_approved(cast: Cast, state: str) -> None:
    case = make_case(cast, state=state, seq=10)
    with pytest.raises(InvalidInput) as e:
        new_project(cast, case=case)
    assert "is not approved" in e.value.message and e.value.field == "case"
    assert not Project.objects.exists()


def test_it_refuses_a_case_of_another_village(cast: Cast) -> None:
    other = make_case(cast, village=cast.village_b, seq=9)
    with pytest.raises(InvalidInput, match="belongs to another village"):
        new_project(cast, case=other)
    assert not Project.objects.exists()


def test_it_refuses_a_case_of_an_item_that_may_not_authorise_a_project(cast: Cast) -> None:
    welfare_case = make_case(cast, code="BM-01", name="城乡低保", seq=8, authorises=("welfare.payment:dibao",))
    with pytest.raises(InvalidInput) as e:
        new_project(cast, case=welfare_case)
    assert "item BM-01" in e.value.message and "projects.project" in e.value.message
    assert not Project.objects.exists()


def test_it_reads_what_authorises_a_project_from_the_list_not_from_codes_or_names(cast: Cast) -> None:
    # Numbered and named as Lianyuan's construction item, but this list lets its cases
    # authorise vouchers only.
    case = make_case(cast, code="ZD-01", name="村级工程项目建设", seq=11, authorises=("finance.voucher",))
    with pytest.raises(InvalidInput, match=r"projects\.project"):
        new_project(cast, case=case)
    # And any item the list says may authorise projects does, whatever its code.
    other = make_case(cast, code="TS-07", name="茶园道路", seq=12, authorises=("projects.project",))
    assert new_project(cast, case=other).case == other


def test_it_refuses_a_payment_to_a_project_without_contract(cast: Cast) -> None:
    project = new_project(cast)
    with pytest.raises(InvalidInput, match="has no contract: record the contract before any payment"):
        services.payment_record(project=project, amount=100, paid_on=date(2025, 4, 1), by=cast.cadre_a)
    assert not Payment.objects.exists()


def test_it_marks_payments_above_the_contract_value(cast: Cast) -> None:
    project = full_project(cast)  # contract 195,000 after the amendment; 177,000 paid
    payment = services.payment_record(project=project, amount=2_000_000, paid_on=date(2025, 8, 1), by=cast.cadre_a)
    assert payment.over_contract and not payment.before_acceptance
    assert not Payment.objects.filter(over_contract=True).exclude(pk=payment.pk).exists()
    entry = Project.objects.get(pk=project.pk).publication
    assert entry is not None
    snapshot = entry.snapshot
    assert snapshot["payments"][-1]["over_contract"] is True


def test_it_marks_payments_before_acceptance(cast: Cast) -> None:
    project = full_project(cast)
    early, late = Payment.objects.filter(project=project).order_by("paid_on")
    assert early.before_acceptance and not late.before_acceptance


def test_it_refuses_acceptance_before_any_milestone(cast: Cast) -> None:
    project = new_project(cast)
    with pytest.raises(InvalidInput, match="has no milestone yet"):
        services.acceptance_record(
            project=project,
            accepted_on=date(2025, 6, 1),
            inspectors=["王建国"],
            report=(PDF, "report.pdf"),
            by=cast.cadre_a,
        )
    project.refresh_from_db()
    assert project.status == Status.PLANNED and not project.documents.exists()


def test_it_writes_nothing_when_a_photo_is_refused(cast: Cast) -> None:
    project = new_project(cast)
    with pytest.raises(InvalidInput, match="not a JPEG, PNG or WebP image or a PDF"):
        services.milestone_record(
            project=project,
            date=date(2025, 4, 1),
            title="开工",
            progress=10,
            photos=[(png(), "ok.png"), (b"MZ\x90\x00 not an image", "virus.jpg")],
            by=cast.cadre_a,
        )
    assert not Milestone.objects.exists() and not project.documents.exists()


def test_it_refuses_an_acceptance_report_that_is_not_a_pdf_or_image(cast: Cast) -> None:
    project = new_project(cast)
    services.milestone_record(project=project, date=date(2025, 4, 1), title="完工", progress=100, by=cast.cadre_a)
    with pytest.raises(InvalidInput, match="not a JPEG"):
        services.acceptance_record(
            project=project,
            accepted_on=date(2025, 6, 1),
            inspectors=["王建国"],
            report=(b"<html>report</html>", "report.pdf"),
            by=cast.cadre_a,
        )
    assert not hasattr(Project.objects.get(pk=project.pk), "acceptance")


def test_it_needs_a_reason_for_a_direct_award_and_for_a_disqualification(cast: Cast) -> None:
    project = new_project(cast)
    with pytest.raises(InvalidInput, match="Reason for direct award is required"):
        services.tender_record(
            project=project, method="direct", bids=[BidInput("甲公司", 100)], winner="甲公司", by=cast.cadre_a
        )
    with pytest.raises(InvalidInput, match="Say why"):
        services.tender_record(
            project=project,
            method="quotes",
            winner="甲公司",
            bids=[BidInput("甲公司", 100), BidInput("乙公司", 90, status="disqualified")],
            by=cast.cadre_a,
        )
    with pytest.raises(InvalidInput, match="was disqualified"):
        services.tender_record(
            project=project,
            method="quotes",
            winner="乙公司",
            bids=[BidInput("甲公司", 100), BidInput("乙公司", 90, "disqualified", "迟交")],
            by=cast.cadre_a,
        )


def test_it_seals_an_individual_contractors_id_number(cast: Cast) -> None:
    project = full_project(cast, individual=True)
    contract = Contract.objects.get(project=project)
    number = valid_id()
    assert contract.id_last4 == number[-4:] and contract.id_fingerprint == idnumbers.fingerprint(number)
    assert number not in contract.id_sealed and idnumbers.unseal(contract.id_sealed) == number
    entry = Project.objects.get(pk=project.pk).publication
    assert entry is not None and number not in entry.snapshot_json
    assert not AuditEvent.objects.filter(detail__icontains=number).exists()


def test_it_refuses_an_invalid_id_number(cast: Cast) -> None:
    project = new_project(cast)
    with pytest.raises(InvalidInput, match="does not match"):
        services.contract_record(
            project=project,
            contractor="张三",
            contractor_kind="person",
            id_number=valid_id()[:17] + ("1" if valid_id()[17] != "1" else "2"),
            value=100,
            signed_on=date(2025, 3, 1),
            by=cast.cadre_a,
        )


def test_it_refuses_a_cadre_of_another_village(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        new_project(cast, by=cast.cadre_b)
    project = new_project(cast)
    with pytest.raises(NotPermitted):
        services.milestone_record(project=project, date=date(2025, 4, 1), title="x", progress=5, by=cast.cadre_b)
    with pytest.raises(NotPermitted):
        services.project_publish_first(project=project, by=cast.supervisor_a)


def test_it_lets_the_township_record_and_the_committee_accept(cast: Cast) -> None:
    project = new_project(cast, by=cast.official)
    services.milestone_record(project=project, date=date(2025, 4, 1), title="完工", progress=100, by=cast.official)
    services.acceptance_record(
        project=project, accepted_on=date(2025, 5, 1), inspectors=["赵秀英"], by=cast.supervisor_a
    )
    with pytest.raises(NotPermitted):
        services.payment_record(project=project, amount=1, paid_on=date(2025, 5, 2), by=cast.supervisor_a)


def test_it_links_a_payment_only_to_a_voucher_of_the_same_village(cast: Cast) -> None:
    from django.utils import timezone

    from sunlit.finance.models import Voucher

    project = full_project(cast, publish=False)
    voucher_b = Voucher.objects.create(
        county_code=cast.county.code,
        village=cast.village_b,
        year=2025,
        number=1,
        date=date(2025, 7, 1),
        period=202507,
        summary="工程款",
        recorded_at=timezone.now(),
    )
    with pytest.raises(InvalidInput, match="another village"):
        services.payment_record(
            project=project, amount=100, paid_on=date(2025, 7, 1), voucher=voucher_b, by=cast.cadre_a
        )
    voucher_a = Voucher.objects.create(
        county_code=cast.county.code,
        village=cast.village_a,
        year=2025,
        number=1,
        date=date(2025, 7, 1),
        period=202507,
        summary="工程款",
        recorded_at=timezone.now(),
    )
    payment = services.payment_record(
        project=project, amount=100, paid_on=date(2025, 7, 1), voucher=voucher_a, by=cast.cadre_a
    )
    assert payment.voucher_id == voucher_a.pk
