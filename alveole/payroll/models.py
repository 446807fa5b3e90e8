"""Payroll figures per person and month, the businesses they are charged to, and the
cooperative's contribution rules (which need businesses, hence here and not in `coop`:
see docs/adr/0007-contribution-rules-in-payroll.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.core.models import TimeStampedModel
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.people.models import Person, PersonKind

HUNDRED = Decimal(100)


class ContributionRuleQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContributionRuleQuerySet:
        """Staff, accountant and direction read the rules; nobody else does."""
        if (
            not getattr(user, "is_authenticated", False)
            or not user.is_active
            or user.role not in COOPERATIVE_WIDE_ROLES
        ):
            return self.none()
        return self

    def in_effect(self, day: datetime.date) -> ContributionRuleQuerySet:
        return self.filter(
            Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        )


class ContributionRule(TimeStampedModel):
    """A contribution rate on a base decided by the assembly: the default or one business's.

    Rules are never changed once in effect: a new rule supersedes from its effective date.
    """

    class Base(models.TextChoices):
        TURNOVER_INVOICED = "turnover_invoiced", _("Chiffre d'affaires facturé HT")
        TURNOVER_RECEIVED = "turnover_received", _("Chiffre d'affaires encaissé HT")
        GROSS_MARGIN = (
            "gross_margin",
            _("Marge brute (CA HT − achats de marchandises − sous-traitance)"),
        )

    business = models.ForeignKey(
        Business,
        verbose_name=_("activité (dérogation)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contribution_rules",
        help_text=_("Vide : la règle par défaut de la coopérative."),
    )
    base = models.CharField(_("assiette"), max_length=20, choices=Base.choices)
    rate = models.DecimalField(_("taux (%)"), max_digits=6, decimal_places=3)
    effective_from = models.DateField(_("en vigueur à partir du"))
    effective_to = models.DateField(_("jusqu'au"), null=True, blank=True)
    decision_reference = models.CharField(_("décision d'assemblée"), max_length=200)
    decision_date = models.DateField(_("date de la décision"))
    notes = models.TextField(_("notes"), blank=True)

    objects = ContributionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("règle de contribution")
        verbose_name_plural = _("règles de contribution")
        ordering = ["-effective_from", "business__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(business__isnull=True),
                name="contribution_rule_one_default_per_date",
            ),
            models.UniqueConstraint(
                fields=["business", "effective_from"],
                condition=Q(business__isnull=False),
                name="contribution_rule_one_override_per_date",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="contribution_rule_dates",
            ),
            models.CheckConstraint(
                condition=Q(business__isnull=False) | Q(effective_to__isnull=True),
                name="contribution_rule_default_open_ended",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="contribution_rule_rate_range"
            ),
        ]

    def __str__(self) -> str:
        scope = self.business.code if self.business_id else _("par défaut")
        return f"{scope} : {self.rate} % — {self.get_base_display()} ({self.effective_from:%m/%Y})"

    @property
    def is_default(self) -> bool:
        return self.business_id is None


class ContributionTier(models.Model):
    """From a yearly base threshold on, another rate applies to the part above it."""

    rule = models.ForeignKey(
        ContributionRule, verbose_name=_("règle"), on_delete=models.CASCADE, related_name="tiers"
    )
    threshold_cents = models.BigIntegerField(_("à partir d'une assiette annuelle de (centimes)"))
    rate = models.DecimalField(_("taux (%)"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("tranche de contribution")
        verbose_name_plural = _("tranches de contribution")
        ordering = ["rule", "threshold_cents"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "threshold_cents"], name="contribution_tier_unique_threshold"
            ),
            models.CheckConstraint(
                condition=Q(threshold_cents__gt=0), name="contribution_tier_threshold_positive"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="contribution_tier_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} : {self.rate} % ≥ {self.threshold_cents}"


class PayrollRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> PayrollRecordQuerySet:
        """Payroll is sensitive (docs/payroll.md, "Qui voit quoi").

        Accountant and direction see every record; support staff see entrepreneurs' records
        (their support work needs them) and their own, not their colleagues'; an entrepreneur
        sees their own records only.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in (Role.ACCOUNTANT, Role.DIRECTOR):
            return self
        own = Q(person_id=user.person_id) if user.person_id else Q(pk__in=[])
        if user.role == Role.STAFF:
            return self.filter(Q(person__kind=PersonKind.ENTREPRENEUR) | own)
        if user.person_id:
            return self.filter(own)
        return self.none()

    def with_employer_cost(self) -> PayrollRecordQuerySet:
        return self.annotate(
            employer_cost=F("gross_cents")
            + F("employer_contributions_cents")
            - F("reduction_cents")
        )


