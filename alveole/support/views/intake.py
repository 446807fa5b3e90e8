"""The intake pipeline board and the list of candidates due for erasure."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.core.dates import today
from alveole.core.formatting import format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.permissions import role_required
from alveole.core.roles import MANAGER_ROLES
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.people.models import IntakeInterview
from alveole.support import selectors, services
from alveole.support.forms import InformationMeetingForm, IntakeFilterForm, NewCandidateFormSet

STAGES = [
    (selectors.Stage.MEETING, gettext_lazy("Réunion d'information suivie"),
     gettext_lazy("En attente d'un entretien individuel.")),
    (selectors.Stage.POSTPONED, gettext_lazy("Entretien : décision reportée"), ""),
    (selectors.Stage.INTEGRATED, gettext_lazy("Entretien : intégré·e"), ""),
    (selectors.Stage.NOT_INTEGRATED, gettext_lazy("Entretien : non intégré·e"), ""),
]  # fmt: skip


@role_required(*MANAGER_ROLES)
def intake_board(request: HttpRequest) -> HttpResponse:
    """Candidates by stage of the intake pipeline, with those due for erasure counted."""
    form = IntakeFilterForm(request.GET or None)
    since = (form.cleaned_data.get("since") if form.is_valid() else None) or (
        today() - datetime.timedelta(days=365)
    )
    board = selectors.intake_board(user=request.user, since=since)
    columns = [(key, label, help_text, board.get(key, [])) for key, label, help_text in STAGES]
    erasure_count = selectors.candidates_due_for_erasure(user=request.user).count()
    return render(
        request,
        "support/intake_board.html",
        {
            "form": form,
            "since": since,
            "columns": columns,
            "erasure_count": erasure_count,
            "meetings": selectors.recent_information_meetings(user=request.user),
        },
    )


@role_required(*MANAGER_ROLES)
def information_meeting_create(request: HttpRequest) -> HttpResponse:
    """Record an information meeting; newcomers are created as candidates at the same time."""
    form = InformationMeetingForm(request.POST or None, initial={"date": today()})
    newcomers = NewCandidateFormSet(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid() and newcomers.is_valid():
        rows = [row for row in newcomers.cleaned_data if row and any(row.values())]
        try:
            meeting = services.information_meeting_record(
                actor=request.user,
                date=form.cleaned_data["date"],
                office=form.cleaned_data["office"],
                attendees=list(form.cleaned_data["attendees"]),
                new_candidates=[services.NewCandidate(**row) for row in rows],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(meeting)s enregistrée : %(n)s personne(s).")
                % {"meeting": meeting, "n": meeting.attendees.count()},
            )
            return redirect("support:intake_board")
    return render(
        request,
        "support/information_meeting_form.html",
        {"form": form, "newcomers": newcomers},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGER_ROLES)
def erasure_list(request: HttpRequest) -> HttpResponse:
    """Candidates never integrated whose last contact is over two years old (GDPR)."""
    people = selectors.candidates_due_for_erasure(user=request.user)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit_record(
            actor=request.user,
            action="export",
            target_type="people.person",
            summary=f"Export des candidat·es à effacer ({fmt})",
        )
        return table_response(
            filename="candidats-a-effacer",
            fmt=fmt,
            header=[_("Nom"), _("Prénom"), _("E-mail"), _("Dernier contact")],
            rows=(
                [p.last_name, p.first_name, p.email, format_date(p.last_contact)] for p in people
            ),
        )
    labels = dict(IntakeInterview.Decision.choices)
    rows = list(people)
    for person in rows:
        person.decision_label = labels.get(person.last_decision, "")
    return render(request, "support/erasure_list.html", {"people": rows})
