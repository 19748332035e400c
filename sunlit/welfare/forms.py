"""Back-office forms of the welfare room: parsing only (the services check and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunlit.finance.money import parse_yuan
from sunlit.lib.errors import InvalidInput
from sunlit.welfare.models import Channel, Relation, Status

MEMBER_ROWS = 6
ID_ATTRS = {"autocomplete": "off", "inputmode": "text", "spellcheck": "false", "maxlength": "24"}


class IdInput(forms.TextInput):
    """An ID-number field that never writes a number back into the page (a form shown
    again after a refusal asks for it again): only the last four are ever shown."""

    def format_value(self, value: Any) -> str | None:
        return None


class HouseholdForm(forms.Form):
    number = forms.CharField(label=_("Household number"), max_length=20)
    card_last4 = forms.CharField(label=_("One-card account (last 4 digits)"), max_length=4, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MEMBER_ROWS):
            required = i == 0
            self.fields[f"m{i}_name"] = forms.CharField(label=_("Name"), max_length=50, required=required)
            self.fields[f"m{i}_relation"] = forms.ChoiceField(
                label=_("Relation"),
                choices=Relation.choices,
                initial=Relation.HEAD if i == 0 else Relation.CHILD,
                required=required,
            )
            self.fields[f"m{i}_id"] = forms.CharField(
                label=_("ID number"), max_length=24, required=required, widget=IdInput(attrs=ID_ATTRS)
            )

    def member_rows(self) -> list[list[Any]]:
        return [[self[f"m{i}_name"], self[f"m{i}_relation"], self[f"m{i}_id"]] for i in range(MEMBER_ROWS)]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(
        label=_("Relation to the head"), choices=[c for c in Relation.choices if c[0] != Relation.HEAD]
    )
    id_number = forms.CharField(label=_("ID number"), max_length=24, widget=IdInput(attrs=ID_ATTRS))


class StatusForm(forms.Form):
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    on = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PaymentForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"))
    member = forms.TypedChoiceField(
        label=_("Member (personal programmes)"), coerce=int, required=False, empty_value=None
    )
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("2024, 2024-03 or 2024-Q1"))
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    case = forms.ChoiceField(label=_("Authorising case"), required=False)

    def __init__(
        self,
        *args: Any,
        programmes: list[tuple[str, str]],
        members: list[tuple[int, str]],
        cases: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("programme", programmes),
            ("member", [("", "—"), *members]),
            ("case", [("", _("(none recorded)")), *cases]),
        ):
            f = self.fields[name]
            assert isinstance(f, forms.ChoiceField)
            f.choices = choices

    def clean_amount(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["amount"])
        except InvalidInput as e:
            raise forms.ValidationError(e.message) from None


class RelativeForm(forms.Form):
    village = forms.ChoiceField(label=pgettext_lazy("cadre", "Your village"))
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.CharField(label=_("Relation to you"), max_length=40)
    id_number = forms.CharField(label=_("ID number"), max_length=24, widget=IdInput(attrs=ID_ATTRS))

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["village"]
        assert isinstance(f, forms.ChoiceField)
        f.choices = villages


class PublishForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, programmes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["programme"]
        assert isinstance(f, forms.ChoiceField)
        f.choices = programmes


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Households and payments (XLSX or CSV)"))
    village = forms.ChoiceField(label=_("Village of rows that name none"), required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["village"]
        assert isinstance(f, forms.ChoiceField)
        f.choices = [("", _("(the file has a village column)")), *villages]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.SUNLIT_FINANCE_IMPORT_MAX_MB) * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(_("The file is too large"))
        if not (upload.name or "").lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file"))
        return upload
