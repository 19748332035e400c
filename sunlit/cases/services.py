"""Every write to cases: keyword-only, typed, atomic, audited, and published.

Each change ends by publishing the case's public summary (case_snapshot) to the
village's chain, so the public pages, which read only the publication log, follow every
step. A change is refused with one clear message and leaves nothing behind when the
case is closed, paused, on another step, changed since the actor's form was drawn, when
the actor does not hold the step's role, or when the separation of duties bars him from
it (engine.decision_refusal: nobody decides on what he opened, requested or recorded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role, User
from sunlit.audit.services import audit_record
from sunlit.cases import engine
from sunlit.cases.flows import item_of, meeting_rules_of, step_of
from sunlit.cases.models import (
    ActionKind,
    Attachment,
    Case,
    CaseAction,
    CaseState,
    MeetingResult,
    Objection,
    Opinion,
    Reminder,
    mask_name,
)
from sunlit.cases.selectors import overdue_cases
from sunlit.lib import validate
from sunlit.lib.errors import ApplicationError, InvalidInput, NotPermitted
from sunlit.lib.notify import notify
from sunlit.lib.uploads import clean_upload
from sunlit.powers.flow import APPROVED, OUTCOME_REJECT, OUTCOME_RETURN, REJECTED, TERMINALS, Step
from sunlit.powers.models import PowerListVersion
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.services import publish
from sunlit.workdays.calendar import add_working_days, working_days_between

if TYPE_CHECKING:
    from sunlit.accounts.models import User

KIND = "case"  # the publication log's kind for a case's public summary
_LAST4 = re.compile(r"^[0-9]{3}[0-9X]$")


@dataclass(frozen=True)
class Upload:
    """One file handed to a step: its kind (one the step names, or "other")."""

    kind: str
    filename: str
    data: bytes


# --- the public summary ------------------------------------------------------------------


def _day(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value).isoformat()
    return value.isoformat()


def _step_ref(case: Case, key: str) -> dict[str, str]:
    if key in TERMINALS:
        return {"key": key}
    step = step_of(case, key)
    if step is None:
        return {"key": key}
    return {"key": key, "name_zh": step.name_zh, "name_en": step.name_en}


def public_subject(case: Case) -> str:
    """The subject as the public sees it: a cadre who writes "王桂英家庭申请低保" must not
    publish the applicant's full name by the back door; it is masked like the name field."""
    subject = case.subject
    name = (case.applicant_name or "").strip()
    if len(name) >= 2:
        subject = subject.replace(name, mask_name(name))
    return subject


def case_snapshot(case: Case) -> dict[str, Any]:
    """What the public may know of a case: never the ID digits, decision texts, minutes,
    objections' or opinions' words, or who the officials were — only what was decided,
    when, and how each meeting voted."""
    item = item_of(case.item)
    version = getattr(case.item, "version", None)
    history = []
    for action in case.actions.all():
        row: dict[str, Any] = {
            "seq": action.seq,
            "kind": action.kind,
            "step": _step_ref(case, action.step_key),
            "outcome": action.outcome,
            "to": action.target,
            "on": _day(action.acted_at),
        }
        if action.meeting:
            row["meeting"] = {
                "body": action.meeting,
                "expected": action.expected,
                "present": action.present,
                "households_expected": action.households_expected,
                "households_present": action.households_present,
                "for": action.votes_for,
                "against": action.votes_against,
                "abstain": action.votes_abstain,
                "result": action.meeting_result,
            }
        history.append(row)
    current = None
    if case.current_step and not case.is_closed:
        current = {
            **_step_ref(case, case.current_step),
            "started_on": _day(case.step_started_at),
            "due_on": _day(case.step_due_on),
            # Local time with its offset: what the notice board says, and still exact.
            "notice_until": timezone.localtime(case.publicity_ends_at).isoformat() if case.publicity_ends_at else None,
        }
    return {
        "number": case.number,
        "village": case.village_id,
        "village_name": case.village.name,
        "item": {"code": item.code, "name_zh": item.name_zh, "name_en": item.name_en, "category": item.category},
        "list_version": getattr(version, "number", None),
        "subject": public_subject(case),
        "amount_fen": case.amount_fen,
        "applicant": mask_name(case.applicant_name),
        "state": case.state,
        "current_step": current,
        "opened_on": _day(case.opened_at),
        "closed_on": _day(case.closed_at),
        "history": history,
        "objections": [
            {
                "step": o.step_key,
                "raised_on": _day(o.recorded_at),
                "resolved_on": _day(o.resolved_at),
                "upheld": o.upheld,
            }
            for o in case.objections.all()
        ],
        "opinions": [{"step": o.step_key, "on": _day(o.at)} for o in case.opinions.all()],
    }


