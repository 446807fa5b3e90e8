"""What the reports app stores: the years the director published, and the PDFs built in the
background."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.governance import access as governance_access


def is_associate(user: Any, day: datetime.date) -> bool:
    """Whether the user is an associate of the cooperative on `day`: governance's answer
    (one definition, and one query per user and day, which the menu asks too)."""
    return governance_access.is_associate(user, day)


class ReportPublicationQuerySet(models.QuerySet):
    def readable_by(self, user: Any) -> ReportPublicationQuerySet:
        """Published years a user may read: all for staff roles, for associates once published."""
        from alveole.core.dates import today

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in COOPERATIVE_WIDE_ROLES:
            return self
        if user.role == Role.ENTREPRENEUR and is_associate(user, today()):
            return self
        return self.none()


class ReportPublication(models.Model):
    """A year's activity report the director published: associates may then read it."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publié par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publié le"), auto_now_add=True)

    objects = ReportPublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication du rapport d'activité")
        verbose_name_plural = _("publications du rapport d'activité")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class ReportPdf(models.Model):
    """A PDF of a year's report built by the worker, for the data as it was (`stamp`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    year = models.PositiveSmallIntegerField(_("année"))
    show_rsa = models.BooleanField(_("détail RSA"), default=False)
    stamp = models.CharField(_("version des données"), max_length=200)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=200, blank=True)
    content = models.BinaryField(_("PDF"), null=True, editable=False)
    error = models.TextField(_("erreur"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF du rapport d'activité")
        verbose_name_plural = _("PDF du rapport d'activité")
        indexes = [models.Index(fields=["year", "show_rsa", "stamp"], name="report_pdf_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
