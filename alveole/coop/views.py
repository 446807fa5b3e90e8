"""The cooperative's settings page (director only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alveole.coop import services
from alveole.coop.forms import CooperativeForm
from alveole.coop.models import Cooperative, FiscalYear, Office, Sector
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import role_required
from alveole.core.roles import Role


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
