"""Forms of the purchases pages; they only read input, the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.dates import today
from alveole.core.forms_errors import apply_errors
from alveole.core.money import to_cents
from alveole.people.models import Person
from alveole.purchases.files import RECEIPT_MAX_BYTES
from alveole.purchases.models import (
    ExpenseCategory,
    ExpenseReportStatus,
    PaymentMethod,
    PurchaseCategory,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceStatus,
)
from alveole.purchases.selectors import (
    PurchaseFilters,
    businesses_for_purchases,
    people_with_reports,
)
from alveole.purchases.services import SUPPLIER_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VAT_RATE_CHOICES = [
    (Decimal("20"), "20 %"),
    (Decimal("10"), "10 %"),
    (Decimal("5.5"), "5,5 %"),
    (Decimal("2.1"), "2,1 %"),
    (Decimal("0"), _("0 % (exonéré ou sans TVA)")),
]
EINVOICE_ACCEPT = ".pdf,.xml,application/pdf,application/xml,text/xml"
RECEIPT_ACCEPT = "image/*,application/pdf"


#: Kept under its historical name: the core helper does the work.
add_service_errors = apply_errors


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; decimals typed the French way (1,5)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.DecimalField):
            field.localize = True
            field.widget = forms.TextInput(attrs={"inputmode": "decimal", **field.widget.attrs})
            field.widget.is_localized = True
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


# --- filters ----------------------------------------------------------------------------


class InvoiceFilterForm(StyledForm):
    """The filters of the supplier invoice list."""

    q = forms.CharField(label=_("Recherche"), required=False)
    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.none(), required=False
    )
    supplier = forms.ModelChoiceField(
        label=_("Fournisseur"), queryset=Supplier.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *SupplierInvoiceStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("Catégorie"), required=False, choices=[("", _("Toutes")), *PurchaseCategory.choices]
    )
    date_from = forms.DateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses_for_purchases(user=user)
        self.fields["supplier"].queryset = (
            Supplier.objects.filter(
                invoices__in=SupplierInvoice.objects.visible_to(user).values("pk")
            )
            .distinct()
            .order_by("name")
        )

    def filters(self) -> PurchaseFilters:
        if not self.is_valid():
            return PurchaseFilters()
        data = self.cleaned_data
        return PurchaseFilters(
            q=data.get("q", "").strip(),
            business=data["business"].pk if data.get("business") else None,
            supplier=data["supplier"].pk if data.get("supplier") else None,
            status=data.get("status", ""),
            category=data.get("category", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class SupplierFilterForm(StyledForm):
    q = forms.CharField(label=_("Recherche (nom, SIREN, TVA, ville)"), required=False)
    origin = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[
            ("", _("Tous")),
            ("external", _("Entreprises")),
            ("internal", _("Activités de la coopérative")),
        ],
    )

    def filters(self) -> PurchaseFilters:
        if not self.is_valid():
            return PurchaseFilters()
        return PurchaseFilters(q=self.cleaned_data["q"].strip(), origin=self.cleaned_data["origin"])


class ReportFilterForm(StyledForm):
    """The filters of the expense report list."""

    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Entrepreneur·e"), queryset=Person.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *ExpenseReportStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("Catégorie de dépense"),
        required=False,
        choices=[("", _("Toutes")), *ExpenseCategory.choices],
    )
    date_from = forms.DateField(label=_("Du mois de"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Au mois de"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses_for_purchases(user=user)
        if user.is_cooperative_wide:
            self.fields["person"].queryset = people_with_reports(user=user).order_by(
                "last_name", "first_name"
            )
        else:
            del self.fields["person"]

    def filters(self) -> PurchaseFilters:
        if not self.is_valid():
            return PurchaseFilters()
        data = self.cleaned_data
        return PurchaseFilters(
            business=data["business"].pk if data.get("business") else None,
            person=data["person"].pk if data.get("person") else None,
            status=data.get("status", ""),
            category=data.get("category", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


# --- suppliers and invoices -------------------------------------------------------------


class SupplierForm(forms.ModelForm):
    """A supplier's identity, addresses and bank details; the service checks identifiers."""

    class Meta:
        model = Supplier
        fields = [f for f in SUPPLIER_FIELDS if f != "electronic_address_scheme"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("siren", "siret", "vat_number", "iban", "bic", "postal_code"):
            # Typed with spaces or dots ("732 829 320"): the service compacts and checks them.
            self.fields[name].validators = []
            self.fields[name].max_length = 60
            self.fields[name].widget.attrs.pop("maxlength", None)
        style(self)

    def _post_clean(self) -> None:
        """Model validation is the service's job (with its clearer messages)."""

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SupplierInvoiceForm(StyledForm):
    """The header of an invoice entered by hand."""

    supplier = forms.ModelChoiceField(label=_("Fournisseur"), queryset=Supplier.objects.none())
    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.none(), required=False
    )
    number = forms.CharField(label=_("Numéro de la facture"), max_length=100)
    is_credit_note = forms.BooleanField(label=_("C'est un avoir"), required=False)
    issue_date = forms.DateField(label=_("Date de la facture"), widget=DATE_WIDGET)
    due_date = forms.DateField(label=_("Échéance"), required=False, widget=DATE_WIDGET)
    category = forms.ChoiceField(label=_("Catégorie d'achat"), choices=PurchaseCategory.choices)
    title = forms.CharField(label=_("Objet"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.visible_to(user).order_by("name")
        self.fields["business"].queryset = businesses_for_purchases(user=user)
        if editing:
            del self.fields["business"]
        elif not user.is_cooperative_wide:
            self.fields["business"].required = True
            self.fields["business"].empty_label = None
        else:
            self.fields["business"].empty_label = _("— à affecter plus tard —")


class InvoiceLineForm(StyledForm):
    description = forms.CharField(label=_("Désignation"), required=False)
    quantity = forms.DecimalField(
        label=_("Quantité"), required=False, max_digits=14, decimal_places=4
    )
    unit_price = forms.DecimalField(
        label=_("Prix unitaire HT"), required=False, max_digits=18, decimal_places=6
    )
    vat_rate = forms.TypedChoiceField(
        label=_("TVA"), choices=VAT_RATE_CHOICES, coerce=Decimal, initial=Decimal("20")
    )

    def line(self) -> dict[str, Any] | None:
        """The line as the service wants it, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("description") and data.get("unit_price") is None:
            return None
        return {
            "description": data.get("description", ""),
            "quantity": data.get("quantity") if data.get("quantity") is not None else Decimal(1),
            "unit_price": data.get("unit_price")
            if data.get("unit_price") is not None
            else Decimal(0),
            "vat_rate": data["vat_rate"],
        }


LineFormSet = forms.formset_factory(InvoiceLineForm, extra=2)


class ClassificationForm(StyledForm):
    """What may change on a received invoice: its category, title and notes."""

    category = forms.ChoiceField(label=_("Catégorie d'achat"), choices=PurchaseCategory.choices)
    title = forms.CharField(label=_("Objet"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ReceiveForm(StyledForm):
    """One or more received e-invoice files, and where they go."""

    files = MultipleFileField(
        label=_("Factures électroniques (PDF Factur-X, XML CII ou UBL)"),
        widget=MultipleFileInput(attrs={"accept": EINVOICE_ACCEPT}),
    )
    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("Catégorie d'achat"),
        choices=PurchaseCategory.choices,
        initial=PurchaseCategory.OTHER,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses_for_purchases(user=user)
        if user.is_cooperative_wide:
            self.fields["business"].empty_label = _(
                "— d'après la référence acheteur, ou à affecter —"
            )
        else:
            self.fields["business"].required = True
            self.fields["business"].empty_label = None


class AssignForm(StyledForm):
    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.order_by("name")
    )
    category = forms.ChoiceField(label=_("Catégorie d'achat"), choices=PurchaseCategory.choices)


class PaymentForm(StyledForm):
    date = forms.DateField(label=_("Date du paiement"), widget=DATE_WIDGET, initial=today)
    method = forms.ChoiceField(label=_("Moyen"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Référence"), required=False, max_length=100)


# --- expense reports --------------------------------------------------------------------


class ExpenseReportForm(StyledForm):
    business = forms.ModelChoiceField(
        label=_("Activité"), queryset=Business.objects.none(), empty_label=None
    )
    month = forms.DateField(
        label=_("Mois"),
        input_formats=["%Y-%m", "%Y-%m-%d", "%m/%Y"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("Une note par mois et par activité."),
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = Business.objects.filter(
            memberships__person=person
        ).order_by("name")


class ExpenseLineForm(StyledForm):
    """An expense and its receipt: the phone's camera opens from the file field."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    category = forms.ChoiceField(
        label=_("Catégorie"),
        choices=[c for c in ExpenseCategory.choices if c[0] != ExpenseCategory.MILEAGE],
    )
    description = forms.CharField(label=_("Description"), max_length=255)
    amount = forms.DecimalField(
        label=_("Montant TTC (€)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    vat = forms.DecimalField(
        label=_("Dont TVA (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
    )
    receipt = forms.FileField(
        label=_("Justificatif (photo ou PDF)"),
        help_text=_("Sur un téléphone, l'appareil photo s'ouvre. %(max)s Mo au plus.")
        % {"max": RECEIPT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT, "capture": "environment"}),
    )

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data["receipt"]
        return {
            "date": data["date"],
            "category": data["category"],
            "description": data["description"],
            "amount_cents": to_cents(data["amount"]),
            "vat_cents": to_cents(data.get("vat") or Decimal(0)),
            "receipt": upload.read(),
            "receipt_filename": upload.name,
        }


class TripForm(StyledForm):
    """A trip with one's own car: the scale pays it by horsepower and the year's distance."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("Trajet et motif"), max_length=255)
    distance_km = forms.DecimalField(
        label=_("Distance (km)"), max_digits=7, decimal_places=1, min_value=Decimal("0.1")
    )
    horsepower = forms.IntegerField(
        label=_("Puissance fiscale (CV)"),
        min_value=1,
        max_value=50,
        help_text=_("Case P.6 de la carte grise."),
    )
    electric = forms.BooleanField(label=_("Véhicule électrique"), required=False)


class RefuseForm(StyledForm):
    reason = forms.CharField(label=_("Motif du refus"), max_length=500)
