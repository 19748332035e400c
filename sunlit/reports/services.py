"""Every write of the reports room. Anonymous reporters act with by=None and leave no
address in the audit log; officials act only on reports jurisdiction lets them see."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role, User
from sunlit.audit.context import Origin, current_origin
from sunlit.audit.services import audit_record, audit_view
from sunlit.lib import validate
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.lib.notify import notify
from sunlit.lib.uploads import clean_upload
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.reports import publication, receipts, records, sms
from sunlit.reports.models import (
    Author,
    Category,
    Channel,
    ConflictReason,
    Event,
    File,
    Finding,
    Message,
    PhoneCheck,
    Report,
    ReportConflict,
    State,
)
from sunlit.reports.selectors import under_review_refresh
from sunlit.workdays import calendar

logger = logging.getLogger("sunlit.reports")

MAX_TEXT = 5000
MAX_FILES = 5
# A retry with the same idempotency key shows the receipt again only this long after
# filing: long enough for a flaky connection, short enough that a draft left on a kiosk
# does not give the next person the receipt.
REPLAY_WINDOW = timedelta(hours=1)
PHONE_CODE_MINUTES = 15
PHONE_CODE_ATTEMPTS = 5
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")


@dataclass(frozen=True)
class Filed:
    report: Report
    receipt: str
    created: bool


@contextlib.contextmanager
def _no_origin() -> Iterator[None]:
    # A reporter's IP address and browser must not reach the audit log, which
    # administrators read: an address on a village network names a household.
    token = current_origin.set(Origin())
    try:
        yield
    finally:
        current_origin.reset(token)


def _event(
    report: Report, kind: str, *, by: User | None = None, state: str = "", detail: str = "", public: bool = False
) -> None:
    Event.objects.create(report=report, at=timezone.now(), kind=kind, by=by, state=state, detail=detail, public=public)


def _store_files(report: Report, files: Sequence[tuple[str, bytes]], *, from_reporter: bool) -> None:
    for name, data in files:
        cleaned = clean_upload(data=data, filename=name)
        File.objects.create(
            report=report,
            name=(name or "file")[-120:],
            content_type=cleaned.content_type,
            size=cleaned.size,
            clean_copy=cleaned.content,
            clean_sha256=cleaned.sha256,
            sealed=data,
            sealed_sha256=hashlib.sha256(data).hexdigest(),
            from_reporter=from_reporter,
            at=timezone.now(),
        )


def _clean_files(files: Sequence[tuple[str, bytes]]) -> None:
    # Checked before the report is written, so a bad photo refuses the whole filing
    # with a message instead of storing half of it.
    if len(files) > MAX_FILES:
        raise InvalidInput(_("At most %(n)d files can be attached") % {"n": MAX_FILES}, field="files")
    for name, data in files:
        clean_upload(data=data, filename=name)


def _phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if phone and not _PHONE.match(phone):
        raise InvalidInput(_("The phone number must be an 11-digit mobile number"), field="phone")
    return phone


def _fingerprint(
    *, category: str, record: records.Record, text: str, name: str, phone: str, exclude: Sequence[int]
) -> str:
    # What the villager wrote and chose; photos are compared apart (`_replay`), because a
    # reloaded page cannot send them again.
    canonical = json.dumps(
        [category, record.kind, record.ref, text, name, phone, sorted(set(exclude))], ensure_ascii=False
    )
    return receipts._mac(b"filing", canonical.encode()).hex()


def report_file(
    *,
    category: str,
    record_kind: str,
    record_ref: str,
    text: str,
    idempotency_key: str,
    device: str,
    name: str = "",
    phone: str = "",
    exclude: Sequence[int] = (),
    files: Sequence[tuple[str, bytes]] = (),
    channel: str = Channel.PORTAL,
    by: User | None = None,
) -> Filed:
    """File a report. `idempotency_key` is the one the form was rendered with for `device`
    (receipts.form_key): a key from anywhere else is refused. Sending the same form again
    from the same device returns the same report and receipt (never a second report); the
    same key with other words is refused, never merged."""
    if not receipts.key_bound(idempotency_key, device):
        raise InvalidInput(
            _("This form was not opened on this device, or it has expired. Here is a new one: please send it again."),
            field="key",
        )
    if category not in Category.values:
        raise InvalidInput(_("Choose what the report is about"), field="category")
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel"), field="channel")
    text = validate.text(text, "text", _("What happened"), MAX_TEXT)
    name = validate.text(name, "name", _("Name"), 60, required=False)
    phone = _phone(phone)
    if name and not phone:
        raise InvalidInput(_("A named report needs a phone number to confirm it"), field="phone")
    record = records.resolve(record_kind, record_ref)
    _clean_files(files)
    exclude = sorted({int(i) for i in exclude})
    fingerprint = _fingerprint(category=category, record=record, text=text, name=name, phone=phone, exclude=exclude)
    sent = {hashlib.sha256(data).hexdigest() for _name, data in files}
    key_hash = receipts.idempotency_hash(idempotency_key)
    existing = Report.objects.filter(idempotency_hash=key_hash).first()
    if existing is not None:
        return _replay(existing, idempotency_key, fingerprint, sent)
    receipt = receipts.receipt_for(idempotency_key)
    digest = receipts.receipt_hash(receipt)
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                public_id=secrets.token_hex(8),
                county_code=record.county_code,
                township_code=record.township_code,
                subject_code=record.subject_code,
                office_code=record.office_code,
                category=category,
                record_kind=record.kind,
                record_ref=record.ref,
                record_label=record.label[:200],
                text=text,
                reporter_name=name,
                reporter_phone=phone,
                channel=channel,
                receipt_hash=digest,
                idempotency_hash=key_hash,
                fingerprint=fingerprint,
                received_at=now,
                received_on=today,
                accept_due_on=calendar.add_working_days(today, settings.SUNLIT_REPORTS_ACCEPT_DAYS),
            )
            _store_files(report, files, from_reporter=True)
            wanted = User.objects.filter(pk__in=exclude, is_active=True)
            for person in wanted:
                ReportConflict.objects.create(report=report, user=person, reason=ConflictReason.EXCLUDED, at=now)
            _event(report, "filed", state=State.RECEIVED, public=True)
            _route_to_a_free_office(report)
            with _no_origin():
                audit_record(
                    action="report.file",
                    by=None,
                    obj=report,
                    region_code=report.office_code,
                    detail={"category": category, "channel": channel, "files": len(files), "named": bool(name)},
                )
            if phone:
                _phone_send(report)
    except IntegrityError:
        # Two copies of one filing raced (a double tap, a retry while the first was
        # still being written): the other one won; answer with it.
        existing = Report.objects.filter(idempotency_hash=key_hash).first()
        if existing is None:
            raise
        return _replay(existing, idempotency_key, fingerprint, sent)
    return Filed(report=report, receipt=receipt, created=True)


# Where a report no inspector of its office may handle goes: up to the county-level city,
# then the prefecture (the levels whose offices can take over a township's reports).
REROUTE_LEVELS = (codes.COUNTY, codes.PREFECTURE)


def _free_inspectors(office_code: str, report: Report) -> tuple[int, int]:
    """(inspectors of the office itself, how many of them may handle this report)."""
    staff = [
        m.user
        for m in Membership.objects.active().filter(role=Role.INSPECTOR, region_id=office_code).select_related("user")
        if m.user.is_active
    ]
    return len(staff), sum(1 for person in staff if jurisdiction.may_see_report(person, report))


def _route_to_a_free_office(report: Report) -> None:
    """A report that no inspector of its office may handle — the reporter excluded them,
    each has a conflict, or the office has nobody — goes to the next office up that has
    someone, so that the receipt never promises a decision nobody can take. Recorded as a
    public event whose reason names nobody (`selectors.routing_note` words it)."""
    first = report.office_code
    reason = ""
    while True:
        staffed, free = _free_inspectors(report.office_code, report)
        if free:
            break
        reason = reason or ("conflict" if staffed else "vacant")
        above = codes.parent_code(report.office_code)
        if (
            above is None
            or codes.level_of(above) not in REROUTE_LEVELS
            or not Region.objects.filter(code=above).exists()
        ):
            logger.error("report %s: no inspector up to office %s may handle it", report.public_id, report.office_code)
            break
        report.office_code = above
    if report.office_code == first:
        return
    report.save(update_fields=["office_code"])
    _event(report, "rerouted", detail=f"{first} → {report.office_code}: {reason}", public=True)


def _replay(report: Report, key: str, fingerprint: str, sent: set[str]) -> Filed:
    """The same form sent again (a double tap, a retry after a lost answer): its receipt,
    only if it carries the same words and no photo the report does not already hold (a
    reloaded page sends the words without the photos). Anything else is another filing
    under a used key: refused, and nothing of it is kept."""
    if timezone.now() - report.received_at > REPLAY_WINDOW:
        raise InvalidInput(_("This report was already sent. Use its receipt to follow it."), field="key")
    held = set(report.files.filter(from_reporter=True).values_list("sealed_sha256", flat=True))
    if not report.fingerprint or not secrets.compare_digest(report.fingerprint, fingerprint) or not sent <= held:
        raise InvalidInput(
            _(
                "This form was already sent with other words, and nothing was changed. "
                "To report something else, send this new form."
            ),
            field="key",
        )
    return Filed(report=report, receipt=receipts.receipt_for(key), created=False)


def report_lookup(*, receipt: str) -> Report | None:
    """The report a (normalised) receipt opens, or None. Rate limiting is the caller's."""
    return Report.objects.filter(receipt_hash=receipts.receipt_hash(receipt)).first()


