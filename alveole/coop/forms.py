"""The cooperative's settings form (director only)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Cooperative
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
