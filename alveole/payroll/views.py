"""Pages of payroll: the monthly records, their entry and import, the salary simulator,
the rates in force, the contribution rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.coop.selectors import PayrollRatesMissing, payroll_parameters_at, payroll_rates_at
from alveole.core.dates import today
from alveole.core.formatting import format_cents, format_date
from alveole.core.forms import ImportForm
from alveole.core.forms_errors import apply_errors
from alveole.core.importing import importers, run_import
from alveole.core.money import from_cents, round_cents
from alveole.core.permissions import role_required
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.payroll import selectors, services
from alveole.payroll.contribution_run import monthly_run
from alveole.payroll.forms import (
    ContributionRuleForm,
    PayrollFilterForm,
    PayrollRecordForm,
    RatesAtForm,
    RuleEndForm,
    RuleFilterForm,
    SimulatorForm,
)
from alveole.payroll.services import month_label
from alveole.payroll.simulator import salary_simulate

PAGE_SIZE = 50
WRITER_ROLES = (Role.STAFF, Role.ACCOUNTANT, Role.DIRECTOR)
PARAMETER_WRITER_ROLES = (Role.ACCOUNTANT, Role.DIRECTOR)


# --- payroll records ------------------------------------------------------------------------


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    """The payroll records the user may see, filtered, with their totals; CSV/XLSX export."""
    form = PayrollFilterForm(request.GET or None, user=request.user)
    records = selectors.payroll_records_list(user=request.user, filters=form.filters())
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(request, records, fmt)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payroll/record_list.html",
        {
            "form": form,
            "page": page,
            "totals": selectors.payroll_totals(records),
            "query": query.urlencode(),
            "can_write": selectors.can_write_payroll(request.user),
            "cooperative_wide": request.user.is_cooperative_wide,
        },
    )


def _export(request: HttpRequest, records, fmt: str) -> HttpResponse:
    header = [
        _("Mois"), _("Nom"), _("Prénom"), _("Brut"), _("Cotisations salariales"),
        _("Cotisations patronales"), _("Réduction générale"), _("Net avant impôt"),
        _("Coût employeur"), _("Heures payées"), _("Activités"),
    ]  # fmt: skip

    def rows():
        for record in records:
            yield [
                record.month.strftime("%Y-%m"), record.person.last_name, record.person.first_name,
                from_cents(record.gross_cents), from_cents(record.employee_contributions_cents),
                from_cents(record.employer_contributions_cents), from_cents(record.reduction_cents),
                from_cents(record.net_cents), from_cents(record.employer_cost_cents),
                record.paid_hours,
                " | ".join(f"{c.business.code}={from_cents(c.amount_cents)}" for c in record.charges.all()),
            ]  # fmt: skip

    audit_record(
        actor=request.user,
        action="export",
        target_type="payroll.payrollrecord",
        summary=_("Export de la paie (%(fmt)s) : %(query)s")
        % {"fmt": fmt, "query": request.GET.urlencode()},
    )
    return table_response(filename="paie", fmt=fmt, header=header, rows=rows())


def _render_record_form(request: HttpRequest, form, record=None) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(
        request, "payroll/record_form.html", {"form": form, "record": record}, status=status
    )


@role_required(*WRITER_ROLES)
def record_create(request: HttpRequest) -> HttpResponse:
    """Enter a month's pay from the payslip."""
    form = PayrollRecordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            record = services.payroll_record_create(actor=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("La paie de %(person)s pour %(month)s a été enregistrée.")
                % {"person": record.person, "month": month_label(record.month)},
            )
            return redirect("payroll:list")
    return _render_record_form(request, form)