# --- The reporter's side -------------------------------------------------------------


def _phone_code_hash(report: Report, code: str) -> str:
    return receipts._mac(b"phone", f"{report.pk}:{code}".encode()).hex()


def _phone_send(report: Report) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCheck.objects.update_or_create(
        report=report,
        defaults={
            "code_hash": _phone_code_hash(report, code),
            "expires_at": timezone.now() + timedelta(minutes=PHONE_CODE_MINUTES),
            "attempts": 0,
        },
    )
    text = _("Sunlit: your confirmation code is %(code)s. Nobody from the office will ask you for it.") % {"code": code}

    def send() -> None:
        try:
            sms.gateway().send(report.reporter_phone, text)
        except Exception:
            logger.exception("sms gateway failed for report %s", report.public_id)

    transaction.on_commit(send)


def report_phone_confirm(*, report: Report, code: str) -> None:
    # The attempt is counted in its own transaction: a wrong code raises, and the
    # count must survive that (or the five-attempt limit would never bite).
    with transaction.atomic():
        check = PhoneCheck.objects.select_for_update().filter(report=report).first()
        if check is None or report.phone_confirmed:
            raise InvalidInput(_("There is no phone number waiting for confirmation"), field="code")
        if check.attempts >= PHONE_CODE_ATTEMPTS or check.expires_at < timezone.now():
            raise InvalidInput(_("The code has expired: ask for a new one"), field="code")
        check.attempts += 1
        check.save(update_fields=["attempts"])
        right = secrets.compare_digest(check.code_hash, _phone_code_hash(report, (code or "").strip()))
        if right:
            report.phone_confirmed = True
            report.save(update_fields=["phone_confirmed"])
            check.delete()
            _event(report, "phone_confirmed", public=True)
    if not right:
        raise InvalidInput(_("The code is not right"), field="code")


