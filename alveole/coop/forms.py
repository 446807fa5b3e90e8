"""Forms of the cooperative's pages: its settings (director only), the grants' filters
(the grant form is the ledger's, alveole/ledger/grant_forms.py: writing a grant posts it)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Cooperative, Grant
from alveole.coop.selectors import GrantFilters
from alveole.core.money import from_cents, round_cents


class CooperativeForm(forms.ModelForm):
    capital = forms.DecimalField(
        label=_("Capital (€)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )

    class Meta:
        model = Cooperative
        fields = [
            "name", "legal_form", "siren", "siret", "rcs_city", "vat_number", "address", "postal_code", "city",
            "region", "training_registration_number", "vat_on_debits", "email", "phone", "website",
            "full_time_paid_hours",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["capital"].initial = from_cents(self.instance.capital_cents)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["capital_cents"] = round_cents(data.pop("capital"))
        return data


class GrantFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année couverte"), required=False, min_value=2000, max_value=2100
    )
    funder_kind = forms.ChoiceField(
        label=_("Financeur"), required=False, choices=[("", _("Tous")), *Grant.FunderKind.choices]
    )
    received = forms.ChoiceField(
        label=_("Versement"),
        required=False,
        choices=[("", _("Tous")), ("yes", _("Reçues")), ("no", _("À recevoir"))],
    )

    def filters(self) -> GrantFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return GrantFilters(
            year=data.get("year"),
            funder_kind=data.get("funder_kind") or "",
            received={"yes": True, "no": False}.get(data.get("received") or ""),
        )
