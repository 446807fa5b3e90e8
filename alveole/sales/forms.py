"""Forms of the sales pages; they only read input, the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.money import to_cents
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.core.widgets import FastSelect
from alveole.sales.models import (
    VAT_RATE_CHOICES,
    Customer,
    LineType,
    Nature,
    Payment,
    Reminder,
    SalesSettings,
)
from alveole.sales.selectors import SalesFilters, businesses_for_sales

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ShownChoices(forms.models.ModelChoiceIterator):
    """The options of a `NarrowedModelChoiceField`: its `shown` queryset, not its queryset,
    read with one plain query. Django's iterator() opens a server-side cursor on PostgreSQL
    (DECLARE … WITH HOLD, fetch, close): three round trips for the few rows of a select."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        super().__init__(field)
        shown = getattr(field, "shown", None)
        if shown is not None:
            self.queryset = shown

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class NarrowedModelChoiceField(forms.ModelChoiceField):
    """A select that validates against its whole queryset but lists only `shown` (when set):
    a filter of a cooperative-wide list must not print every customer of the cooperative."""

    iterator = _ShownChoices
    shown: Any = None


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class BootstrapMixin:
    """Bootstrap classes on every widget."""

    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.DecimalField):
                # French users type "1,5": a localised text input with a decimal keypad.
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field.widget.is_localized = True
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
                if type(widget) is forms.Select:  # the same HTML, without a template per option
                    widget.__class__ = FastSelect
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")


