"""The cooperative's pages: its settings (director only) and the list of its grants (the
pages that write a grant are the ledger's, alveole/ledger/grant_views.py: they post it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alveole.coop import services
from alveole.coop.forms import CooperativeForm, GrantFilterForm
from alveole.coop.models import Cooperative, FiscalYear, GrantAllocation, Office, Sector
from alveole.coop.selectors import grants_list
from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.money import from_cents
from alveole.core.permissions import role_required
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.core.services import audit_record
from alveole.core.tabular import table_response

PAGE_SIZE = 50
GRANT_WRITER_ROLES = (Role.ACCOUNTANT, Role.DIRECTOR)


@role_required(Role.DIRECTOR)
def cooperative_settings(request: HttpRequest) -> HttpResponse:
    """The cooperative's legal identity and settings, as printed on every document."""
    cooperative = Cooperative.objects.order_by("pk").first()
    form = CooperativeForm(request.POST or None, instance=cooperative)
    if request.method == "POST":
        # Validate the form on a throwaway instance: the service does the real write.
        form.instance = (
            Cooperative() if cooperative is None else Cooperative.objects.get(pk=cooperative.pk)
        )
        if form.is_valid():
            try:
                if cooperative is None:
                    services.cooperative_setup(actor=request.user, **form.service_fields())
                else:
                    services.cooperative_update(
                        actor=request.user, cooperative=cooperative, **form.service_fields()
                    )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Les informations de la coopérative ont été enregistrées.")
                )
                return redirect("coop:settings")
    context = {
        "form": form,
        "offices": Office.objects.all(),
        "sectors": Sector.objects.all(),
        "fiscal_years": FiscalYear.objects.all(),
    }
    return render(request, "coop/settings.html", context, status=400 if form.errors else 200)


# --- grants ---------------------------------------------------------------------------------


@role_required(*COOPERATIVE_WIDE_ROLES)
def grant_list(request: HttpRequest) -> HttpResponse:
    """Public funding of the support structure, filtered, with totals; CSV/XLSX export."""
    form = GrantFilterForm(request.GET or None)
    filters = form.filters()
    grants = grants_list(user=request.user, filters=filters)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _grants_export(request, grants, fmt)
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    total = grants.order_by().aggregate(total=Sum("amount_cents"))["total"] or 0
    year_total = None
    if filters.year:
        year_total = (
            GrantAllocation.objects.filter(
                grant__in=grants.order_by().values("pk"), year=filters.year
            ).aggregate(total=Sum("amount_cents"))["total"]
            or 0
        )
    return render(
        request,
        "coop/grant_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "total": total,
            "year": filters.year,
            "year_total": year_total,
            "can_write": request.user.has_role(*GRANT_WRITER_ROLES),
        },
    )


def _grants_export(request: HttpRequest, grants, fmt: str) -> HttpResponse:
    header = [
        _("Type de financeur"), _("Financeur"), _("Programme"), _("Montant"), _("Première année"),
        _("Dernière année"), _("Répartition"), _("Décision"), _("Réception"), _("Notes"),
    ]  # fmt: skip
    rows = (
        [g.get_funder_kind_display(), g.funder_name, g.programme, from_cents(g.amount_cents), g.start_year,
         g.end_year, " | ".join(f"{a.year}={from_cents(a.amount_cents)}" for a in g.allocations.all()),
         format_date(g.decision_date), format_date(g.received_date), g.notes]
        for g in grants
    )  # fmt: skip
    audit_record(
        actor=request.user,
        action="export",
        target_type="coop.grant",
        summary=_("Export des subventions (%(fmt)s)") % {"fmt": fmt},
    )
    return table_response(filename="subventions", fmt=fmt, header=header, rows=rows)
