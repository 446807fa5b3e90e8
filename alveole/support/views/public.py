"""Pages reached through a link without an account: registration, questionnaire, calendar feed."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from alveole.core.dates import today
from alveole.core.forms_errors import apply_errors
from alveole.support import ics, selectors, services
from alveole.support.forms import PublicRegistrationForm, SurveyForm
from alveole.support.models import CalendarFeed, SurveyResponse, WorkshopSession
from alveole.support.views.common import message_page


def register(request: HttpRequest, token: str) -> HttpResponse:
    """Someone from outside registers for a session; they become a candidate person."""
    session = (
        WorkshopSession.objects.select_related("workshop", "office")
        .prefetch_related("slots")
        .filter(
            registration_token=token,
            public_registration=True,
            status=WorkshopSession.Status.SCHEDULED,
        )
        .first()
    )
    if session is None:
        raise Http404
    if services.session_has_started(session):
        return message_page(
            request,
            title=_("Inscriptions closes"),
            message=_("Cette session a commencé : les inscriptions sont closes."),
            status=410,
        )
    form = PublicRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("consent")
        try:
            services.public_registration(session=session, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return message_page(
                request,
                title=_("Demande enregistrée"),
                message=_(
                    "Merci ! Votre demande d'inscription est enregistrée : vous recevrez un e-mail "
                    "de confirmation, ou d'inscription sur liste d'attente si la session est complète."
                ),
                status=200,
                level="success",
            )
    return render(
        request,
        "support/register.html",
        {"session": session, "workshop": session.workshop, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The satisfaction questionnaire, answered once through the link sent by e-mail."""
    response = (
        SurveyResponse.objects.select_related("session__workshop").filter(token=token).first()
    )
    if response is None:
        raise Http404
    if response.answered_at is not None:
        return message_page(
            request,
            title=_("Questionnaire déjà rempli"),
            message=_("Vous avez déjà répondu à ce questionnaire. Merci !"),
            status=410,
            level="info",
        )
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(token=token, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return message_page(
                request,
                title=_("Merci !"),
                message=_(
                    "Vos réponses sont enregistrées. Elles nous aident à améliorer nos ateliers."
                ),
                status=200,
                level="success",
            )
    return render(
        request,
        "support/survey_answer.html",
        {"response": response, "session": response.session, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A staff member's ICS feed: appointments and training half-days (never notes)."""
    feed = CalendarFeed.objects.select_related("user", "user__person").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    items = selectors.calendar_feed_items(
        staff=feed.user, since=today() - datetime.timedelta(days=90)
    )
    text = ics.calendar_text(
        name=f"Alvéole — {feed.user}",
        host=request.get_host().split(":")[0],
        appointments=items["appointments"],
        slots=items["slots"],
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="alveole.ics"'
    return response
