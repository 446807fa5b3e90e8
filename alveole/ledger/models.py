"""The general ledger: chart of accounts, journals, entries and their lines, the numbering
sequences and the closed periods (see docs/adr/0010-ledger-below-the-documents.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear
from alveole.core.models import TimeStampedModel
from alveole.core.roles import Role

account_number_validator = RegexValidator(
    r"^[1-8][0-9]{1,9}$",
    _("Un numéro de compte commence par la classe (1 à 8) et compte 2 à 10 chiffres."),
)
journal_code_validator = RegexValidator(
    r"^[A-Z0-9]{2,6}$", _("Le code d'un journal compte 2 à 6 majuscules ou chiffres.")
)

#: Roles that read the books (entries, VAT, exports) and close periods.
BOOKKEEPER_ROLES = frozenset({Role.ACCOUNTANT, Role.DIRECTOR})


class LedgerImmutableError(ValidationError):
    """A posted entry or line is never changed nor deleted: reverse it instead."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Une écriture comptable validée ne se modifie pas et ne se supprime pas : "
                "passez une écriture de correction (contre-passation) dans la période ouverte."
            ),
            code="posted_entry",
        )


class AccountClass(models.IntegerChoices):
    EQUITY = 1, _("Comptes de capitaux")
    FIXED_ASSETS = 2, _("Comptes d'immobilisations")
    INVENTORY = 3, _("Comptes de stocks et en-cours")
    THIRD_PARTIES = 4, _("Comptes de tiers")
    FINANCIAL = 5, _("Comptes financiers")
    EXPENSES = 6, _("Comptes de charges")
    INCOME = 7, _("Comptes de produits")
    SPECIAL = 8, _("Comptes spéciaux")


class Account(TimeStampedModel):
    """An account of the chart (PCG numbering); its number never changes once used."""

    number = models.CharField(
        _("numéro"), max_length=10, unique=True, validators=[account_number_validator]
    )
    label = models.CharField(_("intitulé"), max_length=150)
    active = models.BooleanField(
        _("ouvert aux écritures"),
        default=True,
        help_text=_("Un compte fermé reste dans l'historique mais ne reçoit plus d'écriture."),
    )

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("plan comptable")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.label}"

    @property
    def account_class(self) -> int:
        return int(self.number[0])

    def get_account_class_display(self) -> str:
        return str(AccountClass(self.account_class).label)


class Journal(TimeStampedModel):
    """A book of entries of one kind (sales, purchases, bank, payroll, miscellaneous)."""

    code = models.CharField(
        _("code"), max_length=6, unique=True, validators=[journal_code_validator]
    )
    label = models.CharField(_("intitulé"), max_length=100)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journaux")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class JournalSequence(models.Model):
    """The last entry number given in a journal for a fiscal year: the row locked at posting."""

    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, to_field="code", related_name="sequences"
    )
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("numérotation d'un journal")
        verbose_name_plural = _("numérotations des journaux")
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "fiscal_year"], name="ledger_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.journal_id} {self.fiscal_year} : {self.last_number}"


class Event(models.TextChoices):
    """What an entry records; the posting function that built it."""

    INVOICE_ISSUED = "invoice_issued", _("Facture émise")
    CREDIT_NOTE_ISSUED = "credit_note_issued", _("Avoir émis")
    PAYMENT_RECEIVED = "payment_received", _("Encaissement client")
    SUPPLIER_INVOICE_VALIDATED = "supplier_invoice_validated", _("Facture fournisseur validée")
    SUPPLIER_INVOICE_PAID = "supplier_invoice_paid", _("Facture fournisseur payée")
    EXPENSE_REPORT_VALIDATED = "expense_report_validated", _("Note de dépenses validée")
    EXPENSE_REPORT_PAID = "expense_report_paid", _("Note de dépenses remboursée")
    PAYROLL_MONTH = "payroll_month", _("Paie du mois")
    PAYROLL_PAID = "payroll_paid", _("Salaires versés")
    GRANT_RECOGNISED = "grant_recognised", _("Subvention")
    GRANT_RECEIVED = "grant_received", _("Subvention encaissée")
    CONTRIBUTION = "contribution", _("Contribution coopérative")
    VAT_RETURN = "vat_return", _("Déclaration de TVA")
    OPENING = "opening", _("À-nouveaux")
    REVERSAL = "reversal", _("Contre-passation")
    MANUAL = "manual", _("Écriture manuelle")


class EntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> EntryQuerySet:
        """The books are read by the accountant and the direction only (payroll lines name
        people and their pay: support staff do not see their colleagues', ADR 0008)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in BOOKKEEPER_ROLES:
            return self
        return self.none()

    def update(self, **kwargs):
        raise LedgerImmutableError

    def delete(self):
        raise LedgerImmutableError


class Entry(models.Model):
    """A balanced journal entry, numbered at posting and never changed afterwards."""

    journal = models.ForeignKey(
        Journal,
        verbose_name=_("journal"),
        on_delete=models.PROTECT,
        to_field="code",
        related_name="entries",
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("exercice"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("numéro"))
    date = models.DateField(_("date"))
    label = models.CharField(_("libellé"), max_length=200)
    event = models.CharField(_("événement"), max_length=32, choices=Event.choices)
    document_kind = models.CharField(_("type de pièce"), max_length=40, blank=True)
    document_number = models.CharField(_("pièce"), max_length=100, blank=True)
    document_date = models.DateField(_("date de la pièce"))
    document_id = models.CharField(_("identifiant de la pièce"), max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("contre-passe l'écriture"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    validated_at = models.DateTimeField(_("validée le"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("passée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    debit_cents = models.BigIntegerField(_("total débit (centimes)"))
    credit_cents = models.BigIntegerField(_("total crédit (centimes)"))

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("écriture")
        verbose_name_plural = _("écritures")
        ordering = ["-date", "-journal_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "fiscal_year", "number"], name="ledger_entry_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(debit_cents=F("credit_cents")) & Q(debit_cents__gt=0),
                name="ledger_entry_balanced",
            ),
            models.CheckConstraint(condition=Q(number__gt=0), name="ledger_entry_number_positive"),
        ]
        indexes = [
            models.Index(fields=["date"], name="ledger_entry_date_idx"),
            models.Index(fields=["document_kind", "document_id"], name="ledger_entry_document_idx"),
            models.Index(fields=["event", "date"], name="ledger_entry_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise LedgerImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError

    @property
    def reference(self) -> str:
        """The entry's number as printed and exported (EcritureNum): journal and number."""
        return f"{self.journal_id}{self.number:06d}"


class LineQuerySet(models.QuerySet):
    def visible_to(self, user) -> LineQuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in BOOKKEEPER_ROLES:
            return self
        return self.none()

    def update(self, **kwargs):
        if set(kwargs) - LETTERING_FIELDS:
            raise LedgerImmutableError
        return super().update(**kwargs)

    def delete(self):
        raise LedgerImmutableError


#: The only fields of a posted line that change afterwards: its lettering.
LETTERING_FIELDS = frozenset({"lettering", "lettering_date"})


