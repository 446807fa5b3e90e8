"""The cooperative itself: legal identity, fiscal years, offices, sectors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from alveole.core.models import TimeStampedModel
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
