"""Forms shared across apps: login by e-mail, file import."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from alveole.core import throttling


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an e-mail address, whatever its case; throttled (see core/throttling.py)."""

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        if email:
            seconds = throttling.locked_for(email)
            if seconds:
                raise forms.ValidationError(throttling.lockout_message(seconds), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                seconds = throttling.record_failure(email)
                if seconds:
                    raise forms.ValidationError(
                        throttling.lockout_message(seconds), code="locked"
                    ) from None
            raise
        if email:
            throttling.record_success(email)
        return cleaned


class TotpCodeForm(forms.Form):
    """The six-digit code of an authenticator application."""

    code = forms.RegexField(
        label=_("Code à 6 chiffres"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Le code doit comporter 6 chiffres.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class ImportForm(forms.Form):
    """A CSV or XLSX file of one import kind."""

    kind = forms.ChoiceField(label=_("Type de données"))
    file = forms.FileField(label=_("Fichier CSV ou XLSX"))

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ALVEOLE_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale (%(max)s Mo).")
                % {"max": settings.ALVEOLE_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Le fichier doit être un CSV ou un XLSX."))
        return upload
