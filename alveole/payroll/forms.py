"""Forms of the payroll pages: filters, a month's pay, the simulator, contribution rules."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.dates import today
from alveole.core.money import from_cents, round_cents
from alveole.payroll.models import ContributionRule, PayrollRecord
from alveole.payroll.selectors import PayrollFilters, RuleFilters, payable_people
from alveole.people.models import Person, PersonKind

MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_WIDGET = forms.DateInput(attrs={"type": "month", "placeholder": "AAAA-MM"}, format="%Y-%m")
CHARGE_LINES = 3
MONTH_CHOICES = [
    ("", _("Tous")), (1, _("janvier")), (2, _("février")), (3, _("mars")), (4, _("avril")),
    (5, _("mai")), (6, _("juin")), (7, _("juillet")), (8, _("août")), (9, _("septembre")),
    (10, _("octobre")), (11, _("novembre")), (12, _("décembre")),
]  # fmt: skip


def euros_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def hours_field(label: Any, *, initial: Decimal | None = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(300),
        max_digits=5,
        decimal_places=2,
        initial=initial,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class PayrollFilterForm(forms.Form):
    """Filters of the payroll list; an entrepreneur only gets the year and the month."""

    person = forms.ModelChoiceField(
        label=_("Personne"), required=False, queryset=Person.objects.none(), empty_label=_("Toutes")
    )
    business = forms.ModelChoiceField(
        label=_("Activité"),
        required=False,
        queryset=Business.objects.none(),
        empty_label=_("Toutes"),
    )
    kind = forms.ChoiceField(
        label=_("Salarié·es"),
        required=False,
        choices=[
            ("", _("Tous")),
            (PersonKind.ENTREPRENEUR, _("Entrepreneur·es")),
            (PersonKind.SUPPORT_STAFF, _("Équipe d'appui")),
        ],
    )
    year = forms.IntegerField(label=_("Année"), required=False, min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Mois"), required=False, choices=MONTH_CHOICES, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_cooperative_wide:
            self.fields["person"].queryset = Person.objects.filter(
                pk__in=PayrollRecord.objects.visible_to(user).values("person_id")
            ).order_by("last_name", "first_name")
            self.fields["business"].queryset = Business.objects.order_by("name")
        else:
            for name in ("person", "business", "kind"):
                del self.fields[name]

    def filters(self) -> PayrollFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return PayrollFilters(
            person=data["person"].pk if data.get("person") else None,
            business=data["business"].pk if data.get("business") else None,
            year=data.get("year"),
            month=data.get("month"),
            kind=data.get("kind") or "",
        )


AMOUNT_FIELDS = {
    "gross": "gross_cents",
    "employee_contributions": "employee_contributions_cents",
    "employer_contributions": "employer_contributions_cents",
    "reduction": "reduction_cents",
    "net": "net_cents",
}


class PayrollRecordForm(forms.Form):
    """A month's pay as the payroll software computed it, and who bears its cost."""

    person = forms.ModelChoiceField(label=_("Personne"), queryset=Person.objects.none())
    month = forms.DateField(
        label=_("Mois"), input_formats=MONTH_FORMATS, widget=MONTH_WIDGET, help_text=_("AAAA-MM")
    )
    gross = euros_field(_("Salaire brut (€)"))
    employee_contributions = euros_field(_("Cotisations salariales (€)"))
    employer_contributions = euros_field(
        _("Cotisations patronales (€)"), help_text=_("Avant la réduction générale.")
    )
    reduction = euros_field(
        _("Réduction générale (€)"), required=False, help_text=_("RGDU. Vide : 0.")
    )
    net = euros_field(_("Net avant impôt (€)"))
    paid_hours = hours_field(_("Heures payées"), initial=Decimal("151.67"))

    def __init__(self, *args: Any, user: Any, record: PayrollRecord | None = None, **kwargs: Any):
        if record is not None:
            initial = {
                "person": record.person_id,
                "month": record.month,
                "paid_hours": record.paid_hours,
                **{
                    name: from_cents(getattr(record, field))
                    for name, field in AMOUNT_FIELDS.items()
                },
            }
            charges = list(record.charges.all())
            for index, charge in enumerate(charges, start=1):
                initial[f"business_{index}"] = charge.business_id
                # One business bears the whole cost: left blank, it follows a corrected cost.
                if len(charges) > 1:
                    initial[f"amount_{index}"] = from_cents(charge.amount_cents)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        people = payable_people(user)
        if record is not None:
            people = people | Person.objects.filter(pk=record.person_id)
        self.fields["person"].queryset = people.order_by("last_name", "first_name", "pk")
        businesses = Business.objects.order_by("name", "pk")
        for index in range(1, CHARGE_LINES + 1):
            self.fields[f"business_{index}"] = forms.ModelChoiceField(
                label=_("Activité %(n)s") % {"n": index},
                queryset=businesses,
                required=False,
                empty_label="—",
                help_text=_("Vide : la seule activité de la personne ce mois-là.")
                if index == 1
                else "",
            )
            self.fields[f"amount_{index}"] = euros_field(
                _("Montant porté par l'activité %(n)s (€)") % {"n": index},
                required=False,
                help_text=_("Vide avec une seule activité : tout le coût employeur.")
                if index == 1
                else "",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for index in range(1, CHARGE_LINES + 1):
            if data.get(f"amount_{index}") is not None and not data.get(f"business_{index}"):
                self.add_error(f"business_{index}", _("Choisissez l'activité de ce montant."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {
            field: round_cents(data[name] or Decimal(0)) for name, field in AMOUNT_FIELDS.items()
        }
        fields.update(person=data["person"], month=data["month"], paid_hours=data["paid_hours"])
        charges = []
        for index in range(1, CHARGE_LINES + 1):
            business = data.get(f"business_{index}")
            if business:
                amount = data.get(f"amount_{index}")
                charges.append((business, round_cents(amount) if amount is not None else None))
        fields["charges"] = charges or None
        return fields


class SimulatorForm(forms.Form):
    """What the simulator needs: a business, a budget or a gross salary, hours, a month."""

    MODE_BUDGET = "budget"
    MODE_GROSS = "gross"

    business = forms.ModelChoiceField(label=_("Activité"), queryset=Business.objects.none())
    mode = forms.ChoiceField(
        label=_("Je connais"),
        choices=[
            (MODE_BUDGET, _("le budget disponible : quel brut puis-je me verser ?")),
            (MODE_GROSS, _("le salaire brut : combien coûte-t-il, quel net ?")),
        ],
        initial=MODE_BUDGET,
        widget=forms.RadioSelect,
    )
    amount = euros_field(
        _("Montant (€)"),
        help_text=_("Le budget que l'activité peut consacrer au salaire du mois, ou le brut."),
    )
    paid_hours = hours_field(_("Heures payées dans le mois"), initial=Decimal("151.67"))
    month = forms.DateField(
        label=_("Mois"),
        input_formats=MONTH_FORMATS,
        widget=MONTH_WIDGET,
        help_text=_("Les taux en vigueur ce mois-là s'appliquent."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = Business.objects.visible_to(user).order_by("name", "pk")
        self.fields["month"].initial = today().replace(day=1)

    def clean_month(self) -> datetime.date:
        return self.cleaned_data["month"].replace(day=1)


class RuleFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Portée"),
        required=False,
        choices=[("", _("Toutes")), ("default", _("Par défaut")), ("override", _("Dérogations"))],
    )
    business = forms.ModelChoiceField(
        label=_("Activité"),
        required=False,
        queryset=Business.objects.none(),
        empty_label=_("Toutes"),
    )
    at = forms.DateField(label=_("En vigueur le"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = Business.objects.order_by("name")

    def filters(self) -> RuleFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return RuleFilters(
            business=data["business"].pk if data.get("business") else None,
            scope=data.get("scope") or "",
            at=data.get("at"),
        )


class ContributionRuleForm(forms.Form):
    """A contribution rule as the assembly decided it, with up to three tiers."""

    business = forms.ModelChoiceField(
        label=_("Activité"),
        required=False,
        queryset=Business.objects.none(),
        empty_label=_("— Règle par défaut de la coopérative —"),
        help_text=_("Choisissez une activité pour une dérogation."),
    )
    base = forms.ChoiceField(label=_("Assiette"), choices=ContributionRule.Base.choices)
    rate = forms.DecimalField(
        label=_("Taux (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=6,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
    )
    effective_from = forms.DateField(
        label=_("En vigueur à partir du mois"),
        input_formats=MONTH_FORMATS,
        widget=MONTH_WIDGET,
        help_text=_("La règle prend effet le premier jour de ce mois."),
    )
    effective_to = forms.DateField(
        label=_("Jusqu'au mois (dérogation)"),
        required=False,
        input_formats=MONTH_FORMATS,
        widget=MONTH_WIDGET,
        help_text=_("Vide : sans fin. La règle s'arrête le dernier jour de ce mois."),
    )
    decision_reference = forms.CharField(
        label=_("Décision d'assemblée"),
        max_length=200,
        help_text=_("Exemple : AG du 14/06/2025, résolution 5"),
    )
    decision_date = forms.DateField(label=_("Date de la décision"), widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = Business.objects.order_by("name")
        for index in (1, 2, 3):
            self.fields[f"tier_threshold_{index}"] = euros_field(
                _("Tranche %(n)s : à partir d'une assiette annuelle de (€)") % {"n": index},
                required=False,
                help_text=_("Facultatif : au-delà de ce seuil annuel, un autre taux s'applique.")
                if index == 1
                else "",
            )
            self.fields[f"tier_rate_{index}"] = forms.DecimalField(
                label=_("Tranche %(n)s : taux (%%)") % {"n": index},
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=6,
                decimal_places=3,
                widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for index in (1, 2, 3):
            threshold, rate = data.get(f"tier_threshold_{index}"), data.get(f"tier_rate_{index}")
            if (threshold is None) != (rate is None):
                self.add_error(
                    f"tier_rate_{index}" if rate is None else f"tier_threshold_{index}",
                    _("Une tranche a un seuil et un taux."),
                )
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        effective_to = data.get("effective_to")
        if effective_to is not None:
            following = (effective_to.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            effective_to = following - datetime.timedelta(days=1)
        tiers = [
            (round_cents(data[f"tier_threshold_{index}"]), data[f"tier_rate_{index}"])
            for index in (1, 2, 3)
            if data.get(f"tier_threshold_{index}") is not None
        ]
        return {
            "business": data.get("business"),
            "base": data["base"],
            "rate": data["rate"],
            "effective_from": data["effective_from"].replace(day=1),
            "effective_to": effective_to,
            "decision_reference": data["decision_reference"],
            "decision_date": data["decision_date"],
            "notes": data.get("notes") or "",
            "tiers": tiers,
        }


class RuleEndForm(forms.Form):
    effective_to = forms.DateField(
        label=_("Dernier mois d'application"),
        input_formats=MONTH_FORMATS,
        widget=MONTH_WIDGET,
        help_text=_("La règle s'arrête le dernier jour de ce mois."),
    )

    def last_day(self) -> datetime.date:
        month = self.cleaned_data["effective_to"].replace(day=1)
        return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


class RatesAtForm(forms.Form):
    at = forms.DateField(label=_("En vigueur le"), required=False, widget=DATE_WIDGET)
