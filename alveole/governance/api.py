"""REST routes of governance: the register and capital, assemblies, votes, minutes, the board.

Scoping is the pages' one (access.py): staff roles read the register in full, an
associate reads names, categories and shares of the others and their own amounts;
support staff and direction run the assemblies; an associate takes part in the
assemblies they were convened to (sign online, give a proxy, vote). Every write goes
through the services, which hold the rules.

Secret ballot (docs/adr/0006): no route returns an individual's choice on a secret
resolution — only who voted. Results are null until the vote is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as HttpStatus

from alveole.core.api import ERRORS, api_field_names, paginate, require_manager
from alveole.core.dates import today
from alveole.governance import access, selectors, services
from alveole.governance.models import (
    Assembly,
    Attendance,
    AttendanceMode,
    Convocation,
    Mandate,
    Minutes,
    MinutesSignature,
    Proxy,
    Resolution,
    SignatoryRole,
)
from alveole.governance.pdf import minutes_file
from alveole.governance.schemas import (
    AgendaItemIn,
    AgendaItemOut,
    AssemblyDetailOut,
    AssemblyIn,
    AssemblyPage,
    AssemblyPatch,
    AssemblyQuery,
    AtQuery,
    AttendanceIn,
    AttendanceOut,
    AttendanceRowOut,
    BoardOut,
    CapitalOut,
    ConvocationOut,
    MinutesOut,
    MinutesSignIn,
    ProxyIn,
    ProxyOut,
    ProxyRevokeIn,
    RegisterOut,
    ResolutionDetailOut,
    ResolutionIn,
    ResolutionOut,
    SignatoryOut,
    VoteIn,
    VoteOut,
)
from alveole.governance.selectors import CapitalSummary
from alveole.people.models import Person

router = Router(tags=["Gouvernance"])

PERSON_FIELDS = {
    "chair": "chair_id",
    "secretary": "secretary_id",
    "previous": "previous_id",
    "holder": "holder_id",
    "person": "person_id",
}


def _require(test: Callable[[Any], bool], request: HttpRequest) -> None:
    if not test(request.user):
        raise PermissionDenied


def _optional_person(pk: int | None, field: str) -> Person | None:
    return None if pk is None else _person(pk, field)


def _name(person: Person | None) -> str | None:
    return None if person is None else f"{person.first_name} {person.last_name}".strip()


def _person(pk: int, field: str) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise ValidationError({field: _("Personne introuvable.")})
    return person


# --- register, capital, board ----------------------------------------------------------


def _ratio(ratio: Any) -> dict[str, Any]:
    percent = ratio.percent
    return {
        "part": ratio.part,
        "whole": ratio.whole,
        "percent": None if percent is None else str(percent),
        "minimum_percent": str(ratio.minimum_percent),
        "holds": ratio.holds,
    }


def capital_out(capital: CapitalSummary) -> dict[str, Any]:
    return {
        "at": capital.at,
        "subscribed_cents": capital.subscribed_cents,
        "paid_up_cents": capital.paid_up_cents,
        "unpaid_cents": capital.unpaid_cents,
        "shares": capital.shares,
        "associates": capital.associates,
        "employee_associates": capital.employee_associates,
        "employee_capital_cents": capital.employee_capital_cents,
        "capital_ratio": _ratio(capital.capital_ratio),
        "votes_ratio": _ratio(capital.votes_ratio),
        "warnings": [str(w) for w in capital.warnings],
    }


@router.get("/register", response={200: RegisterOut, **ERRORS}, summary="Registre à une date")
def register(request: HttpRequest, filters: Query[AtQuery]) -> dict[str, Any]:
    """Le registre des associé·es et des parts à une date (aujourd'hui par défaut).

    Un·e associé·e voit des autres le nom, la catégorie et les parts ; les montants
    souscrits et libérés seulement pour sa propre ligne. Les rôles de la coopérative voient tout.
    """
    _require(access.can_read_register, request)
    day = filters.at or today()
    full = access.is_cooperative_wide(request.user)
    own = getattr(request.user, "person_id", None)
    rows = [
        {
            "person_id": p.pk,
            "last_name": p.last_name,
            "first_name": p.first_name,
            "category": p.category,
            "associate_since": p.associate_since,
            "is_associate": p.is_associate,
            "left_on": None if p.is_associate else p.left_on,
            "shares_held": p.shares_held,
            "capital_cents": p.capital_cents if full or p.pk == own else None,
            "paid_up_cents": p.paid_up_cents if full or p.pk == own else None,
        }
        for p in selectors.register_at(user=request.user, at=day)
    ]
    capital = selectors.register_capital(user=request.user, at=day)
    return {"at": day, "capital": capital_out(capital), "rows": rows}


@router.get(
    "/capital", response={200: CapitalOut, **ERRORS}, summary="Capital et ratios légaux à une date"
)
def capital(request: HttpRequest, filters: Query[AtQuery]) -> dict[str, Any]:
    """Capital souscrit et libéré, part des salarié·es dans le capital (≥ 51 %) et les voix (≥ 65 %)."""
    _require(access.can_read_register, request)
    return capital_out(selectors.register_capital(user=request.user, at=filters.at or today()))


def mandate_out(mandate: Mandate) -> dict[str, Any]:
    return {
        "id": mandate.pk,
        "person_id": mandate.person_id,
        "person_name": _name(mandate.person),
        "role": mandate.role,
        "role_label": mandate.get_role_display(),
        "start_date": mandate.start_date,
        "end_date": mandate.end_date,
        "elected_by_id": mandate.elected_by_id,
    }


@router.get("/board", response={200: BoardOut, **ERRORS}, summary="Conseil et fonctions à une date")
def board(request: HttpRequest, filters: Query[AtQuery]) -> dict[str, Any]:
    """Qui est en fonction à une date : administrateur·rices, co-présidence, direction générale."""
    _require(access.can_read_register, request)
    day = filters.at or today()
    mandates = selectors.board_at(user=request.user, at=day)
    return {"at": day, "mandates": [mandate_out(m) for m in mandates]}


# --- assemblies ------------------------------------------------------------------------


def assembly_out(assembly: Assembly) -> dict[str, Any]:
    return {
        "id": assembly.pk,
        "kind": assembly.kind,
        "convocation_round": assembly.convocation_round,
        "previous_id": assembly.previous_id,
        "title": assembly.title,
        "starts_at": assembly.starts_at,
        "place": assembly.place,
        "online": assembly.online,
        "online_url": assembly.online_url,
        "status": assembly.status,
        "convened_at": assembly.convened_at,
        "opened_at": assembly.opened_at,
        "closed_at": assembly.closed_at,
        "chair_id": assembly.chair_id,
        "chair_name": _name(assembly.chair),
        "secretary_id": assembly.secretary_id,
        "secretary_name": _name(assembly.secretary),
        "recorded_afterwards": assembly.recorded_afterwards,
        "resolutions_count": getattr(assembly, "resolutions_count", None)
        or assembly.resolutions.count(),
    }


def resolution_out(resolution: Resolution) -> dict[str, Any]:
    closed = resolution.status == Resolution.Status.CLOSED
    return {
        "id": resolution.pk,
        "assembly_id": resolution.assembly_id,
        "position": resolution.position,
        "title": resolution.title,
        "text": resolution.text,
        "majority": resolution.majority,
        "secret": resolution.secret,
        "status": resolution.status,
        "opened_at": resolution.opened_at,
        "closed_at": resolution.closed_at,
        # Results only after closing (the service writes them then; belt and braces here).
        "votes_for": resolution.votes_for if closed else None,
        "votes_against": resolution.votes_against if closed else None,
        "votes_abstain": resolution.votes_abstain if closed else None,
        "adopted": resolution.adopted if closed else None,
    }


def minutes_out(assembly: Assembly) -> dict[str, Any]:
    # Never load the PDF itself here: only its fingerprint.
    frozen = Minutes.objects.filter(assembly=assembly).only("sha256", "frozen_at").first()
    signatures = MinutesSignature.objects.filter(assembly=assembly).select_related("person")
    return {
        "frozen": frozen is not None,
        "sha256": frozen.sha256 if frozen else None,
        "frozen_at": frozen.frozen_at if frozen else None,
        "signatures": [signatory_out(s) for s in signatures],
    }


def signatory_out(signature: MinutesSignature) -> dict[str, Any]:
    return {
        "role": signature.role,
        "person_id": signature.person_id,
        "person_name": _name(signature.person),
        "method": signature.method,
        "signed_at": signature.signed_at,
    }


def _quorum_out(assembly: Assembly) -> dict[str, Any] | None:
    if assembly.status in (Assembly.Status.DRAFT, Assembly.Status.CONVENED):
        return None
    quorum = selectors.assembly_quorum(assembly)
    return {
        "associates": quorum.associates,
        "in_person": quorum.in_person,
        "online": quorum.online,
        "represented": quorum.represented,
        "present_or_represented": quorum.present_or_represented,
        "required": quorum.required,
        "rule": str(quorum.rule) if quorum.rule else None,
        "met": quorum.met,
    }


def assembly_detail_out(assembly: Assembly) -> dict[str, Any]:
    return {
        **assembly_out(assembly),
        "agenda": list(assembly.agenda.all()),
        "documents": list(assembly.documents.all()),
        "quorum": _quorum_out(assembly),
        "resolutions": [resolution_out(r) for r in assembly.resolutions.all()],
        "minutes": minutes_out(assembly),
    }


def _assembly(request: HttpRequest, pk: int) -> Assembly:
    _require(access.can_see_assemblies, request)
    return selectors.assembly_get(user=request.user, pk=pk)


def _managed(request: HttpRequest, pk: int) -> Assembly:
    require_manager(request)
    return selectors.assembly_get(user=request.user, pk=pk)


@router.get("/assemblies", response={200: AssemblyPage, **ERRORS}, summary="Assemblées générales")
def assembly_list(request: HttpRequest, filters: Query[AssemblyQuery]) -> dict[str, Any]:
    """Toutes pour l'équipe et la direction ; celles où l'on est convoqué·e pour un·e associé·e."""
    _require(access.can_see_assemblies, request)
    assemblies = selectors.assemblies_for(user=request.user).select_related("chair", "secretary")
    if filters.status:
        assemblies = assemblies.filter(status=filters.status)
    page = paginate(assemblies, page=filters.page, page_size=filters.page_size)
    page["results"] = [assembly_out(a) for a in page["results"]]
    return page


@router.get(
    "/assemblies/{int:assembly_id}",
    response={200: AssemblyDetailOut, **ERRORS},
    summary="Assemblée générale",
)
def assembly_detail(request: HttpRequest, assembly_id: int) -> dict[str, Any]:
    """Ordre du jour, documents, quorum (à partir de la séance), résolutions, procès-verbal."""
    return assembly_detail_out(_assembly(request, assembly_id))


@router.post(
    "/assemblies", response={201: AssemblyDetailOut, **ERRORS}, summary="Préparer une assemblée"
)
def assembly_create(request: HttpRequest, payload: AssemblyIn) -> HttpStatus:
    """Équipe d'appui et direction. Une 2e convocation nomme la 1re (`previous_id`)."""
    require_manager(request)
    with api_field_names(PERSON_FIELDS):
        previous: Assembly | None = None
        if payload.previous_id is not None:
            found = selectors.assemblies_for(user=request.user).filter(pk=payload.previous_id)
            previous = found.first()
            if previous is None:
                raise ValidationError({"previous": _("Assemblée introuvable.")})
        assembly = services.assembly_create(
            actor=request.user,
            kind=payload.kind.value,
            title=payload.title,
            starts_at=payload.starts_at,
            place=payload.place,
            online=payload.online,
            online_url=payload.online_url,
            previous=previous,
            chair=_optional_person(payload.chair_id, "chair"),
            secretary=_optional_person(payload.secretary_id, "secretary"),
        )
    return HttpStatus(201, assembly_detail_out(assembly))


@router.patch(
    "/assemblies/{int:assembly_id}",
    response={200: AssemblyDetailOut, **ERRORS},
    summary="Modifier une assemblée",
)
def assembly_update(request: HttpRequest, assembly_id: int, payload: AssemblyPatch) -> dict:
    """Tout tant qu'elle n'est pas convoquée ; ensuite la présidence, le secrétariat et le lien.

    Après la séance, la présidence et le secrétariat de séance peuvent encore être désignés
    jusqu'à la première signature du procès-verbal.
    """
    assembly = _managed(request, assembly_id)
    given = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    with api_field_names(PERSON_FIELDS):
        for name, value in given.items():
            if name in ("chair_id", "secretary_id"):
                fields[name.removesuffix("_id")] = _optional_person(value, name.removesuffix("_id"))
            elif value is None:
                raise ValidationError({name: _("Valeur obligatoire.")})
            else:
                fields[name] = getattr(value, "value", value)
        assembly = services.assembly_update(actor=request.user, assembly=assembly, **fields)
    return assembly_detail_out(selectors.assembly_get(user=request.user, pk=assembly.pk))


@router.post(
    "/assemblies/{int:assembly_id}/agenda",
    response={201: AgendaItemOut, **ERRORS},
    summary="Ajouter un point à l'ordre du jour",
)
def agenda_add(request: HttpRequest, assembly_id: int, payload: AgendaItemIn) -> HttpStatus:
    assembly = _managed(request, assembly_id)
    item = services.agenda_item_add(
        actor=request.user, assembly=assembly, title=payload.title, description=payload.description
    )
    return HttpStatus(201, item)


def _link_builder(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(
        reverse("governance:token_participate", args=[token])
    )


@router.post(
    "/assemblies/{int:assembly_id}/convene",
    response={200: list[ConvocationOut], **ERRORS},
    summary="Convoquer les associé·es",
)
def assembly_convene(request: HttpRequest, assembly_id: int) -> list[dict[str, Any]]:
    """Convoque chaque associé·e à la date de l'assemblée, délai légal vérifié ; e-mails après validation."""
    assembly = _managed(request, assembly_id)
    created = services.assembly_convene(
        actor=request.user, assembly=assembly, link_for=_link_builder(request)
    )
    return [convocation_out(c) for c in created]


def convocation_out(convocation: Convocation) -> dict[str, Any]:
    return {
        "person_id": convocation.person_id,
        "person_name": _name(convocation.person),
        "channel": convocation.channel,
        "delivered": convocation.delivered_at is not None,
    }


@router.post(
    "/assemblies/{int:assembly_id}/open",
    response={200: AssemblyDetailOut, **ERRORS},
    summary="Ouvrir la séance",
)
def assembly_open(request: HttpRequest, assembly_id: int) -> dict[str, Any]:
    assembly = _managed(request, assembly_id)
    services.assembly_open(actor=request.user, assembly=assembly)
    return assembly_detail_out(selectors.assembly_get(user=request.user, pk=assembly_id))


@router.post(
    "/assemblies/{int:assembly_id}/close",
    response={200: AssemblyDetailOut, **ERRORS},
    summary="Clore la séance",
)
def assembly_close(request: HttpRequest, assembly_id: int) -> dict[str, Any]:
    assembly = _managed(request, assembly_id)
    services.assembly_close(actor=request.user, assembly=assembly)
    return assembly_detail_out(selectors.assembly_get(user=request.user, pk=assembly_id))


# --- participation: attendance, proxies ------------------------------------------------


def _convocation(request: HttpRequest, assembly: Assembly) -> Convocation:
    """The user's own convocation to the assembly (an associate taking part)."""
    person_id = getattr(request.user, "person_id", None)
    convocation = (
        Convocation.objects.select_related("person", "assembly")
        .filter(assembly=assembly, person_id=person_id or 0)
        .first()
    )
    if person_id is None or convocation is None or not access.has_governance_access(request.user):
        raise PermissionDenied
    return convocation


@router.get(
    "/assemblies/{int:assembly_id}/attendance",
    response={200: list[AttendanceRowOut], **ERRORS},
    summary="Feuille de présence",
)
def attendance_sheet(request: HttpRequest, assembly_id: int) -> list[dict[str, Any]]:
    """Équipe d'appui et direction : chaque associé·e et sa présence (jamais les signatures)."""
    assembly = _managed(request, assembly_id)
    sheet: list[Any] = list(selectors.attendance_sheet(assembly))
    return [
        {
            "person_id": p.pk,
            "person_name": _name(p),
            "status": p.attendance_status,
            "signed_at": p.signed_at,
            "proxy_holder_id": p.proxy_holder_id,
            "proxies_held": p.proxies_held_count,
        }
        for p in sheet
    ]


def attendance_out(attendance: Attendance) -> dict[str, Any]:
    return {
        "id": attendance.pk,
        "person_id": attendance.person_id,
        "mode": attendance.mode,
        "via": attendance.via,
        "signed_at": attendance.signed_at,
        "signature_sha256": attendance.signature_sha256,
    }


@router.post(
    "/assemblies/{int:assembly_id}/attendance",
    response={201: AttendanceOut, **ERRORS},
    summary="Émarger",
)
def attendance_sign(request: HttpRequest, assembly_id: int, payload: AttendanceIn) -> HttpStatus:
    """Sans `person_id` : l'associé·e émarge en ligne pour soi. Avec : l'équipe recueille la
    signature d'une personne sur la tablette, en salle ou en ligne."""
    assembly = _assembly(request, assembly_id)
    with api_field_names(PERSON_FIELDS):
        if payload.person_id is None:
            person = _convocation(request, assembly).person
            if payload.mode != AttendanceMode.ONLINE:
                raise ValidationError(
                    {"mode": _("En salle, la signature se recueille sur la tablette de l'équipe.")}
                )
            via = Attendance.Via.ONLINE
        else:
            require_manager(request)
            person = _person(payload.person_id, "person")
            via = Attendance.Via.TABLET
        png = services.decode_signature(payload.signature)
        attendance = services.attendance_sign(
            actor=request.user, assembly=assembly, person=person, mode=payload.mode.value,
            via=via, signature_png=png,
        )  # fmt: skip
    return HttpStatus(201, attendance_out(attendance))


def proxy_out(proxy: Proxy) -> dict[str, Any]:
    return {
        "id": proxy.pk,
        "assembly_id": proxy.assembly_id,
        "grantor_id": proxy.grantor_id,
        "grantor_name": _name(proxy.grantor),
        "holder_id": proxy.holder_id,
        "holder_name": _name(proxy.holder),
        "given_at": proxy.given_at,
        "revoked_at": proxy.revoked_at,
        "revoked_reason": proxy.revoked_reason,
    }


@router.get(
    "/assemblies/{int:assembly_id}/proxies",
    response={200: list[ProxyOut], **ERRORS},
    summary="Procurations",
)
def proxy_list(request: HttpRequest, assembly_id: int) -> list[dict[str, Any]]:
    """Toutes pour l'équipe ; pour un·e associé·e, celles qu'il·elle a données ou reçues."""
    assembly = _assembly(request, assembly_id)
    proxies = Proxy.objects.filter(assembly=assembly).select_related("grantor", "holder")
    if not access.can_manage_governance(request.user):
        person = _convocation(request, assembly).person
        proxies = proxies.filter(grantor=person) | proxies.filter(holder=person)
    return [proxy_out(p) for p in proxies.order_by("given_at", "pk")]


@router.post(
    "/assemblies/{int:assembly_id}/proxies",
    response={201: ProxyOut, **ERRORS},
    summary="Donner procuration",
)
def proxy_give(request: HttpRequest, assembly_id: int, payload: ProxyIn) -> HttpStatus:
    """Sans `grantor_id` : l'associé·e donne la sienne. Avec : l'équipe enregistre un pouvoir reçu.

    Refusée, avec la raison, à un·e non-associé·e ou au-delà des plafonds légaux."""
    assembly = _assembly(request, assembly_id)
    with api_field_names(PERSON_FIELDS):
        if payload.grantor_id is None:
            grantor = _convocation(request, assembly).person
        else:
            require_manager(request)
            grantor = _person(payload.grantor_id, "grantor")
        holder = _person(payload.holder_id, "holder")
        proxy = services.proxy_give(
            actor=request.user, assembly=assembly, grantor=grantor, holder=holder
        )
    return HttpStatus(201, proxy_out(proxy))


@router.post(
    "/proxies/{int:proxy_id}/revoke",
    response={200: ProxyOut, **ERRORS},
    summary="Révoquer une procuration",
)
def proxy_revoke(request: HttpRequest, proxy_id: int, payload: ProxyRevokeIn) -> dict[str, Any]:
    """Par le·la mandant·e ou l'équipe, tant que le·la mandataire n'a pas voté avec."""
    proxy = get_object_or_404(Proxy.objects.select_related("assembly"), pk=proxy_id)
    assembly = _assembly(request, proxy.assembly_id)
    manager = access.can_manage_governance(request.user)
    if not manager and _convocation(request, assembly).person_id != proxy.grantor_id:
        raise Http404
    return proxy_out(services.proxy_revoke(actor=request.user, proxy=proxy, reason=payload.reason))


# --- resolutions and votes -------------------------------------------------------------


def _resolution(request: HttpRequest, pk: int) -> Resolution:
    _require(access.can_see_assemblies, request)
    resolution = get_object_or_404(Resolution, pk=pk)
    selectors.assembly_get(user=request.user, pk=resolution.assembly_id)
    return resolution


@router.post(
    "/assemblies/{int:assembly_id}/resolutions",
    response={201: ResolutionOut, **ERRORS},
    summary="Ajouter une résolution",
)
def resolution_add(request: HttpRequest, assembly_id: int, payload: ResolutionIn) -> HttpStatus:
    assembly = _managed(request, assembly_id)
    resolution = services.resolution_add(
        actor=request.user, assembly=assembly, title=payload.title, text=payload.text,
        majority=payload.majority.value, secret=payload.secret,
    )  # fmt: skip
    return HttpStatus(201, resolution_out(resolution))


@router.get(
    "/resolutions/{int:resolution_id}",
    response={200: ResolutionDetailOut, **ERRORS},
    summary="Résolution, votant·es et résultat",
)
def resolution_detail(request: HttpRequest, resolution_id: int) -> dict[str, Any]:
    """Qui a voté (toujours, jamais quoi pour un vote secret) ; le résultat et, pour un vote
    à main levée, le vote de chacun·e seulement une fois le vote clos."""
    resolution = _resolution(request, resolution_id)
    voters = [
        {
            "person_id": person.pk,
            "person_name": _name(person),
            "cast_by_id": cast_by.pk,
            "cast_by_name": _name(cast_by),
        }
        for person, cast_by in selectors.voters_of(resolution)
    ]
    votes = [
        {
            "person_id": v.person_id,
            "person_name": _name(v.person),
            "choice": v.choice,
            "channel": v.channel,
        }
        for v in selectors.open_votes_of(resolution)
    ]
    return {**resolution_out(resolution), "voters": voters, "votes": votes}


@router.post(
    "/resolutions/{int:resolution_id}/open",
    response={200: ResolutionOut, **ERRORS},
    summary="Ouvrir le vote",
)
def resolution_open(request: HttpRequest, resolution_id: int) -> dict[str, Any]:
    require_manager(request)
    resolution = _resolution(request, resolution_id)
    return resolution_out(services.resolution_open_vote(actor=request.user, resolution=resolution))


@router.post(
    "/resolutions/{int:resolution_id}/close",
    response={200: ResolutionOut, **ERRORS},
    summary="Clore le vote et compter",
)
def resolution_close(request: HttpRequest, resolution_id: int) -> dict[str, Any]:
    require_manager(request)
    resolution = _resolution(request, resolution_id)
    return resolution_out(services.resolution_close_vote(actor=request.user, resolution=resolution))


@router.post(
    "/resolutions/{int:resolution_id}/vote",
    response={200: VoteOut, **ERRORS},
    summary="Voter en ligne",
)
def vote(request: HttpRequest, resolution_id: int, payload: VoteIn) -> dict[str, Any]:
    """L'associé·e émargé·e vote pour soi (`choice`) et pour chaque procuration détenue
    (`proxies`). Modifiable jusqu'à la clôture ; pour un vote secret, le code secret rendu au
    premier vote est demandé pour modifier (Alvéole ne le conserve pas)."""
    resolution = _resolution(request, resolution_id)
    voter = _convocation(request, resolution.assembly).person
    choices: dict[int, str] = {pk: choice.value for pk, choice in payload.proxies.items()}
    if payload.choice is not None:
        choices[voter.pk] = payload.choice.value
    code = services.vote_cast(
        actor=request.user, resolution=resolution, voter=voter, choices=choices,
        secret_code=payload.secret_code,
    )  # fmt: skip
    return {"resolution_id": resolution.pk, "voted_for": sorted(choices), "secret_code": code}


# --- minutes ---------------------------------------------------------------------------


@router.get(
    "/assemblies/{int:assembly_id}/minutes",
    response={200: MinutesOut, **ERRORS},
    summary="État des signatures du procès-verbal",
)
def minutes_state(request: HttpRequest, assembly_id: int) -> dict[str, Any]:
    return minutes_out(_assembly(request, assembly_id))


@router.get(
    "/assemblies/{int:assembly_id}/minutes.pdf",
    response={200: None, **ERRORS},
    summary="Procès-verbal (PDF)",
)
def minutes_pdf(request: HttpRequest, assembly_id: int) -> HttpResponse:
    """Le PDF signé et figé une fois les deux signatures données ; sinon un projet non signé."""
    assembly = _assembly(request, assembly_id)
    if assembly.status != Assembly.Status.CLOSED:
        raise ValidationError(_("Le procès-verbal existe une fois la séance close."))
    response = HttpResponse(minutes_file(assembly), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="proces-verbal-{assembly.date.isoformat()}-{assembly.pk}.pdf"'
    )
    return response


@router.post(
    "/assemblies/{int:assembly_id}/minutes/sign",
    response={201: SignatoryOut, **ERRORS},
    summary="Signer le procès-verbal",
)
def minutes_sign(request: HttpRequest, assembly_id: int, payload: MinutesSignIn) -> HttpStatus:
    """Le·la président·e ou le·la secrétaire de séance signe depuis son compte (signature en
    ligne, ou dessinée avec `signature`) ; l'équipe peut recueillir une signature dessinée."""
    assembly = _assembly(request, assembly_id)
    designated_id = (
        assembly.chair_id if payload.role == SignatoryRole.CHAIR else assembly.secretary_id
    )
    own = designated_id is not None and designated_id == getattr(request.user, "person_id", None)
    if not own:
        require_manager(request)
        if not payload.signature:
            raise ValidationError(
                {"signature": _("Recueillez la signature dessinée du ou de la signataire.")}
            )
    png = services.decode_signature(payload.signature) if payload.signature else b""
    signature = services.minutes_sign(
        actor=request.user, assembly=assembly, role=payload.role.value, signature_png=png,
        ip_address=request.META.get("REMOTE_ADDR"),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )  # fmt: skip
    return HttpStatus(201, signatory_out(signature))
