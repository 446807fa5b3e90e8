"""Purchases: suppliers, supplier invoices (entered, received or internal), expense reports.

Amounts are integer cents; quantities, unit prices, rates and distances are decimals that
are never summed in SQL. Every write goes through `services.py`.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.dates import today
from alveole.core.models import TimeStampedModel
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.people.models import Person


def _visible_business_ids(user) -> models.QuerySet | None:
    """None means every business; otherwise the ids of the user's businesses (maybe none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Business.objects.none().values("pk")
    if user.role in COOPERATIVE_WIDE_ROLES:
        return None
    if user.person_id:
        return Business.objects.filter(memberships__person_id=user.person_id).values("pk")
    return Business.objects.none().values("pk")


def _upload_path(folder: str, filename: str) -> str:
    """A name nobody can guess or collide with; the original name is kept in the row."""
    suffix = PurePath(filename).suffix.lower()[:8]
    day = today()
    return f"purchases/{folder}/{day:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def received_file_path(instance: models.Model, filename: str) -> str:
    return _upload_path("invoices", filename)


def receipt_path(instance: models.Model, filename: str) -> str:
    return _upload_path("receipts", filename)


# --- suppliers --------------------------------------------------------------------------


class SupplierQuerySet(models.QuerySet):
    def visible_to(self, user) -> SupplierQuerySet:
        """The cooperative's directory of suppliers is shared by every active account; what an
        entrepreneur sees of a supplier's invoices is scoped by `SupplierInvoice.visible_to`."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self


class Supplier(TimeStampedModel):
    """A company (or another business of the cooperative) the cooperative buys from."""

    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    registration_id = models.CharField(
        _("autre identifiant légal"),
        max_length=100,
        blank=True,
        help_text=_("Identifiant d'un fournisseur étranger (registre du commerce de son pays)."),
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays (code ISO)"), max_length=2, default="FR")
    email = models.EmailField(_("e-mail"), blank=True)
    electronic_address = models.CharField(
        _("adresse de facturation électronique"), max_length=100, blank=True
    )
    electronic_address_scheme = models.CharField(
        _("schéma de l'adresse électronique"), max_length=10, blank=True
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    internal_business = models.OneToOneField(
        Business,
        verbose_name=_("activité de la coopérative (achat interne)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_record",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("fournisseur")
        verbose_name_plural = _("fournisseurs")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="supplier_unique_siren"
            ),
            models.UniqueConstraint(
                fields=["vat_number"],
                condition=~Q(vat_number=""),
                name="supplier_unique_vat_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_internal(self) -> bool:
        return self.internal_business_id is not None


# --- supplier invoices ------------------------------------------------------------------


class PurchaseCategory(models.TextChoices):
    """What was bought; the contribution's gross margin deducts the first two."""

    GOODS_FOR_RESALE = "goods_for_resale", _("Marchandises revendues")
    SUBCONTRACTING = "subcontracting", _("Sous-traitance")
    OTHER = "other", _("Autres achats et charges")


#: The categories the gross margin (turnover − goods for resale − subcontracting) deducts.
GROSS_MARGIN_CATEGORIES = (PurchaseCategory.GOODS_FOR_RESALE, PurchaseCategory.SUBCONTRACTING)


class SupplierInvoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Reçue")
    ASSIGNED = "assigned", _("Affectée")
    VALIDATED = "validated", _("Validée")
    PAID = "paid", _("Payée")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")
    CARD = "card", _("Carte bancaire")
    CHEQUE = "cheque", _("Chèque")
    CASH = "cash", _("Espèces")
    INTERNAL = "internal", _("Compensation interne")


class SupplierInvoiceQuerySet(models.QuerySet):
    def visible_to(self, user) -> SupplierInvoiceQuerySet:
        """All for staff roles; an entrepreneur sees the invoices assigned to their businesses."""
        businesses = _visible_business_ids(user)
        if businesses is None:
            return self
        return self.filter(business__in=businesses)


