"""Pages of the businesses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alveole.businesses import services
from alveole.businesses.forms import (
    BusinessCreateForm,
    BusinessEditForm,
    BusinessFilterForm,
    MembershipForm,
)
from alveole.businesses.models import Business
from alveole.businesses.selectors import business_get, businesses_list
from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import can_manage, is_cooperative_wide, role_required
from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record
from alveole.core.tabular import table_response

PAGE_SIZE = 50


@login_required
def business_list(request: HttpRequest) -> HttpResponse:
    """The businesses the user may see, filtered; an entrepreneur sees their own."""
    form = BusinessFilterForm(request.GET or None)
    businesses = businesses_list(user=request.user, **form.filters_kwargs())
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit_record(
            actor=request.user,
            action="export",
            target_type="businesses.business",
            summary=_("Export de la liste des activités (%(fmt)s)") % {"fmt": fmt},
        )
        header = [
            _("Code"),
            _("Nom"),
            _("Type"),
            _("Secteur"),
            _("Entrepreneur·e principal·e"),
            _("Membres"),
            _("Début"),
            _("Fin"),
        ]
        rows = (
            [b.code, b.name, b.get_kind_display(), str(b.sector or ""), str(b.main_membership.person if b.main_membership else ""),
             ", ".join(str(m.person) for m in b.memberships.all()), format_date(b.start_date), format_date(b.end_date)]
            for b in businesses
        )  # fmt: skip
        return table_response(filename="activites", fmt=fmt, header=header, rows=rows)
    page = Paginator(businesses, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "businesses/business_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_manage": can_manage(request.user),
        "cooperative_wide": is_cooperative_wide(request.user),
    })  # fmt: skip


@login_required
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A business: identity, sector, members."""
    business = business_get(user=request.user, pk=pk)
    return render(
        request,
        "businesses/business_detail.html",
        {"business": business, "can_manage": can_manage(request.user)},
    )


@role_required(*MANAGER_ROLES)
def business_create(request: HttpRequest) -> HttpResponse:
    """Create a business with its main entrepreneur."""
    form = BusinessCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        main_person = data.pop("main_person")
        try:
            business = services.business_create(actor=request.user, main_person=main_person, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("L'activité %(name)s a été créée.") % {"name": business.name}
            )
            return redirect("businesses:detail", pk=business.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "businesses/business_form.html", {"form": form, "business": None}, status=status
    )


@role_required(*MANAGER_ROLES)
def business_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a business's name, sector, description or dates."""
    business = business_get(user=request.user, pk=pk)
    form = BusinessEditForm(request.POST or None, instance=business)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_update(
                actor=request.user, business=Business.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'activité a été enregistrée."))
            return redirect("businesses:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "businesses/business_form.html",
        {"form": form, "business": business},
        status=status,
    )


@role_required(*MANAGER_ROLES)
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a co-entrepreneur to a business."""
    business = business_get(user=request.user, pk=pk)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(actor=request.user, business=business, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le membre a été ajouté."))
            return redirect("businesses:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "businesses/membership_form.html",
        {"form": form, "business": business},
        status=status,
    )