def _publish(case: Case, *, by: User | None, reason: str) -> None:

    # The log is permanent and read by everyone: its reasons are written in the
    # deployment's language, whatever language the official's screen shows.
    with translation.override(settings.LANGUAGE_CODE):
        text = str(reason)
    publish(chain=case.village_id, kind=KIND, ref=case.number, snapshot=case_snapshot(case), by=by, reason=text)


# --- helpers -------------------------------------------------------------------------------


def _enter(case: Case, step: Step, now: datetime) -> None:
    case.current_step = step.key
    case.step_started_at = now
    case.step_due_on = add_working_days(timezone.localdate(now), step.days) if step.days > 0 else None
    # At least N whole days: a notice put up at 10:00 may come down at 10:00 N days later.
    case.publicity_ends_at = now + timedelta(days=step.publicity_days) if step.publicity_days > 0 else None
    case.paused_at = None


def _close(case: Case, state: str, now: datetime) -> None:
    case.state = state
    case.current_step = ""
    case.step_started_at = None
    case.step_due_on = None
    case.publicity_ends_at = None
    case.paused_at = None
    case.closed_at = now


def _move(case: Case, target: str, now: datetime) -> None:
    if target == APPROVED:
        _close(case, CaseState.APPROVED, now)
    elif target == REJECTED:
        _close(case, CaseState.REJECTED, now)
    else:
        step = item_of(case.item).flow.step(target)
        _enter(case, step, now)


STATE_FIELDS = [
    "state",
    "current_step",
    "step_started_at",
    "step_due_on",
    "publicity_ends_at",
    "paused_at",
    "closed_at",
]


def _write(case: Case, *, expected_version: int, from_state: str, from_step: str) -> None:
    """Write the case's new state only if nobody changed it since `expected_version`.

    One UPDATE … WHERE version = expected: of two officials submitting the same step at
    once, the database lets exactly one through; the other gets 0 rows and is told why.
    """
    fields = {f: getattr(case, f) for f in STATE_FIELDS}
    updated = Case.objects.filter(
        pk=case.pk, version=expected_version, state=from_state, current_step=from_step
    ).update(version=F("version") + 1, **fields)
    if updated != 1:
        fresh = Case.objects.get(pk=case.pk)
        raise _changed(fresh, from_step)
    case.version = expected_version + 1


