"""REST routes of the cooperative's grants, under /api/cooperative/.

Staff, accountant and direction read them; accountant and direction write them (else 403);
an entrepreneur gets a 403. Amounts are integer cents. A write posts the grant's entries in
the same transaction (docs/adr/0012), so the routes live above the ledger; the reads share
their paths, so they came along. Their operation ids are those they had in `coop`
(`alveole_coop_api_…`): clients generated from the schema keep their names.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from alveole.coop import selectors
from alveole.coop.models import Grant
from alveole.core.api import ERRORS, paginate
from alveole.core.permissions import is_cooperative_wide
from alveole.core.roles import Role
from alveole.ledger import grants as grant_services
from alveole.ledger.grant_schemas import (
    GrantIn,
    GrantOut,
    GrantPage,
    GrantPatch,
    GrantsByFunderOut,
    GrantsQuery,
)

router = Router(tags=["Coopérative"])


def grant_out(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "funder_kind": grant.funder_kind,
        "funder_kind_label": str(grant.get_funder_kind_display()),
        "funder_name": grant.funder_name,
        "programme": grant.programme,
        "amount_cents": grant.amount_cents,
        "start_year": grant.start_year,
        "end_year": grant.end_year,
        "allocations": [
            {"year": a.year, "amount_cents": a.amount_cents} for a in grant.allocations.all()
        ],
        "decision_date": grant.decision_date,
        "received_date": grant.received_date,
        "notes": grant.notes,
    }


def _require_reader(request: HttpRequest) -> None:
    if not is_cooperative_wide(request.user):
        raise PermissionDenied


def _require_writer(request: HttpRequest) -> None:
    if not request.user.has_role(Role.ACCOUNTANT, Role.DIRECTOR):
        raise PermissionDenied


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "funder_kind" in fields:
        if fields["funder_kind"] is None:
            raise ValidationError({"funder_kind": _("Le type de financeur est obligatoire.")})
        fields["funder_kind"] = Grant.FunderKind(fields["funder_kind"]).value
    for name in ("funder_name", "notes", "programme"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    for name in ("amount_cents", "start_year", "end_year"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("Ce champ ne peut pas être vide.")})
    allocations = fields.pop("allocations", None)
    if allocations is not None:
        years = [a["year"] for a in allocations]
        if len(set(years)) != len(years):
            raise ValidationError(
                {"allocations": _("Une année figure deux fois dans la répartition.")}
            )
        fields["allocations"] = {a["year"]: a["amount_cents"] for a in allocations}
    return fields


@router.get(
    "/grants",
    response={200: GrantPage, **ERRORS},
    summary="Subventions",
    operation_id="alveole_coop_api_grants_list",
)
def grants_list(request: HttpRequest, filters: Query[GrantsQuery]) -> dict[str, Any]:
    """Équipe d'appui, comptable et direction."""
    _require_reader(request)
    grants = selectors.grants_list(
        user=request.user,
        filters=selectors.GrantFilters(
            year=filters.year,
            funder_kind=filters.funder_kind.value if filters.funder_kind else "",
            received=filters.received,
        ),
    )
    page = paginate(grants, page=filters.page, page_size=filters.page_size)
    page["results"] = [grant_out(g) for g in page["results"]]
    return page


@router.post(
    "/grants",
    response={201: GrantOut, **ERRORS},
    summary="Nouvelle subvention",
    operation_id="alveole_coop_api_grant_create",
)
def grant_create(request: HttpRequest, payload: GrantIn) -> Status:
    """Comptable et direction. Sans `allocations`, le montant est réparti à parts égales."""
    _require_writer(request)
    grant = grant_services.grant_record(actor=request.user, **_fields(payload.model_dump()))
    return Status(201, grant_out(selectors.grant_get(user=request.user, pk=grant.pk)))


@router.get(
    "/grants/by-funder",
    response={200: GrantsByFunderOut, **ERRORS},
    summary="Par financeur",
    operation_id="alveole_coop_api_grants_by_funder",
)
def grants_by_funder(request: HttpRequest, year: int) -> dict[str, Any]:
    """Les financements publics comptés pour l'année, par type de financeur."""
    _require_reader(request)
    funders = selectors.grants_for_year(year)
    return {
        "year": year,
        "total_cents": sum(f["amount_cents"] for f in funders),
        "funders": funders,
    }


@router.get(
    "/grants/{int:grant_id}",
    response={200: GrantOut, **ERRORS},
    summary="Subvention",
    operation_id="alveole_coop_api_grant_detail",
)
def grant_detail(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    _require_reader(request)
    return grant_out(selectors.grant_get(user=request.user, pk=grant_id))


@router.patch(
    "/grants/{int:grant_id}",
    response={200: GrantOut, **ERRORS},
    summary="Modifier",
    operation_id="alveole_coop_api_grant_update",
)
def grant_update(request: HttpRequest, grant_id: int, payload: GrantPatch) -> dict[str, Any]:
    """Seuls les champs envoyés changent. Comptable et direction."""
    _require_writer(request)
    grant = selectors.grant_get(user=request.user, pk=grant_id)
    grant_services.grant_change(
        actor=request.user, grant=grant, **_fields(payload.model_dump(exclude_unset=True))
    )
    return grant_out(selectors.grant_get(user=request.user, pk=grant_id))


@router.delete(
    "/grants/{int:grant_id}",
    response={204: None, **ERRORS},
    summary="Supprimer",
    operation_id="alveole_coop_api_grant_delete",
)
def grant_delete(request: HttpRequest, grant_id: int) -> Status:
    """Comptable et direction."""
    _require_writer(request)
    grant_services.grant_remove(
        actor=request.user, grant=selectors.grant_get(user=request.user, pk=grant_id)
    )
    return Status(204, None)
