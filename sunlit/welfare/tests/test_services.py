"""Households, members and payments: the services, their refusals and their marks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from sunlit.audit.models import AuditEvent
from sunlit.conftest import VILLAGE_A, VILLAGE_B, Cast
from sunlit.lib import idnumbers
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.welfare import services
from sunlit.welfare.models import Household, Member, Payment, Programme
from sunlit.welfare.tests.conftest import Family, new_id, programme

pytestmark = pytest.mark.django_db


def test_it_ships_the_programmes_tied_to_list_items(db: None) -> None:
    codes = dict(Programme.objects.values_list("code", "item_code"))
    assert codes == {
        "dibao": "BM-01",
        "tekun": "BM-09",
        "weifang": "BM-08",
        "linshi": "BM-10",
        "canji": "BM-11",
        "chanye": "BM-06",
        "xindai": "BM-02",
    }
    assert Programme.objects.get(code="dibao").rhythm == "monthly"
    assert Programme.objects.get(code="weifang").rhythm == "one_off"


def test_it_loads_a_revised_programmes_file_in_place(db: None) -> None:
    from sunlit.welfare.programmes import default_source

    source = default_source().replace("rhythm: quarterly", "rhythm: yearly")
    loaded = services.programmes_load(source=source, by=None)
    assert (loaded.created, loaded.updated) == (0, 1)
    assert Programme.objects.get(code="xindai").rhythm == "yearly"


def test_it_refuses_a_programmes_file_with_problems(db: None) -> None:
    with pytest.raises(InvalidInput) as e:
        services.programmes_load(source="format: 1\nprogrammes:\n  - code: X\n    rhythm: weekly\n", by=None)
    assert "missing field" in e.value.message


def test_it_notes_items_missing_from_the_current_list(db: None) -> None:
    from sunlit.powers.services import default_source, powers_load
    from sunlit.welfare import programmes as file

    powers_load(source=default_source(), label="2024", by=None)
    specs = file.parse(file.default_source())
    assert file.missing_items(specs) == []
    assert file.missing_items([*specs, file.ProgrammeSpec("x", "x", "x", "x", "BM-99", "monthly", "household", 9)]) == [
        "BM-99"
    ]


def test_it_stores_no_plain_id_number(cast: Cast, family: Family) -> None:
    member = Member.objects.get(household=family.household, relation="head")
    assert member.id_last4 == family.head_id[-4:]
    assert member.id_fingerprint == idnumbers.fingerprint(family.head_id)
    assert family.head_id not in member.id_sealed
    assert idnumbers.unseal(member.id_sealed) == family.head_id
    for event in AuditEvent.objects.all():
        assert family.head_id not in str(event.detail)


def test_it_refuses_the_same_id_number_in_two_households_naming_the_other(cast: Cast, family: Family) -> None:
    with pytest.raises(InvalidInput) as e:
        services.household_create(
            village_code=VILLAGE_B,
            number="0002",
            members=[services.MemberInput("张建国", "head", family.head_id)],
            by=cast.cadre_b,
        )
    # The other household by its number: the cadre of village B may not see its people.
    assert f"{VILLAGE_A}-0001" in e.value.message
    assert family.head_id[-4:] in e.value.message
    assert "张建国" not in e.value.message and family.head_id not in e.value.message
    assert not Household.objects.filter(village_id=VILLAGE_B, number="0002").exists()


def test_it_refuses_adding_a_member_registered_elsewhere(cast: Cast, family: Family) -> None:
    with pytest.raises(InvalidInput) as e:
        services.member_add(
            household=family.other, member=services.MemberInput("李秀英", "spouse", family.wife_id), by=cast.cadre_b
        )
    assert f"{VILLAGE_A}-0001" in e.value.message


def test_it_refuses_an_invalid_id_checksum(cast: Cast) -> None:
    bad = new_id(9)[:-1] + ("0" if new_id(9)[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as e:
        services.household_create(
            village_code=VILLAGE_A, number="0009", members=[services.MemberInput("赵六", "head", bad)], by=cast.cadre_a
        )
    assert "last character" in e.value.message


def test_it_refuses_a_cadre_of_another_village(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        services.household_create(
            village_code=VILLAGE_A,
            number="0003",
            members=[services.MemberInput("赵六", "head", new_id(7))],
            by=cast.cadre_b,
        )
    with pytest.raises(NotPermitted):
        services.household_create(
            village_code=VILLAGE_A,
            number="0003",
            members=[services.MemberInput("赵六", "head", new_id(7))],
            by=cast.supervisor_a,
        )


def test_it_records_a_payment_with_its_audit_row(cast: Cast, family: Family) -> None:
    payment = services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-03",
        amount_fen=65000,
        paid_on=date(2025, 3, 10),
        by=cast.cadre_a,
    )
    assert payment.year == 2025 and payment.village_code == VILLAGE_A and not payment.marked
    event = AuditEvent.objects.get(action="welfare.payment_record")
    assert event.detail["amount_fen"] == 65000 and event.region_code == VILLAGE_A


def test_it_marks_a_payment_to_a_member_after_death(cast: Cast, family: Family) -> None:
    wife = Member.objects.get(household=family.household, relation="spouse")
    services.member_status_set(member=wife, status="deceased", on=date(2025, 2, 1), by=cast.cadre_a)
    before = services.payment_record(
        programme=programme("canji"),
        household=family.household,
        member=wife,
        period="2025-01",
        amount_fen=9000,
        paid_on=date(2025, 1, 20),
        by=cast.cadre_a,
    )
    after = services.payment_record(
        programme=programme("canji"),
        household=family.household,
        member=wife,
        period="2025-03",
        amount_fen=9000,
        paid_on=date(2025, 3, 20),
        by=cast.cadre_a,
    )
    assert not before.after_death
    assert after.after_death and after.marked


def test_it_marks_a_payment_to_a_household_that_moved_out(cast: Cast, family: Family) -> None:
    services.household_status_set(household=family.household, status="moved_out", on=date(2025, 1, 5), by=cast.cadre_a)
    payment = services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-02",
        amount_fen=65000,
        paid_on=date(2025, 2, 10),
        by=cast.cadre_a,
    )
    assert payment.moved_out and not payment.after_death


def test_it_refuses_bad_payments(cast: Cast, family: Family) -> None:
    dibao, canji = programme("dibao"), programme("canji")
    son = Member.objects.get(household=family.household, relation="child")
    cases = [
        ({"programme": dibao, "period": "2025-13", "amount_fen": 100}, "period"),
        ({"programme": dibao, "period": "2025-03", "amount_fen": -100}, "amount"),
        ({"programme": dibao, "period": "2025-03", "amount_fen": 0}, "amount"),
        ({"programme": canji, "period": "2025-03", "amount_fen": 100}, "member"),
        ({"programme": dibao, "period": "2025-03", "amount_fen": 100, "member": son}, "member"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as e:
            services.payment_record(household=family.household, paid_on=date(2025, 3, 1), by=cast.cadre_a, **kwargs)  # type: ignore[arg-type]
        assert e.value.field == field, kwargs
    services.payment_record(
        programme=dibao,
        household=family.household,
        period="2025-03",
        amount_fen=100,
        paid_on=date(2025, 3, 1),
        by=cast.cadre_a,
    )
    with pytest.raises(InvalidInput) as e:
        services.payment_record(
            programme=dibao,
            household=family.household,
            period="2025-03",
            amount_fen=100,
            paid_on=date(2025, 3, 1),
            by=cast.cadre_a,
        )
    assert "already recorded" in e.value.message
    assert Payment.objects.count() == 1


def test_it_refuses_a_payment_by_a_supervisor(cast: Cast, family: Family) -> None:
    with pytest.raises(NotPermitted):
        services.payment_record(
            programme=programme("dibao"),
            household=family.household,
            period="2025-03",
            amount_fen=100,
            paid_on=date(2025, 3, 1),
            by=cast.supervisor_a,
        )


def test_it_links_a_payment_to_the_approved_case_of_its_item(cast: Cast, family: Family) -> None:
    from sunlit.welfare.tests.conftest import make_case

    case = make_case(cast)
    payment = services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-03",
        amount_fen=100,
        paid_on=date(2025, 3, 1),
        case=case,
        by=cast.cadre_a,
    )
    assert payment.case == case
    for bad, words in (
        (make_case(cast, seq=6, state="open"), "not approved"),
        (make_case(cast, seq=7, code="BM-02"), "item BM-02"),
        (make_case(cast, seq=8, village=cast.village_b), "another village"),
    ):
        with pytest.raises(InvalidInput) as e:
            services.payment_record(
                programme=programme("dibao"),
                household=family.household,
                period="2025-04",
                amount_fen=100,
                paid_on=date(2025, 4, 1),
                case=bad,
                by=cast.cadre_a,
            )
        assert words in e.value.message and e.value.field == "case"


def _pay_dibao(cast: Cast, family: Family, case: Any) -> Payment:
    return services.payment_record(
        programme=programme("dibao"),
        household=family.household,
        period="2025-05",
        amount_fen=100,
        paid_on=date(2025, 5, 1),
        case=case,
        by=cast.cadre_a,
    )


@pytest.mark.parametrize("state", ["open", "paused", "rejected", "withdrawn"])
def test_it_refuses_a_payment_citing_a_case_that_is_not_approved(cast: Cast, family: Family, state: str) -> None:
    from sunlit.welfare.tests.conftest import make_case

    with pytest.raises(InvalidInput, match="is not approved"):
        _pay_dibao(cast, family, make_case(cast, seq=9, state=state))
    assert not Payment.objects.exists()


def test_it_refuses_a_payment_citing_a_case_of_another_village(cast: Cast, family: Family) -> None:
    from sunlit.welfare.tests.conftest import make_case

    with pytest.raises(InvalidInput, match="belongs to another village"):
        _pay_dibao(cast, family, make_case(cast, seq=9, village=cast.village_b))
    assert not Payment.objects.exists()


def test_it_refuses_a_payment_citing_a_case_of_an_item_that_may_not_authorise_it(cast: Cast, family: Family) -> None:
    from sunlit.welfare.tests.conftest import make_case

    # Extreme-poverty support (BM-09) authorises tekun payments, not dibao ones.
    tekun = make_case(cast, seq=9, code="BM-09")
    with pytest.raises(InvalidInput) as e:
        _pay_dibao(cast, family, tekun)
    assert "item BM-09" in e.value.message and "welfare.payment:dibao" in e.value.message
    # The programme's own item, when the list does not let it authorise dibao payments:
    # the list decides, not the programmes file.
    listed = make_case(cast, seq=10, code="BM-01", authorises=("finance.voucher",))
    with pytest.raises(InvalidInput, match=r"welfare\.payment:dibao"):
        _pay_dibao(cast, family, listed)
    assert not Payment.objects.exists()


def test_it_says_why_a_case_does_not_authorise_for_the_import(cast: Cast) -> None:
    from sunlit.welfare.tests.conftest import make_case

    dibao = programme("dibao")
    assert services.check_case(None, village_code=VILLAGE_A, programme=dibao) == ""
    case = make_case(cast)
    assert services.check_case(case, village_code=VILLAGE_A, programme=dibao) == ""
    assert "another village" in services.check_case(case, village_code=VILLAGE_B, programme=dibao)
    why = services.check_case(make_case(cast, seq=6, code="BM-09"), village_code=VILLAGE_A, programme=dibao)
    assert "item BM-09" in why


def test_it_notes_programmes_whose_item_does_not_authorise_their_payments(db: None) -> None:
    from sunlit.powers.services import default_source, powers_load
    from sunlit.welfare import programmes as file

    specs = file.parse(file.default_source())
    assert file.unauthorised(specs) == []  # no list loaded yet
    powers_load(source=default_source(), label="2024", by=None)
    assert file.unauthorised(specs) == []
    assert file.purpose("dibao") == "welfare.payment:dibao"
    moved = [replace(s, item="BM-09") if s.code == "dibao" else s for s in specs]
    assert file.unauthorised(moved) == ["dibao"]