@role_required(*WRITER_ROLES)
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a month's pay."""
    record = selectors.payroll_record_get(user=request.user, pk=pk)
    if not selectors.can_write_payroll(request.user, record.person):
        raise PermissionDenied
    form = PayrollRecordForm(request.POST or None, user=request.user, record=record)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if fields["person"] != record.person and not selectors.can_write_payroll(
            request.user, fields["person"]
        ):
            raise PermissionDenied
        try:
            services.payroll_record_update(actor=request.user, record=record, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La paie a été corrigée."))
            return redirect("payroll:list")
    return _render_record_form(request, form, record)


@require_POST
@role_required(*WRITER_ROLES)
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a month's pay entered by mistake."""
    record = selectors.payroll_record_get(user=request.user, pk=pk)
    if not selectors.can_write_payroll(request.user, record.person):
        raise PermissionDenied
    services.payroll_record_delete(actor=request.user, record=record)
    messages.success(
        request,
        _("La paie de %(person)s pour %(month)s a été supprimée.")
        % {"person": record.person, "month": month_label(record.month)},
    )
    return redirect("payroll:list")


@role_required(*WRITER_ROLES)
def record_import(request: HttpRequest) -> HttpResponse:
    """Import the payroll software's export (CSV/XLSX), whole or not at all."""
    importer = importers()["payroll"]
    if request.method == "GET" and request.GET.get("template") == "payroll":
        return table_response(
            filename="modele-import-payroll",
            fmt="xlsx" if request.GET.get("format") == "xlsx" else "csv",
            header=[*importer.required, *importer.optional],
            rows=[],
        )
    kinds = [(importer.kind, importer.label)]
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = run_import(
                kind="payroll",
                content=upload.read(),
                filename=upload.name,
                actor=request.user,
                dry_run=request.POST.get("dry_run") == "1",
            )
    else:
        form = ImportForm(kinds=kinds, initial={"kind": "payroll"})
    return render(
        request,
        "core/import.html",
        {"form": form, "result": result, "importers": [importer]},
        status=400 if (result is not None and not result.ok) or form.errors else 200,
    )


# --- simulator and rates --------------------------------------------------------------------


@login_required
def simulator(request: HttpRequest) -> HttpResponse:
    """From a budget, the gross salary a business can pay, or the cost of a gross salary."""
    form = SimulatorForm(request.GET or None, user=request.user)
    simulation = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        amount = round_cents(data["amount"])
        try:
            simulation = salary_simulate(
                month=data["month"],
                paid_hours=data["paid_hours"],
                budget_cents=amount if data["mode"] == form.MODE_BUDGET else None,
                gross_cents=amount if data["mode"] == form.MODE_GROSS else None,
            )
        except PayrollRatesMissing as error:
            form.add_error("month", str(error))
    if not request.user.is_cooperative_wide and not form.fields["business"].queryset.exists():
        messages.info(request, _("Le simulateur sert aux activités dont vous êtes membre."))
    return render(
        request,
        "payroll/simulator.html",
        {"form": form, "simulation": simulation},
        status=400 if form.errors else 200,
    )


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    """The payroll figures and contribution rates in force at a date (public figures)."""
    form = RatesAtForm(request.GET or None)
    day = (form.cleaned_data.get("at") if form.is_valid() else None) or today()
    try:
        parameters, lines = payroll_parameters_at(day), payroll_rates_at(day)
        missing = ""
    except PayrollRatesMissing as error:
        parameters, lines, missing = None, [], str(error)
    return render(
        request,
        "payroll/rates.html",
        {"form": form, "day": day, "parameters": parameters, "rates": lines, "missing": missing},
    )


# --- contribution rules ---------------------------------------------------------------------


@role_required(*COOPERATIVE_WIDE_ROLES)
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every contribution rule, default and per business, with the decision it comes from."""
    form = RuleFilterForm(request.GET or None)
    rules = selectors.contribution_rules_list(user=request.user, filters=form.filters())
    page = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payroll/rule_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today(),
            "can_write": selectors.can_write_cooperative_parameters(request.user),
            "end_form": RuleEndForm(),
        },
    )


@role_required(*PARAMETER_WRITER_ROLES)
def rule_create(request: HttpRequest) -> HttpResponse:
    """Record a rule the assembly decided."""
    form = ContributionRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.contribution_rule_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("La règle de contribution est enregistrée ; elle prend effet le %(date)s.")
                % {"date": format_date(rule.effective_from)},
            )
            return redirect("payroll:rules")
    return render(
        request,
        "payroll/rule_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(*PARAMETER_WRITER_ROLES)
def rule_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a business's rule at the end of a month to come."""
    rule = selectors.contribution_rule_get(user=request.user, pk=pk)
    form = RuleEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                _("Indiquez le dernier mois d'application (AAAA-MM) pour mettre fin à la règle.")
            )
        services.contribution_rule_end(actor=request.user, rule=rule, effective_to=form.last_day())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("La règle s'arrêtera le %(date)s.") % {"date": format_date(form.last_day())},
        )
    return redirect("payroll:rules")


@require_POST
@role_required(*PARAMETER_WRITER_ROLES)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a rule that has not taken effect."""
    rule = selectors.contribution_rule_get(user=request.user, pk=pk)
    try:
        services.contribution_rule_delete(actor=request.user, rule=rule)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La règle a été supprimée."))
    return redirect("payroll:rules")


# --- the monthly run of the books (button of the ledger's closing page) ---------------------


@require_POST
@role_required(Role.ACCOUNTANT, Role.DIRECTOR)
def contributions_run(request: HttpRequest) -> HttpResponse:
    """Compute the contributions of the finished months not computed yet, and bring the
    grants in line, then go back to the closing page with what was done."""
    try:
        run = monthly_run(actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("ledger:closing")
    if not run.months and not run.entry_count:
        messages.info(request, _("Les contributions et subventions sont déjà à jour."))
    for each in run.months:
        text = _("Contributions de %(month)s : %(count)s écriture(s), %(amount)s dus.") % {
            "month": month_label(each.month),
            "count": len(each.entries),
            "amount": format_cents(sum(each.due.values())),
        }
        if each.without_rule:
            text += " " + _("Sans règle de contribution : %(codes)s.") % {
                "codes": ", ".join(business.code for business in each.without_rule)
            }
        messages.success(request, text)
    if run.grants and (run.grants.posted or run.grants.reversed):
        messages.success(
            request,
            _("Subventions : %(posted)s écriture(s) passée(s), %(reversed)s contre-passée(s).")
            % {"posted": len(run.grants.posted), "reversed": len(run.grants.reversed)},
        )
    return redirect("ledger:closing")