@transaction.atomic
def report_phone_resend(*, report: Report) -> None:
    if not report.reporter_phone or report.phone_confirmed:
        raise InvalidInput(_("There is no phone number waiting for confirmation"), field="code")
    _phone_send(report)


@transaction.atomic
def report_reporter_message(
    *, report: Report, body: str, files: Sequence[tuple[str, bytes]] = (), key: str = ""
) -> Message:
    """The reporter writes to the office, or adds evidence (files with an optional note).

    With the form's idempotency `key`, sending again (a retry after a lost connection)
    returns the message already stored instead of storing it twice."""
    client_key = receipts.idempotency_hash(key) if receipts.valid_key(key) else ""
    if client_key:
        existing = Message.objects.filter(report=report, client_key=client_key).first()
        if existing is not None:
            return existing
    body = validate.text(body, "body", _("Message"), MAX_TEXT, required=not files)
    _clean_files(files)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                report=report,
                author=Author.REPORTER,
                body=body or _("(evidence added)"),
                at=timezone.now(),
                client_key=client_key,
            )
            _store_files(report, files, from_reporter=True)
            with _no_origin():
                audit_record(
                    action="report.reporter_message",
                    by=None,
                    obj=report,
                    region_code=report.office_code,
                    detail={"files": len(files)},
                )
    except IntegrityError:
        # The same key sent twice at once: the other request stored it.
        return Message.objects.get(report=report, client_key=client_key)
    return message


def report_seen_by_reporter(*, report: Report) -> None:
    """The reporter opened the follow-up page: the office's messages are now read."""
    now = timezone.now()
    Message.objects.filter(report=report, author=Author.HANDLER, read_at__isnull=True).update(read_at=now)
    if report.state in (State.REPLIED, State.NOT_ACCEPTED) and report.reply_read_at is None:
        report.reply_read_at = now
        report.save(update_fields=["reply_read_at"])


