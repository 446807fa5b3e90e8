"""The form of the grant pages (alveole/ledger/grant_views.py): above the ledger because
recording a grant writes its entries (docs/adr/0012)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Grant
from alveole.core.formatting import format_cents
from alveole.core.money import from_cents, round_cents, to_cents

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_ALLOCATION_LINE = re.compile(r"^\s*(\d{4})\s*[:=]\s*(.+?)\s*$")


class GrantForm(forms.ModelForm):
    """A grant; the amount in euros, and optionally its part for each year it covers."""

    amount = forms.DecimalField(
        label=_("Montant (€)"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    allocations = forms.CharField(
        label=_("Répartition par année"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "2025 : 20 000,00\n2026 : 10 000,00"}
        ),
        help_text=_(
            "Facultatif : une ligne « année : montant » par année couverte. Vide : le montant "
            "est réparti à parts égales entre les années."
        ),
    )

    class Meta:
        model = Grant
        fields = [
            "funder_kind", "funder_name", "programme", "start_year", "end_year",
            "decision_date", "received_date", "notes",
        ]  # fmt: skip
        widgets = {
            "decision_date": DATE_WIDGET,
            "received_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_year"].widget.attrs.update(min=2000, max=2100)
        self.fields["end_year"].widget.attrs.update(min=2000, max=2100)
        if self.instance.pk:
            self.fields["amount"].initial = from_cents(self.instance.amount_cents)
            self.fields["allocations"].initial = "\n".join(
                f"{a.year} : {format_cents(a.amount_cents, currency=False)}"
                for a in self.instance.allocations.all()
            )

    def _post_clean(self) -> None:
        # The service validates the grant (with French messages); the form only parses.
        pass

    def clean_allocations(self) -> dict[int, int] | None:
        text = self.cleaned_data.get("allocations") or ""
        allocations: dict[int, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = _ALLOCATION_LINE.match(line)
            try:
                if match is None:
                    raise ValueError
                year, amount = int(match[1]), to_cents(match[2])
            except ValueError:
                raise forms.ValidationError(
                    _(
                        "Ligne %(n)s illisible : écrivez « année : montant », par exemple « 2025 : 20 000,00 »."
                    )
                    % {"n": number}
                ) from None
            if year in allocations:
                raise forms.ValidationError(
                    _("L'année %(year)s figure deux fois.") % {"year": year}
                )
            allocations[year] = amount
        return allocations or None

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["amount_cents"] = round_cents(data.pop("amount"))
        return data
