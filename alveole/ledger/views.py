"""Pages of the ledger: chart, journals, entries, treasuries, VAT, exports, closings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.businesses.models import Business
from alveole.coop.models import FiscalYear
from alveole.coop.selectors import CooperativeMissing, cooperative_get
from alveole.core.dates import today
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import role_required
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.ledger import exports, selectors, services
from alveole.ledger.contributions import last_computed_month
from alveole.ledger.forms import (
    AccountCreateForm,
    AccountEditForm,
    CloseMonthForm,
    EntryFilterForm,
    ManualEntryForm,
    ManualLineFormSet,
    ReverseForm,
    TreasuryForm,
    VatForm,
    VatReturnForm,
)
from alveole.ledger.models import BOOKKEEPER_ROLES, Entry
from alveole.ledger.treasury import COMPONENTS_BY_KEY

PAGE_SIZE = 50
BOOKKEEPERS = tuple(BOOKKEEPER_ROLES)
TREASURY_ROLES = ("staff", "accountant", "director")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The ledger's entry point: the books, all treasuries, or one's own treasury."""
    if selectors.can_read_books(request.user):
        return redirect("ledger:entries")
    if selectors.can_see_all_treasuries(request.user):
        return redirect("ledger:treasury_all")
    own = Business.objects.visible_to(request.user).order_by("name", "pk")
    if len(own) == 1:
        return redirect("ledger:treasury", pk=own[0].pk)
    return render(request, "ledger/my_treasuries.html", {"businesses": own})


# --- chart and journals ---------------------------------------------------------------------


@role_required(*BOOKKEEPERS)
def accounts(request: HttpRequest) -> HttpResponse:
    """The chart of accounts, and opening a new account."""
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le compte %(account)s est ouvert.") % {"account": account})
            return redirect("ledger:accounts")
    q = request.GET.get("q", "")
    return render(
        request,
        "ledger/accounts.html",
        {"accounts": selectors.accounts_list(user=request.user, q=q), "form": form, "q": q},
        status=400 if form.errors else 200,
    )


