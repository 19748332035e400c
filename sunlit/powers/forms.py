from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ListUploadForm(forms.Form):
    file = forms.FileField(label=_("List file (YAML, UTF-8)"))
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        required=False,
        help_text=_("e.g. 2025 revision; empty: the label written in the file"),
    )