@transaction.atomic
def report_rate(*, report: Report, rating: int, comment: str = "") -> None:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.state not in (State.REPLIED, State.NOT_ACCEPTED):
        raise InvalidInput(_("A reply can be rated once it has been given"), field="rating")
    if rating not in range(1, 6):
        raise InvalidInput(_("Choose from 1 to 5 stars"), field="rating")
    report.rating = rating
    report.rating_comment = validate.text(comment, "comment", _("Comment"), 500, required=False)
    report.state = State.RATED
    report.save(update_fields=["rating", "rating_comment", "state"])
    _event(report, "rated", state=State.RATED, public=True, detail=str(rating))
    with _no_origin():
        audit_record(
            action="report.rate", by=None, obj=report, region_code=report.office_code, detail={"rating": rating}
        )


# --- The office's side -----------------------------------------------------------------


def _require(report: Report, by: User) -> Report:
    if not jurisdiction.may_see_report(by, report):
        raise NotPermitted(_("You cannot handle this report"))
    return Report.objects.select_for_update().get(pk=report.pk)


def _require_state(report: Report, allowed: Sequence[str], action: str) -> None:
    if report.state not in allowed:
        raise InvalidInput(
            _("A report that is %(state)s cannot be %(action)s")
            % {"state": report.get_state_display(), "action": action},
            field="state",
        )


def _audit(report: Report, action: str, by: User, **detail: Any) -> None:
    audit_record(action=f"report.{action}", by=by, obj=report, region_code=report.office_code, detail=detail)


def report_view(*, report: Report, by: User) -> None:
    """An official opened the report: logged, and shown to the head of the office."""
    if not jurisdiction.may_see_report(by, report):
        raise NotPermitted(_("You cannot handle this report"))
    audit_view(by=by, obj=report, region_code=report.office_code)


@transaction.atomic
def report_accept(*, report: Report, by: User) -> Report:
    report = _require(report, by)
    _require_state(report, [State.RECEIVED], _("accepted"))
    today = timezone.localdate()
    report.state = State.ACCEPTED
    report.accepted_on = today
    report.reply_due_on = calendar.add_working_days(today, settings.SUNLIT_REPORTS_REPLY_DAYS)
    report.save(update_fields=["state", "accepted_on", "reply_due_on"])
    _event(report, "accepted", by=by, state=State.ACCEPTED, public=True)
    _audit(report, "accept", by)
    return report


@transaction.atomic
def report_refuse(*, report: Report, reason: str, by: User) -> Report:
    report = _require(report, by)
    _require_state(report, [State.RECEIVED], _("refused"))
    reason = validate.text(reason, "reason", _("Reason"), 2000)
    today = timezone.localdate()
    report.state = State.NOT_ACCEPTED
    report.not_accepted_reason = reason
    report.replied_on = today
    report.under_review = False
    report.save(update_fields=["state", "not_accepted_reason", "replied_on", "under_review"])
    _forget_marks()
    _event(report, "not_accepted", by=by, state=State.NOT_ACCEPTED, detail=reason, public=True)
    _audit(report, "refuse", by)
    return report


@transaction.atomic
def report_investigate(*, report: Report, by: User) -> Report:
    report = _require(report, by)
    _require_state(report, [State.ACCEPTED], _("investigated"))
    report.state = State.INVESTIGATING
    report.save(update_fields=["state"])
    _event(report, "investigating", by=by, state=State.INVESTIGATING, public=True)
    _audit(report, "investigate", by)
    return report


@transaction.atomic
def report_conclude(*, report: Report, finding: str, summary: str, by: User) -> Report:
    report = _require(report, by)
    _require_state(report, [State.ACCEPTED, State.INVESTIGATING], _("concluded"))
    if finding not in Finding.values:
        raise InvalidInput(_("Choose a finding"), field="finding")
    summary = validate.text(summary, "summary", pgettext("report", "Summary"), MAX_TEXT)
    report.state = State.CONCLUDED
    report.finding = finding
    report.save(update_fields=["state", "finding"])
    _event(report, "concluded", by=by, state=State.CONCLUDED, public=True)
    # The investigation's summary is for the file, not for the reporter: the reply is.
    Message.objects.create(report=report, author=Author.NOTE, by=by, body=summary, at=timezone.now())
    _audit(report, "conclude", by, finding=finding)
    return report


