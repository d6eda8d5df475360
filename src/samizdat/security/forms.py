"""The second-factor forms: one field, a code from the authenticator or a recovery code."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
        }),
        help_text=_("Six digits from your authenticator app, or one of your recovery codes."),
    )
