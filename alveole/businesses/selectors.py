"""Reads of businesses, always scoped to the user who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from alveole.businesses.models import Business, Membership


def businesses_list(
    *, user: Any, q: str = "", sector: int | None = None, kind: str = "", active: bool | None = None
) -> QuerySet[Business]:
    """Businesses visible to the user, with their members loaded in one extra query."""
    businesses = (
        Business.objects.visible_to(user)
        .select_related("sector")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("person").order_by("-is_main", "pk"),
            )
        )
    )
    if q:
        for word in q.split():
            businesses = businesses.filter(
                Q(name__icontains=word) | Q(code__icontains=word)
                | Q(memberships__person__last_name__icontains=word)
                | Q(memberships__person__first_name__icontains=word)
            ).distinct()  # fmt: skip
    if sector:
        businesses = businesses.filter(sector_id=sector)
    if kind:
        businesses = businesses.filter(kind=kind)
    if active is True:
        businesses = businesses.filter(end_date__isnull=True)
    elif active is False:
        businesses = businesses.filter(end_date__isnull=False)
    return businesses.order_by("name", "pk")


def business_get(*, user: Any, pk: int) -> Business:
    """One business the user may see (404 otherwise)."""
    return get_object_or_404(businesses_list(user=user), pk=pk)


def businesses_of_person(*, user: Any, person_id: int) -> QuerySet[Business]:
    """The businesses a person works in, as far as the user may see them."""
    return businesses_list(user=user).filter(memberships__person_id=person_id).distinct()
