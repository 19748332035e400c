from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ContactForm(forms.Form):
    phone = forms.CharField(label=_("Service-centre phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
