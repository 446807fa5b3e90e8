"""Pages of people and their path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.core.dates import today
from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import can_manage, can_see_sensitive, role_required
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, MANAGER_ROLES
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.people import services
from alveole.people.forms import (
    ApiTokenForm,
    AssociateJoinForm,
    AssociateLeaveForm,
    CapeRenewForm,
    CapeStartForm,
    CesaAmendForm,
    CesaStartForm,
    ContractEndForm,
    ExitForm,
    InformationMeetingForm,
    IntakeInterviewForm,
    PeopleFilterForm,
    PersonForm,
    StaffContractForm,
)
from alveole.people.models import ApiToken, Contract, EntrySituation, Person, PersonKind
from alveole.people.selectors import (
    PeopleFilters,
    current_associateship,
    people_list,
    person_get,
    person_timeline,
    running_contracts,
)

PAGE_SIZE = 50


@role_required(*COOPERATIVE_WIDE_ROLES)
def person_list(request: HttpRequest) -> HttpResponse:
    """Everyone the cooperative knows, filtered, with their status at a date."""
    form = PeopleFilterForm(request.GET or None)
    filters = PeopleFilters(**form.filters_kwargs())
    people = people_list(user=request.user, filters=filters)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _export(request, people, export)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_manage": can_manage(request.user),
        },
    )


def _export(request: HttpRequest, people, fmt: str) -> HttpResponse:
    sensitive = can_see_sensitive(request.user)
    header = [
        _("Nom"), _("Prénom"), _("Type"), _("Statut"), _("Date de naissance"), _("E-mail"), _("Téléphone"),
        _("Code postal"), _("Ville"), _("Département"), _("Établissement"), _("Accompagnateur·rice"),
        _("Autre revenu"),
    ]  # fmt: skip
    if sensitive:
        header.append(_("Situation à l'entrée"))

    def rows():
        for person in people.iterator(chunk_size=500):
            row = [
                person.last_name, person.first_name, person.get_kind_display(), person.status_label,
                format_date(person.birth_date), person.email, person.phone, person.postal_code, person.city,
                person.department, str(person.office or ""), str(person.follow_up_staff or ""),
                {True: _("oui"), False: _("non")}.get(person.has_other_income, ""),
            ]  # fmt: skip
            if sensitive:
                row.append(person.get_entry_situation_display() if person.entry_situation else "")
            yield row

    audit_record(
        actor=request.user, action="export", target_type="people.person",
        summary=_("Export de la liste des personnes (%(fmt)s) : %(query)s") % {"fmt": fmt, "query": request.GET.urlencode()},
    )  # fmt: skip
    return table_response(filename="personnes", fmt=fmt, header=header, rows=rows())


@role_required(*MANAGER_ROLES)
def person_create(request: HttpRequest) -> HttpResponse:
    """Record a new person (a project holder after a first contact, a staff member…)."""
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(person)s a été ajouté·e.") % {"person": person})
            return redirect("people:detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/person_form.html", {"form": form, "person": None}, status=status)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's file: identity, status, businesses and the path as a timeline."""
    person = person_get(user=request.user, pk=pk)
    is_self = request.user.person_id == person.pk
    if not is_self:
        services.person_record_read(actor=request.user, person=person)
    manage = can_manage(request.user)
    status = (
        Person.objects.with_status(today())
        .filter(pk=person.pk)
        .values_list("status", flat=True)
        .get()
    )
    person.status = status
    context = {
        "person": person,
        "is_self": is_self,
        "can_manage": manage,
        "show_sensitive": is_self or can_see_sensitive(request.user),
        "timeline": person_timeline(person),
        "contracts": running_contracts(person),
        "associateship": current_associateship(person),
        # Whoever may see the person may see the businesses they work in.
        "memberships": person.memberships.select_related("business", "business__sector"),
        "events": [
            (kind, event.label) for kind, event in EVENTS.items() if person.kind in event.kinds
        ]
        if manage
        else [],
        "entry_situations": EntrySituation,
    }
    return render(request, "people/person_detail.html", context)


