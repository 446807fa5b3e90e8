"""Sales: customers, quotes, invoices and credit notes, payments, numbering, history."""

from __future__ import annotations

import datetime
import re
import string
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.models import TimeStampedModel
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.core.validators import validate_department, validate_siren, validate_siret


class ImmutableDocumentError(ValidationError):
    """An issued invoice or credit note, or one of its lines, was about to change."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Un document émis ne peut plus être modifié ni supprimé : corrigez-le par un avoir."
            ),
            code="immutable",
        )


def _visible_businesses(user) -> models.QuerySet[Business] | None:
    """None means every business; an empty queryset means none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Business.objects.none()
    if user.role in COOPERATIVE_WIDE_ROLES:
        return None
    if user.person_id:
        return Business.objects.filter(memberships__person_id=user.person_id)
    return Business.objects.none()


class BusinessScopedQuerySet(models.QuerySet):
    """Rows that belong to a business, visible to the business's members and staff roles."""

    def visible_to(self, user):
        businesses = _visible_businesses(user)
        if businesses is None:
            return self
        return self.filter(business__in=businesses.values("pk"))


# --- settings and numbering -------------------------------------------------------------


class SalesSettings(TimeStampedModel):
    """A business's sales settings: validation before issue, payment terms, printed terms."""

    business = models.OneToOneField(
        Business,
        verbose_name=_("activité"),
        on_delete=models.CASCADE,
        related_name="sales_settings",
    )
    requires_validation = models.BooleanField(
        _("émission validée par l'équipe d'appui"), default=False
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30
    )
    late_penalty_text = models.CharField(
        _("pénalités de retard"),
        max_length=255,
        default=_(
            "Taux d'intérêt de la BCE majoré de 10 points, exigible dès le lendemain de l'échéance"
        ),
    )
    early_payment_text = models.CharField(
        _("escompte pour paiement anticipé"),
        max_length=255,
        default=_("Pas d'escompte pour paiement anticipé"),
    )
    footer = models.CharField(_("mention libre en pied de page"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("paramètres de vente")
        verbose_name_plural = _("paramètres de vente")

    def __str__(self) -> str:
        return str(self.business)


class DocumentKind(models.TextChoices):
    """The documents that draw numbers, each from its own series."""

    QUOTE = "quote", _("Devis")
    INVOICE = "invoice", _("Facture")
    INTERNAL_INVOICE = "internal_invoice", _("Facture interne")
    CREDIT_NOTE = "credit_note", _("Avoir")


#: BR-FR-01/02: an invoice number has at most 35 characters from this set.
NUMBER_RE = re.compile(r"^[A-Za-z0-9+\-_/]{1,35}$")
PATTERN_TOKENS = {"year", "month", "code", "seq"}


def validate_number_pattern(pattern: str) -> None:
    """Refuse a numbering pattern with unknown tokens, no sequence, or forbidden characters."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        raise ValidationError(_("Modèle de numérotation illisible."), code="invalid") from None
    fields = set()
    literal = ""
    for text, field, spec, conversion in parts:
        literal += text
        if field is None:
            continue
        if field not in PATTERN_TOKENS or conversion:
            raise ValidationError(
                _("Jeton inconnu « {%(field)s} » : utilisez {year}, {month}, {code}, {seq}.")
                % {"field": field},
                code="invalid",
            )
        if spec and not (field == "seq" and re.fullmatch(r"0?\d{0,2}d", spec)):
            raise ValidationError(
                _("Format « %(spec)s » refusé pour {%(field)s}.") % {"spec": spec, "field": field},
                code="invalid",
            )
        fields.add(field)
    if "seq" not in fields:
        raise ValidationError(_("Le modèle doit contenir le jeton {seq}."), code="invalid")
    if literal and not re.fullmatch(r"[A-Za-z0-9+\-_/]*", literal):
        raise ValidationError(
            _("Le modèle ne peut contenir que A-Z a-z 0-9 + - _ / en dehors des jetons."),
            code="invalid",
        )


class NumberingSeries(TimeStampedModel):
    """How one kind of document is numbered: a pattern and the scope its counters restart in."""

    class Scope(models.TextChoices):
        YEAR = "year", _("Par année")
        BUSINESS_YEAR = "business_year", _("Par activité et par année")
        GLOBAL = "global", _("Continue, sans remise à zéro")

    document_kind = models.CharField(
        _("type de document"), max_length=20, choices=DocumentKind.choices, unique=True
    )
    pattern = models.CharField(
        _("modèle"),
        max_length=60,
        validators=[validate_number_pattern],
        help_text=_("Jetons : {year} {month} {code} {seq:05d}. Au plus 35 caractères produits."),
    )
    scope = models.CharField(_("portée"), max_length=16, choices=Scope.choices)

    class Meta:
        verbose_name = _("série de numérotation")
        verbose_name_plural = _("séries de numérotation")
        ordering = ["document_kind"]

    def __str__(self) -> str:
        return f"{self.get_document_kind_display()} : {self.pattern}"

    def clean(self) -> None:
        tokens = {f for _t, f, _s, _c in string.Formatter().parse(self.pattern or "") if f}
        needed = {
            self.Scope.YEAR: {"year"},
            self.Scope.BUSINESS_YEAR: {"year", "code"},
            self.Scope.GLOBAL: set(),
        }.get(self.scope, set())
        missing = needed - tokens
        if missing:
            # Without them two counters would print the same number.
            raise ValidationError(
                {
                    "pattern": _("Avec cette portée, le modèle doit contenir : %(tokens)s.")
                    % {"tokens": ", ".join("{" + t + "}" for t in sorted(missing))}
                }
            )

    def render(self, *, seq: int, day: datetime.date, code: str) -> str:
        return self.pattern.format(
            year=f"{day.year:04d}", month=f"{day.month:02d}", code=code, seq=seq
        )


class NumberingCounter(models.Model):
    """The last number drawn in one counter of a series (a business and year, a year, or all)."""

    series = models.ForeignKey(
        NumberingSeries, verbose_name=_("série"), on_delete=models.PROTECT, related_name="counters"
    )
    key = models.CharField(_("clé"), max_length=40)
    last_value = models.BigIntegerField(_("dernier numéro"), default=0)
    last_date = models.DateField(_("date du dernier numéro"), null=True, blank=True)

    class Meta:
        verbose_name = _("compteur de numérotation")
        verbose_name_plural = _("compteurs de numérotation")
        constraints = [
            models.UniqueConstraint(fields=["series", "key"], name="numbering_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series.document_kind} {self.key} = {self.last_value}"


# --- customers --------------------------------------------------------------------------


class Customer(TimeStampedModel):
    """Someone a business sells to: a company, a person, a public body, an association."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Entreprise")
        INDIVIDUAL = "individual", _("Particulier")
        PUBLIC_BODY = "public_body", _("Organisme public")
        ASSOCIATION = "association", _("Association")

    business = models.ForeignKey(
        Business, verbose_name=_("activité"), on_delete=models.PROTECT, related_name="customers"
    )
    kind = models.CharField(_("type de client"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("nom ou raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(_("code postal"), max_length=12)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays (code ISO)"), max_length=2, default="FR")
    department = models.CharField(
        _("département"), max_length=3, blank=True, validators=[validate_department]
    )
    delivery_address = models.CharField(_("adresse de livraison"), max_length=255, blank=True)
    delivery_postal_code = models.CharField(
        _("code postal de livraison"), max_length=12, blank=True
    )
    delivery_city = models.CharField(_("ville de livraison"), max_length=100, blank=True)
    delivery_country = models.CharField(_("pays de livraison"), max_length=2, blank=True)
    email = models.EmailField(_("e-mail de facturation"), blank=True)
    electronic_address = models.CharField(
        _("adresse de facturation électronique"), max_length=100, blank=True
    )
    internal_business = models.ForeignKey(
        Business,
        verbose_name=_("activité de la coopérative (vente interne)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customer_records",
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    archived = models.BooleanField(_("archivé"), default=False)

    objects = BusinessScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "internal_business"],
                condition=Q(internal_business__isnull=False),
                name="customer_one_record_per_internal_business",
            ),
            models.CheckConstraint(
                condition=~Q(internal_business=models.F("business")),
                name="customer_internal_not_self",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_professional(self) -> bool:
        """Everyone but an individual buys as a professional (B2B terms apply)."""
        return self.kind != self.Kind.INDIVIDUAL

    @property
    def is_internal(self) -> bool:
        return self.internal_business_id is not None


# --- lines shared by quotes and invoices ------------------------------------------------


class LineType(models.TextChoices):
    ITEM = "item", _("Ligne")
    SECTION = "section", _("Titre de section")


class Nature(models.TextChoices):
    GOODS = "goods", _("Livraison de biens")
    SERVICE = "service", _("Prestation de services")


VAT_RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"), Decimal("0"))
VAT_RATE_CHOICES = [
    (Decimal("20.00"), "20 %"),
    (Decimal("10.00"), "10 %"),
    (Decimal("5.50"), "5,5 %"),
    (Decimal("2.10"), "2,1 %"),
    (Decimal("0.00"), _("0 % (exonéré)")),
]
DEFAULT_EXEMPTION = _("Exonération de TVA, art. 261-4-4° a du CGI")
#: An internal sale stays inside one taxable person: no VAT (BOI-TVA-CHAMP-10-10-10).
INTERNAL_EXEMPTION = _(
    "TVA non applicable : opération interne à la coopérative, une seule personne morale"
)


class LineBase(models.Model):
    """What a quote line and an invoice line have in common."""

    position = models.PositiveIntegerField(_("ordre"), default=0)
    line_type = models.CharField(
        _("type de ligne"), max_length=8, choices=LineType.choices, default=LineType.ITEM
    )
    description = models.TextField(_("désignation"))
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=4, default=1)
    unit = models.CharField(_("unité"), max_length=20, blank=True)
    unit_price = models.DecimalField(
        _("prix unitaire HT"), max_digits=18, decimal_places=6, default=0
    )
    unit_price_incl_vat = models.DecimalField(
        _("prix unitaire TTC"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    discount_cents = models.BigIntegerField(_("remise (centimes)"), default=0)
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=5, decimal_places=2, choices=VAT_RATE_CHOICES, default=20
    )
    vat_exemption_reason = models.CharField(_("motif d'exonération"), max_length=255, blank=True)
    nature = models.CharField(
        _("nature"), max_length=8, choices=Nature.choices, default=Nature.SERVICE
    )
    net_cents = models.BigIntegerField(_("montant HT (centimes)"), default=0)
    #: Only on a document whose prices are entered incl. VAT: the line's amount incl. VAT.
    incl_vat_cents = models.BigIntegerField(_("montant TTC (centimes)"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_item(self) -> bool:
        return self.line_type == LineType.ITEM


# --- quotes -----------------------------------------------------------------------------


class Quote(TimeStampedModel):
    """A priced offer to a customer; once accepted it becomes one or more invoices."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SENT = "sent", _("Envoyé")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")
        EXPIRED = "expired", _("Expiré")

    business = models.ForeignKey(
        Business, verbose_name=_("activité"), on_delete=models.PROTECT, related_name="quotes"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("client"), on_delete=models.PROTECT, related_name="quotes"
    )
    number = models.CharField(_("numéro"), max_length=35, null=True, blank=True, unique=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField(_("objet"), max_length=200, blank=True)
    issue_date = models.DateField(_("date"))
    validity_date = models.DateField(_("valable jusqu'au"))
    notes = models.TextField(_("conditions et notes"), blank=True)
    prices_include_vat = models.BooleanField(_("prix saisis TTC"), default=False)
    total_excl_vat_cents = models.BigIntegerField(_("total HT (centimes)"), default=0)
    total_vat_cents = models.BigIntegerField(_("TVA (centimes)"), default=0)
    total_incl_vat_cents = models.BigIntegerField(_("total TTC (centimes)"), default=0)
    snapshot = models.JSONField(_("mentions figées"), default=dict, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    decided_at = models.DateField(_("décision le"), null=True, blank=True)

    objects = BusinessScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("devis")
        verbose_name_plural = _("devis")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_date__gte=models.F("issue_date")),
                name="quote_validity_after_date",
            )
        ]

    def __str__(self) -> str:
        return self.number or _("Devis brouillon n° %(pk)s") % {"pk": self.pk}


class QuoteLine(LineBase):
    """A line of a quote, or the title of a section of lines."""

    quote = models.ForeignKey(
        Quote, verbose_name=_("devis"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(LineBase.Meta):
        verbose_name = _("ligne de devis")
        verbose_name_plural = _("lignes de devis")


# --- invoices and credit notes ----------------------------------------------------------


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    TO_VALIDATE = "to_validate", _("À valider")
    ISSUED = "issued", _("Émise")
    SENT = "sent", _("Envoyée")
    PARTLY_PAID = "partly_paid", _("Partiellement payée")
    PAID = "paid", _("Payée")
    CANCELLED = "cancelled", _("Annulée par avoir")


EDITABLE_STATUSES = (InvoiceStatus.DRAFT, InvoiceStatus.TO_VALIDATE)
OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)

#: The only fields of an issued document that may still change: its life after issue.
LIFECYCLE_FIELDS = frozenset(
    {"status", "paid_cents", "credited_cents", "sent_at", "last_reminder_level", "updated_at"}
)


class InvoiceQuerySet(BusinessScopedQuerySet):
    def visible_to(self, user):
        """A business's own documents, and the issued ones other businesses sold to it."""
        businesses = _visible_businesses(user)
        if businesses is None:
            return self
        # The ids as values, not a subquery: with two subqueries under an OR, PostgreSQL
        # scans every invoice of the cooperative (250 ms at a million invoices); with
        # values it reads both indexes (business, buyer) and combines them (under 1 ms).
        ids = list(businesses.values_list("pk", flat=True))
        return self.filter(
            Q(business__in=ids) | (Q(buyer_business__in=ids) & ~Q(status__in=EDITABLE_STATUSES))
        )

    def issued(self) -> InvoiceQuerySet:
        return self.exclude(status__in=EDITABLE_STATUSES)

    def invoices(self) -> InvoiceQuerySet:
        return self.exclude(kind=Invoice.Kind.CREDIT_NOTE)

    def credit_notes(self) -> InvoiceQuerySet:
        return self.filter(kind=Invoice.Kind.CREDIT_NOTE)

    def late(self, day: datetime.date) -> InvoiceQuerySet:
        """Invoices still (partly) unpaid after their due date."""
        return self.invoices().filter(status__in=OPEN_STATUSES, due_date__lt=day)

    def update(self, **kwargs):
        frozen = set(kwargs) - LIFECYCLE_FIELDS
        reopens = kwargs.get("status") in EDITABLE_STATUSES
        if (frozen or reopens) and self.issued().exists():
            raise ImmutableDocumentError
        return super().update(**kwargs)

    def delete(self):
        if self.issued().exists():
            raise ImmutableDocumentError
        return super().delete()


class InvoiceManager(models.Manager.from_queryset(InvoiceQuerySet)):  # type: ignore[misc]
    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        touched = self.filter(pk__in=[o.pk for o in objs]).issued()
        if (set(fields) - LIFECYCLE_FIELDS or "status" in fields) and touched.exists():
            raise ImmutableDocumentError
        return super().bulk_update(objs, fields, *args, **kwargs)


class Invoice(TimeStampedModel):
    """An invoice, a deposit invoice or a credit note; frozen once it has a number."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Facture")
        DEPOSIT = "deposit", _("Facture d'acompte")
        CREDIT_NOTE = "credit_note", _("Avoir")

    #: UNTDID 1001 document type codes used by e-invoicing (380, 386, 381).
    TYPE_CODES = {Kind.INVOICE: "380", Kind.DEPOSIT: "386", Kind.CREDIT_NOTE: "381"}

    class OperationCategory(models.TextChoices):
        GOODS = "goods", _("Livraison de biens")
        SERVICES = "services", _("Prestation de services")
        MIXED = "mixed", _("Opération mixte")

    Status = InvoiceStatus

    business = models.ForeignKey(
        Business, verbose_name=_("activité"), on_delete=models.PROTECT, related_name="invoices"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("client"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE, db_index=True
    )
    status = models.CharField(
        _("statut"),
        max_length=12,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.DRAFT,
        db_index=True,
    )
    number = models.CharField(_("numéro"), max_length=35, null=True, blank=True, unique=True)
    title = models.CharField(_("objet"), max_length=200, blank=True)
    issue_date = models.DateField(_("date d'émission"), null=True, blank=True, db_index=True)
    supply_date = models.DateField(_("date de la livraison ou de la prestation"), null=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True, db_index=True)
    operation_category = models.CharField(
        _("catégorie d'opération"),
        max_length=10,
        choices=OperationCategory.choices,
        default=OperationCategory.SERVICES,
    )
    late_penalty_text = models.CharField(_("pénalités de retard"), max_length=255, blank=True)
    early_payment_text = models.CharField(_("escompte"), max_length=255, blank=True)
    notes = models.TextField(_("notes imprimées"), blank=True)
    prices_include_vat = models.BooleanField(_("prix saisis TTC"), default=False)
    quote = models.ForeignKey(
        Quote,
        verbose_name=_("devis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("facture corrigée"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    buyer_business = models.ForeignKey(
        Business,
        verbose_name=_("activité acheteuse (vente interne)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="internal_purchases",
    )
    total_excl_vat_cents = models.BigIntegerField(_("total HT (centimes)"), default=0)
    total_vat_cents = models.BigIntegerField(_("TVA (centimes)"), default=0)
    total_incl_vat_cents = models.BigIntegerField(_("total TTC (centimes)"), default=0)
    paid_cents = models.BigIntegerField(_("payé (centimes)"), default=0)
    credited_cents = models.BigIntegerField(_("crédité par avoir (centimes)"), default=0)
    snapshot = models.JSONField(_("mentions figées à l'émission"), default=dict, blank=True)
    issued_at = models.DateTimeField(_("émise le"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("émise par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    last_reminder_level = models.PositiveSmallIntegerField(_("dernière relance"), default=0)
    imported = models.BooleanField(_("reprise d'historique"), default=False)

    objects = InvoiceManager()

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-issue_date", "-number", "-pk"]
        indexes = [
            models.Index(fields=["business", "kind", "issue_date"], name="invoice_business_idx"),
            # A business's list reads its page from this index in date order, whatever
            # the kind, without reading the other businesses' invoices (EXPLAIN, bench_sales).
            models.Index(fields=["business", "-issue_date"], name="invoice_business_list_idx"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EDITABLE_STATUSES)
                | (Q(number__isnull=False) & Q(issue_date__isnull=False)),
                name="invoice_issued_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit_note") | Q(credited_invoice__isnull=False),
                name="invoice_credit_note_references_invoice",
            ),
            models.CheckConstraint(
                condition=Q(paid_cents__gte=0) & Q(credited_cents__gte=0),
                name="invoice_paid_credited_positive",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return self.number
        return _("%(kind)s brouillon n° %(pk)s") % {"kind": self.get_kind_display(), "pk": self.pk}

    @property
    def is_frozen(self) -> bool:
        return self.status not in EDITABLE_STATUSES

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def type_code(self) -> str:
        return self.TYPE_CODES[self.kind]

    @property
    def remaining_cents(self) -> int:
        """What the customer still owes (credit notes reduce it)."""
        return self.total_incl_vat_cents - self.paid_cents - self.credited_cents

    @property
    def creditable_cents(self) -> int:
        return self.total_incl_vat_cents - self.credited_cents

    def is_late(self, day: datetime.date) -> bool:
        return (
            not self.is_credit_note
            and self.status in OPEN_STATUSES
            and self.due_date is not None
            and self.due_date < day
        )

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        fields = None if update_fields is None else set(update_fields)
        if self.pk is not None and (
            fields is None or not fields <= LIFECYCLE_FIELDS or "status" in fields
        ):
            stored = Invoice.objects.filter(pk=self.pk).first()
            if stored is not None and stored.is_frozen:
                if self.status in EDITABLE_STATUSES:
                    raise ImmutableDocumentError
                names = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if f.attname not in LIFECYCLE_FIELDS
                    and (update_fields is None or f.name in update_fields)
                ]
                if any(getattr(stored, n) != getattr(self, n) for n in names):
                    raise ImmutableDocumentError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.pk).issued().exists():
            raise ImmutableDocumentError
        return super().delete(*args, **kwargs)


class InvoiceLineQuerySet(models.QuerySet):
    def _touches_issued(self) -> bool:
        return Invoice.objects.filter(pk__in=self.values("invoice_id")).issued().exists()

    def update(self, **kwargs):
        if self._touches_issued():
            raise ImmutableDocumentError
        return super().update(**kwargs)

    def delete(self):
        if self._touches_issued():
            raise ImmutableDocumentError
        return super().delete()


class InvoiceLineManager(models.Manager.from_queryset(InvoiceLineQuerySet)):  # type: ignore[misc]
    def _check(self, objs) -> None:
        ids = {o.invoice_id for o in objs}
        if Invoice.objects.filter(pk__in=ids).issued().exists():
            raise ImmutableDocumentError

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._check(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        self._check(objs)
        return super().bulk_update(objs, fields, *args, **kwargs)


def _invoice_frozen(invoice_id: int | None) -> bool:
    return invoice_id is not None and Invoice.objects.filter(pk=invoice_id).issued().exists()


class InvoiceLine(LineBase):
    """A line of an invoice or credit note, or a section title; frozen with its document."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("facture"), on_delete=models.CASCADE, related_name="lines"
    )

    objects = InvoiceLineManager()

    class Meta(LineBase.Meta):
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")

    def save(self, *args, **kwargs) -> None:
        if _invoice_frozen(self.invoice_id):
            raise ImmutableDocumentError
        if self.pk is not None:
            stored = InvoiceLine.objects.filter(pk=self.pk).values_list("invoice_id", flat=True)
            if stored and _invoice_frozen(stored[0]):
                raise ImmutableDocumentError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _invoice_frozen(self.invoice_id):
            raise ImmutableDocumentError
        return super().delete(*args, **kwargs)


# --- payments, history, sending, reminders ----------------------------------------------


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, user):
        businesses = _visible_businesses(user)
        if businesses is None:
            return self
        return self.filter(invoice__business__in=businesses.values("pk"))

    def active(self):
        """The payments that count: not cancelled."""
        return self.filter(cancelled_at__isnull=True)


class Payment(TimeStampedModel):
    """Money received for an invoice (several per invoice, never more than is owed)."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Virement")
        CHEQUE = "cheque", _("Chèque")
        CARD = "card", _("Carte bancaire")
        CASH = "cash", _("Espèces")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("facture"), on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("date"))
    amount_cents = models.BigIntegerField(
        _("montant (centimes)"), validators=[MinValueValidator(1)]
    )
    method = models.CharField(_("moyen de paiement"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(_("motif de l'annulation"), max_length=255, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.date:%d/%m/%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class StateChange(models.Model):
    """One change of state of a quote or an invoice: who, when, from what, to what."""

    quote = models.ForeignKey(
        Quote,
        verbose_name=_("devis"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="state_changes",
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("facture"),
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
    from_status = models.CharField(_("de"), max_length=12, blank=True)
    to_status = models.CharField(_("vers"), max_length=12)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("changements d'état")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quote__isnull=True, invoice__isnull=False)
                | Q(quote__isnull=False, invoice__isnull=True),
                name="state_change_one_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def _label(self, status: str) -> str:
        choices = Quote.Status if self.quote_id else InvoiceStatus
        return str(dict(choices.choices).get(status, status))

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class Sending(models.Model):
    """An e-mail of a document to its customer (the document itself or a reminder)."""

    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="sendings"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="sendings"
    )
    recipient = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=255)
    at = models.DateTimeField(_("date"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("remis au serveur de messagerie le"), null=True)
    error = models.CharField(_("erreur"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("envoi par e-mail")
        verbose_name_plural = _("envois par e-mail")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class Reminder(models.Model):
    """A payment reminder sent for a late invoice, at a level (1 friendly … 3 formal notice)."""

    class Level(models.IntegerChoices):
        FIRST = 1, _("Relance amiable")
        SECOND = 2, _("Seconde relance")
        FORMAL_NOTICE = 3, _("Mise en demeure")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("facture"), on_delete=models.PROTECT, related_name="reminders"
    )
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    date = models.DateField(_("date"))
    sending = models.OneToOneField(
        Sending, verbose_name=_("envoi"), on_delete=models.PROTECT, related_name="reminder"
    )
    remaining_cents = models.BigIntegerField(_("restant dû à la relance (centimes)"))

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice} — {self.get_level_display()}"


class PlatformStatus(models.Model):
    """What the Plateforme Agréée said about an invoice: its deposit, a lifecycle status
    (codes 200–213 of the reform), a refusal or a failure to reach it."""

    SUBMITTED = "submitted"
    ERROR = "error"
    FAILED = "failed"
    OWN_CODES = {
        SUBMITTED: _("Transmise à la plateforme agréée"),
        ERROR: _("Refusée par la plateforme agréée"),
        FAILED: _("Échec de la transmission"),
    }

    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("facture"),
        on_delete=models.PROTECT,
        related_name="platform_statuses",
    )
    code = models.CharField(_("code"), max_length=12)
    label = models.CharField(_("statut"), max_length=100)
    message = models.CharField(_("message"), max_length=500, blank=True)
    flow_id = models.CharField(_("identifiant de flux"), max_length=64, blank=True)
    status_date = models.CharField(_("date donnée par la plateforme"), max_length=40, blank=True)
    at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("statut plateforme")
        verbose_name_plural = _("statuts plateforme")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice} — {self.code} {self.label}"
