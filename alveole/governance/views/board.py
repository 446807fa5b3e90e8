"""Pages of the board: who is in office at a date, mandates started and ended."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from alveole.core.forms_errors import apply_errors
from alveole.governance import access, selectors, services
from alveole.governance.forms import AtForm, MandateEndForm, MandateForm
from alveole.governance.models import Mandate, MandateRole
from alveole.governance.views.common import form_page, manager_required, reader_required


@reader_required
def board(request: HttpRequest) -> HttpResponse:
    """The board, the co-presidency and the general direction at a date, and past mandates."""
    form = AtForm(request.GET or None)
    day = form.day()
    in_office = list(selectors.board_at(user=request.user, at=day))
    groups = [(role, [m for m in in_office if m.role == role]) for role in selectors.ROLE_ORDER]
    context = {
        "form": form,
        "at": day,
        "groups": [(role, mandates) for role, mandates in groups if mandates],
        "board_size": sum(1 for m in in_office if m.role == MandateRole.BOARD_MEMBER),
        "board_max": selectors.governance_settings().board_max_size,
        "history": selectors.mandates_history(user=request.user),
        "can_manage": access.can_manage_governance(request.user),
    }
    return render(request, "governance/board.html", context)


@manager_required
def mandate_add(request: HttpRequest) -> HttpResponse:
    form = MandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mandate_start(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le mandat est enregistré."))
            return redirect("governance:board")
    return form_page(
        request, form=form, title=_("Nouveau mandat"), back_url=reverse("governance:board"),
        submit=_("Enregistrer"),
        intro=_(
            "Les administrateur·rices sont des associé·es élu·es par une assemblée ; la "
            "co-présidence est confiée à des membres du conseil."
        ),
    )  # fmt: skip


@manager_required
def mandate_end(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = get_object_or_404(Mandate.objects.select_related("person"), pk=pk)
    form = MandateEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mandate_end(
                actor=request.user, mandate=mandate, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La fin du mandat est enregistrée."))
            return redirect("governance:board")
    return form_page(
        request, form=form, title=_("Fin du mandat — %(mandate)s") % {"mandate": mandate},
        back_url=reverse("governance:board"), submit=_("Enregistrer"),
    )  # fmt: skip
