"""Pages of general assemblies for those who run them: preparation, session, votes, minutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.forms_errors import apply_errors
from alveole.governance import access, selectors, services
from alveole.governance.forms import (
    AgendaItemForm,
    AssemblyForm,
    DocumentForm,
    ProxyForm,
    ResolutionForm,
    RoomTallyForm,
    RoomVoteForm,
    SignatureForm,
)
from alveole.governance.models import (
    Assembly,
    AssemblyDocument,
    Attendance,
    AttendanceMode,
    MinutesSignature,
    Proxy,
    Resolution,
    RoomTally,
    SignatoryRole,
)
from alveole.governance.pdf import minutes_file
from alveole.governance.views.common import assemblies_required, form_page, manager_required


def link_builder(request: HttpRequest) -> Callable[[str], str]:
    """How a personal link is built: the absolute URL of the token page on this site."""
    return lambda token: request.build_absolute_uri(
        reverse("governance:token_participate", args=[token])
    )


def _managed(request: HttpRequest, pk: int) -> Assembly:
    return selectors.assembly_get(user=request.user, pk=pk)


def _back(assembly: Assembly) -> str:
    return reverse("governance:assembly", args=[assembly.pk])


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call a service from a button; show its refusal as a message."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


@assemblies_required
def assembly_list(request: HttpRequest) -> HttpResponse:
    """Assemblies: all for managers, those one was convened to for an associate."""
    context = {
        "assemblies": selectors.assemblies_for(user=request.user),
        "can_manage": access.can_manage_governance(request.user),
    }
    return render(request, "governance/assembly_list.html", context)


@manager_required
def assembly_create(request: HttpRequest) -> HttpResponse:
    form = AssemblyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assembly = services.assembly_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'assemblée est créée : complétez son ordre du jour."))
            return redirect("governance:assembly", pk=assembly.pk)
    return form_page(
        request, form=form, title=_("Nouvelle assemblée générale"),
        back_url=reverse("governance:assemblies"), submit=_("Créer"),
    )  # fmt: skip


@manager_required
def assembly_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    initial = {
        "kind": assembly.kind, "title": assembly.title, "starts_at": assembly.starts_at,
        "place": assembly.place, "online": assembly.online, "online_url": assembly.online_url,
        "chair": assembly.chair, "secretary": assembly.secretary,
    }  # fmt: skip
    form = AssemblyForm(request.POST or None, initial=initial, editing=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            services.assembly_update(actor=request.user, assembly=assembly, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'assemblée est modifiée."))
            return redirect("governance:assembly", pk=pk)
    return form_page(
        request, form=form, title=_("Modifier — %(assembly)s") % {"assembly": assembly},
        back_url=_back(assembly), submit=_("Enregistrer"),
    )  # fmt: skip


@assemblies_required
def assembly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The assembly as the staff run it; an associate is taken to their participation page."""
    assembly = selectors.assembly_get(user=request.user, pk=pk)
    if not access.can_manage_governance(request.user):
        return redirect("governance:participate", pk=pk)
    sheet = list(selectors.attendance_sheet(assembly))
    resolutions = list(assembly.resolutions.all())
    context = {
        "assembly": assembly,
        "agenda": list(assembly.agenda.all()),
        "documents": list(assembly.documents.all()),
        "convocations": list(assembly.convocations.select_related("person")),
        "proxies": list(
            assembly.proxies.filter(revoked_at__isnull=True).select_related("grantor", "holder")
        ),
        "sheet": sheet,
        "quorum": selectors.assembly_quorum(assembly),
        "resolutions": resolutions,
        "minutes_signatures": _minutes_state(assembly),
        "agenda_form": AgendaItemForm(prefix="agenda"),
        "resolution_form": ResolutionForm(prefix="resolution"),
    }
    return render(request, "governance/assembly_detail.html", context)


def _minutes_state(assembly: Assembly) -> list[dict[str, Any]]:
    """For each signatory role: who is named, and their signature if given."""
    signed = {s.role: s for s in MinutesSignature.objects.filter(assembly=assembly)}
    return [
        {
            "role": role,
            "label": label,
            "person": getattr(assembly, role),
            "signed": signed.get(role),
        }
        for role, label in SignatoryRole.choices
    ]