class FilterForm(BootstrapMixin, forms.Form):
    """The filters of a sales list."""

    q = forms.CharField(label=_("Recherche"), required=False)
    business = NarrowedModelChoiceField(
        label=_("Activité"), queryset=Business.objects.none(), required=False
    )
    customer = NarrowedModelChoiceField(
        label=_("Client"), queryset=Customer.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Statut"), required=False)
    date_from = forms.DateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)
    late = forms.BooleanField(label=_("En retard seulement"), required=False)

    def __init__(self, *args: Any, user: Any, statuses: list, with_late: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["business"].queryset = businesses_for_sales(user=user)
        customers = Customer.objects.visible_to(user).order_by("name")
        self.fields["customer"].queryset = customers
        self._narrow_customers(user, customers)
        self.fields["status"].choices = [("", _("Tous")), *statuses]
        if not with_late:
            del self.fields["late"]
        self._style()

    def _narrow_customers(self, user: Any, customers: Any) -> None:
        """List the customers of the chosen business; with none chosen, a cooperative-wide
        user (thousands of customers) gets only the chosen customer, if any: the options
        stay as many as one business has, whatever the size of the cooperative."""
        field: Any = self.fields["customer"]
        business = str(self.data.get("business") or "")
        if business.isdigit():
            field.shown = customers.filter(business_id=int(business))
        elif getattr(user, "role", None) in COOPERATIVE_WIDE_ROLES:
            customer = str(self.data.get("customer") or "")
            field.shown = (
                customers.filter(pk=int(customer)) if customer.isdigit() else customers.none()
            )
            field.empty_label = _("Tous (choisir d'abord une activité)")
        field.widget.choices = field.choices

    def filters(self) -> SalesFilters:
        if not self.is_valid():
            return SalesFilters()
        data = self.cleaned_data
        return SalesFilters(
            q=data.get("q", "").strip(),
            business=data["business"].pk if data.get("business") else None,
            customer=data["customer"].pk if data.get("customer") else None,
            status=data.get("status", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            late=bool(data.get("late")),
        )


class CustomerForm(BootstrapMixin, forms.ModelForm):
    """A customer's details; identifiers are normalised and checked by the service."""

    class Meta:
        model = Customer
        fields = [
            "business", "kind", "name", "siren", "siret", "vat_number", "address",
            "postal_code", "city", "country", "department", "delivery_address",
            "delivery_postal_code", "delivery_city", "delivery_country", "email",
            "electronic_address", "internal_business", "payment_terms_days", "notes", "archived",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["business"]
        else:
            self.fields["business"].queryset = businesses_for_sales(user=user)
            del self.fields["archived"]
        self.fields["internal_business"].queryset = Business.objects.order_by("name")
        for name in ("siren", "siret", "vat_number", "postal_code", "department"):
            self.fields[name].validators = []
            self.fields[name].max_length = 30
            self.fields[name].widget.attrs.pop("maxlength", None)
        self._style()

    def _post_clean(self) -> None:
        # The service normalises ("fr44 732 829 320") and validates: not the model's
        # validators on the raw input.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("business", None)
        return {
            k: ("" if v is None and k not in ("internal_business", "payment_terms_days") else v)
            for k, v in data.items()
        }


class DocumentForm(BootstrapMixin, forms.Form):
    """The head of a draft quote or invoice."""

    business = forms.ModelChoiceField(label=_("Activité"), queryset=Business.objects.none())
    customer = forms.ModelChoiceField(label=_("Client"), queryset=Customer.objects.none())
    title = forms.CharField(label=_("Objet"), required=False, max_length=200)
    first_date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    second_date = forms.DateField(label=_("Échéance"), required=False, widget=DATE_WIDGET)
    prices = forms.ChoiceField(
        label=_("Prix saisis"),
        required=False,
        choices=[
            ("", _("Selon le client (TTC pour un particulier)")),
            ("excl", _("Hors taxes (HT)")),
            ("incl", _("Toutes taxes comprises (TTC)")),
        ],
    )
    notes = forms.CharField(
        label=_("Notes imprimées"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, is_quote: bool, editing: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["business"].queryset = businesses_for_sales(user=user)
        self.fields["customer"].queryset = (
            Customer.objects.visible_to(user).filter(archived=False).select_related("business")
        )
        if editing:
            del self.fields["business"]
        if is_quote:
            self.fields["first_date"].label = _("Date du devis")
            self.fields["second_date"].label = _("Valable jusqu'au")
        else:
            self.fields["first_date"].label = _("Date de la livraison ou de la prestation")
            self.fields["second_date"].label = _("Échéance (sinon selon le délai de paiement)")
        self._style()


class LineForm(BootstrapMixin, forms.Form):
    """One line of a draft, or a section title."""

    line_type = forms.ChoiceField(label=_("Type"), choices=LineType.choices, initial=LineType.ITEM)
    description = forms.CharField(
        label=_("Désignation"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    quantity = forms.DecimalField(
        label=_("Quantité"), required=False, max_digits=14, decimal_places=4, initial=1
    )
    unit = forms.CharField(label=_("Unité"), required=False, max_length=20)
    unit_price = forms.DecimalField(
        label=_("Prix unitaire (HT, ou TTC si les prix sont saisis TTC)"),
        required=False,
        max_digits=18,
        decimal_places=6,
    )
    discount = forms.DecimalField(
        label=_("Remise (€, HT ou TTC comme les prix)"),
        required=False,
        max_digits=14,
        decimal_places=2,
    )
    vat_rate = forms.TypedChoiceField(
        label=_("TVA"), choices=VAT_RATE_CHOICES, coerce=Decimal, initial=Decimal("20.00")
    )
    vat_exemption_reason = forms.CharField(label=_("Motif d'exonération"), required=False)
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices, initial=Nature.SERVICE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def line(self, *, prices_include_vat: bool = False) -> dict[str, Any] | None:
        """The line for the service; the price typed is incl. VAT on a TTC document."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not (data.get("description") or "").strip():
            return None
        price_key = "unit_price_incl_vat" if prices_include_vat else "unit_price"
        return {
            "line_type": data["line_type"],
            "description": data["description"],
            "quantity": data.get("quantity") if data.get("quantity") is not None else 1,
            "unit": data.get("unit", ""),
            price_key: data.get("unit_price") or 0,
            "discount_cents": to_cents(data["discount"]) if data.get("discount") else 0,
            "vat_rate": data["vat_rate"],
            "vat_exemption_reason": data.get("vat_exemption_reason", ""),
            "nature": data["nature"],
        }


LineFormSet = forms.formset_factory(LineForm, extra=2, can_delete=True)


def line_initial(line: Any) -> dict[str, Any]:
    price = line.unit_price if line.unit_price_incl_vat is None else line.unit_price_incl_vat
    return {
        "line_type": line.line_type,
        "description": line.description,
        "quantity": line.quantity.normalize(),
        "unit": line.unit,
        "unit_price": price.normalize(),
        "discount": Decimal(line.discount_cents) / 100 if line.discount_cents else None,
        "vat_rate": line.vat_rate,
        "vat_exemption_reason": line.vat_exemption_reason,
        "nature": line.nature,
    }


class PaymentForm(BootstrapMixin, forms.Form):
    """Money received for an invoice."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    amount = forms.DecimalField(label=_("Montant (€)"), max_digits=14, decimal_places=2)
    method = forms.ChoiceField(label=_("Moyen"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("Référence"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class CreditNoteForm(BootstrapMixin, forms.Form):
    """A full credit note, or a partial one of one amount at one VAT rate."""

    mode = forms.ChoiceField(
        label=_("Avoir"),
        choices=[("full", _("Total (toutes les lignes)")), ("partial", _("Partiel"))],
    )
    description = forms.CharField(label=_("Désignation (partiel)"), required=False)
    amount = forms.DecimalField(
        label=_("Montant (partiel, € HT, ou TTC si la facture est saisie TTC)"),
        required=False,
        max_digits=14,
        decimal_places=2,
    )
    vat_rate = forms.TypedChoiceField(
        label=_("TVA (partiel)"), choices=VAT_RATE_CHOICES, coerce=Decimal, initial=Decimal("20.00")
    )
    vat_exemption_reason = forms.CharField(label=_("Motif d'exonération"), required=False)
    reason = forms.CharField(label=_("Motif de l'avoir"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def lines(self, *, prices_include_vat: bool = False) -> list[dict[str, Any]] | None:
        """The partial credit note's line; its amount is incl. VAT on a TTC invoice."""
        data = self.cleaned_data
        if data["mode"] == "full":
            return None
        if not data.get("amount") or not (data.get("description") or "").strip():
            raise ValidationError(_("Un avoir partiel a une désignation et un montant."))
        return [
            {
                "description": data["description"],
                "quantity": 1,
                "unit_price_incl_vat" if prices_include_vat else "unit_price": data["amount"],
                "vat_rate": data["vat_rate"],
                "vat_exemption_reason": data.get("vat_exemption_reason", ""),
            }
        ]


class QuoteInvoiceForm(BootstrapMixin, forms.Form):
    """How to invoice an accepted quote."""

    mode = forms.ChoiceField(
        label=_("Facturer"),
        choices=[
            ("full", _("La totalité")),
            ("deposit", _("Un acompte")),
            ("final", _("Le solde (déduit les acomptes)")),
        ],
    )
    percent = forms.DecimalField(
        label=_("Acompte (%)"), required=False, max_digits=5, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReminderForm(BootstrapMixin, forms.Form):
    """A payment reminder."""

    level = forms.TypedChoiceField(label=_("Niveau"), choices=Reminder.Level.choices, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReturnForm(BootstrapMixin, forms.Form):
    """Why the support staff send a draft back."""

    reason = forms.CharField(label=_("Ce qui doit être corrigé"), max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class SalesSettingsForm(BootstrapMixin, forms.ModelForm):
    """A business's sales settings; validation before issue is the support staff's call."""

    class Meta:
        model = SalesSettings
        fields = [
            "requires_validation",
            "payment_terms_days",
            "late_penalty_text",
            "early_payment_text",
            "footer",
        ]

    def __init__(self, *args: Any, can_decide_validation: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_decide_validation:
            self.fields["requires_validation"].disabled = True
        self._style()
