"""REST routes of the ledger: chart, journals, entries, treasuries, VAT, balances, closings,
the FEC.

Scoping is the pages' one: the books (chart, entries, VAT, balances, closings, FEC) are for
the accountant and the direction; every business's treasury for support staff, accountant
and direction; an entrepreneur reads the treasury of their own businesses. Amounts are
integer cents.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from alveole.coop.models import FiscalYear
from alveole.coop.selectors import cooperative_get
from alveole.core.api import ERRORS, paginate
from alveole.core.dates import today
from alveole.core.services import audit_record
from alveole.ledger import exports, selectors, services
from alveole.ledger.models import Entry
from alveole.ledger.posting import LineDraft
from alveole.ledger.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    BalanceOut,
    ClosingIn,
    ClosingOut,
    DayQuery,
    EntryIn,
    EntryOut,
    EntryPage,
    EntryQuery,
    FiscalYearOut,
    JournalOut,
    ReverseIn,
    TreasuryMonthsOut,
    TreasuryOut,
    TreasuryRowOut,
    VatPeriodOut,
    VatQuery,
    VatReturnIn,
    YearQuery,
)
from alveole.ledger.treasury import Treasury

router = Router(tags=["Comptabilité"])


def _require_bookkeeper(request: HttpRequest) -> None:
    if not selectors.can_read_books(request.user):
        raise PermissionDenied


def account_out(account: Any) -> dict[str, Any]:
    return {
        "number": account.number,
        "label": account.label,
        "account_class": account.account_class,
        "active": account.active,
    }


def entry_summary(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "journal": entry.journal_id,
        "number": entry.number,
        "reference": entry.reference,
        "date": entry.date,
        "label": entry.label,
        "event": entry.event,
        "document_kind": entry.document_kind,
        "document_number": entry.document_number,
        "document_date": entry.document_date,
        "debit_cents": entry.debit_cents,
    }


def entry_out(entry: Entry) -> dict[str, Any]:
    return {
        **entry_summary(entry),
        "document_id": entry.document_id,
        "fiscal_year_id": entry.fiscal_year_id,
        "validated_at": entry.validated_at,
        "reverses_id": entry.reverses_id,
        "lines": [
            {
                "position": line.position,
                "account": line.account_id,
                "account_label": line.account.label,
                "business_id": line.business_id,
                "business_code": line.business.code if line.business_id else None,
                "label": line.label,
                "debit_cents": line.debit_cents,
                "credit_cents": line.credit_cents,
                "auxiliary_number": line.auxiliary_number,
                "auxiliary_label": line.auxiliary_label,
                "lettering": line.lettering,
                "lettering_date": line.lettering_date,
            }
            for line in entry.lines.all()
        ],
    }


def treasury_out(business: Any, result: Treasury) -> dict[str, Any]:
    return {
        "business_id": business.pk,
        "business_code": business.code,
        "business_name": business.name,
        "day": result.day,
        "available_cents": result.available_cents,
        "projected_cents": result.projected_cents,
        "figures": [
            {
                "key": figure.key,
                "label": str(figure.component.label),
                "explanation": str(figure.component.explanation),
                "value_cents": figure.value_cents,
                "effect_cents": figure.effect_cents,
                "projected_only": figure.component.projected_only,
            }
            for figure in result.figures
        ],
    }


def _fiscal_year(year: int) -> FiscalYear:
    found = selectors.fiscal_year_of_year(year)
    if found is None:
        raise ValidationError(
            {"year": _("Aucun exercice ne se termine en %(year)s.") % {"year": year}}
        )
    return found


# --- chart and journals ---------------------------------------------------------------------


@router.get("/accounts", response={200: list[AccountOut], **ERRORS}, summary="Plan comptable")
def accounts(request: HttpRequest) -> list[dict[str, Any]]:
    """Les comptes (comptable et direction)."""
    return [account_out(a) for a in selectors.accounts_list(user=request.user)]


@router.post("/accounts", response={201: AccountOut, **ERRORS}, summary="Ouvrir un compte")
def account_create(request: HttpRequest, payload: AccountIn) -> Status:
    _require_bookkeeper(request)
    account = services.account_create(
        actor=request.user, number=payload.number, label=payload.label
    )
    return Status(201, account_out(account))


@router.patch(
    "/accounts/{number}", response={200: AccountOut, **ERRORS}, summary="Modifier un compte"
)
def account_update(request: HttpRequest, number: str, payload: AccountPatch) -> dict[str, Any]:
    """Renommer un compte ou le fermer aux écritures (son numéro ne change pas)."""
    account = selectors.account_get(user=request.user, number=number)
    _require_bookkeeper(request)
    data = payload.model_dump(exclude_unset=True)
    return account_out(services.account_update(actor=request.user, account=account, **data))


@router.get("/journals", response={200: list[JournalOut], **ERRORS}, summary="Journaux")
def journals(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": j.code, "label": j.label} for j in selectors.journals_list(user=request.user)]


@router.get("/fiscal-years", response={200: list[FiscalYearOut], **ERRORS}, summary="Exercices")
def fiscal_years(request: HttpRequest) -> list[FiscalYear]:
    selectors.require_books(request.user)
    return list(selectors.fiscal_years())


# --- entries --------------------------------------------------------------------------------


@router.get("/entries", response={200: EntryPage, **ERRORS}, summary="Écritures")
def entries(request: HttpRequest, filters: Query[EntryQuery]) -> dict[str, Any]:
    """Les écritures, filtrées, les plus récentes d'abord (comptable et direction)."""
    selectors.require_books(request.user)
    queryset = selectors.entries_list(
        user=request.user,
        filters=selectors.EntryFilters(
            journal=filters.journal or "",
            fiscal_year=filters.fiscal_year,
            date_from=filters.date_from,
            date_to=filters.date_to,
            account=filters.account or "",
            business=filters.business,
            event=filters.event.value if filters.event else "",
            q=filters.q or "",
        ),
    )
    page = paginate(queryset, page=filters.page, page_size=filters.page_size)
    page["results"] = [entry_summary(e) for e in page["results"]]
    return page