@manager_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    form = AgendaItemForm(request.POST, prefix="agenda")
    if form.is_valid():
        _run(
            request,
            lambda: services.agenda_item_add(
                actor=request.user, assembly=assembly, **form.cleaned_data
            ),
            _("Le point est ajouté à l'ordre du jour."),
        )
    else:
        messages.error(request, _("Indiquez l'intitulé du point."))
    return redirect(_back(assembly))


@manager_required
@require_POST
def agenda_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    item = get_object_or_404(assembly.agenda, pk=item_pk)
    _run(
        request,
        lambda: services.agenda_item_delete(actor=request.user, item=item),
        _("Le point est retiré de l'ordre du jour."),
    )
    return redirect(_back(assembly))


@manager_required
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assembly_document_add(
                actor=request.user, assembly=assembly, title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le document est déposé."))
            return redirect(_back(assembly))
    return form_page(
        request, form=form, title=_("Déposer un document — %(assembly)s") % {"assembly": assembly},
        back_url=_back(assembly), submit=_("Déposer"), multipart=True,
    )  # fmt: skip


def serve_document(document: AssemblyDocument) -> FileResponse:
    """A document as a download, whatever it contains (never rendered inline)."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=document.content_type
    )


@assemblies_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """An assembly's document, for managers and the associates convened to it."""
    assembly = selectors.assembly_get(user=request.user, pk=pk)
    return serve_document(get_object_or_404(assembly.documents, pk=doc_pk))


@manager_required
@require_POST
def convene(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    result: list = []
    ok = _run(
        request,
        lambda: result.extend(
            services.assembly_convene(
                actor=request.user, assembly=assembly, link_for=link_builder(request)
            )
        ),
        _("Les convocations partent par e-mail."),
    )
    if ok:
        by_post = [c for c in result if c.channel == "post"]
        if by_post:
            messages.warning(
                request,
                _("Sans adresse e-mail, à convoquer par courrier : %(names)s")
                % {"names": ", ".join(str(c.person) for c in by_post)},
            )
    return redirect(_back(assembly))


@manager_required
@require_POST
def convocation_resend(request: HttpRequest, pk: int, conv_pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    convocation = get_object_or_404(assembly.convocations, pk=conv_pk)
    _run(
        request,
        lambda: services.convocation_resend(
            actor=request.user, convocation=convocation, link_for=link_builder(request)
        ),
        _("La convocation est renvoyée avec un nouveau lien."),
    )
    return redirect(_back(assembly))


@manager_required
@require_POST
def assembly_open(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    _run(
        request,
        lambda: services.assembly_open(actor=request.user, assembly=assembly),
        _("La séance est ouverte."),
    )
    return redirect(_back(assembly))


@manager_required
@require_POST
def assembly_close(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    _run(
        request,
        lambda: services.assembly_close(actor=request.user, assembly=assembly),
        _("La séance est close."),
    )
    return redirect(_back(assembly))


@manager_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet, to hand round on a tablet in the room."""
    assembly = _managed(request, pk)
    context = {
        "assembly": assembly,
        "sheet": selectors.attendance_sheet(assembly),
        "quorum": selectors.assembly_quorum(assembly),
        "sign_links": assembly.status == Assembly.Status.OPEN,
    }
    return render(request, "governance/attendance.html", context)


@manager_required
def attendance_sign(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """One associate signs the sheet on the tablet."""
    assembly = _managed(request, pk)
    person = get_object_or_404(selectors.associates_at(assembly.date), pk=person_pk)
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            png = services.decode_signature(form.cleaned_data["signature"])
            services.attendance_sign(
                actor=request.user, assembly=assembly, person=person,
                mode=AttendanceMode.IN_PERSON, via=Attendance.Via.TABLET, signature_png=png,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(person)s a signé.") % {"person": person})
            return redirect("governance:attendance", pk=pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "assembly": assembly, "person": person, "form": form,
        "back_url": reverse("governance:attendance", args=[pk]),
        "title": _("Émargement de %(person)s") % {"person": person},
    }  # fmt: skip
    return render(request, "governance/sign.html", context, status=status)


@manager_required
def signature(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    """A signature image, for the staff checking the sheet."""
    assembly = _managed(request, pk)
    row = get_object_or_404(Attendance.objects.filter(assembly=assembly), pk=attendance_pk)
    response = HttpResponse(bytes(row.signature_png), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@manager_required
def proxy_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a paper proxy handed to the staff."""
    assembly = _managed(request, pk)
    form = ProxyForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            services.proxy_give(actor=request.user, assembly=assembly, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La procuration est enregistrée."))
            return redirect(_back(assembly))
    return form_page(
        request, form=form, title=_("Enregistrer une procuration — %(assembly)s") % {"assembly": assembly},
        back_url=_back(assembly), submit=_("Enregistrer"),
    )  # fmt: skip


@manager_required
@require_POST
def proxy_revoke(request: HttpRequest, pk: int, proxy_pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    proxy = get_object_or_404(Proxy.objects.filter(assembly=assembly), pk=proxy_pk)
    _run(
        request,
        lambda: services.proxy_revoke(actor=request.user, proxy=proxy),
        _("La procuration est révoquée."),
    )
    return redirect(_back(assembly))


@manager_required
@require_POST
def resolution_add(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    form = ResolutionForm(request.POST, prefix="resolution")
    if form.is_valid():
        _run(
            request,
            lambda: services.resolution_add(
                actor=request.user, assembly=assembly, **form.cleaned_data
            ),
            _("La résolution est ajoutée."),
        )
    else:
        messages.error(request, _("Indiquez le titre et le texte de la résolution."))
    return redirect(_back(assembly))


def _resolution(request: HttpRequest, pk: int) -> Resolution:
    resolution = get_object_or_404(Resolution.objects.select_related("assembly"), pk=pk)
    selectors.assembly_get(user=request.user, pk=resolution.assembly_id)  # 404 when not visible
    return resolution


@manager_required
def resolution_room(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair's page for one resolution: open and close the vote, record the room's votes."""
    resolution = _resolution(request, pk)
    assembly = resolution.assembly
    tally = RoomTally.objects.filter(resolution=resolution).first()
    tally_form = RoomTallyForm(
        request.POST if "tally" in request.POST else None,
        initial={
            "votes_for": tally.votes_for if tally else 0,
            "votes_against": tally.votes_against if tally else 0,
            "votes_abstain": tally.votes_abstain if tally else 0,
        },
    )
    room_people = selectors.attendance_sheet(assembly).filter(
        attendance_status__in=["in_person", "represented"]
    )
    vote_form = RoomVoteForm(request.POST if "person" in request.POST else None, people=room_people)
    if request.method == "POST":
        if "tally" in request.POST and tally_form.is_valid():
            try:
                services.room_tally_record(
                    actor=request.user, resolution=resolution, **tally_form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(tally_form, error)
            else:
                messages.success(request, _("Le décompte de la salle est enregistré."))
                return redirect("governance:resolution", pk=pk)
        elif "person" in request.POST and vote_form.is_valid():
            try:
                services.vote_record_in_room(
                    actor=request.user, resolution=resolution, **vote_form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(vote_form, error)
            else:
                messages.success(request, _("Le vote est relevé."))
                return redirect("governance:resolution", pk=pk)
    context = {
        "assembly": assembly,
        "resolution": resolution,
        "tally": tally,
        "tally_form": tally_form,
        "vote_form": vote_form,
        "voters": selectors.voters_of(resolution),
        "open_votes": selectors.open_votes_of(resolution),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/resolution.html", context, status=status)


@manager_required
@require_POST
def resolution_open(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = _resolution(request, pk)
    _run(
        request,
        lambda: services.resolution_open_vote(actor=request.user, resolution=resolution),
        _("Le vote est ouvert."),
    )
    return redirect("governance:resolution", pk=pk)


@manager_required
@require_POST
def resolution_close(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = _resolution(request, pk)
    _run(
        request,
        lambda: services.resolution_close_vote(actor=request.user, resolution=resolution),
        _("Le vote est clos et dépouillé."),
    )
    return redirect("governance:resolution", pk=pk)


@manager_required
@require_POST
def resolution_delete(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = _resolution(request, pk)
    _run(
        request,
        lambda: services.resolution_delete(actor=request.user, resolution=resolution),
        _("La résolution est retirée."),
    )
    return redirect(_back(resolution.assembly))


@assemblies_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes (procès-verbal) as a PDF, once the assembly is closed."""
    assembly = selectors.assembly_get(user=request.user, pk=pk)
    if assembly.status != Assembly.Status.CLOSED:
        raise PermissionDenied
    return minutes_response(assembly)


def minutes_response(assembly: Assembly) -> HttpResponse:
    """The minutes of a closed assembly as a PDF download."""
    response = HttpResponse(minutes_file(assembly), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="proces-verbal-{assembly.date.isoformat()}-{assembly.pk}.pdf"'
    )
    return response
