"""The pages that write a grant: recording, correcting and removing one posts its entries in
the same transaction (docs/adr/0012), so they live above the ledger. alveole/urls.py mounts
them among the cooperative's pages (`coop:grant_create`, `coop:grant_edit`,
`coop:grant_delete`), next to the list of grants that `coop` keeps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.coop.models import Grant
from alveole.coop.selectors import grant_get
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import role_required
from alveole.ledger import grants
from alveole.ledger.grant_forms import GrantForm
from alveole.ledger.models import BOOKKEEPER_ROLES

#: The accountant and the direction: who keeps the books records the grants.
GRANT_WRITERS = tuple(BOOKKEEPER_ROLES)


def _grant_form_page(
    request: HttpRequest, form: GrantForm, grant: Grant | None = None
) -> HttpResponse:
    return render(
        request,
        "ledger/grant_form.html",
        {"form": form, "grant": grant},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*GRANT_WRITERS)
def grant_create(request: HttpRequest) -> HttpResponse:
    """Record a grant (and post it)."""
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grants.grant_record(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La subvention a été enregistrée."))
            return redirect("coop:grants")
    return _grant_form_page(request, form)


@role_required(*GRANT_WRITERS)
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a grant, record its reception (its entries follow)."""
    grant = grant_get(user=request.user, pk=pk)
    form = GrantForm(request.POST or None, instance=grant)
    if request.method == "POST" and form.is_valid():
        try:
            grants.grant_change(actor=request.user, grant=grant, **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La subvention a été enregistrée."))
            return redirect("coop:grants")
    return _grant_form_page(request, form, grant)


@require_POST
@role_required(*GRANT_WRITERS)
def grant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a grant recorded by mistake (its entries are reversed)."""
    grant = grant_get(user=request.user, pk=pk)
    try:
        grants.grant_remove(actor=request.user, grant=grant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("coop:grant_edit", pk=pk)
    messages.success(request, _("La subvention a été supprimée."))
    return redirect("coop:grants")
