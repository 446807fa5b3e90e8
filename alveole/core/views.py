"""Pages of the core: health check and the import page."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alveole.core.forms import ImportForm
from alveole.core.importing import importers, run_import
from alveole.core.permissions import role_required
from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@role_required(*MANAGER_ROLES)
def import_page(request: HttpRequest) -> HttpResponse:
    """Staff upload a CSV/XLSX file; it is imported whole or not at all."""
    available = importers()
    kinds = [(kind, importer.label) for kind, importer in available.items()]
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            kind = form.cleaned_data["kind"]
            result = run_import(
                kind=kind, content=upload.read(), filename=upload.name, actor=request.user
            )
            if result.ok:
                audit_record(
                    actor=request.user,
                    action="import",
                    target_type=kind,
                    summary=_("Import %(kind)s : %(n)s lignes")
                    % {"kind": kind, "n": result.created},
                )
    else:
        form = ImportForm(kinds=kinds, initial={"kind": request.GET.get("kind", "")})
    return render(
        request,
        "core/import.html",
        {"form": form, "result": result, "importers": available.values()},
        status=400 if result is not None and not result.ok else 200,
    )
