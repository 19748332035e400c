"""Parsing the back office's case forms. No rules here: the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sunlit.cases.engine import OTHER_ATTACHMENT
from sunlit.cases.models import CaseState
from sunlit.powers.flow import Step

STATE_CHOICES = [("", _("any state")), *CaseState.choices]


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    item = forms.CharField(label=_("List item code"), max_length=40, required=False)
    region = forms.RegexField(label=_("Region code"), regex=r"^[0-9]{12}$", required=False)
    page = forms.IntegerField(min_value=1, required=False)


class OpenForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"))
    item = forms.ChoiceField(label=_("List item"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    amount_yuan = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2
    )
    applicant_name = forms.CharField(label=_("Applicant"), max_length=50, required=False)
    applicant_id_last4 = forms.CharField(
        label=_("Last four characters of the applicant's ID number"),
        max_length=4,
        required=False,
        help_text=_("Only the last four, to tell namesakes apart: never the whole number."),
    )

    def __init__(
        self, *args: Any, villages: list[tuple[str, str]], items: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["village"]).choices = villages
        cast(forms.ChoiceField, self.fields["item"]).choices = items

    @property
    def amount_fen(self) -> int | None:
        amount = self.cleaned_data.get("amount_yuan")
        return None if amount is None else int(amount * 100)


class ActForm(forms.Form):
    """The current step's form; the fields follow the step (meeting counts, attachment kinds)."""

    step_key = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[], widget=forms.RadioSelect, required=False)
    decision = forms.CharField(label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    MEETING_FIELDS = (
        ("expected", _("Expected to attend")),
        ("present", _("Present")),
        ("households_expected", _("Households expected")),
        ("households_present", _("Households present")),
        ("votes_for", _("Votes for")),
        ("votes_against", _("Votes against")),
        ("votes_abstain", _("Abstaining")),
    )

    def __init__(
        self, *args: Any, step: Step, outcome_labels: dict[str, Any], attachment_labels: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        if step.meeting:
            # The vote decides; the form only puts the motion.
            del self.fields["outcome"]
        else:
            cast(forms.ChoiceField, self.fields["outcome"]).choices = [
                (o, outcome_labels.get(o, o)) for o in step.outcomes
            ]
            self.fields["outcome"].required = True
        if step.meeting or {"attendance", "votes"} & set(step.records):
            for name, label in self.MEETING_FIELDS:
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=0, required=name.startswith("votes") or name in ("expected", "present")
                )
        for need in step.attachments:
            self.fields[f"file_{need.kind}"] = forms.FileField(
                label=attachment_labels.get(need.kind, need.kind), required=False
            )
        self.fields[f"file_{OTHER_ATTACHMENT}"] = forms.FileField(label=_("Other attachment"), required=False)

    @property
    def has_meeting(self) -> bool:
        return "expected" in self.fields

    def meeting_fields(self) -> list[Any]:
        return [self[name] for name, _l in self.MEETING_FIELDS if name in self.fields]

    def file_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("file_")]


class OpinionForm(forms.Form):
    step_key = forms.ChoiceField(label=_("Step"))
    text = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["step_key"]).choices = steps


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Objection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who raised it, and what they object to."),
    )


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("Upheld: what was posted must be corrected")), ("0", _("Dismissed: the case resumes"))],
    )
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)