@transaction.atomic
def report_reply(*, report: Report, body: str, by: User) -> Report:
    report = _require(report, by)
    _require_state(report, [State.CONCLUDED], _("replied to"))
    body = validate.text(body, "body", _("Reply"), MAX_TEXT)
    today = timezone.localdate()
    report.state = State.REPLIED
    report.replied_on = today
    report.reply_working_days = calendar.working_days_between(report.received_on, today)
    report.under_review = False
    report.save(update_fields=["state", "replied_on", "reply_working_days", "under_review"])
    _forget_marks()
    Message.objects.create(report=report, author=Author.HANDLER, by=by, body=body, is_reply=True, at=timezone.now())
    _event(report, "replied", by=by, state=State.REPLIED, public=True)
    _audit(report, "reply", by)
    return report


@transaction.atomic
def report_message(*, report: Report, body: str, by: User) -> Message:
    """A question or a word to the reporter (seen on the follow-up page)."""
    report = _require(report, by)
    message = Message.objects.create(
        report=report,
        author=Author.HANDLER,
        by=by,
        body=validate.text(body, "body", _("Message"), MAX_TEXT),
        at=timezone.now(),
    )
    _audit(report, "message", by)
    return message


@transaction.atomic
def report_note(*, report: Report, body: str, by: User) -> Message:
    """An internal note: the reporter never sees it."""
    report = _require(report, by)
    note = Message.objects.create(
        report=report,
        author=Author.NOTE,
        by=by,
        body=validate.text(body, "body", _("Note"), MAX_TEXT),
        at=timezone.now(),
    )
    _audit(report, "note", by)
    return note


@transaction.atomic
def report_transfer(*, report: Report, office_code: str, reason: str, by: User) -> Report:
    report = _require(report, by)
    if not report.is_open:
        raise InvalidInput(_("A closed report cannot be transferred"), field="office")
    reason = validate.text(reason, "reason", _("Reason"), 2000)
    office = Region.objects.filter(code=(office_code or "").strip()).first()
    if office is None or office.level not in (codes.TOWNSHIP, codes.COUNTY, codes.PREFECTURE):
        raise InvalidInput(_("Choose a township or city discipline office"), field="office")
    if office.code == report.office_code:
        raise InvalidInput(_("The report is already with that office"), field="office")
    previous = report.office_code
    report.office_code = office.code
    report.reminded_for = ""
    report.save(update_fields=["office_code", "reminded_for"])
    _event(report, "transferred", by=by, detail=f"{previous} → {office.code}: {reason}")
    audit_record(
        action="report.transfer",
        by=by,
        obj=report,
        region_code=previous,
        detail={"from": previous, "to": office.code, "reason": reason},
    )
    return report


def _conflict(report: Report, user: User, reason: str, note: str) -> None:
    ReportConflict.objects.get_or_create(
        report=report, user=user, defaults={"reason": reason, "note": note, "at": timezone.now()}
    )


@transaction.atomic
def report_recuse(*, report: Report, reason: str, by: User) -> None:
    report = _require(report, by)
    reason = validate.text(reason, "reason", _("Reason"), 500)
    _conflict(report, by, ConflictReason.RECUSED, reason)
    _audit(report, "recuse", by, reason=reason)


@transaction.atomic
def report_name_person(*, report: Report, person: User, by: User) -> None:
    """Record that the report names `person`: from now on it does not exist for them."""
    report = _require(report, by)
    _conflict(report, person, ConflictReason.NAMED, "")
    _audit(report, "name_person", by, person=person.pk)


@transaction.atomic
def report_mark_review(*, report: Report, on: bool, by: User) -> Report:
    report = _require(report, by)
    if on and (not report.record_kind or report.record_kind in ("village", "township")):
        raise InvalidInput(_("This report is not about a public record"), field="record")
    report.under_review = on
    report.save(update_fields=["under_review"])
    _forget_marks()
    _audit(report, "mark_review" if on else "clear_review", by)
    return report


def _forget_marks() -> None:

    # After the commit, so that the set read back includes this change.
    transaction.on_commit(under_review_refresh)


def report_file_sealed(*, file: File, reason: str, by: User) -> bytes:
    """The untouched original of a piece of evidence; opening it needs a logged reason."""
    report = file.report
    if not jurisdiction.may_see_report(by, report):
        raise NotPermitted(_("You cannot handle this report"))
    reason = validate.text(reason, "reason", _("Reason"), 500)
    data = bytes(file.sealed)
    if hashlib.sha256(data).hexdigest() != file.sealed_sha256:
        logger.error("sealed file %s of report %s does not match its hash", file.pk, report.public_id)
        raise InvalidInput(_("The sealed original does not match its recorded hash"), field="file")
    audit_view(by=by, obj=file, region_code=report.office_code, reason=reason)
    return data


