"""Pages of the core: health check and the import page."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alveole.core.forms import ImportForm
from alveole.core.importing import importers, run_import
from alveole.core.permissions import role_required
from alveole.core.roles import MANAGER_ROLES
from alveole.core.tabular import table_response


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
    """Staff upload a CSV/XLSX file; it is imported whole or not at all.

    `?template=<kind>&format=csv|xlsx` downloads an empty file with the expected columns.
    """
    available = importers()
    template_kind = request.GET.get("template", "")
    if request.method == "GET" and template_kind in available:
        importer = available[template_kind]
        return table_response(
            filename=f"modele-import-{template_kind}",
            fmt="xlsx" if request.GET.get("format") == "xlsx" else "csv",
            header=[*importer.required, *importer.optional],
            rows=[],
        )
    kinds = [(kind, importer.label) for kind, importer in available.items()]
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = run_import(
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name,
                actor=request.user,
                dry_run=request.POST.get("dry_run") == "1",
            )
    else:
        form = ImportForm(kinds=kinds, initial={"kind": request.GET.get("kind", "")})
    return render(
        request,
        "core/import.html",
        {"form": form, "result": result, "importers": available.values()},
        status=400 if result is not None and not result.ok else 200,
    )
