"""The cooperative itself: legal identity, fiscal years, offices, sectors, grants, payroll rates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from alveole.core.models import TimeStampedModel
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.core.validators import (
    validate_postal_code,
    validate_siren,
    validate_siret,
    validate_vat_fr,
)


class Cooperative(TimeStampedModel):
    """The one legal company Alvéole runs: its identity as printed on every document."""

    name = models.CharField(_("raison sociale"), max_length=200)
    legal_form = models.CharField(
        _("forme juridique"), max_length=120, default="SCOP SA à capital variable"
    )
    capital_cents = models.BigIntegerField(_("capital (centimes)"), default=0)
    siren = models.CharField(_("SIREN"), max_length=9, validators=[validate_siren])
    siret = models.CharField(_("SIRET du siège"), max_length=14, validators=[validate_siret])
    rcs_city = models.CharField(_("ville du RCS"), max_length=100)
    vat_number = models.CharField(
        _("numéro de TVA intracommunautaire"), max_length=13, validators=[validate_vat_fr]
    )
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(
        _("code postal"), max_length=5, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100)
    region = models.CharField(_("région"), max_length=100, default="Occitanie")
    training_registration_number = models.CharField(
        _("numéro de déclaration d'activité (formation)"), max_length=20, blank=True
    )
    vat_on_debits = models.BooleanField(_("option pour la TVA d'après les débits"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(_("site web"), blank=True)
    full_time_paid_hours = models.PositiveIntegerField(
        _("heures rémunérées d'un temps plein par an"), default=1820
    )

    class Meta:
        verbose_name = _("coopérative")
        verbose_name_plural = _("coopérative")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValidationError(
                {"siret": _("Le SIRET doit commencer par le SIREN de la coopérative.")}
            )
        if self.siren and self.vat_number and self.vat_number[4:] != self.siren:
            raise ValidationError(
                {"vat_number": _("Le numéro de TVA doit contenir le SIREN de la coopérative.")}
            )
        if self.capital_cents < 0:
            raise ValidationError({"capital_cents": _("Le capital ne peut pas être négatif.")})


class FiscalYear(TimeStampedModel):
    """An accounting period of the cooperative (usually the calendar year)."""

    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    closed = models.BooleanField(_("clôturé"), default=False)

    class Meta:
        verbose_name = _("exercice")
        verbose_name_plural = _("exercices")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")), name="fiscal_year_dates"
            ),
            models.UniqueConstraint(fields=["start_date"], name="fiscal_year_unique_start"),
        ]

    def __str__(self) -> str:
        if self.start_date.year == self.end_date.year:
            return str(self.start_date.year)
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"


class Office(TimeStampedModel):
    """A place where the cooperative receives people: the head office or a branch."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    is_head_office = models.BooleanField(_("siège social"), default=False)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100)

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["-is_head_office", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_head_office"],
                condition=models.Q(is_head_office=True),
                name="office_one_head_office",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Sector(TimeStampedModel):
    """A sector of activity of the businesses (reference data, editable)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("secteur d'activité")
        verbose_name_plural = _("secteurs d'activité")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class GrantQuerySet(models.QuerySet):
    def visible_to(self, user) -> GrantQuerySet:
        """Grants are the support structure's business: staff, accountant and direction see them."""
        if (
            not getattr(user, "is_authenticated", False)
            or not user.is_active
            or user.role not in COOPERATIVE_WIDE_ROLES
        ):
            return self.none()
        return self


class Grant(TimeStampedModel):
    """Public funding of the support structure: who grants it, for which years, how much."""

    class FunderKind(models.TextChoices):
        FSE = "fse", _("FSE (Fonds social européen)")
        REGION = "region", _("Région")
        DEPARTMENT = "department", _("Département")
        STATE = "state", _("État")
        OTHER = "other", _("Autre financeur")

    funder_kind = models.CharField(
        _("type de financeur"), max_length=16, choices=FunderKind.choices
    )
    funder_name = models.CharField(
        _("financeur"), max_length=150, blank=True, help_text=_("Exemple : Région Occitanie")
    )
    programme = models.CharField(_("programme ou dispositif"), max_length=200)
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    start_year = models.PositiveSmallIntegerField(_("première année couverte"))
    end_year = models.PositiveSmallIntegerField(_("dernière année couverte"))
    decision_date = models.DateField(_("date de la décision"), null=True, blank=True)
    received_date = models.DateField(_("date de réception"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("subvention")
        verbose_name_plural = _("subventions")
        ordering = ["-start_year", "funder_kind", "programme", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="grant_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="grant_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        years = (
            str(self.start_year)
            if self.start_year == self.end_year
            else f"{self.start_year}–{self.end_year}"
        )
        return f"{self.funder_name or self.get_funder_kind_display()} — {self.programme} ({years})"


class GrantAllocation(models.Model):
    """The part of a grant recognised for one year it covers (the report sums these)."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("subvention"), on_delete=models.CASCADE, related_name="allocations"
    )
    year = models.PositiveSmallIntegerField(_("année"))
    amount_cents = models.BigIntegerField(_("montant (centimes)"))

    class Meta:
        verbose_name = _("part annuelle d'une subvention")
        verbose_name_plural = _("parts annuelles des subventions")
        ordering = ["grant", "year"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year"], name="grant_allocation_unique_year"),
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0), name="grant_allocation_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["year"], name="grant_allocation_year_idx")]

    def __str__(self) -> str:
        return f"{self.grant} : {self.year}"


class ValidityQuerySet(models.QuerySet):
    def valid_at(self, day) -> ValidityQuerySet:
        """The rows in force on `day` (valid_from ≤ day ≤ valid_to, or open-ended)."""
        return self.filter(
            models.Q(valid_from__lte=day)
            & (models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))
        )


class PayrollParameters(TimeStampedModel):
    """The legal payroll figures of a period: SMIC, social security ceiling, general reduction."""

    valid_from = models.DateField(_("en vigueur à partir du"), unique=True)
    valid_to = models.DateField(_("jusqu'au"), null=True, blank=True)
    smic_hourly_cents = models.PositiveIntegerField(_("SMIC horaire brut (centimes)"))
    smic_monthly_cents = models.PositiveIntegerField(
        _("SMIC mensuel brut d'un temps plein (centimes)")
    )
    full_time_monthly_hours = models.DecimalField(
        _("heures mensuelles d'un temps plein"), max_digits=6, decimal_places=2
    )
    pmss_cents = models.PositiveIntegerField(_("plafond mensuel de la sécurité sociale (centimes)"))
    reduction_tmin = models.DecimalField(
        _("réduction générale : Tmin"), max_digits=6, decimal_places=4
    )
    reduction_tdelta = models.DecimalField(
        _("réduction générale : Tdelta"), max_digits=6, decimal_places=4
    )
    reduction_exponent = models.DecimalField(
        _("réduction générale : puissance P"), max_digits=5, decimal_places=2
    )
    reduction_exit_smic_multiple = models.DecimalField(
        _("réduction générale : nulle à partir de N SMIC"), max_digits=4, decimal_places=2
    )
    csg_base_percent = models.DecimalField(
        _("assiette CSG/CRDS (% du brut)"), max_digits=5, decimal_places=2
    )
    csg_abatement_pmss_cap = models.PositiveSmallIntegerField(
        _("abattement CSG/CRDS limité à N plafonds")
    )
    source = models.TextField(_("sources"), blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("paramètres de paie")
        verbose_name_plural = _("paramètres de paie")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="payroll_parameters_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Paramètres de paie')} {self.valid_from:%d/%m/%Y}"


class PayrollRate(TimeStampedModel):
    """One contribution line of a payslip (employee and employer rates on a base), with dates."""

    class Base(models.TextChoices):
        TOTAL = "total", _("Salaire brut total")
        TRANCHE_A = "tranche_a", _("Brut plafonné (tranche A / T1, jusqu'au PMSS)")
        TRANCHE_2 = "tranche_2", _("Tranche 2 (de 1 à 8 PMSS)")
        CAPPED_4_PMSS = "capped_4_pmss", _("Brut plafonné à 4 PMSS (tranches A + B)")
        CSG = "csg", _("Assiette CSG/CRDS (98,25 % du brut)")
        T1_T2_ABOVE_PMSS = "t1_t2_above_pmss", _("T1 + T2, si le brut dépasse le PMSS")

    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("libellé"), max_length=150)
    base = models.CharField(_("assiette"), max_length=20, choices=Base.choices)
    employee_rate = models.DecimalField(
        _("taux salarial (%)"), max_digits=7, decimal_places=4, default=0
    )
    employer_rate = models.DecimalField(
        _("taux patronal (%)"), max_digits=7, decimal_places=4, default=0
    )
    covered_by_reduction = models.BooleanField(
        _("dans le périmètre de la réduction générale"), default=False
    )
    position = models.PositiveSmallIntegerField(_("ordre sur le bulletin"), default=0)
    valid_from = models.DateField(_("en vigueur à partir du"))
    valid_to = models.DateField(_("jusqu'au"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("taux de cotisation")
        verbose_name_plural = _("taux de cotisation")
        ordering = ["position", "code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="payroll_rate_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="payroll_rate_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(employee_rate__gte=0) & models.Q(employer_rate__gte=0),
                name="payroll_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.valid_from:%d/%m/%Y})"
