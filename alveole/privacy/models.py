"""What the privacy app stores: the report of each erasure (what was erased, what was kept and why)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureReport(models.Model):
    """The trace of one anonymisation of a person: kept as long as the records it kept."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="erasure_reports",
    )
    at = models.DateTimeField(_("date"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("motif"), max_length=255)
    #: [{"what": "...", "count": n}] — what was erased or anonymised.
    erased = models.JSONField(_("effacé"), default=list)
    #: [{"what": "...", "count": n, "rule": "..."}] — what was kept and the rule that keeps it.
    kept = models.JSONField(_("conservé"), default=list)

    class Meta:
        verbose_name = _("rapport d'effacement")
        verbose_name_plural = _("rapports d'effacement")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Effacement')} #{self.pk} — {self.at:%d/%m/%Y}"