@role_required(*BOOKKEEPERS)
def account_edit(request: HttpRequest, number: str) -> HttpResponse:
    account = selectors.account_get(user=request.user, number=number)
    form = AccountEditForm(
        request.POST or None, initial={"label": account.label, "active": account.active}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le compte %(number)s est modifié.") % {"number": number})
            return redirect("ledger:accounts")
    return render(
        request,
        "ledger/account_form.html",
        {"account": account, "form": form},
        status=400 if form.errors else 200,
    )


def _fiscal_year_from(request: HttpRequest) -> FiscalYear | None:
    pk = request.GET.get("fiscal_year")
    if pk and pk.isdigit():
        return FiscalYear.objects.filter(pk=int(pk)).first()
    return FiscalYear.objects.filter(start_date__lte=today(), end_date__gte=today()).first()


@role_required(*BOOKKEEPERS)
def journals(request: HttpRequest) -> HttpResponse:
    """The journals with their number of entries and totals for a fiscal year."""
    year = _fiscal_year_from(request)
    totals = {
        row["journal_id"]: row
        for row in Entry.objects.filter(fiscal_year=year)
        .values("journal_id")
        .annotate(count=Count("pk"), total=Sum("debit_cents"))
        .order_by()
    }
    rows = [
        (journal, totals.get(journal.code, {"count": 0, "total": 0}))
        for journal in selectors.journals_list(user=request.user)
    ]
    return render(
        request,
        "ledger/journals.html",
        {"rows": rows, "year": year, "years": selectors.fiscal_years()},
    )


# --- entries --------------------------------------------------------------------------------


@role_required(*BOOKKEEPERS)
def entries(request: HttpRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET or None)
    queryset = selectors.entries_list(user=request.user, filters=form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ledger/entry_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@role_required(*BOOKKEEPERS)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    reversed_by = Entry.objects.filter(reverses=entry).first()
    return render(
        request,
        "ledger/entry_detail.html",
        {"entry": entry, "reversed_by": reversed_by, "reverse_form": ReverseForm()},
    )


@require_POST
@role_required(*BOOKKEEPERS)
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            reversal = services.entry_reverse(
                actor=request.user,
                entry=entry,
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("L'écriture %(ref)s est contre-passée par %(new)s.")
                % {"ref": entry.reference, "new": reversal.reference},
            )
            return redirect("ledger:entry", pk=reversal.pk)
    else:
        messages.error(request, _("Indiquez une date valide."))
    return redirect("ledger:entry", pk=entry.pk)


@role_required(*BOOKKEEPERS)
def entry_create(request: HttpRequest) -> HttpResponse:
    """A manual entry: corrections, bank fees, anything no service posts."""
    form = ManualEntryForm(request.POST or None)
    formset = ManualLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        lines = [line for line in (f.line() for f in formset.forms) if line is not None]
        try:
            entry = services.entry_create_manual(
                actor=request.user,
                journal=form.cleaned_data["journal"].code,
                date=form.cleaned_data["date"],
                label=form.cleaned_data["label"],
                document_number=form.cleaned_data["document_number"],
                lines=lines,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("L'écriture %(ref)s est passée.") % {"ref": entry.reference}
            )
            return redirect("ledger:entry", pk=entry.pk)
    return render(
        request,
        "ledger/entry_form.html",
        {"form": form, "formset": formset, "open_from": services.first_open_day()},
        status=400 if request.method == "POST" else 200,
    )


# --- treasury -------------------------------------------------------------------------------


@role_required(*TREASURY_ROLES)
def treasury_all(request: HttpRequest) -> HttpResponse:
    """Every business's treasury, riskiest first."""
    form = TreasuryForm(request.GET or None)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or today()
    rows = selectors.treasuries_all(user=request.user, day=day)
    return render(
        request,
        "ledger/treasury_all.html",
        {
            "rows": rows,
            "day": day,
            "form": form,
            "at_risk": sum(1 for row in rows if row.risk),
        },
    )


@login_required
def treasury(request: HttpRequest, pk: int) -> HttpResponse:
    """One business's treasury, each figure explained, and its year month by month."""
    business = selectors.treasury_business_get(user=request.user, pk=pk)
    form = TreasuryForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    day = cleaned.get("day") or today()
    year = cleaned.get("year") or day.year
    result = selectors.treasury_of(user=request.user, business=business, day=day)
    months = selectors.treasury_months(user=request.user, business=business, year=year)
    return render(
        request,
        "ledger/treasury.html",
        {
            "business": business,
            "treasury": result,
            "months": months,
            "day": day,
            "year": year,
            "form": form,
            "can_see_all": selectors.can_see_all_treasuries(request.user),
        },
    )


@login_required
def treasury_lines(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The ledger lines behind one figure of a business's treasury."""
    business = selectors.treasury_business_get(user=request.user, pk=pk)
    component = COMPONENTS_BY_KEY.get(key)
    if component is None:
        raise Http404
    form = TreasuryForm(request.GET or None)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or today()
    lines = selectors.treasury_component_lines(
        user=request.user, business=business, key=key, day=day
    )
    monthly = isinstance(lines, list)
    page = None if monthly else Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ledger/treasury_lines.html",
        {
            "business": business,
            "component": component,
            "day": day,
            "monthly": lines if monthly else None,
            "page": page,
            "query": query.urlencode(),
        },
    )


# --- VAT ------------------------------------------------------------------------------------


@role_required(*BOOKKEEPERS)
def vat(request: HttpRequest) -> HttpResponse:
    form = VatForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    year = cleaned.get("year") or today().year
    quarterly = bool(cleaned.get("quarterly"))
    periods = selectors.vat_periods(user=request.user, year=year, quarterly=quarterly)
    return render(
        request,
        "ledger/vat.html",
        {
            "form": form,
            "year": year,
            "quarterly": quarterly,
            "periods": periods,
            "today": today(),
            "totals": {
                "collected": sum(p.collected_cents for p in periods),
                "deductible": sum(p.deductible_cents for p in periods),
                "due": sum(p.due_cents for p in periods),
            },
        },
    )


@require_POST
@role_required(*BOOKKEEPERS)
def vat_return(request: HttpRequest) -> HttpResponse:
    form = VatReturnForm(request.POST)
    if not form.is_valid():
        raise Http404
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        entry = services.vat_return_post(actor=request.user, start=start, end=end)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if entry is None:
            messages.info(request, _("Aucune TVA à déclarer sur cette période."))
        else:
            messages.success(
                request,
                _("La déclaration de TVA est passée : écriture %(ref)s.")
                % {"ref": entry.reference},
            )
    return redirect(f"{reverse('ledger:vat')}?year={start.year}")


# --- exports --------------------------------------------------------------------------------


@role_required(*BOOKKEEPERS)
def exports_page(request: HttpRequest) -> HttpResponse:
    return render(request, "ledger/exports.html", {"years": selectors.fiscal_years()})


@role_required(*BOOKKEEPERS)
def export_download(request: HttpRequest, year_pk: int, kind: str) -> HttpResponse:
    """Download the FEC or a table of a fiscal year (CSV or XLSX)."""
    year = get_object_or_404(FiscalYear, pk=year_pk)
    fmt = request.GET.get("format", "csv")
    if kind == "fec":
        try:
            siren = cooperative_get().siren
        except CooperativeMissing as error:
            raise Http404(str(error)) from None
        _audit_export(request, kind, year)
        response = StreamingHttpResponse(
            exports.fec_chunks(year), content_type=f"text/plain; charset={exports.FEC_ENCODING}"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{exports.fec_filename(siren, year)}"'
        )
        return response
    if kind not in exports.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    _stem, header, rows = exports.TABLES[kind]
    filename = exports.table_filename(kind, year, fmt)
    _audit_export(request, kind, year)
    if fmt == "csv" and kind == "general-ledger":
        response = StreamingHttpResponse(
            exports.csv_chunks(header, rows(year)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return table_response(
        filename=filename.rsplit(".", 1)[0], fmt=fmt, header=header, rows=rows(year)
    )


def _audit_export(request: HttpRequest, kind: str, year: FiscalYear) -> None:
    audit_record(
        actor=request.user,
        action="export",
        target_type="ledger.entry",
        summary=f"Export {kind} de l'exercice {year}",
    )


# --- closing --------------------------------------------------------------------------------


@role_required(*BOOKKEEPERS)
def closing(request: HttpRequest) -> HttpResponse:
    """The closed periods, closing a month, closing a fiscal year."""
    form = CloseMonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closed = services.period_close(actor=request.user, through=form.through())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Les comptes sont clôturés jusqu'au %(date)s.")
                % {"date": closed.through.strftime("%d/%m/%Y")},
            )
            return redirect("ledger:closing")
    return render(
        request,
        "ledger/closing.html",
        {
            "form": form,
            "closings": selectors.closings_list(user=request.user),
            "years": selectors.fiscal_years(),
            "lock_date": services.lock_date(),
            "today": today(),
            "last_contributions": last_computed_month(),
            "can_run_contributions": request.user.role in ("accountant", "director"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(*BOOKKEEPERS)
def fiscal_year_close(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(FiscalYear, pk=pk)
    try:
        entry = services.fiscal_year_close(actor=request.user, fiscal_year=year)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = _("L'exercice %(year)s est clôturé.") % {"year": year}
        if entry is not None:
            text += " " + _("Les à-nouveaux sont passés : écriture %(ref)s.") % {
                "ref": entry.reference
            }
        messages.success(request, text)
    return redirect("ledger:closing")
