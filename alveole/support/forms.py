"""Forms of the support pages; they only parse input, the services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Office
from alveole.core.money import from_cents, to_cents
from alveole.core.roles import MANAGER_ROLES
from alveole.people.models import Person, PersonKind, User
from alveole.support.models import (
    Appointment,
    HalfDay,
    Programme,
    QualityEvent,
    Workshop,
    WorkshopKind,
    WorkshopSession,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def staff_users():
    return (
        User.objects.filter(role__in=list(MANAGER_ROLES), is_active=True)
        .select_related("person")
        .order_by("email")
    )


def entrepreneurs():
    return Person.objects.filter(kind=PersonKind.ENTREPRENEUR).order_by(
        "last_name", "first_name", "pk"
    )


class TrainerFieldsMixin(forms.Form):
    def validate_unique(self) -> None:
        """Constraints are checked by the service, which words the message for people."""

    def setup_trainers(self) -> None:
        self.fields["trainer_user"].queryset = staff_users()
        self.fields["trainer_user"].required = False
        self.fields["trainer_person"].queryset = entrepreneurs()
        self.fields["trainer_person"].required = False
        self.fields["trainer_person"].help_text = _(
            "Un·e entrepreneur·e qui anime l'atelier, à la place d'un membre de l'équipe."
        )


class WorkshopForm(TrainerFieldsMixin, forms.ModelForm):
    """A catalogue entry; the price is typed in euros and stored in cents."""

    price = forms.DecimalField(
        label=_("Prix par stagiaire (€)"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        required=False,
        localize=True,
        help_text=_("Laisser vide ou 0 pour un atelier gratuit."),
    )

    class Meta:
        model = Workshop
        fields = [
            "kind", "title", "objectives", "programme", "duration_hours", "trainer_user",
            "trainer_person", "capacity", "price", "vat_exempt", "active",
        ]  # fmt: skip
        localized_fields = ["duration_hours"]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "programme": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setup_trainers()
        if self.instance.pk:
            self.initial["price"] = from_cents(self.instance.price_cents)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["price_cents"] = to_cents(data.pop("price") or Decimal("0"))
        return data


class SlotForm(forms.Form):
    """A half-day of a session."""

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    half_day = forms.ChoiceField(label=_("Demi-journée"), choices=HalfDay.choices)
    start_time = forms.TimeField(label=_("Début"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("Fin"), widget=TIME_WIDGET)


class SessionForm(TrainerFieldsMixin, forms.ModelForm):
    """Where, with whom and for how many a session runs."""

    class Meta:
        model = WorkshopSession
        fields = [
            "trainer_user", "trainer_person", "capacity", "office", "place", "online", "video_link",
            "public_registration", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, workshop: Workshop | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setup_trainers()
        self.fields["office"].queryset = Office.objects.all()
        self.fields["capacity"].required = False
        self.workshop = workshop
        if workshop is not None and not self.instance.pk:
            self.initial.setdefault("capacity", workshop.capacity)
            self.initial.setdefault("trainer_user", workshop.trainer_user_id)
            self.initial.setdefault("trainer_person", workshop.trainer_person_id)

    def clean(self) -> dict:
        data = super().clean()
        if (
            self.workshop is not None
            and not data.get("trainer_user")
            and not data.get("trainer_person")
        ):
            data["trainer_user"] = self.workshop.trainer_user
            data["trainer_person"] = self.workshop.trainer_person
        return data


class SessionFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous")), *WorkshopKind.choices]
    )
    start = forms.DateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)


class EnrolForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Personne"), queryset=Person.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.order_by("last_name", "first_name", "pk")


class PublicRegistrationForm(forms.Form):
    """What someone from outside gives to register; nothing else is asked."""

    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("La convocation est envoyée à cette adresse.")
    )
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=5, required=False)
    consent = forms.BooleanField(
        label=_(
            "J'accepte que la coopérative conserve ces informations pour organiser l'atelier et me recontacter (2 ans au plus sans nouveau contact)."
        )
    )


class SignatureForm(forms.Form):
    """The drawn signature, posted by signature.js as a PNG data URL."""

    signature = forms.CharField(widget=forms.HiddenInput, required=False)


class AbsenceForm(forms.Form):
    excused = forms.BooleanField(label=_("Absence excusée"), required=False)
    reason = forms.CharField(label=_("Motif"), max_length=255, required=False)


RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _rating(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )


class SurveyForm(forms.Form):
    """The satisfaction questionnaire (1 = pas du tout satisfait·e, 5 = très satisfait·e)."""

    rating_overall = _rating(_("Dans l'ensemble, êtes-vous satisfait·e de cet atelier ?"))
    rating_content = _rating(_("Le contenu a-t-il répondu à vos attentes ?"))
    rating_trainer = _rating(_("Comment jugez-vous l'animation ?"))
    rating_organisation = _rating(_("Et l'organisation (lieu, horaires, convocation) ?"))
    liked = forms.CharField(
        label=_("Ce qui vous a plu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    to_improve = forms.CharField(
        label=_("Ce qui pourrait être amélioré"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppointmentForm(forms.Form):
    """An appointment; the date and times are typed separately (phone-friendly)."""

    staff = forms.ModelChoiceField(label=_("Accompagnateur·rice"), queryset=User.objects.none())
    participants = forms.ModelMultipleChoiceField(
        label=_("Entrepreneur·es"),
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Début"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("Fin"), widget=TIME_WIDGET)
    subject = forms.CharField(label=_("Objet"), max_length=200)
    place = forms.CharField(label=_("Lieu"), max_length=255, required=False)
    video_link = forms.URLField(
        label=_("Lien de visioconférence"), required=False, assume_scheme="https"
    )
    notes = forms.CharField(
        label=_("Compte rendu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Visible par les entrepreneur·es concerné·es."),
    )
    private_notes = forms.CharField(
        label=_("Notes privées de l'équipe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Jamais montrées aux entrepreneur·es."),
    )

    def __init__(self, *args, appointment: Appointment | None = None, **kwargs) -> None:
        if appointment is not None and not kwargs.get("initial"):
            start = timezone.localtime(appointment.starts_at)
            end = timezone.localtime(appointment.ends_at)
            kwargs["initial"] = {
                "staff": appointment.staff_id,
                "participants": [p.pk for p in appointment.participants.all()],
                "date": start.date(),
                "start_time": start.time().replace(second=0, microsecond=0),
                "end_time": end.time().replace(second=0, microsecond=0),
                "subject": appointment.subject,
                "place": appointment.place,
                "video_link": appointment.video_link,
                "notes": appointment.notes,
                "private_notes": appointment.private_notes,
            }
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_users()
        self.fields["participants"].queryset = entrepreneurs()

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        day = data.pop("date")
        start = data.pop("start_time")
        end = data.pop("end_time")
        data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
        data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
        return data


class NextStepForm(forms.Form):
    description = forms.CharField(label=_("Action convenue"), max_length=255)
    due_date = forms.DateField(label=_("Échéance"), widget=DATE_WIDGET)


class AppointmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False)
    staff = forms.ModelChoiceField(
        label=_("Accompagnateur·rice"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Tous"),
    )
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *Appointment.Status.choices]
    )
    start = forms.DateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, staff_filter: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if staff_filter:
            self.fields["staff"].queryset = staff_users()
        else:
            del self.fields["staff"]


class IntakeFilterForm(forms.Form):
    since = forms.DateField(label=_("Contacts depuis le"), required=False, widget=DATE_WIDGET)


class InformationMeetingForm(forms.Form):
    """An information meeting: who came among the people already known."""

    date = forms.DateField(label=_("Date de la réunion"), widget=DATE_WIDGET)
    office = forms.ModelChoiceField(
        label=_("Établissement"), queryset=Office.objects.none(), required=False
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Personnes déjà connues"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Ctrl ou Cmd + clic pour en choisir plusieurs."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.all()
        self.fields["attendees"].queryset = entrepreneurs()


class NewCandidateForm(forms.Form):
    """A newcomer at an information meeting; an empty row is ignored."""

    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=5, required=False)

    def clean(self) -> dict:
        data = super().clean()
        filled = any(str(value).strip() for value in data.values() if value)
        if filled and not (data.get("first_name") or "").strip():
            self.add_error("first_name", _("Indiquez le prénom."))
        if filled and not (data.get("last_name") or "").strip():
            self.add_error("last_name", _("Indiquez le nom."))
        return data


NewCandidateFormSet = forms.formset_factory(NewCandidateForm, extra=4, max_num=30)


class QualityEventForm(forms.Form):
    """A complaint or an improvement action."""

    kind = forms.ChoiceField(label=_("Type"), choices=QualityEvent.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    origin = forms.CharField(
        label=_("Origine"),
        max_length=120,
        required=False,
        help_text=_("Stagiaire, formateur·rice, financeur, questionnaire de satisfaction…"),
    )
    workshop = forms.ModelChoiceField(
        label=_("Atelier"), queryset=Workshop.objects.none(), required=False
    )
    complaint = forms.ModelChoiceField(
        label=_("En réponse à la réclamation"),
        queryset=QualityEvent.objects.none(),
        required=False,
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = Workshop.objects.order_by("title")
        self.fields["complaint"].queryset = QualityEvent.objects.filter(
            kind=QualityEvent.Kind.COMPLAINT
        ).order_by("-date")


class QualityCloseForm(forms.Form):
    response = forms.CharField(
        label=_("Réponse apportée / résultat"), widget=forms.Textarea(attrs={"rows": 3})
    )
    closed_on = forms.DateField(label=_("Traitée le"), widget=DATE_WIDGET)


class ProgrammeForm(forms.Form):
    """A programme for a funder, or a co-development group, with its sessions and members."""

    kind = forms.ChoiceField(label=_("Type"), choices=Programme.Kind.choices)
    name = forms.CharField(label=_("Nom"), max_length=200)
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    funder = forms.CharField(label=_("Financeur"), max_length=200, required=False)
    coordinator = forms.ModelChoiceField(
        label=_("Coordination"), queryset=User.objects.none(), required=False
    )
    sessions = forms.ModelMultipleChoiceField(
        label=_("Sessions"),
        queryset=WorkshopSession.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participant·es"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = staff_users()
        self.fields["sessions"].queryset = (
            WorkshopSession.objects.exclude(status=WorkshopSession.Status.CANCELLED)
            .select_related("workshop")
            .prefetch_related("slots")
            .order_by("-pk")
        )
        self.fields["participants"].queryset = entrepreneurs()
