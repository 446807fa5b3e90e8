"""Forms of the ledger pages: filters, accounts, manual entries, closings, exports."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear
from alveole.core.dates import add_months, today
from alveole.core.money import round_cents
from alveole.ledger.models import Account, Event, Journal
from alveole.ledger.posting import LineDraft
from alveole.ledger.selectors import EntryFilters

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_WIDGET = forms.DateInput(attrs={"type": "month", "placeholder": "AAAA-MM"}, format="%Y-%m")
MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]
MANUAL_LINES = 6


def euros_field(label: Any, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class EntryFilterForm(forms.Form):
    """Filters of the entries list."""

    journal = forms.ModelChoiceField(
        label=_("Journal"), required=False, queryset=Journal.objects.order_by("code"),
        empty_label=_("Tous"), to_field_name="code",
    )  # fmt: skip
    fiscal_year = forms.ModelChoiceField(
        label=_("Exercice"), required=False, queryset=FiscalYear.objects.order_by("-start_date"),
        empty_label=_("Tous"),
    )  # fmt: skip
    date_from = forms.DateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)
    account = forms.CharField(label=_("Compte"), required=False, max_length=10)
    business = forms.ModelChoiceField(
        label=_("Activité"), required=False, queryset=Business.objects.order_by("code"),
        empty_label=_("Toutes"),
    )  # fmt: skip
    event = forms.ChoiceField(
        label=_("Événement"), required=False, choices=[("", _("Tous")), *Event.choices]
    )
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100)

    def filters(self) -> EntryFilters:
        if not self.is_bound or not self.is_valid():
            return EntryFilters()
        data = self.cleaned_data
        return EntryFilters(
            journal=data["journal"].code if data["journal"] else "",
            fiscal_year=data["fiscal_year"].pk if data["fiscal_year"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            account=data["account"].strip(),
            business=data["business"].pk if data["business"] else None,
            event=data["event"],
            q=data["q"].strip(),
        )


class AccountCreateForm(forms.Form):
    number = forms.CharField(label=_("Numéro"), max_length=10)
    label = forms.CharField(label=_("Intitulé"), max_length=150)


class AccountEditForm(forms.Form):
    label = forms.CharField(label=_("Intitulé"), max_length=150)
    active = forms.BooleanField(label=_("Ouvert aux écritures"), required=False)


class ManualEntryForm(forms.Form):
    """The head of a manual entry; its lines are a formset."""

    journal = forms.ModelChoiceField(
        label=_("Journal"),
        queryset=Journal.objects.exclude(code="AN").order_by("code"),
        to_field_name="code",
        initial="OD",
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, initial=today)
    label = forms.CharField(label=_("Libellé"), max_length=200)
    document_number = forms.CharField(label=_("Pièce"), max_length=100, required=False)


class ManualLineForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Compte"),
        queryset=Account.objects.filter(active=True).order_by("number"),
        to_field_name="number",
        required=False,
    )
    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.order_by("code"), required=False
    )
    label = forms.CharField(label=_("Libellé de la ligne"), max_length=200, required=False)
    debit = euros_field(_("Débit (€)"))
    credit = euros_field(_("Crédit (€)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("account") and not (data.get("debit") or data.get("credit")):
            raise forms.ValidationError(_("Indiquez un montant au débit ou au crédit."))
        if data.get("debit") and data.get("credit"):
            raise forms.ValidationError(_("Une ligne porte soit un débit, soit un crédit."))
        if (data.get("debit") or data.get("credit")) and not data.get("account"):
            raise forms.ValidationError(_("Choisissez le compte de la ligne."))
        return data

    def line(self) -> LineDraft | None:
        data = self.cleaned_data
        if not data.get("account"):
            return None
        return LineDraft(
            account=data["account"].number,
            debit_cents=round_cents(data["debit"] or Decimal(0)),
            credit_cents=round_cents(data["credit"] or Decimal(0)),
            business_id=data["business"].pk if data.get("business") else None,
            label=data.get("label", "").strip(),
        )


ManualLineFormSet = forms.formset_factory(ManualLineForm, extra=MANUAL_LINES, max_num=40)


class ReverseForm(forms.Form):
    date = forms.DateField(
        label=_("Date de la contre-passation"), widget=DATE_WIDGET, initial=today
    )
    reason = forms.CharField(label=_("Motif"), max_length=150, required=False)


class TreasuryForm(forms.Form):
    day = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)
    year = forms.IntegerField(label=_("Année"), required=False, min_value=2000, max_value=2100)


class VatForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), required=False, min_value=2000, max_value=2100)
    quarterly = forms.BooleanField(label=_("Par trimestre"), required=False)


class VatReturnForm(forms.Form):
    start = forms.DateField(widget=forms.HiddenInput)
    end = forms.DateField(widget=forms.HiddenInput)


class CloseMonthForm(forms.Form):
    """Close the books through the end of a month."""

    month = forms.DateField(
        label=_("Clôturer jusqu'à la fin du mois de"),
        input_formats=MONTH_FORMATS,
        widget=MONTH_WIDGET,
    )

    def through(self) -> datetime.date:
        month = self.cleaned_data["month"].replace(day=1)
        return add_months(month, 1) - datetime.timedelta(days=1)
