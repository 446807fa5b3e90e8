"""Cross-cutting models: the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

#: Each field's choices as a dict, built once per process (choices are class-level data).
_CHOICE_LABELS: dict[models.Field, dict[Any, Any]] = {}


class TimeStampedModel(models.Model):
    """Base for domain models: when a row was created and last changed.

    Its `get_FOO_display()` answers as Django's, but Django rebuilds the dict of every
    choice of the field, made hashable, at each call: a list of fifty invoices spent
    several milliseconds there. Here the dict is built once per field; the labels stay
    lazy, so each call still answers in the request's language."""

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        labels = _CHOICE_LABELS.get(field)
        if labels is None:
            labels = _CHOICE_LABELS[field] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


class AuditEventQuerySet(models.QuerySet):
    def for_target(self, target_type: str, target_id: int | str) -> AuditEventQuerySet:
        return self.filter(target_type=target_type, target_id=str(target_id))

    def update(self, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def delete(self):
        raise PermissionError("the audit trail is append-only")


class AuditEvent(models.Model):
    """One thing someone did: read a person's file, changed a record, exported a list."""

    class Action(models.TextChoices):
        READ = "read", _("consultation")
        CREATE = "create", _("création")
        UPDATE = "update", _("modification")
        DELETE = "delete", _("suppression")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        LOGIN = "login", _("connexion")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    target_type = models.CharField(_("type d'objet"), max_length=64)
    target_id = models.CharField(_("identifiant"), max_length=64, blank=True)
    summary = models.CharField(_("résumé"), max_length=255)
    changes = models.JSONField(_("détail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")


class LoginThrottle(models.Model):
    """Failed logins of one e-mail address; a run of failures locks the account for a while."""

    email = models.CharField(_("adresse e-mail"), max_length=254, unique=True)
    failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0)
    last_failure_at = models.DateTimeField(_("dernier échec"), null=True, blank=True)
    locked_until = models.DateTimeField(_("bloqué jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("blocage de connexion")
        verbose_name_plural = _("blocages de connexion")

    def __str__(self) -> str:
        return f"{self.email} ({self.failures})"