class PayrollRecord(TimeStampedModel):
    """One person's pay for one month, as the payroll software computed it."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Saisie")
        IMPORTED = "imported", _("Import")

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="payroll_records"
    )
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois payé."))
    gross_cents = models.BigIntegerField(_("salaire brut (centimes)"))
    employee_contributions_cents = models.BigIntegerField(_("cotisations salariales (centimes)"))
    employer_contributions_cents = models.BigIntegerField(_("cotisations patronales (centimes)"))
    reduction_cents = models.BigIntegerField(
        _("réduction générale (centimes)"), default=0, help_text=_("RGDU, ex-réduction Fillon.")
    )
    net_cents = models.BigIntegerField(_("net avant impôt (centimes)"))
    # Hours in hundredths so that the database sums them exactly on SQLite and PostgreSQL.
    paid_hours_hundredths = models.PositiveIntegerField(_("heures payées (centièmes)"))
    source = models.CharField(
        _("origine"), max_length=10, choices=Source.choices, default=Source.ENTERED
    )

    objects = PayrollRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("paie du mois")
        verbose_name_plural = _("paies")
        ordering = ["-month", "person__last_name", "person__first_name", "pk"]
        indexes = [models.Index(fields=["month", "person"], name="payroll_month_person_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"], name="payroll_one_per_person_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_month_first_day"),
            models.CheckConstraint(
                condition=Q(gross_cents__gte=0)
                & Q(employee_contributions_cents__gte=0)
                & Q(employer_contributions_cents__gte=0)
                & Q(reduction_cents__gte=0)
                & Q(net_cents__gte=0),
                name="payroll_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(net_cents__lte=F("gross_cents")), name="payroll_net_within_gross"
            ),
            models.CheckConstraint(
                condition=Q(reduction_cents__lte=F("employer_contributions_cents")),
                name="payroll_reduction_within_contributions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.month:%m/%Y}"

    @property
    def paid_hours(self) -> Decimal:
        return Decimal(self.paid_hours_hundredths) / HUNDRED

    @property
    def employer_cost_cents(self) -> int:
        """What the month costs the businesses: gross + employer contributions − reduction."""
        return self.gross_cents + self.employer_contributions_cents - self.reduction_cents

    @property
    def social_contributions_cents(self) -> int:
        return self.employee_contributions_cents + self.employer_contributions_cents


class PayrollCharge(models.Model):
    """The part of a month's employer cost that one business bears."""

    record = models.ForeignKey(
        PayrollRecord, verbose_name=_("paie"), on_delete=models.CASCADE, related_name="charges"
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("activité"),
        on_delete=models.PROTECT,
        related_name="payroll_charges",
    )
    amount_cents = models.BigIntegerField(_("montant (centimes)"))

    class Meta:
        verbose_name = _("imputation de la paie")
        verbose_name_plural = _("imputations de la paie")
        ordering = ["record", "business__name"]
        constraints = [
            models.UniqueConstraint(fields=["record", "business"], name="payroll_charge_unique"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payroll_charge_positive"),
        ]
        indexes = [models.Index(fields=["business", "record"], name="payroll_charge_business_idx")]

    def __str__(self) -> str:
        return f"{self.record} → {self.business.code}"
