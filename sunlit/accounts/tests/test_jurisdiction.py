from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role
from sunlit.accounts.services import membership_grant
from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast, make_user
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.regions.models import Region


def test_it_allows_a_cadre_only_in_his_village(cast: Cast) -> None:
    assert jurisdiction.can(cast.cadre_a, "record.create", VILLAGE_A)
    assert not jurisdiction.can(cast.cadre_a, "record.create", VILLAGE_B)
    assert not jurisdiction.can(cast.cadre_a, "record.create", TOWNSHIP_A)


def test_it_covers_the_whole_subtree_of_a_township_membership(cast: Cast) -> None:
    assert jurisdiction.can(cast.official, "record.approve", VILLAGE_A)
    assert jurisdiction.can(cast.official, "record.approve", VILLAGE_B)
    assert not jurisdiction.can(cast.official, "record.approve", VILLAGE_C)


def test_it_does_not_let_a_supervisor_edit_what_he_reviews(cast: Cast) -> None:
    assert jurisdiction.can(cast.supervisor_a, "record.review", VILLAGE_A)
    assert not jurisdiction.can(cast.supervisor_a, "record.edit", VILLAGE_A)
    assert not jurisdiction.can(cast.supervisor_a, "record.create", VILLAGE_A)


def test_it_scopes_querysets_to_the_persons_regions(cast: Cast) -> None:
    qs = jurisdiction.scope(Region.objects.all(), cast.official, "region.view", field="code")
    assert set(qs.values_list("code", flat=True)) == {TOWNSHIP_A, VILLAGE_A, VILLAGE_B}
    assert not jurisdiction.scope(Region.objects.all(), cast.cadre_a, "audit.view", field="code").exists()


def test_it_ignores_expired_and_future_memberships(regions: dict) -> None:
    today = timezone.localdate()
    old = make_user("old_cadre", "钱勇", Role.CADRE, VILLAGE_A, starts_on=date(2020, 1, 1))
    Membership.objects.filter(user=old).update(ends_on=today - timedelta(days=1))
    future = make_user("new_cadre", "郑华", Role.CADRE, VILLAGE_A, starts_on=today + timedelta(days=3))
    assert not jurisdiction.can(old, "record.create", VILLAGE_A)
    assert not jurisdiction.can(future, "record.create", VILLAGE_A)


def test_it_refuses_anonymous_and_inactive_people(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not jurisdiction.can(AnonymousUser(), "region.view", VILLAGE_A)
    cast.cadre_a.is_active = False
    assert not jurisdiction.can(cast.cadre_a, "region.view", VILLAGE_A)


def test_it_refuses_an_unknown_action(cast: Cast) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        jurisdiction.can(cast.admin, "everything", VILLAGE_A)


def test_it_refuses_to_let_anyone_approve_their_own_record(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        jurisdiction.require_not_own(cast.official, cast.official.pk)
    jurisdiction.require_not_own(cast.official, cast.cadre_a.pk)


def test_it_refuses_a_grant_outside_the_granters_jurisdiction(cast: Cast) -> None:
    township_admin = make_user("admin_a", "冯刚", Role.ADMIN, TOWNSHIP_A)
    with pytest.raises(NotPermitted, match=VILLAGE_C):
        membership_grant(
            user=cast.cadre_b, role=Role.CADRE, region_code=VILLAGE_C, starts_on=date(2025, 1, 1), by=township_admin
        )
    membership_grant(
        user=cast.cadre_b, role=Role.CADRE, region_code=VILLAGE_A, starts_on=date(2025, 1, 1), by=township_admin
    )


def test_it_refuses_an_already_expired_or_inverted_membership(cast: Cast) -> None:
    with pytest.raises(InvalidInput, match="already have ended"):
        membership_grant(
            user=cast.cadre_b,
            role=Role.CADRE,
            region_code=VILLAGE_B,
            starts_on=date(2020, 1, 1),
            ends_on=date(2021, 1, 1),
            by=cast.admin,
        )
    with pytest.raises(InvalidInput, match="end before it starts"):
        membership_grant(
            user=cast.cadre_b,
            role=Role.CADRE,
            region_code=VILLAGE_B,
            starts_on=date(2030, 1, 1),
            ends_on=date(2029, 1, 1),
            by=cast.admin,
        )


def test_it_refuses_unknown_roles_and_regions(cast: Cast) -> None:
    with pytest.raises(InvalidInput, match="Unknown role"):
        membership_grant(
            user=cast.cadre_b, role="king", region_code=VILLAGE_B, starts_on=date(2025, 1, 1), by=cast.admin
        )
    with pytest.raises(InvalidInput, match="Unknown region"):
        membership_grant(
            user=cast.cadre_b, role=Role.CADRE, region_code="431382999999", starts_on=date(2025, 1, 1), by=cast.admin
        )


def test_it_audits_every_grant_with_who_and_where(cast: Cast) -> None:
    from sunlit.audit.models import AuditEvent

    membership_grant(
        user=cast.cadre_b, role=Role.SUPERVISOR, region_code=COUNTY, starts_on=date(2025, 1, 1), by=cast.admin
    )
    event = AuditEvent.objects.filter(action="membership.grant").latest("id")
    assert event.actor == cast.admin and event.region_code == COUNTY
    assert event.detail["role"] == Role.SUPERVISOR


def test_it_checks_a_role_at_a_level_for_flow_steps(cast: Cast) -> None:
    assert jurisdiction.holds_role(cast.cadre_a, Role.CADRE, VILLAGE_A, "village")
    assert not jurisdiction.holds_role(cast.cadre_a, Role.CADRE, VILLAGE_B, "village")
    assert not jurisdiction.holds_role(cast.cadre_a, Role.TOWNSHIP_OFFICIAL, VILLAGE_A, "township")
    assert jurisdiction.holds_role(cast.official, Role.TOWNSHIP_OFFICIAL, VILLAGE_A, "township")
    # A township official does not reach a county-level step.
    assert not jurisdiction.holds_role(cast.official, Role.TOWNSHIP_OFFICIAL, VILLAGE_A, "county")
    county_official = make_user("county_civil", "民政局", Role.TOWNSHIP_OFFICIAL, COUNTY)
    assert jurisdiction.holds_role(county_official, Role.TOWNSHIP_OFFICIAL, VILLAGE_A, "county")
    assert jurisdiction.holds_role(county_official, Role.TOWNSHIP_OFFICIAL, VILLAGE_A, "township")
