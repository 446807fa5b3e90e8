"""Writes of the core: recording audit events."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from alveole.core.bulk import insert_rows
from alveole.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: int | str = "",
    summary: str,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, inside the caller's transaction."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=summary[:255],
        changes=changes or {},
    )


def audit_records(
    *,
    actor: Any,
    action: str,
    target_type: str,
    events: Iterable[tuple[int | str, str, dict[str, Any] | None]],
    at: datetime.datetime | None = None,
) -> None:
    """`audit_record` for many targets of one model at once (batch writes): each event is
    (target id, summary, changes), written in one statement at the same time `at`."""
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    at = at or timezone.now()
    insert_rows(
        AuditEvent,
        ("at", "actor_id", "action", "target_type", "target_id", "summary", "changes"),
        (
            (at, user_id, action, target_type, str(target_id), summary[:255], changes or {})
            for target_id, summary, changes in events
        ),
    )


def model_changes(instance: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """The {field: [old, new]} pairs that would change if `fields` were set on the instance."""
    changes: dict[str, list[Any]] = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