class Line(models.Model):
    """One debit or credit of an entry on an account, with the business it concerns.

    `date` and `journal` repeat the entry's (they never change) so that treasury, VAT and
    contributions are grouped sums over this one table.
    """

    entry = models.ForeignKey(
        Entry, verbose_name=_("écriture"), on_delete=models.PROTECT, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    date = models.DateField(_("date"))
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, to_field="code", related_name="+"
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("compte"),
        on_delete=models.PROTECT,
        to_field="number",
        related_name="lines",
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("activité (code analytique)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_lines",
    )
    label = models.CharField(_("libellé"), max_length=200)
    debit_cents = models.BigIntegerField(_("débit (centimes)"), default=0)
    credit_cents = models.BigIntegerField(_("crédit (centimes)"), default=0)
    auxiliary_number = models.CharField(_("compte auxiliaire"), max_length=40, blank=True)
    auxiliary_label = models.CharField(
        _("libellé du compte auxiliaire"), max_length=150, blank=True
    )
    base_cents = models.BigIntegerField(
        _("montant HT correspondant (centimes)"),
        null=True,
        blank=True,
        help_text=_(
            "Sur une ligne de TVA : sa base HT. Sur l'encaissement d'un client : la part HT "
            "du montant reçu (le chiffre d'affaires encaissé)."
        ),
    )
    match_ref = models.CharField(
        _("pièce à lettrer"),
        max_length=100,
        blank=True,
        help_text=_("La pièce dont cette ligne solde le compte de tiers (lettrage automatique)."),
    )
    lettering = models.CharField(_("lettrage"), max_length=12, blank=True)
    lettering_date = models.DateField(_("date de lettrage"), null=True, blank=True)

    objects = LineQuerySet.as_manager()

    class Meta:
        verbose_name = _("ligne d'écriture")
        verbose_name_plural = _("lignes d'écriture")
        ordering = ["entry_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit_cents__gt=0) & Q(credit_cents=0))
                | (Q(debit_cents=0) & Q(credit_cents__gt=0)),
                name="ledger_line_one_side",
            ),
            models.UniqueConstraint(fields=["entry", "position"], name="ledger_line_position"),
        ]
        indexes = [
            models.Index(fields=["business", "date"], name="ledger_line_business_idx"),
            models.Index(fields=["date"], name="ledger_line_date_idx"),
            models.Index(fields=["account", "date"], name="ledger_line_account_idx"),
            models.Index(
                fields=["account", "match_ref"],
                condition=Q(lettering="") & ~Q(match_ref=""),
                name="ledger_line_open_items_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.label}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or set(update_fields) - LETTERING_FIELDS):
            raise LedgerImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError

    @property
    def amount_cents(self) -> int:
        """Debit minus credit."""
        return self.debit_cents - self.credit_cents


class PeriodClosing(models.Model):
    """The books are closed up to `through`: nothing is posted on or before that day."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Clôture mensuelle")
        FISCAL_YEAR = "fiscal_year", _("Clôture de l'exercice")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    through = models.DateField(_("clôturé jusqu'au"), unique=True)
    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("exercice"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("clôturé le"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clôturé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("clôture de période")
        verbose_name_plural = _("clôtures de période")
        ordering = ["-through"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.through:%d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError(_("Une clôture ne se modifie pas."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Une clôture ne se supprime pas."))


#: The sums a treasury reads (debit − credit of each figure's lines, and the bank), in the
#: order of `treasury.COMPONENTS`; `ClosingBalance` keeps one column for each.
TREASURY_SUM_KEYS = (
    "received",
    "vat_collected",
    "vat_deductible",
    "purchases_paid",
    "expenses_paid",
    "salaries",
    "contribution",
    "internal",
    "receivable",
    "pending_vat",
    "payable",
    "expenses_due",
    "pending_deductible",
    "grants_receivable",
    "bank",
)


class ClosingBalance(models.Model):
    """A business's treasury sums up to a closing (written with it, never changed after).

    A closed period receives no more entries, so these are exactly the sums of its lines
    up to that day: a treasury reads them and only the lines after the last closing.
    """

    closing = models.ForeignKey(PeriodClosing, on_delete=models.PROTECT, related_name="balances")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    received_cents = models.BigIntegerField(default=0)
    vat_collected_cents = models.BigIntegerField(default=0)
    vat_deductible_cents = models.BigIntegerField(default=0)
    purchases_paid_cents = models.BigIntegerField(default=0)
    expenses_paid_cents = models.BigIntegerField(default=0)
    salaries_cents = models.BigIntegerField(default=0)
    contribution_cents = models.BigIntegerField(default=0)
    internal_cents = models.BigIntegerField(default=0)
    receivable_cents = models.BigIntegerField(default=0)
    pending_vat_cents = models.BigIntegerField(default=0)
    payable_cents = models.BigIntegerField(default=0)
    expenses_due_cents = models.BigIntegerField(default=0)
    pending_deductible_cents = models.BigIntegerField(default=0)
    grants_receivable_cents = models.BigIntegerField(default=0)
    bank_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("soldes de trésorerie à une clôture")
        verbose_name_plural = _("soldes de trésorerie aux clôtures")
        constraints = [
            models.UniqueConstraint(
                fields=["closing", "business"], name="ledger_closing_balance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.closing} — {self.business_id}"

    def sums(self) -> dict[str, int]:
        return {key: getattr(self, f"{key}_cents") for key in TREASURY_SUM_KEYS}
