"""Entrepreneurs' businesses (activités) and their members."""

from __future__ import annotations

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Sector
from alveole.core.models import TimeStampedModel
from alveole.core.roles import COOPERATIVE_WIDE_ROLES
from alveole.people.models import Person

#: Codes become invoice prefixes: BR-FR-01/02 allow A-Z a-z 0-9 + - _ / in 35 characters.
code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,11}$",
    _("Le code comprend 2 à 12 caractères : majuscules, chiffres et tirets."),
)


class BusinessQuerySet(models.QuerySet):
    def visible_to(self, user) -> BusinessQuerySet:
        """The businesses a user may see: all for staff roles, their own for an entrepreneur."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in COOPERATIVE_WIDE_ROLES:
            return self
        if user.person_id:
            return self.filter(memberships__person_id=user.person_id).distinct()
        return self.none()

    def active_at(self, day: datetime.date) -> BusinessQuerySet:
        return self.filter(
            Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
        )


class Business(TimeStampedModel):
    """An economic unit of the cooperative: an entrepreneur's business or the support structure."""

    class Kind(models.TextChoices):
        ENTREPRENEUR = "entrepreneur", _("Activité d'entrepreneur·e")
        SUPPORT_STRUCTURE = "support_structure", _("Structure d'accompagnement")

    name = models.CharField(_("nom"), max_length=150)
    code = models.CharField(
        _("code analytique"), max_length=12, unique=True, validators=[code_validator]
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.ENTREPRENEUR
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("secteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)

    objects = BusinessQuerySet.as_manager()

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="business_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="support_structure"),
                name="business_one_support_structure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def main_membership(self) -> Membership | None:
        for membership in self.memberships.all():
            if membership.is_main:
                return membership
        return None


class Membership(TimeStampedModel):
    """A person working in a business; exactly one member is the main entrepreneur."""

    business = models.ForeignKey(
        Business, verbose_name=_("activité"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="memberships"
    )
    is_main = models.BooleanField(_("entrepreneur·e principal·e"), default=False)
    start_date = models.DateField(_("depuis le"))
    end_date = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("membre de l'activité")
        verbose_name_plural = _("membres de l'activité")
        ordering = ["-is_main", "start_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["business", "person"], name="membership_unique_person"),
            models.UniqueConstraint(
                fields=["business"], condition=Q(is_main=True), name="membership_one_main"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.business}"
