"""Back-office forms: parsing only (the services check and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sunlit.finance.models import PaymentMethod, Side
from sunlit.finance.money import parse_yuan
from sunlit.finance.services import EntryInput
from sunlit.lib.errors import InvalidInput

ENTRY_ROWS = 6


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Book-keeping export (XLSX or CSV)"))
    village = forms.ChoiceField(label=_("Village of rows that name none"), required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village_field = self.fields["village"]
        assert isinstance(village_field, forms.ChoiceField)
        village_field.choices = [("", _("(the file has a village column)")), *villages]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.SUNLIT_FINANCE_IMPORT_MAX_MB) * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB") % {"mb": settings.SUNLIT_FINANCE_IMPORT_MAX_MB}
            )
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file"))
        return upload


class ChartForm(forms.Form):
    """Load a chart of accounts: one shipped with Sunlit, or a YAML file in the same form."""

    shipped = forms.ChoiceField(label=_("A chart shipped with Sunlit"), required=False)
    file = forms.FileField(label=_("Or a chart file (YAML, as docs/formats/charts.md describes)"), required=False)

    def __init__(self, *args: Any, shipped: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["shipped"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(name, name) for name in shipped]]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > 1024 * 1024:
            raise forms.ValidationError(_("A chart file is at most 1 MB"))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("shipped"):
            raise forms.ValidationError(_("Choose a shipped chart or upload a chart file"))
        return data


class VoucherForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary (what the money was for)"), max_length=200)
    payment_method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[("", _("from the cash and bank lines")), *PaymentMethod.choices],
        required=False,
    )
    case_number = forms.CharField(label=_("Authorising case number"), max_length=40, required=False)

    def __init__(self, *args: Any, accounts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, ENTRY_ROWS + 1):
            self.fields[f"account_{i}"] = forms.ChoiceField(
                label=_("Account"), choices=[("", "—"), *accounts], required=False
            )
            self.fields[f"side_{i}"] = forms.ChoiceField(label=_("Side"), choices=Side.choices, required=False)
            self.fields[f"amount_{i}"] = forms.CharField(label=_("Amount (yuan)"), required=False, max_length=20)
            self.fields[f"counterparty_{i}"] = forms.CharField(label=_("Counterparty"), required=False, max_length=100)

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [(f"account_{i}", f"side_{i}", f"amount_{i}", f"counterparty_{i}") for i in range(1, ENTRY_ROWS + 1)]

    def entries(self) -> list[EntryInput]:
        out = []
        for i in range(1, ENTRY_ROWS + 1):
            account = self.cleaned_data.get(f"account_{i}")
            amount = (self.cleaned_data.get(f"amount_{i}") or "").strip()
            if not account and not amount:
                continue
            try:
                fen = parse_yuan(amount)
            except InvalidInput as e:
                raise InvalidInput(
                    _("Line %(line)d: %(error)s") % {"line": i, "error": e.message}, field="entries"
                ) from None
            out.append(
                EntryInput(
                    account_code=account or "",
                    side=self.cleaned_data.get(f"side_{i}") or "D",
                    amount=fen,
                    counterparty=self.cleaned_data.get(f"counterparty_{i}") or "",
                )
            )
        return out