class SupplierInvoice(TimeStampedModel):
    """An invoice (or credit note) a supplier addressed to the cooperative, for one business."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Saisie")
        RECEIVED = "received", _("Facture électronique reçue")
        INTERNAL = "internal", _("Achat interne")

    class ValidationState(models.TextChoices):
        NOT_APPLICABLE = "", _("Sans objet")
        PENDING = "pending", _("Contrôle en attente")
        DONE = "done", _("Contrôlée")
        FAILED = "failed", _("Contrôle impossible")

    Status = SupplierInvoiceStatus

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("fournisseur"), on_delete=models.PROTECT, related_name="invoices"
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("activité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_invoices",
    )
    number = models.CharField(_("numéro de la facture"), max_length=100)
    type_code = models.CharField(
        _("type de document"),
        max_length=3,
        default="380",
        help_text=_("Code UNTDID 1001 : 380 facture, 381 avoir, 384 facture rectificative…"),
    )
    is_credit_note = models.BooleanField(_("avoir"), default=False)
    origin = models.CharField(
        _("origine"), max_length=10, choices=Origin.choices, default=Origin.MANUAL
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=SupplierInvoiceStatus.choices,
        default=SupplierInvoiceStatus.RECEIVED,
        db_index=True,
    )
    category = models.CharField(
        _("catégorie d'achat"),
        max_length=20,
        choices=PurchaseCategory.choices,
        default=PurchaseCategory.OTHER,
    )
    issue_date = models.DateField(_("date de la facture"), db_index=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    title = models.CharField(_("objet"), max_length=200, blank=True)
    total_excl_vat_cents = models.BigIntegerField(_("total HT (centimes)"), default=0)
    total_vat_cents = models.BigIntegerField(_("TVA (centimes)"), default=0)
    total_incl_vat_cents = models.BigIntegerField(_("total TTC (centimes)"), default=0)
    prepaid_cents = models.BigIntegerField(_("déjà payé (centimes)"), default=0)
    due_cents = models.BigIntegerField(_("montant à payer (centimes)"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    # The received file, kept as it came; served only through a permission-checked view.
    original_file = models.FileField(
        _("fichier reçu"), upload_to=received_file_path, max_length=255, blank=True
    )
    original_filename = models.CharField(_("nom du fichier reçu"), max_length=255, blank=True)
    original_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    syntax = models.CharField(_("format"), max_length=20, blank=True)
    profile = models.CharField(_("profil (BT-24)"), max_length=200, blank=True)
    validation_state = models.CharField(
        _("contrôle de conformité"),
        max_length=10,
        choices=ValidationState.choices,
        blank=True,
        default=ValidationState.NOT_APPLICABLE,
    )
    validation_fatal_count = models.PositiveIntegerField(_("erreurs bloquantes"), default=0)
    validation_warning_count = models.PositiveIntegerField(_("avertissements"), default=0)
    validated_by_pipeline_at = models.DateTimeField(_("contrôlée le"), null=True, blank=True)
    # Internal purchases: the selling business and the sales invoice's id (the sales app
    # holds the foreign key; purchases must not import sales, see docs/adr/0009).
    seller_business = models.ForeignKey(
        Business,
        verbose_name=_("activité vendeuse (achat interne)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="internal_sales_as_supplier",
    )
    source_invoice_id = models.BigIntegerField(
        _("facture de vente d'origine"), null=True, blank=True, unique=True
    )
    paid_on = models.DateField(_("payée le"), null=True, blank=True)
    payment_method = models.CharField(
        _("moyen de paiement"), max_length=12, choices=PaymentMethod.choices, blank=True
    )
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SupplierInvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture fournisseur")
        verbose_name_plural = _("factures fournisseurs")
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["business", "issue_date"], name="supplier_invoice_business_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number"], name="supplier_invoice_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status="received") | Q(business__isnull=False),
                name="supplier_invoice_assigned_has_business",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="supplier_invoice_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.supplier}" if self.supplier_id else self.number

    @property
    def kind_label(self) -> str:
        return str(_("Avoir")) if self.is_credit_note else str(_("Facture"))

    @property
    def is_editable(self) -> bool:
        """Entered invoices change until validated; received and internal ones are what they say."""
        return self.origin == self.Origin.MANUAL and self.status in (
            SupplierInvoiceStatus.RECEIVED,
            SupplierInvoiceStatus.ASSIGNED,
        )


class SupplierInvoiceLine(models.Model):
    """A line of a supplier invoice; document-level allowances and charges are lines too."""

    class Kind(models.TextChoices):
        LINE = "line", _("Ligne")
        ALLOWANCE = "allowance", _("Remise sur le total")
        CHARGE = "charge", _("Frais sur le total")

    invoice = models.ForeignKey(
        SupplierInvoice, verbose_name=_("facture"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.LINE)
    description = models.TextField(_("désignation"))
    quantity = models.DecimalField(
        _("quantité"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    unit = models.CharField(_("unité"), max_length=20, blank=True)
    unit_price = models.DecimalField(
        _("prix unitaire HT"), max_digits=24, decimal_places=8, null=True, blank=True
    )
    vat_category = models.CharField(_("catégorie de TVA"), max_length=3, blank=True)
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    net_cents = models.BigIntegerField(_("montant HT (centimes)"))
    vat_cents = models.BigIntegerField(_("TVA (centimes)"), default=0)

    class Meta:
        verbose_name = _("ligne de facture fournisseur")
        verbose_name_plural = _("lignes de factures fournisseurs")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class SupplierInvoiceVat(models.Model):
    """The VAT of one rate of a supplier invoice: its basis, amount and the deductible part."""

    invoice = models.ForeignKey(
        SupplierInvoice,
        verbose_name=_("facture"),
        on_delete=models.CASCADE,
        related_name="vat_rows",
    )
    vat_category = models.CharField(_("catégorie de TVA"), max_length=3, blank=True)
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    basis_cents = models.BigIntegerField(_("base HT (centimes)"), default=0)
    vat_cents = models.BigIntegerField(_("TVA (centimes)"), default=0)
    deductible_vat_cents = models.BigIntegerField(_("TVA déductible (centimes)"), default=0)
    exemption_reason = models.CharField(_("motif d'exonération"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("TVA par taux")
        verbose_name_plural = _("TVA par taux")
        ordering = ["-vat_rate", "pk"]

    def __str__(self) -> str:
        return f"{self.vat_category} {self.vat_rate}"


class InvoiceFinding(models.Model):
    """Something the reception or the validation pipeline found wrong with a received invoice."""

    class Source(models.TextChoices):
        RECEPTION = "reception", _("Lecture")
        TOTALS = "totals", _("Montants")
        VALIDATION = "validation", _("Conformité")

    class Severity(models.TextChoices):
        FATAL = "fatal", _("bloquant")
        WARNING = "warning", _("avertissement")
        INFO = "info", _("information")

    invoice = models.ForeignKey(
        SupplierInvoice,
        verbose_name=_("facture"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    step = models.CharField(_("étape"), max_length=60, blank=True)
    rule_id = models.CharField(_("règle"), max_length=60, blank=True)
    severity = models.CharField(_("gravité"), max_length=8, choices=Severity.choices)
    location = models.CharField(_("emplacement"), max_length=500, blank=True)
    message = models.TextField(_("message"))

    class Meta:
        verbose_name = _("constat sur une facture reçue")
        verbose_name_plural = _("constats sur les factures reçues")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.message[:60]}"


# --- mileage scale ----------------------------------------------------------------------


class MileageScaleQuerySet(models.QuerySet):
    def in_force(self, day: datetime.date) -> MileageScale | None:
        """The newest scale that applies to a trip on `day` (an old one stays until replaced)."""
        return self.filter(valid_from__lte=day).order_by("-valid_from").first()


class MileageScale(TimeStampedModel):
    """The fiscal mileage scale (barème kilométrique) for cars, as published for one year."""

    year = models.PositiveSmallIntegerField(_("année de publication"), unique=True)
    valid_from = models.DateField(_("appliqué aux trajets à partir du"), unique=True)
    electric_bonus_percent = models.DecimalField(
        _("majoration des véhicules électriques (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
    )
    source = models.TextField(_("source"))

    objects = MileageScaleQuerySet.as_manager()

    class Meta:
        verbose_name = _("barème kilométrique")
        verbose_name_plural = _("barèmes kilométriques")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return _("Barème kilométrique %(year)s") % {"year": self.year}


class MileageBand(models.Model):
    """One cell of the scale: for a horsepower range and yearly distance, d × rate + fixed."""

    scale = models.ForeignKey(
        MileageScale, verbose_name=_("barème"), on_delete=models.CASCADE, related_name="bands"
    )
    horsepower_min = models.PositiveSmallIntegerField(_("puissance fiscale de (CV)"))
    horsepower_max = models.PositiveSmallIntegerField(
        _("à (CV)"), null=True, blank=True, help_text=_("Vide : et plus.")
    )
    distance_min_km = models.PositiveIntegerField(_("distance annuelle de (km)"))
    distance_max_km = models.PositiveIntegerField(
        _("à (km)"), null=True, blank=True, help_text=_("Vide : au-delà.")
    )
    rate_per_km = models.DecimalField(_("euros par km"), max_digits=6, decimal_places=3)
    fixed_cents = models.BigIntegerField(_("montant fixe (centimes)"), default=0)

    class Meta:
        verbose_name = _("tranche du barème kilométrique")
        verbose_name_plural = _("tranches du barème kilométrique")
        ordering = ["scale", "horsepower_min", "distance_min_km"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "horsepower_min", "distance_min_km"],
                name="mileage_band_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.horsepower_min} CV, {self.distance_min_km} km"


# --- expense reports --------------------------------------------------------------------


class ExpenseReportStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    REFUSED = "refused", _("Refusée")
    VALIDATED = "validated", _("Validée")
    PAID = "paid", _("Payée")


#: The statuses in which the entrepreneur may still change the lines.
EXPENSE_EDITABLE_STATUSES = (ExpenseReportStatus.DRAFT, ExpenseReportStatus.REFUSED)


class ExpenseReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExpenseReportQuerySet:
        """All for staff roles; an entrepreneur sees their own reports only."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in COOPERATIVE_WIDE_ROLES:
            return self
        if user.person_id:
            return self.filter(person_id=user.person_id)
        return self.none()