# --- Deadlines: reminders before, escalation to the office above after ---------------------


def _handlers(office_code: str, report: Report, *, exact_level: str | None = None) -> list[User]:
    people = []
    seen: set[int] = set()
    for m in Membership.objects.active().filter(role=Role.INSPECTOR).select_related("user"):
        if m.user_id in seen or not office_code.startswith(codes.prefix_of(m.region_id)):
            continue
        if exact_level and codes.level_of(m.region_id) != exact_level:
            continue
        if jurisdiction.may_see_report(m.user, report):
            seen.add(m.user_id)
            people.append(m.user)
    return people


def _stage(report: Report) -> tuple[str, date | None]:
    if report.state == State.RECEIVED:
        return "accept", report.accept_due_on
    if report.state in (State.ACCEPTED, State.INVESTIGATING, State.CONCLUDED):
        return "reply", report.reply_due_on
    return "", None


def reports_sweep(*, today: date | None = None) -> dict[str, int]:
    """Remind handlers before a deadline; escalate a missed one to the office above; then
    publish what changed for the public figures and the Open311 feed (`publication`:
    in a batch, so that the log's timestamps do not tell when a report was filed)."""

    under_review_refresh()
    today = today or timezone.localdate()
    horizon = calendar.add_working_days(today, settings.SUNLIT_REPORTS_REMIND_DAYS)
    done = {"reminded": 0, "escalated": 0}
    open_states = [State.RECEIVED, State.ACCEPTED, State.INVESTIGATING, State.CONCLUDED]
    for report in Report.objects.filter(state__in=open_states).order_by("id").iterator():
        stage, due = _stage(report)
        if due is None:
            continue
        if due < today and report.escalated_for != stage:
            _escalate(report, stage, due)
            done["escalated"] += 1
        elif due <= horizon and report.reminded_for != stage and report.escalated_for != stage:
            with transaction.atomic():
                Report.objects.filter(pk=report.pk).update(reminded_for=stage)
                for person in _handlers(report.office_code, report):
                    notify(
                        to=person,
                        subject=_("A report is due on %(due)s") % {"due": due.isoformat()},
                        body=_("Report %(id)s must be %(what)s by %(due)s.")
                        % {
                            "id": report.public_id,
                            "due": due.isoformat(),
                            "what": _("accepted or refused") if stage == "accept" else _("replied to"),
                        },
                    )
                audit_record(
                    action="report.remind",
                    by=None,
                    obj=report,
                    region_code=report.office_code,
                    detail={"stage": stage, "due": due.isoformat()},
                )
            done["reminded"] += 1
    published = publication.reports_publish()
    done["published"] = published.statuses + published.figures
    return done


@transaction.atomic
def _escalate(report: Report, stage: str, due: date) -> None:
    above = codes.parent_code(report.office_code) or report.office_code
    Report.objects.filter(pk=report.pk).update(escalated_for=stage, escalated_to=above)
    report.escalated_to = above
    _event(report, "escalated", detail=f"{stage} {due.isoformat()} → {above}")
    for person in _handlers(above, report, exact_level=codes.level_of(above)):
        notify(
            to=person,
            subject=_("A report missed its deadline"),
            body=_("Report %(id)s was due on %(due)s at office %(office)s and is escalated to you.")
            % {"id": report.public_id, "due": due.isoformat(), "office": report.office_code},
        )
    audit_record(
        action="report.escalate",
        by=None,
        obj=report,
        region_code=report.office_code,
        detail={"stage": stage, "due": due.isoformat(), "to": above},
    )


def kiosk_unlock(*, ip: str, by: User) -> str:
    """An operator lifts a kiosk's hourly ceilings (wrong receipts and the subsidy
    self-check) at once, e.g. when a busy village hall hit them. Per-number limits stay:
    they protect a person, not a place."""
    if not jurisdiction.prefixes(by, "kiosk.unlock"):
        raise NotPermitted(_("Only an operator or an administrator may unlock a kiosk."))
    try:
        address = str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        raise InvalidInput(_("Enter the kiosk's IP address, such as 10.0.3.21."), field="ip") from None
    # The welfare room's counters are the welfare room's: it clears them itself.
    from sunlit.reports import limits
    from sunlit.welfare import limits as welfare_limits

    limits.unlock_kiosk(address)
    welfare_limits.unlock_kiosk(address)
    audit_record(action="kiosk.unlock", by=by, object_type="kiosk.address", object_id=address)
    return address