def _when(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _changed(fresh: Case, step_key: str) -> ApplicationError:
    """Why a form drawn from an older version of the case can no longer be applied."""
    last = fresh.actions.select_related("actor").order_by("-seq").first()
    if last is not None and last.step_key == step_key:
        return ApplicationError(
            _("This step was already completed by %(who)s at %(when)s. Nothing was changed; reload the case.")
            % {"who": last.actor, "when": _when(last.acted_at)}
        )
    if fresh.state == CaseState.PAUSED:
        return ApplicationError(_("An objection has paused this case since you opened it. Nothing was changed."))
    return ApplicationError(_("This case changed since you opened it. Nothing was changed; reload the case."))


def _fresh(case: Case) -> Case:
    # Decide on the row as it is now, not as the caller's form saw it.
    return Case.objects.select_related("item", "village").get(pk=case.pk)


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise ApplicationError(
            _("This case is closed (%(state)s on %(day)s). Nothing was changed.")
            % {"state": case.get_state_display(), "day": _day(case.closed_at)}
        )


def _next_seq(case: Case) -> int:
    last = case.actions.aggregate(m=Max("seq"))["m"]
    return (last or 0) + 1


def _store(
    case: Case, upload: Upload, *, action: CaseAction | None, by: User, now: datetime, stored: list[str]
) -> Attachment:
    cleaned = clean_upload(data=upload.data, filename=upload.filename)
    # Content-addressed under the case: the same scan uploaded twice is stored once.
    name = f"cases/{case.county_code[:6]}/{case.village_id}/{case.number}/{cleaned.sha256}.{cleaned.extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(cleaned.content))
        stored.append(name)
    attachment = Attachment.from_cleaned(
        cleaned,
        filename=upload.filename,
        by=by,
        case=case,
        action=action,
        kind=upload.kind,
        file=name,
        original_sha256=cleaned.original_sha256,
        uploaded_at=now,
    )
    attachment.save()
    return attachment


# --- opening -------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    item: Any,
    village_code: str,
    subject: str,
    amount_fen: int | None = None,
    applicant_name: str = "",
    applicant_id_last4: str = "",
    by: User,
) -> Case:
    """Open a case under list item `item` (a powers.PowerItem) for a village."""
    if codes.level_of(village_code) != codes.VILLAGE:
        raise InvalidInput(
            _("Cases are opened for a village; %(code)s is not one") % {"code": village_code}, field="village_code"
        )
    jurisdiction.require(by, "case.open", village_code)
    flow_item = item_of(item)
    if flow_item.level == "township":
        if not jurisdiction.holds_role(by, Role.TOWNSHIP_OFFICIAL, village_code, "township"):
            raise NotPermitted(
                _("Only a township official may open a case under %(item)s") % {"item": engine.label(flow_item)}
            )
    if flow_item.township and not codes.contains(flow_item.township, village_code):
        raise InvalidInput(
            _("%(item)s applies only in township %(township)s")
            % {"item": engine.label(flow_item), "township": flow_item.township},
            field="item",
        )
    # Asked of the database, not of the row the caller holds: a list loaded a moment ago
    # makes every item of the previous version unavailable for new cases.
    if not PowerListVersion.objects.filter(pk=item.version_id, is_current=True).exists():
        raise InvalidInput(
            _("%(item)s is not on the current list; choose an item of the current list")
            % {"item": engine.label(flow_item)},
            field="item",
        )
    subject = validate.text(subject, "subject", _("Subject"), 200, required=True)
    if amount_fen is not None and (not isinstance(amount_fen, int) or amount_fen < 0):
        raise InvalidInput(_("The amount cannot be negative"), field="amount_fen")
    if flow_item.needs_amount and amount_fen is None:
        raise InvalidInput(_("%(item)s needs the amount") % {"item": engine.label(flow_item)}, field="amount_fen")
    applicant_name = validate.text(
        applicant_name, "applicant_name", _("Applicant"), 50, required=flow_item.needs_applicant
    )
    applicant_id_last4 = (applicant_id_last4 or "").strip().upper()
    if applicant_id_last4 and not _LAST4.match(applicant_id_last4):
        raise InvalidInput(
            _("Give only the last four characters of the ID number (digits, or X last)"), field="applicant_id_last4"
        )

    # Numbers are handed out under the village row's lock: two cadres opening cases at
    # once get 0007 and 0008, never the same one. (SQLite's IMMEDIATE transactions
    # already serialise writers.)
    village = Region.objects.select_for_update(no_key=True).filter(code=village_code, level=codes.VILLAGE).first()
    if village is None:
        raise InvalidInput(_("There is no village %(code)s") % {"code": village_code}, field="village_code")
    now = timezone.now()
    year = timezone.localdate(now).year
    seq = (Case.objects.filter(village=village, year=year).aggregate(m=Max("seq"))["m"] or 0) + 1
    case = Case(
        number=f"{village.code}-{year}-{seq:04d}",
        year=year,
        seq=seq,
        item=item,
        village=village,
        county_code=codes.county_of(village.code),
        subject=subject,
        amount_fen=amount_fen,
        applicant_name=applicant_name,
        applicant_id_last4=applicant_id_last4,
        state=CaseState.OPEN,
        opened_by=by,
        opened_at=now,
    )
    _enter(case, flow_item.flow.first, now)
    case.full_clean()
    case.save(force_insert=True)
    audit_record(
        action="case.open",
        by=by,
        obj=case,
        region_code=village.code,
        detail={"number": case.number, "item": flow_item.code, "subject": subject},
    )
    _publish(case, by=by, reason=_("Case opened"))
    return case