class ExpenseReport(TimeStampedModel):
    """What an entrepreneur spent for their business in one month, to be reimbursed."""

    Status = ExpenseReportStatus

    person = models.ForeignKey(
        Person,
        verbose_name=_("entrepreneur·e"),
        on_delete=models.PROTECT,
        related_name="expense_reports",
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("activité"),
        on_delete=models.PROTECT,
        related_name="expense_reports",
    )
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois."))
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=ExpenseReportStatus.choices,
        default=ExpenseReportStatus.DRAFT,
        db_index=True,
    )
    total_cents = models.BigIntegerField(_("total TTC (centimes)"), default=0)
    total_vat_cents = models.BigIntegerField(_("TVA récupérable (centimes)"), default=0)
    refusal_reason = models.CharField(_("motif du refus"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    paid_on = models.DateField(_("payée le"), null=True, blank=True)
    payment_method = models.CharField(
        _("moyen de paiement"), max_length=12, choices=PaymentMethod.choices, blank=True
    )
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)

    objects = ExpenseReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("note de dépenses")
        verbose_name_plural = _("notes de dépenses")
        ordering = ["-month", "person__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "business", "month"], name="expense_report_one_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="expense_report_month_start"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="expense_report_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return _("Note de dépenses %(month)s — %(person)s") % {
            "month": self.month.strftime("%m/%Y"),
            "person": self.person,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in EXPENSE_EDITABLE_STATUSES


class ExpenseCategory(models.TextChoices):
    """What an expense was for (mileage allowances are their own kind of line)."""

    TRANSPORT = "transport", _("Transport (train, car, avion, taxi)")
    FUEL = "fuel", _("Carburant")
    TOLLS_PARKING = "tolls_parking", _("Péage et stationnement")
    ACCOMMODATION = "accommodation", _("Hébergement")
    MEALS = "meals", _("Repas")
    SUPPLIES = "supplies", _("Fournitures et petit matériel")
    TELECOM = "telecom", _("Téléphone et internet")
    POSTAGE = "postage", _("Affranchissement")
    DOCUMENTATION = "documentation", _("Documentation et formation")
    OTHER = "other", _("Autre")
    MILEAGE = "mileage", _("Indemnités kilométriques")


class ExpenseLine(models.Model):
    """One expense (with its receipt) or one trip with the entrepreneur's own car."""

    class Kind(models.TextChoices):
        EXPENSE = "expense", _("Dépense")
        MILEAGE = "mileage", _("Trajet (indemnités kilométriques)")

    report = models.ForeignKey(
        ExpenseReport,
        verbose_name=_("note de dépenses"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.EXPENSE)
    date = models.DateField(_("date"))
    category = models.CharField(_("catégorie"), max_length=16, choices=ExpenseCategory.choices)
    description = models.CharField(_("description"), max_length=255)
    amount_cents = models.BigIntegerField(_("montant TTC (centimes)"))
    vat_cents = models.BigIntegerField(_("dont TVA (centimes)"), default=0)
    receipt = models.FileField(
        _("justificatif"), upload_to=receipt_path, max_length=255, blank=True
    )
    receipt_filename = models.CharField(_("nom du justificatif"), max_length=255, blank=True)
    receipt_content_type = models.CharField(max_length=100, blank=True)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    horsepower = models.PositiveSmallIntegerField(
        _("puissance fiscale (CV)"), null=True, blank=True
    )
    electric = models.BooleanField(_("véhicule électrique"), default=False)
    year_distance_before_km = models.DecimalField(
        _("distance de l'année avant ce trajet (km)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
    )
    mileage_scale = models.ForeignKey(
        MileageScale,
        verbose_name=_("barème appliqué"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ligne de note de dépenses")
        verbose_name_plural = _("lignes de notes de dépenses")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0)
                & Q(vat_cents__gte=0)
                & Q(vat_cents__lte=models.F("amount_cents")),
                name="expense_line_amounts",
            ),
            models.CheckConstraint(
                condition=Q(kind="expense")
                | (Q(distance_km__isnull=False) & Q(horsepower__isnull=False)),
                name="expense_line_mileage_has_distance",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


# --- history ----------------------------------------------------------------------------


class PurchaseStateChange(models.Model):
    """One change of state of a supplier invoice or an expense report: who, when, from, to."""

    supplier_invoice = models.ForeignKey(
        SupplierInvoice,
        verbose_name=_("facture fournisseur"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="state_changes",
    )
    expense_report = models.ForeignKey(
        ExpenseReport,
        verbose_name=_("note de dépenses"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="state_changes",
    )
    at = models.DateTimeField(_("date"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("de"), max_length=10, blank=True)
    to_status = models.CharField(_("vers"), max_length=10)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("changement d'état d'un achat")
        verbose_name_plural = _("changements d'état des achats")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(supplier_invoice__isnull=True, expense_report__isnull=False)
                | Q(supplier_invoice__isnull=False, expense_report__isnull=True),
                name="purchase_state_change_one_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def _label(self, status: str) -> str:
        choices = SupplierInvoiceStatus if self.supplier_invoice_id else ExpenseReportStatus
        return str(dict(choices.choices).get(status, status))

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)
