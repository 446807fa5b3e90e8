"""The REST API (django-ninja): token auth, one error format, the routers of each app.

Errors always look like ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from alveole.businesses.api import router as businesses_router
from alveole.governance.api import router as governance_router
from alveole.ledger.api import router as ledger_router
from alveole.ledger.grant_api import router as grants_router
from alveole.payroll.api import router as payroll_router
from alveole.people.api import router as people_router
from alveole.people.auth import TokenAuth
from alveole.purchases.api import router as purchases_router
from alveole.sales.api import router as sales_router
from alveole.support.api import router as support_router

api = NinjaAPI(
    title="Alvéole API",
    version="1",
    description=(
        "API REST d'Alvéole. Authentification : `Authorization: Bearer <jeton>` "
        "(jeton créé par `alveole token create EMAIL NOM` ou depuis la page Mon compte). "
        'Toute erreur a la forme `{"error": {"code", "message", "fields"}}`.'
    ),
    auth=TokenAuth(),
    docs_url="/docs",
    urls_namespace="api",
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(ValidationError)
def _django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {("non_field" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        message = " ; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    else:
        fields = {}
        message = " ; ".join(exc.messages)
    return error_response(request, 400, "invalid", message, fields)


@api.exception_handler(NinjaValidationError)
def _schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [
            str(p) for p in error.get("loc", []) if p not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(loc) or "non_field", []).append(_schema_message(error))
    return error_response(request, 422, "invalid_payload", gettext("Données invalides."), fields)


#: French messages for the validator's error types (its own messages are in English).
SCHEMA_MESSAGES = {
    "missing": gettext_lazy("Champ obligatoire."),
    "extra_forbidden": gettext_lazy("Champ inconnu."),
    "enum": gettext_lazy("Valeur inconnue (les valeurs possibles sont dans /api/docs)."),
    "literal_error": gettext_lazy("Valeur inconnue (les valeurs possibles sont dans /api/docs)."),
    "date_parsing": gettext_lazy("Date invalide : format attendu AAAA-MM-JJ."),
    "date_from_datetime_parsing": gettext_lazy("Date invalide : format attendu AAAA-MM-JJ."),
    "date_type": gettext_lazy("Date invalide : format attendu AAAA-MM-JJ."),
    "int_parsing": gettext_lazy("Nombre entier attendu."),
    "int_type": gettext_lazy("Nombre entier attendu."),
    "decimal_parsing": gettext_lazy("Nombre décimal attendu."),
    "decimal_type": gettext_lazy("Nombre décimal attendu."),
    "decimal_max_digits": gettext_lazy("Nombre trop long."),
    "decimal_max_places": gettext_lazy("Trop de décimales."),
    "bool_parsing": gettext_lazy("Booléen attendu (true ou false)."),
    "bool_type": gettext_lazy("Booléen attendu (true ou false)."),
    "string_type": gettext_lazy("Texte attendu."),
    "greater_than_equal": gettext_lazy("La valeur doit être au moins %(ge)s."),
    "less_than_equal": gettext_lazy("La valeur doit être au plus %(le)s."),
    "json_invalid": gettext_lazy("JSON invalide."),
    "model_attributes_type": gettext_lazy("Un objet JSON est attendu."),
    "dict_type": gettext_lazy("Un objet JSON est attendu."),
}


def _schema_message(error: dict) -> str:
    template = SCHEMA_MESSAGES.get(error.get("type", ""))
    if template is None:
        return gettext("Valeur invalide.")
    try:
        return str(template) % error.get("ctx", {})
    except (KeyError, TypeError):
        return str(template)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number too large for the database (an identifier of 40 digits…): the caller's error."""
    return error_response(
        request, 400, "invalid", gettext("Une valeur numérique est hors des limites admises.")
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", "Jeton d'API absent, invalide ou révoqué."
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", "Votre rôle ne permet pas cette action.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Introuvable.")


@api.exception_handler(ObjectDoesNotExist)
def _object_not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return error_response(request, 404, "not_found", "Introuvable.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
    }
    message = str(exc)
    if message == "Cannot parse request body":  # django-ninja's own, in English
        message = gettext("Le corps de la requête n'est pas du JSON valide.")
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), message)


api.add_router("/people", people_router)
api.add_router("/businesses", businesses_router)
# The cooperative's grants: their writes post, so their routes are the ledger's (ADR 12).
api.add_router("/cooperative", grants_router)
api.add_router("/governance", governance_router)
api.add_router("/ledger", ledger_router)
api.add_router("/payroll", payroll_router)
api.add_router("/purchases", purchases_router)
api.add_router("/sales", sales_router)
api.add_router("/support", support_router)
