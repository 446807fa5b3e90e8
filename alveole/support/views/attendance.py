"""Pages where attendance is signed per half-day: on the trainer's device or through a link."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.forms_errors import apply_errors
from alveole.support import selectors, services
from alveole.support.forms import AbsenceForm, SignatureForm
from alveole.support.models import Absence, Enrolment, Signature, SigningLink
from alveole.support.views.common import client_ip, message_page, user_agent


def _slot(request: HttpRequest, pk: int):
    """A half-day of a session the user runs (staff or its trainer), else 404."""
    return selectors.slot_get(user=request.user, pk=pk)


@login_required
def sign_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer's device: who has signed this half-day, and a button per signer."""
    slot = _slot(request, pk)
    session = slot.session
    grid = selectors.attendance_grid(session)
    index = next(i for i, s in enumerate(grid.slots) if s.pk == slot.pk)
    rows = [(enrolment, cells[index]) for enrolment, cells in grid.rows]
    opens, closes = services.signing_window(slot)
    return render(
        request,
        "support/sign_board.html",
        {
            "slot": slot,
            "session": session,
            "rows": rows,
            "trainer_signature": grid.trainer[index],
            "opens": opens,
            "closes": closes,
            "absence_form": AbsenceForm(),
        },
    )


def _sign_page(
    request: HttpRequest,
    *,
    slot,
    signer: str,
    form: SignatureForm,
    action: str,
    status: int = 200,
    back: str = "",
) -> HttpResponse:
    return render(
        request,
        "support/sign.html",
        {"slot": slot, "session": slot.session, "signer": signer, "form": form, "action": action,
         "back": back, "refusal": services.signing_refusal(slot) if not form.errors else ""},
        status=status,
    )  # fmt: skip


@login_required
def sign_on_device(request: HttpRequest, pk: int, enrolment_pk: int | None = None) -> HttpResponse:
    """A trainee (or, without enrolment, the trainer) signs on the trainer's device."""
    slot = _slot(request, pk)
    enrolment = None
    if enrolment_pk is not None:
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("person"),
            pk=enrolment_pk,
            session=slot.session,
            status=Enrolment.Status.CONFIRMED,
        )
    signer = str(enrolment.person) if enrolment else slot.session.trainer_name
    form = SignatureForm(request.POST or None)
    back = reverse("support:sign_board", args=[slot.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_record(
                slot=slot,
                enrolment=enrolment,
                image_data_url=form.cleaned_data["signature"],
                ip_address=client_ip(request),
                user_agent=user_agent(request),
                device=Signature.Device.TRAINER_DEVICE,
                collected_by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Signature de %(who)s enregistrée.") % {"who": signer})
            return redirect(back)
    return _sign_page(
        request,
        slot=slot,
        signer=signer,
        form=form,
        action=request.path,
        status=400 if request.method == "POST" else 200,
        back=back,
    )


@require_POST
@login_required
def signing_links_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Single-use links for the chosen signer, or for everyone who has not signed yet."""
    slot = _slot(request, pk)
    who = request.POST.get("who", "")
    grid = selectors.attendance_grid(slot.session)
    index = next(i for i, s in enumerate(grid.slots) if s.pk == slot.pk)
    targets: list[Enrolment | None] = []
    if who == "trainer":
        targets = [None]
    elif who == "all":
        targets = [e for e, cells in grid.rows if cells[index].signature is None
                   and cells[index].absence is None]  # fmt: skip
        if grid.trainer[index] is None:
            targets.append(None)
    else:
        try:
            enrolment_pk = int(who)
        except ValueError:
            raise Http404 from None
        targets = [e for e, _cells in grid.rows if e.pk == enrolment_pk]
        if not targets:
            raise Http404
    links = []
    for enrolment in targets:
        try:
            links.append(
                services.signing_link_create(actor=request.user, slot=slot, enrolment=enrolment)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    if not links:
        messages.info(request, _("Tout le monde a déjà signé cette demi-journée."))
        return redirect("support:sign_board", pk=slot.pk)
    ids = ",".join(str(link.pk) for link in links)
    return redirect(f"{reverse('support:signing_links', args=[slot.pk])}?ids={ids}")


@login_required
def signing_links(request: HttpRequest, pk: int) -> HttpResponse:
    """The links just made, each with its QR code (SVG drawn by the server)."""
    slot = _slot(request, pk)
    try:
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x]
    except ValueError:
        raise Http404 from None
    links = SigningLink.objects.filter(slot=slot, pk__in=ids, used_at__isnull=True).select_related(
        "enrolment__person"
    )
    cards = []
    for link in links:
        url = request.build_absolute_uri(reverse("support:sign_with_link", args=[link.token]))
        qr = segno.make(url, error="m")
        cards.append(
            {
                "link": link,
                "url": url,
                "name": str(link.enrolment.person) if link.enrolment else slot.session.trainer_name,
                "svg": qr.svg_inline(scale=4, title=_("Code QR de signature")),
            }
        )
    return render(
        request,
        "support/signing_links.html",
        {"slot": slot, "session": slot.session, "cards": cards},
    )


def sign_with_link(request: HttpRequest, token: str) -> HttpResponse:
    """Sign on one's own device with a single-use link; no account needed."""
    link = (
        SigningLink.objects.select_related("slot__session__workshop", "enrolment__person")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise Http404
    if link.used_at is not None:
        return message_page(
            request,
            title=_("Lien déjà utilisé"),
            message=_("Ce lien de signature a déjà servi : il ne fonctionne qu'une fois."),
            status=410,
        )
    slot = link.slot
    signer = str(link.enrolment.person) if link.enrolment else slot.session.trainer_name
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signing_link_use(
                token=token,
                image_data_url=form.cleaned_data["signature"],
                ip_address=client_ip(request),
                user_agent=user_agent(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return message_page(
                request,
                title=_("Merci !"),
                message=_("Votre signature est enregistrée pour le %(slot)s.") % {"slot": slot},
                status=200,
                level="success",
            )
    return _sign_page(
        request,
        slot=slot,
        signer=signer,
        form=form,
        action=request.path,
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def absence_record(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    """Record an absence (excused or not) of a trainee for a half-day."""
    slot = _slot(request, pk)
    enrolment = get_object_or_404(Enrolment, pk=enrolment_pk, session=slot.session)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.absence_record(
                actor=request.user,
                slot=slot,
                enrolment=enrolment,
                excused=form.cleaned_data["excused"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("L'absence est enregistrée."))
    return redirect("support:sign_board", pk=slot.pk)


@require_POST
@login_required
def absence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence.objects.select_related("slot"), pk=pk)
    slot = selectors.slot_get(user=request.user, pk=absence.slot_id)
    services.absence_remove(actor=request.user, absence=absence)
    messages.success(request, _("L'absence est retirée."))
    return redirect("support:sign_board", pk=slot.pk)
