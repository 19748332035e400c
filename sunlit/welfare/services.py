"""Every write of the welfare room: atomic, jurisdiction-checked, audit-logged.

`by=None` is the system (the demo, a command run without --user): no jurisdiction check.
No audit detail ever holds a full ID number: the last four characters at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.cases.selectors import NotAuthorised, case_authorising
from sunlit.lib import idnumbers
from sunlit.lib.errors import InvalidInput
from sunlit.regions import codes
from sunlit.regions import selectors as region_selectors
from sunlit.regions.models import Region
from sunlit.transparency import selectors as tsel
from sunlit.welfare import programmes as programme_file
from sunlit.welfare import publication
from sunlit.welfare.models import (
    PERIOD,
    Channel,
    Household,
    Member,
    Payment,
    Per,
    Programme,
    Relation,
    RelativeDeclaration,
    Status,
)
from sunlit.welfare.publication import mask

if TYPE_CHECKING:
    from sunlit.accounts.models import User
    from sunlit.cases.models import Case

MAX_AMOUNT_FEN = 10_000_000 * 100  # ten million yuan: beyond any village benefit


def _require(by: User | None, action: str, region_code: str) -> None:
    if by is not None:
        jurisdiction.require(by, action, region_code)


# --- programmes -----------------------------------------------------------------------------


@dataclass
class ProgrammesLoaded:
    created: int
    updated: int
    deactivated: int
    missing_items: list[str]
    # Programmes whose item, in the current power list, does not authorise their payments.
    unauthorised: list[str]


@transaction.atomic
def programmes_load(*, source: str, by: User | None) -> ProgrammesLoaded:
    """Make the programmes file's content the programmes (matched by code)."""
    if by is not None:
        for top in region_selectors.top_regions():
            jurisdiction.require(by, "welfare.programmes", top.code)
    specs = programme_file.parse(source)
    existing = {p.code: p for p in Programme.objects.all()}
    created = updated = 0
    for spec in specs:
        fields = {
            "short_zh": spec.short_zh,
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "item_code": spec.item,
            "rhythm": spec.rhythm,
            "per": spec.per,
            "position": spec.position,
            "active": True,
        }
        found = existing.get(spec.code)
        if found is None:
            Programme.objects.create(code=spec.code, **fields)
            created += 1
        elif any(getattr(found, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(found, k, v)
            found.save(update_fields=list(fields))
            updated += 1
    gone = Programme.objects.filter(active=True).exclude(code__in=[s.code for s in specs])
    deactivated = gone.update(active=False)
    missing = programme_file.missing_items(specs)
    unauthorised = programme_file.unauthorised(specs)
    if created or updated or deactivated:
        audit_record(
            action="welfare.programmes_load",
            by=by,
            object_type="welfare.programme",
            detail={
                "created": created,
                "updated": updated,
                "deactivated": deactivated,
                "missing_items": missing,
                "unauthorised": unauthorised,
            },
        )
    return ProgrammesLoaded(created, updated, deactivated, missing, unauthorised)


def ensure_programmes() -> None:
    """The shipped programmes, loaded once (the demo and the tests start from them)."""
    if not Programme.objects.exists():
        programmes_load(source=programme_file.default_source(), by=None)


# --- identity numbers -----------------------------------------------------------------------


@dataclass(frozen=True)
class SealedId:
    fingerprint: str
    sealed: str
    last4: str


def seal_id(value: object, *, field: str = "id_number") -> SealedId:
    number = idnumbers.normalize(value, field=field)
    return SealedId(idnumbers.fingerprint(number), idnumbers.seal(number), idnumbers.last4(number))


def _duplicate_message(other: Household, last4: str) -> str:
    # The other household by its number only: the person asking may not see its people.
    return _(
        "The ID number ending %(last4)s is already registered in household %(household)s: a person belongs "
        "to one household only. Move them out of it first."
    ) % {"last4": last4, "household": other.label}


def _check_unique(ids: Sequence[SealedId], *, household: Household | None = None) -> None:
    fingerprints = [i.fingerprint for i in ids]
    if len(set(fingerprints)) != len(fingerprints):
        raise InvalidInput(_("The same ID number is given for two members"), field="id_number")
    found = Member.objects.filter(id_fingerprint__in=fingerprints).select_related("household").order_by("id").first()
    if found is not None and (household is None or found.household_id != household.pk):
        raise InvalidInput(_duplicate_message(found.household, found.id_last4), field="id_number")


# --- households and members --------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    name: str
    relation: str
    id_number: str
    status: str = Status.ACTIVE
    status_on: date | None = None


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Enter the name"), field=field)
    if len(name) > 50:
        raise InvalidInput(_("A name has at most 50 characters"), field=field)
    return name


def _clean_status(status: str, status_on: date | None) -> tuple[str, date | None]:
    if status not in Status.values:
        raise InvalidInput(_("Unknown status %(s)r") % {"s": status}, field="status")
    if status != Status.ACTIVE and status_on is None:
        raise InvalidInput(_("A member who moved out or died needs the date"), field="status_on")
    if status_on is not None and status_on > timezone.localdate():
        raise InvalidInput(_("The date is in the future"), field="status_on")
    return status, (status_on if status != Status.ACTIVE else None)


def _card(card_last4: str) -> str:
    card_last4 = (card_last4 or "").strip()
    if card_last4 and (len(card_last4) != 4 or not (card_last4.isascii() and card_last4.isdigit())):
        raise InvalidInput(_("Give the last four digits of the one-card account"), field="card_last4")
    return card_last4


def _village(code: str) -> Region:
    region = Region.objects.filter(code=code, level=codes.VILLAGE).first()
    if region is None:
        raise InvalidInput(_("There is no village %(code)s") % {"code": code}, field="village")
    return region


@transaction.atomic
def household_create(
    *, village_code: str, number: str, card_last4: str = "", members: Sequence[MemberInput], by: User | None
) -> Household:
    """A household with its members; the first member is its head."""
    _require(by, "welfare.record", village_code)
    village = _village(village_code)
    number = (number or "").strip()
    if not number or len(number) > 20:
        raise InvalidInput(_("Give the household number (at most 20 characters)"), field="number")
    if Household.objects.filter(village=village, number=number).exists():
        raise InvalidInput(_("Household %(n)s already exists in this village") % {"n": number}, field="number")
    if not members:
        raise InvalidInput(_("A household needs at least its head"), field="members")
    ids = [seal_id(m.id_number) for m in members]
    _check_unique(ids)
    relations = [m.relation for m in members]
    if relations.count(Relation.HEAD) != 1 or relations[0] != Relation.HEAD:
        raise InvalidInput(_("The first member is the head of household, and there is only one head"), field="relation")
    household = Household.objects.create(
        county_code=codes.county_of(village_code),
        village=village,
        number=number,
        card_last4=_card(card_last4),
        created_at=timezone.now(),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    for position, (m, sid) in enumerate(zip(members, ids, strict=True)):
        _member_row(household, m, sid, position)
    audit_record(
        action="welfare.household_create",
        by=by,
        obj=household,
        region_code=village_code,
        detail={"number": number, "members": len(members), "id_last4": [i.last4 for i in ids]},
    )
    return household


def _member_row(household: Household, m: MemberInput, sid: SealedId, position: int) -> Member:
    if m.relation not in Relation.values:
        raise InvalidInput(_("Unknown relation %(r)r") % {"r": m.relation}, field="relation")
    status, status_on = _clean_status(m.status, m.status_on)
    try:
        with transaction.atomic():
            return Member.objects.create(
                household=household,
                name=_clean_name(m.name),
                relation=m.relation,
                id_fingerprint=sid.fingerprint,
                id_sealed=sid.sealed,
                id_last4=sid.last4,
                status=status,
                status_on=status_on,
                position=position,
            )
    except IntegrityError:
        # Another household registered the same number in the meantime.
        other = Member.objects.select_related("household").get(id_fingerprint=sid.fingerprint).household
        raise InvalidInput(_duplicate_message(other, sid.last4), field="id_number") from None


@transaction.atomic
def member_add(*, household: Household, member: MemberInput, by: User | None) -> Member:
    _require(by, "welfare.record", household.village_id)
    sid = seal_id(member.id_number)
    _check_unique([sid])
    if member.relation == Relation.HEAD:
        raise InvalidInput(_("The household has its head already"), field="relation")
    position = (household.members.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    row = _member_row(household, member, sid, position)
    _relative_marks(fingerprints=[sid.fingerprint])
    audit_record(
        action="welfare.member_add",
        by=by,
        obj=row,
        region_code=household.village_id,
        detail={"household": household.label, "id_last4": sid.last4},
    )
    return row


@transaction.atomic
def member_status_set(*, member: Member, status: str, on: date | None, by: User | None) -> Member:
    household = member.household
    _require(by, "welfare.record", household.village_id)
    member.status, member.status_on = _clean_status(status, on)
    member.save(update_fields=["status", "status_on"])
    audit_record(
        action="welfare.member_status",
        by=by,
        obj=member,
        region_code=household.village_id,
        detail={
            "household": household.label,
            "status": member.status,
            "on": member.status_on.isoformat() if member.status_on else None,
        },
    )
    return member


@transaction.atomic
def household_status_set(*, household: Household, status: str, on: date | None, by: User | None) -> Household:
    _require(by, "welfare.record", household.village_id)
    if status == Status.DECEASED:
        raise InvalidInput(_("A household moves out; its members die"), field="status")
    household.status, household.status_on = _clean_status(status, on)
    household.save(update_fields=["status", "status_on"])
    audit_record(
        action="welfare.household_status",
        by=by,
        obj=household,
        region_code=household.village_id,
        detail={"status": household.status, "on": household.status_on.isoformat() if household.status_on else None},
    )
    return household


# --- payments -----------------------------------------------------------------------------


def period_year(period: str) -> int:
    m = PERIOD.match(period or "")
    if not m:
        raise InvalidInput(_("A period is a year (2024), a month (2024-03) or a quarter (2024-Q1)"), field="period")
    return int(m.group(1))


def check_case(case: Case | None, *, village_code: str, programme: Programme) -> str:
    """Why `case` cannot authorise a payment of `programme` in the village ("" when it
    can, or when no case is cited). The check is the cases room's one; this shape serves
    the import, which lists problems by row."""
    if case is None:
        return ""
    try:
        case_authorising(purpose=programme_file.purpose(programme.code), village_code=village_code, case=case)
    except NotAuthorised as e:
        return e.message
    return ""


def marks_for(
    *, household: Household, member: Member | None, paid_on: date, members: Sequence[Member] | None = None
) -> tuple[bool, bool]:
    """(after_death, moved_out) for a payment made on `paid_on`.

    A personal payment is marked when its member died (or moved out) before it was paid;
    a household payment when its head died, or the household moved out, before it.
    """
    people = list(members) if members is not None else list(household.members.all())
    who = member or next((m for m in people if m.relation == Relation.HEAD), None)
    after_death = bool(who and who.status == Status.DECEASED and who.status_on and paid_on > who.status_on)
    moved = household.status == Status.MOVED_OUT and household.status_on is not None and paid_on > household.status_on
    moved = moved or bool(
        member and member.status == Status.MOVED_OUT and member.status_on and paid_on > member.status_on
    )
    return after_death, moved


def relative_for(fingerprints: Sequence[str]) -> RelativeDeclaration | None:
    return (
        RelativeDeclaration.objects.filter(id_fingerprint__in=list(fingerprints), withdrawn_at__isnull=True)
        .order_by("declared_at", "id")
        .first()
    )


@transaction.atomic
def payment_record(
    *,
    programme: Programme,
    household: Household,
    member: Member | None = None,
    period: str,
    amount_fen: int,
    paid_on: date,
    channel: str = Channel.CARD,
    case: Case | None = None,
    by: User | None,
) -> Payment:
    """Record a payment. A payment to a deceased member after the date of death, or to a
    household that moved out, is accepted and marked; so is one to a declared relative
    of a cadre (it enters the review queue)."""
    village_code = household.village_id
    _require(by, "welfare.record", village_code)
    if not programme.active:
        raise InvalidInput(_("%(p)s is no longer paid") % {"p": programme.short_zh}, field="programme")
    if member is not None and member.household_id != household.pk:
        raise InvalidInput(_("This person is not a member of the household"), field="member")
    if programme.per == Per.MEMBER and member is None:
        raise InvalidInput(
            _("%(p)s is paid to a person: choose the member") % {"p": programme.short_zh}, field="member"
        )
    if programme.per == Per.HOUSEHOLD and member is not None:
        raise InvalidInput(
            _("%(p)s is paid to the household, not to one member") % {"p": programme.short_zh}, field="member"
        )
    year = period_year(period)
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise InvalidInput(_("The amount must be more than zero"), field="amount")
    if amount_fen > MAX_AMOUNT_FEN:
        raise InvalidInput(_("The amount is implausibly large"), field="amount")
    if paid_on > timezone.localdate():
        raise InvalidInput(_("The payment date is in the future"), field="paid_on")
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel %(c)r") % {"c": channel}, field="channel")
    if case is not None:
        case_authorising(purpose=programme_file.purpose(programme.code), village_code=village_code, case=case)
    same = Payment.objects.filter(programme=programme, household=household, member=member, period=period)
    if same.exists():
        raise InvalidInput(
            _("%(p)s for %(period)s is already recorded for this household")
            % {"p": programme.short_zh, "period": period},
            field="period",
        )
    people = list(household.members.all())
    after_death, moved = marks_for(household=household, member=member, paid_on=paid_on, members=people)
    fingerprints = [member.id_fingerprint] if member else [m.id_fingerprint for m in people]
    relative = relative_for(fingerprints)
    payment = Payment.objects.create(
        county_code=household.county_code,
        village_code=village_code,
        programme=programme,
        household=household,
        member=member,
        period=period,
        year=year,
        amount_fen=amount_fen,
        paid_on=paid_on,
        channel=channel,
        case=case,
        after_death=after_death,
        moved_out=moved,
        relative=relative,
        recorded_at=timezone.now(),
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(
        action="welfare.payment_record",
        by=by,
        obj=payment,
        region_code=village_code,
        detail={
            "programme": programme.code,
            "household": household.label,
            "period": period,
            "amount_fen": amount_fen,
            "paid_on": paid_on.isoformat(),
            "case": case.number if case else None,
            "after_death": after_death,
            "moved_out": moved,
            "relative": relative is not None,
        },
    )
    return payment


# --- the relatives register -------------------------------------------------------------


def _relative_marks(*, fingerprints: Sequence[str]) -> int:
    """Mark the unmarked payments that reach a declared relative (personally, or through
    their household). Returns how many were marked."""
    marked = 0
    for declaration in RelativeDeclaration.objects.filter(
        id_fingerprint__in=list(fingerprints), withdrawn_at__isnull=True
    ).order_by("declared_at"):
        person = Member.objects.filter(id_fingerprint=declaration.id_fingerprint).first()
        if person is None:
            continue
        reach = Q(member=person) | Q(household_id=person.household_id, member__isnull=True)
        marked += Payment.objects.filter(reach, relative__isnull=True).update(relative=declaration)
    return marked


@transaction.atomic
def relative_declare(*, village_code: str, name: str, relation: str, id_number: str, by: User) -> RelativeDeclaration:
    """A cadre declares a close relative; payments to them, past and future, are marked."""
    jurisdiction.require(by, "welfare.declare", village_code)
    village = _village(village_code)
    sid = seal_id(id_number)
    relation = " ".join((relation or "").split())
    if not relation or len(relation) > 40:
        raise InvalidInput(_("Say how they are related to you (at most 40 characters)"), field="relation")
    if RelativeDeclaration.objects.filter(cadre=by, id_fingerprint=sid.fingerprint, withdrawn_at__isnull=True).exists():
        raise InvalidInput(_("You have declared this person already"), field="id_number")
    declaration = RelativeDeclaration.objects.create(
        cadre=by,
        village=village,
        name=_clean_name(name),
        relation=relation,
        id_fingerprint=sid.fingerprint,
        id_sealed=sid.sealed,
        id_last4=sid.last4,
        declared_at=timezone.now(),
    )
    marked = _relative_marks(fingerprints=[sid.fingerprint])
    audit_record(
        action="welfare.relative_declare",
        by=by,
        obj=declaration,
        region_code=village_code,
        detail={"id_last4": sid.last4, "relation": relation, "payments_marked": marked},
    )
    return declaration


@transaction.atomic
def relative_withdraw(*, declaration: RelativeDeclaration, by: User) -> RelativeDeclaration:
    """A declaration ends (the relation ended, or it was a mistake); past marks stay."""
    if declaration.cadre_id != by.pk:
        jurisdiction.require(by, "welfare.relatives", declaration.village_id)
    if declaration.withdrawn_at is None:
        declaration.withdrawn_at = timezone.now()
        declaration.save(update_fields=["withdrawn_at"])
        audit_record(
            action="welfare.relative_withdraw",
            by=by,
            obj=declaration,
            region_code=declaration.village_id,
            detail={"id_last4": declaration.id_last4},
        )
    return declaration


# --- public lists ---------------------------------------------------------------------------


@transaction.atomic
def list_publish(*, village_code: str, programme: Programme, year: int, by: User | None, reason: str = "") -> Any:
    """Publish the village's list of `programme` for `year` (masked: see publication.py)."""

    _require(by, "welfare.publish", village_code)
    snapshot = publication.list_snapshot(village_code=village_code, programme=programme, year=year)
    if not snapshot["rows"]:
        raise InvalidInput(
            _("Nothing was paid under %(p)s in %(y)d: there is no list to publish")
            % {"p": programme.short_zh, "y": year},
            field="year",
        )

    ref = publication.ref(village_code, programme.code, year)
    earlier = tsel.current(publication.KIND, ref)
    if earlier is not None and earlier.snapshot_sha256 != publication.digest(snapshot) and not reason:
        reason = _("Payments recorded since the previous version")
    entry = publication.publish_snapshot(village_code=village_code, ref=ref, snapshot=snapshot, by=by, reason=reason)
    publication.derive(entry, snapshot)
    return entry


# --- the self-check ("has my subsidy arrived?") -------------------------------------------


@dataclass
class CheckedMember:
    name: str
    relation: str
    status: str
    is_self: bool
    id_last4: str


@dataclass
class CheckedPayment:
    programme: str
    period: str
    amount_fen: int
    paid_on: date
    channel: str
    to: str


@dataclass
class CheckResult:
    village: Region
    members: list[CheckedMember]
    payments: list[CheckedPayment]


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def self_check_refused(*, reason: str, ip: str, device: str, layout: str) -> None:
    """Log a lookup that was not carried out: "blocked" (too many tries) or "malformed"
    (no name, or a number that is not an ID number). Nothing of what was typed is kept."""
    audit_record(
        action="welfare.self_check",
        by=None,
        object_type="welfare.household",
        detail={"found": False, "refused": reason, "ip": ip, "device": device[:12], "layout": layout},
    )


def self_check(*, id_number: str, name: str, ip: str, device: str, layout: str) -> CheckResult | None:
    """The household's payments when the ID number and the name belong to one member;
    None otherwise, whether the number is unknown or the name wrong (no enumeration:
    both run the same queries). Every lookup is audit-logged with a fingerprint of the
    number, never the number."""

    number = idnumbers.normalize(id_number)
    fp = idnumbers.fingerprint(number)
    name = " ".join((name or "").split())
    member = Member.objects.select_related("household", "household__village").filter(id_fingerprint=fp).first()
    matched = member is not None and bool(name) and _same_name(member.name, name)
    # The same two reads whether or not anything matched, so that the answer takes as long.
    household_id = member.household_id if (matched and member is not None) else -1
    people = list(Member.objects.filter(household_id=household_id).order_by("position", "id"))
    payments = list(
        Payment.objects.filter(household_id=household_id)
        .select_related("programme", "member")
        .order_by("-paid_on", "-id")[:500]
    )
    audit_record(
        action="welfare.self_check",
        by=None,
        object_type="welfare.household",
        object_id=str(household_id) if matched else "",
        region_code=member.household.village_id if (matched and member is not None) else "",
        detail={"found": matched, "id_fingerprint": fp[:16], "ip": ip, "device": device[:12], "layout": layout},
    )
    if not matched or member is None:
        return None
    relations = dict(Relation.choices)
    statuses = dict(Status.choices)
    members = [
        CheckedMember(
            name=m.name if m.pk == member.pk else mask(m.name, "surname"),
            relation=str(relations.get(m.relation, "")),
            status="" if m.status == Status.ACTIVE else str(statuses.get(m.status, "")),
            is_self=m.pk == member.pk,
            id_last4=m.id_last4 if m.pk == member.pk else "",
        )
        for m in people
    ]
    channels = dict(Channel.choices)
    out = [
        CheckedPayment(
            programme=p.programme.name,
            period=p.period,
            amount_fen=p.amount_fen,
            paid_on=p.paid_on,
            channel=str(channels.get(p.channel, "")),
            to=(p.member.name if p.member_id == member.pk else mask(p.member.name, "surname")) if p.member else "",
        )
        for p in payments
    ]
    return CheckResult(village=member.household.village, members=members, payments=out)