# --- acting on a step --------------------------------------------------------------------


@transaction.atomic
def case_act(
    *,
    case: Case,
    step_key: str,
    expected_version: int,
    outcome: str,
    decision: str = "",
    minutes: str = "",
    meeting: engine.MeetingCounts | None = None,
    attachments: Sequence[Upload] = (),
    by: User,
) -> CaseAction:
    """Complete the case's current step `step_key` with `outcome` (approve/reject/return).

    A meeting step decides by its vote instead (outcome "approve" puts the motion): no
    quorum records the meeting and leaves the case on the step; no majority is the
    motion failing, which follows the step's reject (or return).
    """
    case = _fresh(case)
    step = step_of(case, step_key)
    if step is None:
        raise InvalidInput(_("%(step)r is not a step of this case's flow") % {"step": step_key}, field="step_key")
    # Who may act first: the rest (who already did what) is for the people who may.
    if not jurisdiction.holds_role(by, step.role, case.village_id, step.level):
        raise NotPermitted(
            _("Step %(step)s is completed by a %(role)s at %(level)s level; you do not hold that role here.")
            % {"step": engine.label(step), "role": Role(step.role).label, "level": Region.Level(step.level).label}
        )
    if case.version != expected_version:
        raise _changed(case, step_key)
    _require_open(case)
    if case.state == CaseState.PAUSED:
        raise ApplicationError(_("An objection has paused this case; it waits for the township to resolve it."))
    if case.current_step != step_key:
        current = step_of(case)
        raise ApplicationError(
            _("The case is at step %(current)s, not %(asked)s: steps are completed in their order.")
            % {"current": engine.label(current) if current else "—", "asked": engine.label(step)}
        )
    decision = (decision or "").strip()
    minutes = (minutes or "").strip()
    engine.check_lengths(decision=decision, minutes=minutes)
    kinds = [u.kind for u in attachments]
    engine.check_attachment_kinds(step, kinds)

    result = ""
    counts = meeting if (step.meeting or {"attendance", "votes"} & set(step.records)) else None
    if counts is not None:
        counts.validate()
    if step.meeting:
        if outcome not in ("", "approve"):
            raise InvalidInput(_("A meeting decides by its vote: record the votes on the motion"), field="outcome")
        if counts is None:
            raise InvalidInput(_("Record the attendance and the votes"), field="expected")
        result = engine.meeting_result(engine.rule_for(step, meeting_rules_of(case.item)), counts)
        outcome = "approve"
    decided = engine.decide(step, outcome, result)

    if decided.outcome:
        refusal = decision_refusal(case, step, by)
        if refusal:
            raise NotPermitted(refusal)
    now = timezone.now()
    if step.publicity_days and case.publicity_ends_at and now < case.publicity_ends_at:
        raise ApplicationError(
            _("The notice stays up until %(end)s; this step can be completed from then on.")
            % {"end": _when(case.publicity_ends_at)}
        )
    if result != MeetingResult.NO_QUORUM:
        missing = engine.missing_records(
            step, decided, text=decision, minutes=minutes, counts=counts, attachment_kinds=kinds
        )
        if missing:
            field, _message = missing[0]
            raise InvalidInput(" ".join(m for _f, m in missing), field=field)

    from_state, from_step = case.state, case.current_step
    if decided.target != step.key or decided.outcome:
        _move(case, decided.target, now)
    _write(case, expected_version=expected_version, from_state=from_state, from_step=from_step)

    action = CaseAction.objects.create(
        case=case,
        seq=_next_seq(case),
        kind=ActionKind.STEP,
        step_key=step.key,
        outcome=decided.outcome,
        target=decided.target,
        actor=by,
        acted_at=now,
        decision=decision,
        minutes=minutes,
        meeting=step.meeting or "",
        meeting_result=decided.meeting_result,
        approval=bool(step.approval and decided.outcome),
        **(
            {
                "expected": counts.expected,
                "present": counts.present,
                "votes_for": counts.votes_for,
                "votes_against": counts.votes_against,
                "votes_abstain": counts.votes_abstain,
                "households_expected": counts.households_expected,
                "households_present": counts.households_present,
            }
            if counts is not None
            else {}
        ),
    )
    stored: list[str] = []
    try:
        for upload in attachments:
            _store(case, upload, action=action, by=by, now=now, stored=stored)
        audit_record(
            action="case.act",
            by=by,
            obj=case,
            region_code=case.village_id,
            detail={
                "number": case.number,
                "seq": action.seq,
                "step": step.key,
                "outcome": decided.outcome,
                "to": decided.target,
                "meeting_result": decided.meeting_result,
                "attachments": [{"kind": u.kind, "name": u.filename} for u in attachments],
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            reason = _step_reason(step, decided)
        _publish(case, by=by, reason=reason)
    except BaseException:
        # The transaction rolls back the rows; the files it stored go too.
        for name in stored:
            default_storage.delete(name)
        raise
    return action


def _step_reason(step: Step, decided: engine.Decision) -> str:
    if decided.meeting_result == MeetingResult.NO_QUORUM:
        return _("%(step)s: the meeting had no quorum") % {"step": engine.label(step)}
    if decided.meeting_result == MeetingResult.NO_MAJORITY:
        return _("%(step)s: the motion failed") % {"step": engine.label(step)}
    return _("%(step)s: %(outcome)s") % {
        "step": engine.label(step),
        "outcome": engine.OUTCOME_LABELS.get(decided.outcome, decided.outcome),
    }


def _done(case: Case) -> list[engine.Done]:
    rows = case.actions.filter(kind=ActionKind.STEP).order_by("seq").values_list("step_key", "actor_id", "approval")
    return [engine.Done(step_key=k, actor_id=a, approval=ap) for k, a, ap in rows]


def decision_refusal(case: Case, step: Step, person: User) -> str:
    """Why `person` may not take the decision `step` of `case` (engine.decision_refusal:
    not the opener, the requester, whoever recorded what it decides on, nor whoever took
    another decision of the case), or "" if he may."""
    if not step.approval:
        return ""
    return engine.decision_refusal(
        item_of(case.item).flow, step, person=person.pk, opened_by=case.opened_by_id, done=_done(case)
    )


# --- supervision: opinions and objections -------------------------------------------------


@transaction.atomic
def case_opinion_add(*, case: Case, step_key: str, text: str, by: User) -> Opinion:
    """The supervision committee's opinion on any step of the case, in any state."""
    case = _fresh(case)
    jurisdiction.require(by, "case.opinion", case.village_id)
    if step_of(case, step_key) is None:
        raise InvalidInput(_("%(step)r is not a step of this case's flow") % {"step": step_key}, field="step_key")
    text = validate.text(text, "text", _("Opinion"), engine.MAX_DECISION, required=True)
    opinion = Opinion.objects.create(case=case, step_key=step_key, text=text, by=by, at=timezone.now())
    audit_record(
        action="case.opinion",
        by=by,
        obj=opinion,
        region_code=case.village_id,
        detail={"number": case.number, "step": step_key},
    )
    _publish(case, by=by, reason=_("Supervision committee's opinion recorded"))
    return opinion


@transaction.atomic
def case_objection_record(*, case: Case, text: str, by: User) -> Objection:
    """Record an objection to the notice now up; it pauses the case until resolved."""
    case = _fresh(case)
    jurisdiction.require(by, "case.objection_record", case.village_id)
    _require_open(case)
    step = step_of(case)
    now = timezone.now()
    notice_up = (
        step is not None
        and step.publicity_days > 0
        and (case.state == CaseState.PAUSED or (case.publicity_ends_at is not None and now < case.publicity_ends_at))
    )
    if not notice_up or step is None:
        raise ApplicationError(_("Objections are recorded while a notice is up; this case has none up now."))
    text = validate.text(text, "text", _("Objection"), engine.MAX_DECISION, required=True)
    if case.state == CaseState.OPEN:
        # Guarded like a step: if the notice came down a moment ago, the objection is late.
        paused = Case.objects.filter(
            pk=case.pk, version=case.version, state=CaseState.OPEN, current_step=step.key
        ).update(state=CaseState.PAUSED, paused_at=now, version=F("version") + 1)
        if paused != 1:
            raise _changed(Case.objects.get(pk=case.pk), step.key)
        case.refresh_from_db()
    objection = Objection.objects.create(case=case, step_key=step.key, text=text, recorded_by=by, recorded_at=now)
    audit_record(
        action="case.objection_record",
        by=by,
        obj=objection,
        region_code=case.village_id,
        detail={"number": case.number, "step": step.key},
    )
    _publish(case, by=by, reason=_("Objection raised; the case is paused"))
    return objection


@transaction.atomic
def case_objection_resolve(*, objection: Objection, upheld: bool, resolution: str, by: User) -> Objection:
    """Resolve an objection, on the record.

    The case moves when its last open objection is resolved. If any objection to this
    notice was upheld, what was posted was wrong: the case goes back for correction (the
    step's return target), to be posted again for a full period; a flow with no
    correction path there rejects it (a new case can be opened). If all were dismissed,
    the case resumes, and the notice period is extended by the time it was paused, so the
    villagers lose none of it.
    """
    # The case row is locked first: two officials resolving a case's last two objections
    # at once take turns, and the second sees the first one's resolution (otherwise each
    # would see the other's still open and the case would stay paused for ever).
    case = Case.objects.select_for_update(of=("self",)).select_related("item", "village").get(pk=objection.case_id)
    objection = Objection.objects.select_related("resolved_by").get(pk=objection.pk)
    jurisdiction.require(by, "case.objection_resolve", case.village_id)
    refusal = engine.objection_refusal(person=by.pk, recorded_by=objection.recorded_by_id)
    if refusal:
        raise NotPermitted(refusal)
    if not objection.is_open:
        raise ApplicationError(
            _("This objection was already resolved by %(who)s at %(when)s. Nothing was changed.")
            % {"who": objection.resolved_by, "when": _when(objection.resolved_at or timezone.now())}
        )
    resolution = validate.text(resolution, "resolution", _("Resolution"), engine.MAX_DECISION, required=True)
    now = timezone.now()
    updated = Objection.objects.filter(pk=objection.pk, resolved_at__isnull=True).update(
        resolved_by=by, resolved_at=now, resolution=resolution, upheld=upheld
    )
    if updated != 1:  # resolved by someone else a moment ago
        objection.refresh_from_db()
        raise ApplicationError(
            _("This objection was already resolved by %(who)s. Nothing was changed.") % {"who": objection.resolved_by}
        )
    objection.refresh_from_db()
    audit_record(
        action="case.objection_resolve",
        by=by,
        obj=objection,
        region_code=case.village_id,
        detail={"number": case.number, "upheld": upheld},
    )

    if case.state == CaseState.PAUSED and not case.objections.filter(resolved_at__isnull=True).exists():
        _after_objections(case, by=by, now=now, resolution=resolution)
    else:
        _publish(case, by=by, reason=_("Objection resolved"))
    return objection


def _after_objections(case: Case, *, by: User, now: datetime, resolution: str) -> None:
    step = step_of(case)
    assert step is not None and case.paused_at is not None
    this_notice = case.objections.filter(step_key=step.key, recorded_at__gte=case.step_started_at)
    expected_version, from_state, from_step = case.version, case.state, case.current_step
    if this_notice.filter(upheld=True).exists():
        outcome = OUTCOME_RETURN if OUTCOME_RETURN in step.outcomes else OUTCOME_REJECT
        target = step.outcomes.get(outcome, REJECTED)
        case.state = CaseState.OPEN
        _move(case, target, now)
        _write(case, expected_version=expected_version, from_state=from_state, from_step=from_step)
        CaseAction.objects.create(
            case=case,
            seq=_next_seq(case),
            kind=ActionKind.OBJECTION,
            step_key=step.key,
            outcome=outcome,
            target=target,
            actor=by,
            acted_at=now,
            decision=resolution,
        )
        _publish(case, by=by, reason=_("Objection upheld: %(outcome)s") % {"outcome": engine.OUTCOME_LABELS[outcome]})
        return
    paused = now - case.paused_at
    case.state = CaseState.OPEN
    if case.publicity_ends_at is not None:
        case.publicity_ends_at += paused
    if case.step_due_on is not None:
        lost = working_days_between(timezone.localdate(case.paused_at), timezone.localdate(now))
        case.step_due_on = add_working_days(case.step_due_on, lost)
    case.paused_at = None
    _write(case, expected_version=expected_version, from_state=from_state, from_step=from_step)
    _publish(case, by=by, reason=_("Objection dismissed; the case resumes"))


# --- withdrawal ----------------------------------------------------------------------------


@transaction.atomic
def case_withdraw(*, case: Case, reason: str, by: User) -> Case:
    """The applicant (through whoever opened such cases) withdraws: the case closes."""
    case = _fresh(case)
    jurisdiction.require(by, "case.open", case.village_id)
    _require_open(case)
    reason = validate.text(reason, "reason", _("Reason"), engine.MAX_DECISION, required=True)
    now = timezone.now()
    expected_version, from_state, from_step = case.version, case.state, case.current_step
    _close(case, CaseState.WITHDRAWN, now)
    _write(case, expected_version=expected_version, from_state=from_state, from_step=from_step)
    CaseAction.objects.create(
        case=case,
        seq=_next_seq(case),
        kind=ActionKind.WITHDRAW,
        step_key=from_step,
        actor=by,
        acted_at=now,
        decision=reason,
    )
    audit_record(
        action="case.withdraw",
        by=by,
        obj=case,
        region_code=case.village_id,
        detail={"number": case.number, "step": from_step},
    )
    _publish(case, by=by, reason=_("Case withdrawn"))
    return case


# --- deadlines -----------------------------------------------------------------------------


def step_actors(case: Case, step: Step, *, on: date | None = None) -> list[User]:
    """The people who may complete `step` of `case` now: the step's role over the village,
    held at the step's level or above, less those the separation of duties bars from it."""

    prefixes = [
        case.village_id[: codes.PREFIX_LENGTH[lvl]]
        for lvl in codes.LEVELS
        if codes.LEVELS.index(lvl) <= codes.LEVELS.index(step.level)
    ]
    wanted = {p.ljust(12, "0") for p in prefixes}
    user_ids = (
        Membership.objects.active(on).filter(role=step.role, region_id__in=wanted).values_list("user_id", flat=True)
    )
    people = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    if not step.approval:
        return people
    # Nobody is told to take a decision the separation of duties bars him from.
    flow, done, opener = item_of(case.item).flow, _done(case), case.opened_by_id
    return [p for p in people if not engine.decision_refusal(flow, step, person=p.pk, opened_by=opener, done=done)]


def cases_remind_overdue(*, today: date | None = None) -> int:
    """Remind the people who can act on every overdue step, at most once a day per step.

    Returns the number of notifications queued (they leave once the reminders commit). A step
    is overdue from the day after its due date; a paused case is not overdue (it waits for
    the township, not for them).
    """

    today = today or timezone.localdate()
    sent = 0
    for case in overdue_cases(today=today).select_related("item", "village").iterator(chunk_size=500):
        step = step_of(case)
        if step is None:
            continue
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(case=case, step_key=step.key, sent_on=today)
            if not created:
                continue
            people = step_actors(case, step, on=today)
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Overdue: %(step)s of case %(number)s") % {
                    "step": engine.label(step),
                    "number": case.number,
                }
                body = _(
                    "Case %(number)s (%(subject)s, %(village)s) has waited at step %(step)s since %(started)s; "
                    "it was due on %(due)s. You hold the role that completes it."
                ) % {
                    "number": case.number,
                    "subject": case.subject,
                    "village": case.village.name,
                    "step": engine.label(step),
                    "started": _day(case.step_started_at),
                    "due": _day(case.step_due_on),
                }
            for person in people:
                notify(to=person, subject=subject, body=body)
            sent += len(people)
            reminder.recipients = len(people)
            reminder.save(update_fields=["recipients"])
            audit_record(
                action="case.remind",
                by=None,
                obj=case,
                region_code=case.village_id,
                detail={"number": case.number, "step": step.key, "recipients": [p.pk for p in people]},
            )
    return sent
