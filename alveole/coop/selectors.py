"""Reads of the cooperative's reference data."""

from __future__ import annotations

from django.utils.translation import gettext as _

from alveole.coop.models import Cooperative, Office, Sector


class CooperativeMissing(Exception):
    """Alvéole has not been set up with its cooperative yet."""


def cooperative_get() -> Cooperative:
    """The cooperative (there is exactly one per installation)."""
    cooperative = Cooperative.objects.order_by("pk").first()
    if cooperative is None:
        raise CooperativeMissing(_("La coopérative n'est pas encore paramétrée."))
    return cooperative


def offices_list():
    return Office.objects.all()


def sectors_active():
    return Sector.objects.filter(active=True)
