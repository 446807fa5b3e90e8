"""An associate's own assembly page: documents, proxy, online signing and votes.

Two doors lead to the same page: logged in (`/governance/assemblies/<pk>/participate/`)
or through the personal link of the convocation e-mail (`/governance/p/<token>/`), which
works without an account — external associates often have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.forms_errors import apply_errors
from alveole.governance import access, selectors, services
from alveole.governance.forms import ProxyForm, SignatureForm, VoteForm
from alveole.governance.models import (
    Assembly,
    Attendance,
    AttendanceMode,
    Convocation,
    MinutesSignature,
    Proxy,
    Resolution,
    SignatoryRole,
    Vote,
    VoteReceipt,
)
from alveole.governance.views.assemblies import minutes_response, serve_document
from alveole.people.models import Person

CODE_COOKIE_DAYS = 7


@dataclass
class Participation:
    """Who takes part in which assembly, and through which door (token or account)."""

    convocation: Convocation
    prefix: str  # "" for the logged-in pages, "token_" for the personal link
    key: Any  # the assembly's pk or the token

    @property
    def assembly(self) -> Assembly:
        return self.convocation.assembly

    @property
    def person(self) -> Person:
        return self.convocation.person

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"governance:{self.prefix}{name}", args=[self.key, *args])

    def cookie_name(self) -> str:
        return f"alveole_vote_{self.assembly.pk}_{self.person.pk}"


def _by_user(request: HttpRequest, pk: int) -> Participation:
    if not access.has_governance_access(request.user) or not request.user.person_id:
        raise PermissionDenied
    convocation = get_object_or_404(
        Convocation.objects.select_related("assembly", "person").exclude(
            assembly__status=Assembly.Status.DRAFT
        ),
        assembly_id=pk,
        person_id=request.user.person_id,
    )
    return Participation(convocation, "", pk)


def _by_token(token: str) -> Participation:
    convocation = selectors.convocation_by_token(token)
    return Participation(convocation, "token_", token)


def _actor(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _page(
    request: HttpRequest, part: Participation, *, status: int = 200, forms=None
) -> HttpResponse:
    assembly, person = part.assembly, part.person
    attendance = Attendance.objects.filter(assembly=assembly, person=person).first()
    given = (
        Proxy.objects.filter(assembly=assembly, grantor=person, revoked_at__isnull=True)
        .select_related("holder")
        .first()
    )
    held = list(
        Proxy.objects.filter(
            assembly=assembly, holder=person, revoked_at__isnull=True
        ).select_related("grantor")
    )
    rights = selectors.voting_rights(assembly, person)
    right_ids = [p.pk for p in rights]
    resolutions = []
    forms = forms or {}
    for resolution in assembly.resolutions.all():
        mine = {}
        if not resolution.secret:
            mine = {
                v.person_id: v.get_choice_display()
                for v in Vote.objects.filter(resolution=resolution, person_id__in=right_ids)
            }
        voted = set(
            (VoteReceipt if resolution.secret else Vote)
            .objects.filter(resolution=resolution, person_id__in=right_ids)
            .values_list("person_id", flat=True)
        )
        form = forms.get(resolution.pk)
        if form is None and resolution.status == Resolution.Status.OPEN and rights:
            form = VoteForm(
                rights=rights, voter=person, secret=resolution.secret, prefix=f"r{resolution.pk}"
            )
        resolutions.append(
            {
                "resolution": resolution,
                "form": form,
                "mine": mine,
                "voted": [p for p in rights if p.pk in voted],
                "voters": selectors.voters_of(resolution),
                "vote_url": part.url("participate_vote", resolution.pk),
            }
        )
    can_give_proxy = (
        assembly.status in (Assembly.Status.CONVENED, Assembly.Status.OPEN)
        and attendance is None
        and given is None
        and not held
    )
    context = {
        "part": part,
        "assembly": assembly,
        "person": person,
        "attendance": attendance,
        "given": given,
        "held": held,
        "rights": rights,
        "agenda": list(assembly.agenda.all()),
        "documents": [
            (d, part.url("participate_document", d.pk)) for d in assembly.documents.all()
        ],
        "resolutions": resolutions,
        "quorum": selectors.assembly_quorum(assembly) if assembly.status != "convened" else None,
        "proxy_form": forms.get("proxy")
        or (ProxyForm(assembly=assembly, grantor=person) if can_give_proxy else None),
        "can_sign_online": assembly.status == Assembly.Status.OPEN
        and assembly.online
        and attendance is None,
        "has_code": bool(request.COOKIES.get(part.cookie_name())),
        "to_sign": _minutes_to_sign(assembly, person),
        "links": {
            "home": part.url("participate"),
            "sign": part.url("participate_sign"),
            "proxy": part.url("participate_proxy"),
            "revoke": part.url("participate_proxy_revoke"),
            "minutes": part.url("participate_minutes"),
        },
    }
    return render(request, "governance/participate.html", context, status=status)


def _minutes_to_sign(assembly: Assembly, person: Person) -> list[tuple[str, str]]:
    """The minutes signatures this associate, named chair or secretary, still owes."""
    if assembly.status != Assembly.Status.CLOSED:
        return []
    signed = set(MinutesSignature.objects.filter(assembly=assembly).values_list("role", flat=True))
    return [
        (role, label)
        for role, label in SignatoryRole.choices
        if getattr(assembly, f"{role}_id") == person.pk and role not in signed
    ]


def _participate(request: HttpRequest, part: Participation) -> HttpResponse:
    return _page(request, part)


def _sign(request: HttpRequest, part: Participation) -> HttpResponse:
    """Sign the attendance sheet online (participation by video)."""
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            png = services.decode_signature(form.cleaned_data["signature"])
            services.attendance_sign(
                actor=_actor(request), assembly=part.assembly, person=part.person,
                mode=AttendanceMode.ONLINE, via=Attendance.Via.ONLINE, signature_png=png,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Votre présence en ligne est enregistrée."))
            return redirect(part.url("participate"))
    status = 400 if request.method == "POST" else 200
    context = {
        "assembly": part.assembly, "person": part.person, "form": form,
        "back_url": part.url("participate"), "title": _("Émarger en ligne"),
    }  # fmt: skip
    return render(request, "governance/sign.html", context, status=status)


def _proxy(request: HttpRequest, part: Participation) -> HttpResponse:
    """Give one's proxy to another associate."""
    form = ProxyForm(request.POST, assembly=part.assembly, grantor=part.person)
    if form.is_valid():
        try:
            services.proxy_give(
                actor=_actor(request), assembly=part.assembly, grantor=part.person,
                holder=form.cleaned_data["holder"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Vous avez donné procuration à %(holder)s.")
                % {"holder": form.cleaned_data["holder"]},
            )
            return redirect(part.url("participate"))
    return _page(request, part, status=400, forms={"proxy": form})


def _proxy_revoke(request: HttpRequest, part: Participation) -> HttpResponse:
    proxy = get_object_or_404(
        Proxy.objects.filter(assembly=part.assembly, grantor=part.person, revoked_at__isnull=True)
    )
    try:
        services.proxy_revoke(
            actor=_actor(request), proxy=proxy, reason=_("Révoquée par l'associé·e")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Votre procuration est révoquée."))
    return redirect(part.url("participate"))


def _vote(request: HttpRequest, part: Participation, resolution_pk: int) -> HttpResponse:
    """Cast or change one's votes (and one's proxies') on a resolution."""
    resolution = get_object_or_404(part.assembly.resolutions, pk=resolution_pk)
    rights = selectors.voting_rights(part.assembly, part.person)
    form = VoteForm(
        request.POST, rights=rights, voter=part.person, secret=resolution.secret,
        prefix=f"r{resolution.pk}",
    )  # fmt: skip
    if form.is_valid():
        typed = form.cleaned_data.get("secret_code", "")
        remembered = request.COOKIES.get(part.cookie_name(), "")
        try:
            code = services.vote_cast(
                actor=_actor(request), resolution=resolution, voter=part.person,
                choices=form.choices(), secret_code=typed or remembered,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            response = redirect(part.url("participate"))
            if resolution.secret:
                if code != remembered:
                    messages.warning(
                        request,
                        _(
                            "Votre vote secret est enregistré. Votre code secret : %(code)s — "
                            "notez-le : lui seul permet de modifier ce vote (il est aussi mémorisé "
                            "sur cet appareil). Alvéole ne le conserve pas."
                        )
                        % {"code": code},
                    )
                else:
                    messages.success(request, _("Votre vote secret est enregistré."))
                response.set_cookie(
                    part.cookie_name(), code, max_age=CODE_COOKIE_DAYS * 86400,
                    path="/governance/", httponly=True, samesite="Lax",
                    secure=request.is_secure(),
                )  # fmt: skip
            else:
                messages.success(request, _("Votre vote est enregistré."))
            return response
    return _page(request, part, status=400, forms={resolution.pk: form})


def _document(request: HttpRequest, part: Participation, doc_pk: int) -> HttpResponse:
    return serve_document(get_object_or_404(part.assembly.documents, pk=doc_pk))


def _minutes(request: HttpRequest, part: Participation) -> HttpResponse:
    if part.assembly.status != Assembly.Status.CLOSED:
        raise PermissionDenied
    return minutes_response(part.assembly)


# The logged-in door.


@login_required
def participate(request: HttpRequest, pk: int) -> HttpResponse:
    return _participate(request, _by_user(request, pk))


@login_required
def participate_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _sign(request, _by_user(request, pk))


@login_required
@require_POST
def participate_proxy(request: HttpRequest, pk: int) -> HttpResponse:
    return _proxy(request, _by_user(request, pk))


@login_required
@require_POST
def participate_proxy_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _proxy_revoke(request, _by_user(request, pk))


@login_required
@require_POST
def participate_vote(request: HttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    return _vote(request, _by_user(request, pk), resolution_pk)


@login_required
def participate_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    return _document(request, _by_user(request, pk), doc_pk)


@login_required
def participate_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _minutes(request, _by_user(request, pk))


# The personal-link door.


def token_participate(request: HttpRequest, token: str) -> HttpResponse:
    return _participate(request, _by_token(token))


def token_participate_sign(request: HttpRequest, token: str) -> HttpResponse:
    return _sign(request, _by_token(token))


@require_POST
def token_participate_proxy(request: HttpRequest, token: str) -> HttpResponse:
    return _proxy(request, _by_token(token))


@require_POST
def token_participate_proxy_revoke(request: HttpRequest, token: str) -> HttpResponse:
    return _proxy_revoke(request, _by_token(token))


@require_POST
def token_participate_vote(request: HttpRequest, token: str, resolution_pk: int) -> HttpResponse:
    return _vote(request, _by_token(token), resolution_pk)


def token_participate_document(request: HttpRequest, token: str, doc_pk: int) -> HttpResponse:
    return _document(request, _by_token(token), doc_pk)


def token_participate_minutes(request: HttpRequest, token: str) -> HttpResponse:
    return _minutes(request, _by_token(token))
