"""REST routes of businesses and their members: reads through the selectors, writes through
the services. Entrepreneurs see the businesses they are members of; staff, accountants and
direction see all; only staff and direction write (else 403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from alveole.businesses import selectors, services
from alveole.businesses.models import Business, Membership
from alveole.businesses.schemas import (
    BusinessesQuery,
    BusinessIn,
    BusinessOut,
    BusinessPage,
    BusinessPatch,
    MemberIn,
    MemberOut,
)
from alveole.coop.models import Sector
from alveole.core.api import ERRORS, api_field_names, paginate, require_manager
from alveole.people.models import Person
from alveole.people.selectors import person_get

router = Router(tags=["Activités"])

API_FIELD_NAMES = {"sector": "sector_id", "main_person": "main_person_id", "person": "person_id"}


def member_out(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "person_id": membership.person_id,
        "person_name": str(membership.person),
        "is_main": membership.is_main,
        "start_date": membership.start_date,
        "end_date": membership.end_date,
    }


def business_out(business: Business) -> dict[str, Any]:
    """A business and its members (read from the prefetched memberships: no extra query)."""
    members = [member_out(m) for m in business.memberships.all()]
    main = next((m["person_id"] for m in members if m["is_main"]), None)
    return {
        "id": business.pk,
        "name": business.name,
        "code": business.code,
        "kind": business.kind,
        "kind_label": str(Business.Kind(business.kind).label),
        "sector_id": business.sector_id,
        "sector_name": business.sector.name if business.sector_id else None,
        "description": business.description,
        "start_date": business.start_date,
        "end_date": business.end_date,
        "main_person_id": main,
        "members": members,
    }


def _sector(sector_id: int | None) -> Sector | None:
    if sector_id is None:
        return None
    sector = Sector.objects.filter(pk=sector_id).first()
    if sector is None:
        raise ValidationError({"sector_id": _("Secteur inconnu.")})
    return sector


def _person(request: HttpRequest, person_id: int | None, field: str) -> Person | None:
    if person_id is None:
        return None
    try:
        return person_get(user=request.user, pk=person_id)
    except Http404:
        raise ValidationError({field: _("Personne inconnue.")}) from None


def _business_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name == "sector_id":
            fields["sector"] = _sector(value)
        elif name == "kind":
            if value is None:
                raise ValidationError({"kind": _("Le type de l'activité est obligatoire.")})
            fields["kind"] = Business.Kind(value).value
        elif name in ("start_date", "end_date"):
            fields[name] = value
        else:
            fields[name] = value if value is not None else ""
    return fields


def _reloaded(request: HttpRequest, business: Business) -> dict[str, Any]:
    return business_out(selectors.business_get(user=request.user, pk=business.pk))


@router.get("/", response={200: BusinessPage, **ERRORS}, summary="Liste des activités")
def businesses_list(request: HttpRequest, filters: Query[BusinessesQuery]) -> dict[str, Any]:
    """Les activités visibles par l'appelant, avec leurs membres."""
    businesses = selectors.businesses_list(
        user=request.user,
        q=filters.q.strip(),
        sector=filters.sector,
        kind=filters.kind.value if filters.kind else "",
        active=filters.active,
    )
    page = paginate(businesses, page=filters.page, page_size=filters.page_size)
    page["results"] = [business_out(b) for b in page["results"]]
    return page


@router.post("/", response={201: BusinessOut, **ERRORS}, summary="Créer une activité")
def business_create(request: HttpRequest, payload: BusinessIn) -> Status:
    """Équipe d'appui et direction seulement ; l'entrepreneur·e principal·e en devient membre."""
    require_manager(request)
    data = payload.model_dump()
    main_person = _person(request, data.pop("main_person_id"), "main_person_id")
    with api_field_names(API_FIELD_NAMES):
        business = services.business_create(
            actor=request.user, main_person=main_person, **_business_fields(data)
        )
    return Status(201, _reloaded(request, business))


@router.get("/{int:business_id}", response={200: BusinessOut, **ERRORS}, summary="Activité")
def business_detail(request: HttpRequest, business_id: int) -> dict[str, Any]:
    """Une activité et ses membres."""
    return business_out(selectors.business_get(user=request.user, pk=business_id))


@router.patch(
    "/{int:business_id}", response={200: BusinessOut, **ERRORS}, summary="Modifier une activité"
)
def business_update(request: HttpRequest, business_id: int, payload: BusinessPatch) -> dict:
    """Seuls les champs envoyés changent. Équipe d'appui et direction seulement."""
    require_manager(request)
    business = selectors.business_get(user=request.user, pk=business_id)
    with api_field_names(API_FIELD_NAMES):
        business = services.business_update(
            actor=request.user,
            business=business,
            **_business_fields(payload.model_dump(exclude_unset=True)),
        )
    return _reloaded(request, business)


@router.post(
    "/{int:business_id}/members",
    response={201: MemberOut, **ERRORS},
    summary="Ajouter un membre",
)
def membership_add(request: HttpRequest, business_id: int, payload: MemberIn) -> Status:
    """Ajoute une personne à l'activité (entrepreneur·e principal·e si `is_main`)."""
    require_manager(request)
    business = selectors.business_get(user=request.user, pk=business_id)
    person = _person(request, payload.person_id, "person_id")
    with api_field_names(API_FIELD_NAMES):
        membership = services.membership_add(
            actor=request.user,
            business=business,
            person=person,
            start_date=payload.start_date,
            is_main=payload.is_main,
        )
    return Status(201, member_out(membership))