@router.get("/entries/{int:entry_id}", response={200: EntryOut, **ERRORS}, summary="Écriture")
def entry_detail(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    return entry_out(selectors.entry_get(user=request.user, pk=entry_id))


@router.post("/entries", response={201: EntryOut, **ERRORS}, summary="Écriture manuelle")
def entry_create(request: HttpRequest, payload: EntryIn) -> Status:
    """Une écriture d'opérations diverses ou de correction, équilibrée, dans la période ouverte."""
    _require_bookkeeper(request)
    entry = services.entry_create_manual(
        actor=request.user,
        journal=payload.journal,
        date=payload.date,
        label=payload.label,
        document_number=payload.document_number,
        lines=[LineDraft(**line.model_dump()) for line in payload.lines],
    )
    return Status(201, entry_out(selectors.entry_get(user=request.user, pk=entry.pk)))


@router.post(
    "/entries/{int:entry_id}/reverse", response={201: EntryOut, **ERRORS}, summary="Contre-passer"
)
def entry_reverse(request: HttpRequest, entry_id: int, payload: ReverseIn) -> Status:
    entry = selectors.entry_get(user=request.user, pk=entry_id)
    _require_bookkeeper(request)
    reversal = services.entry_reverse(
        actor=request.user, entry=entry, date=payload.date, reason=payload.reason
    )
    return Status(201, entry_out(selectors.entry_get(user=request.user, pk=reversal.pk)))


# --- treasury -------------------------------------------------------------------------------


@router.get("/treasury", response={200: list[TreasuryRowOut], **ERRORS}, summary="Trésoreries")
def treasuries(request: HttpRequest, query: Query[DayQuery]) -> list[dict[str, Any]]:
    """Toutes les activités, les plus à risque d'abord (équipe d'appui, comptable, direction)."""
    rows = selectors.treasuries_all(user=request.user, day=query.day or today())
    return [
        {
            "business_id": row.business.pk,
            "business_code": row.business.code,
            "business_name": row.business.name,
            "available_cents": row.treasury.available_cents,
            "projected_cents": row.treasury.projected_cents,
            "available_three_months_ago_cents": row.available_before_cents,
            "trend_cents": row.trend_cents,
            "risk": row.risk,
        }
        for row in rows
    ]


@router.get(
    "/treasury/{int:business_id}", response={200: TreasuryOut, **ERRORS}, summary="Trésorerie"
)
def treasury(request: HttpRequest, business_id: int, query: Query[DayQuery]) -> dict[str, Any]:
    """La trésorerie d'une activité, chiffre par chiffre, avec ses explications."""
    business = selectors.treasury_business_get(user=request.user, pk=business_id)
    result = selectors.treasury_of(user=request.user, business=business, day=query.day or today())
    return treasury_out(business, result)


@router.get(
    "/treasury/{int:business_id}/months",
    response={200: TreasuryMonthsOut, **ERRORS},
    summary="Trésorerie mois par mois",
)
def treasury_months(request: HttpRequest, business_id: int, query: Query[YearQuery]) -> dict:
    business = selectors.treasury_business_get(user=request.user, pk=business_id)
    months = selectors.treasury_months(user=request.user, business=business, year=query.year)
    return {
        "business_id": business.pk,
        "year": query.year,
        "months": [
            {
                "month": m.month,
                "available_cents": m.available_cents,
                "projected_cents": m.projected_cents,
                "movements": {f.key: f.value_cents for f in m.movements.figures},
            }
            for m in months
        ],
    }


# --- VAT, balances, closings, FEC -----------------------------------------------------------


@router.get("/vat", response={200: list[VatPeriodOut], **ERRORS}, summary="TVA")
def vat(request: HttpRequest, query: Query[VatQuery]) -> list[dict[str, Any]]:
    """TVA collectée, déductible et due par mois (ou trimestre) d'une année."""
    periods = selectors.vat_periods(user=request.user, year=query.year, quarterly=query.quarterly)
    return [
        {
            "label": p.label,
            "start": p.start,
            "end": p.end,
            "collected_cents": p.collected_cents,
            "deductible_cents": p.deductible_cents,
            "due_cents": p.due_cents,
            "pending_cents": p.pending_cents,
            "declared": p.declared,
        }
        for p in periods
    ]


@router.post("/vat/returns", response={201: EntryOut, 204: None, **ERRORS}, summary="Déclarer")
def vat_return(request: HttpRequest, payload: VatReturnIn) -> Status:
    """Passe l'écriture de déclaration de TVA d'une période terminée (204 : rien à déclarer)."""
    _require_bookkeeper(request)
    entry = services.vat_return_post(actor=request.user, start=payload.start, end=payload.end)
    if entry is None:
        return Status(204, None)
    return Status(201, entry_out(selectors.entry_get(user=request.user, pk=entry.pk)))


@router.get("/trial-balance", response={200: list[BalanceOut], **ERRORS}, summary="Balance")
def trial_balance(request: HttpRequest, query: Query[YearQuery]) -> list[dict[str, Any]]:
    """Totaux par compte de l'exercice qui se termine l'année donnée."""
    selectors.require_books(request.user)
    rows = selectors.trial_balance(user=request.user, fiscal_year=_fiscal_year(query.year))
    return [
        {
            "account": r.number,
            "label": r.label,
            "debit_cents": r.debit_cents,
            "credit_cents": r.credit_cents,
            "balance_cents": r.balance_cents,
        }
        for r in rows
    ]


@router.get("/closings", response={200: list[ClosingOut], **ERRORS}, summary="Clôtures")
def closings(request: HttpRequest) -> list[Any]:
    return list(selectors.closings_list(user=request.user))


@router.post("/closings", response={201: ClosingOut, **ERRORS}, summary="Clôturer un mois")
def closing_create(request: HttpRequest, payload: ClosingIn) -> Status:
    _require_bookkeeper(request)
    return Status(201, services.period_close(actor=request.user, through=payload.through))


@router.post(
    "/fiscal-years/{int:year_id}/close",
    response={201: EntryOut, 204: None, **ERRORS},
    summary="Clôturer l'exercice",
)
def fiscal_year_close(request: HttpRequest, year_id: int) -> Status:
    """Verrouille l'exercice et passe les à-nouveaux de l'exercice suivant (renvoyés)."""
    _require_bookkeeper(request)
    year = get_object_or_404(FiscalYear, pk=year_id)
    entry = services.fiscal_year_close(actor=request.user, fiscal_year=year)
    if entry is None:
        return Status(204, None)
    return Status(201, entry_out(selectors.entry_get(user=request.user, pk=entry.pk)))


@router.get("/fec", response={200: None, **ERRORS}, summary="FEC")
def fec(request: HttpRequest, query: Query[YearQuery]) -> StreamingHttpResponse:
    """Le fichier des écritures comptables de l'exercice qui se termine l'année donnée."""
    selectors.require_books(request.user)
    year = _fiscal_year(query.year)
    filename = exports.fec_filename(cooperative_get().siren, year)
    audit_record(
        actor=request.user,
        action="export",
        target_type="ledger.entry",
        summary=f"Export FEC de l'exercice {year} (API)",
    )
    response = StreamingHttpResponse(
        exports.fec_chunks(year), content_type=f"text/plain; charset={exports.FEC_ENCODING}"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