@role_required(*MANAGER_ROLES)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a person's identity, contact and demographics."""
    person = person_get(user=request.user, pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user, person=Person.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Les informations ont été enregistrées."))
            return redirect("people:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/person_form.html", {"form": form, "person": person}, status=status
    )


@dataclass(frozen=True)
class PathEvent:
    """A kind of path event: its form and the service that records it."""

    label: Any
    form_class: type[forms.Form]
    record: Callable[[Any, Person, dict], Any]
    kinds: tuple[str, ...]
    form_kwargs: Callable[[Person], dict] = field(default=lambda person: {})


_ENTREPRENEUR = (PersonKind.ENTREPRENEUR,)
_EMPLOYED = (PersonKind.ENTREPRENEUR, PersonKind.SUPPORT_STAFF)
_ALL = tuple(PersonKind.values)

EVENTS: dict[str, PathEvent] = {
    "information-meeting": PathEvent(
        gettext_lazy("Réunion d'information"), InformationMeetingForm,
        lambda actor, person, d: services.information_meeting_attend(actor=actor, person=person, date=d["date"], office=d["office"]),
        _ENTREPRENEUR,
    ),
    "intake-interview": PathEvent(
        gettext_lazy("Entretien individuel"), IntakeInterviewForm,
        lambda actor, person, d: services.intake_interview_record(actor=actor, person=person, **d),
        _ENTREPRENEUR,
    ),
    "cape": PathEvent(
        gettext_lazy("Début de CAPE"), CapeStartForm,
        lambda actor, person, d: services.cape_start(actor=actor, person=person, **d),
        _ENTREPRENEUR,
    ),
    "cape-renewal": PathEvent(
        gettext_lazy("Renouvellement de CAPE"), CapeRenewForm,
        lambda actor, person, d: services.cape_renew(actor=actor, **d),
        _ENTREPRENEUR, lambda person: {"person": person, "kinds": [Contract.Kind.CAPE]},
    ),
    "cesa": PathEvent(
        gettext_lazy("Début de CESA"), CesaStartForm,
        lambda actor, person, d: services.cesa_start(actor=actor, person=person, **d),
        _ENTREPRENEUR,
    ),
    "cesa-amendment": PathEvent(
        gettext_lazy("Avenant au CESA"), CesaAmendForm,
        lambda actor, person, d: services.cesa_amend(actor=actor, **d),
        _ENTREPRENEUR, lambda person: {"person": person, "kinds": [Contract.Kind.CESA]},
    ),
    "staff-contract": PathEvent(
        gettext_lazy("Contrat de travail (équipe)"), StaffContractForm,
        lambda actor, person, d: services.staff_contract_start(actor=actor, person=person, **d),
        (PersonKind.SUPPORT_STAFF,),
    ),
    "contract-end": PathEvent(
        gettext_lazy("Fin de contrat"), ContractEndForm,
        lambda actor, person, d: services.contract_end(actor=actor, **d),
        _EMPLOYED, lambda person: {"person": person, "kinds": list(Contract.Kind.values)},
    ),
    "associate-join": PathEvent(
        gettext_lazy("Entrée au sociétariat"), AssociateJoinForm,
        lambda actor, person, d: services.associate_join(actor=actor, person=person, date=d["date"]),
        _ALL,
    ),
    "associate-leave": PathEvent(
        gettext_lazy("Sortie du sociétariat"), AssociateLeaveForm,
        lambda actor, person, d: services.associate_leave(actor=actor, **d),
        _ALL, lambda person: {"person": person},
    ),
    "exit": PathEvent(
        gettext_lazy("Sortie de la coopérative"), ExitForm,
        lambda actor, person, d: services.person_exit(actor=actor, person=person, **d),
        _EMPLOYED,
    ),
}  # fmt: skip


@role_required(*MANAGER_ROLES)
def person_event(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add one event to a person's path; the service refuses an invalid path with its reason."""
    person = person_get(user=request.user, pk=pk)
    event = EVENTS.get(kind)
    if event is None or person.kind not in event.kinds:
        raise Http404
    form = event.form_class(request.POST or None, **event.form_kwargs(person))
    if request.method == "POST" and form.is_valid():
        try:
            event.record(request.user, person, dict(form.cleaned_data))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("« %(event)s » a été enregistré.") % {"event": event.label})
            return redirect("people:detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/person_event.html",
        {"person": person, "form": form, "event": event, "kind": kind},
        status=status,
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """My account: role, password, API tokens (the raw token is shown once)."""
    form = ApiTokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, pk=request.POST.get("revoke"), user=request.user)
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
        return redirect("people:account")
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw_token = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "people/account.html", {"form": form, "tokens": tokens, "raw_token": raw_token}
    )
