"""Support: workshops and their sessions, enrolments, signed attendance, surveys, appointments."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Office
from alveole.core.models import TimeStampedModel
from alveole.core.roles import MANAGER_ROLES
from alveole.people.models import Person


def new_token() -> str:
    """A random URL-safe token for links that work without an account."""
    return secrets.token_urlsafe(24)


class ImmutableRecordError(Exception):
    """A signature (or an answered survey) cannot be changed or deleted once recorded."""


# --- catalogue and sessions -------------------------------------------------------------


class WorkshopKind(models.TextChoices):
    """What a workshop is for."""

    TRAINING = "training", _("Formation")
    CODEVELOPMENT = "codevelopment", _("Groupe de co-développement")
    INFORMATION = "information", _("Information")
    EVENT = "event", _("Événement")


class Workshop(TimeStampedModel):
    """A catalogue entry: what a workshop teaches, how long, who runs it, how many, for how much."""

    kind = models.CharField(
        _("type"), max_length=16, choices=WorkshopKind.choices, default=WorkshopKind.TRAINING
    )
    title = models.CharField(_("intitulé"), max_length=200)
    objectives = models.TextField(_("objectifs pédagogiques"), blank=True)
    programme = models.TextField(_("programme"), blank=True)
    duration_hours = models.DecimalField(
        _("durée (heures)"), max_digits=5, decimal_places=2, default=3
    )
    trainer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formateur·rice (équipe)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"role__in": sorted(MANAGER_ROLES)},
    )
    trainer_person = models.ForeignKey(
        Person,
        verbose_name=_("formateur·rice (entrepreneur·e)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), default=12)
    price_cents = models.BigIntegerField(_("prix (centimes)"), default=0)
    vat_exempt = models.BooleanField(
        _("exonéré de TVA (formation, art. 261-4-4° a du CGI)"), default=False
    )
    active = models.BooleanField(_("au catalogue"), default=True)

    class Meta:
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trainer_user__isnull=True) | Q(trainer_person__isnull=True),
                name="workshop_one_trainer",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="workshop_capacity_min"),
            models.CheckConstraint(condition=Q(price_cents__gte=0), name="workshop_price_min"),
        ]

    def __str__(self) -> str:
        return self.title


class WorkshopSession(TimeStampedModel):
    """One run of a workshop, made of one or more half-day slots, with its own trainer and places."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Programmée")
        CANCELLED = "cancelled", _("Annulée")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("atelier"), on_delete=models.PROTECT, related_name="sessions"
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    trainer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formateur·rice (équipe)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trained_sessions",
    )
    trainer_person = models.ForeignKey(
        Person,
        verbose_name=_("formateur·rice (entrepreneur·e)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trained_sessions",
    )
    capacity = models.PositiveSmallIntegerField(_("nombre de places"))
    office = models.ForeignKey(
        Office, verbose_name=_("établissement"), null=True, blank=True, on_delete=models.PROTECT
    )
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    online = models.BooleanField(_("à distance"), default=False)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    public_registration = models.BooleanField(
        _("inscription publique par lien"),
        default=False,
        help_text=_("Des personnes extérieures peuvent s'inscrire par un lien sans compte."),
    )
    registration_token = models.CharField(max_length=64, unique=True, default=new_token)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trainer_user__isnull=False, trainer_person__isnull=True)
                | Q(trainer_user__isnull=True, trainer_person__isnull=False),
                name="session_exactly_one_trainer",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_min"),
        ]

    def __str__(self) -> str:
        first = self.first_slot
        return f"{self.workshop} — {first.date:%d/%m/%Y}" if first else str(self.workshop)

    @property
    def slot_list(self) -> list[Slot]:
        """The slots in order (uses the prefetch cache when the selector loaded them)."""
        return sorted(self.slots.all(), key=lambda s: (s.date, s.start_time))

    @property
    def first_slot(self) -> Slot | None:
        slots = self.slot_list
        return slots[0] if slots else None

    @property
    def trainer_name(self) -> str:
        return str(self.trainer_user or self.trainer_person or "")

    @property
    def location(self) -> str:
        if self.online:
            return str(_("À distance"))
        return ", ".join(str(p) for p in (self.place, self.office) if p)


class HalfDay(models.TextChoices):
    MORNING = "morning", _("Matin")
    AFTERNOON = "afternoon", _("Après-midi")


class Slot(TimeStampedModel):
    """A half-day of a session: the unit attendance is signed for."""

    session = models.ForeignKey(
        WorkshopSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="slots"
    )
    date = models.DateField(_("date"))
    half_day = models.CharField(_("demi-journée"), max_length=10, choices=HalfDay.choices)
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))

    class Meta:
        verbose_name = _("demi-journée")
        verbose_name_plural = _("demi-journées")
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "date", "half_day"], name="slot_unique"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="slot_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_half_day_display()} ({self.start_time:%H:%M}–{self.end_time:%H:%M})"

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.end_time))

    @property
    def hours(self) -> float:
        delta = datetime.datetime.combine(self.date, self.end_time) - datetime.datetime.combine(
            self.date, self.start_time
        )
        return delta.total_seconds() / 3600


class Enrolment(TimeStampedModel):
    """A person's place in a session, or their place on its waiting list."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscrit·e")
        WAITING = "waiting", _("Liste d'attente")
        CANCELLED = "cancelled", _("Désinscrit·e")

    class Source(models.TextChoices):
        STAFF = "staff", _("Par l'équipe")
        SELF = "self", _("Par l'entrepreneur·e")
        PUBLIC = "public", _("Par le lien public")

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices)
    source = models.CharField(_("origine"), max_length=8, choices=Source.choices)
    #: Orders the waiting list: set again when someone re-enrols after cancelling.
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="enrolment_unique_person")
        ]
        indexes = [
            models.Index(fields=["session", "status", "requested_at"], name="enrol_wait_idx")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"


# --- attendance ----------------------------------------------------------------------------


class SignatureQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError("a signature cannot be changed")

    def delete(self):
        raise ImmutableRecordError("a signature cannot be deleted")


class SignatureManager(models.Manager.from_queryset(SignatureQuerySet)):  # type: ignore[misc]
    def bulk_update(self, *args, **kwargs):
        raise ImmutableRecordError("a signature cannot be changed")


class Signature(models.Model):
    """A drawn signature of a trainee or the trainer for one half-day; never changed afterwards."""

    class Role(models.TextChoices):
        TRAINEE = "trainee", _("Stagiaire")
        TRAINER = "trainer", _("Formateur·rice")

    class Device(models.TextChoices):
        TRAINER_DEVICE = "trainer_device", _("Appareil du formateur·rice")
        OWN_DEVICE = "own_device", _("Appareil personnel (lien à usage unique)")
        PAPER = "paper", _("Feuille papier, reportée par l'équipe")

    slot = models.ForeignKey(
        Slot, verbose_name=_("demi-journée"), on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField(_("qualité"), max_length=8, choices=Role.choices)
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inscription"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    signer_name = models.CharField(_("signataire"), max_length=220)
    signed_at = models.DateTimeField(_("signé le"))
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=500, blank=True)
    device = models.CharField(_("recueillie sur"), max_length=16, choices=Device.choices)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recueillie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_png = models.BinaryField(_("image de la signature (PNG)"), blank=True)
    image_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    #: Attendance transcribed from a signed paper sheet after the half-day (a past register):
    #: no image is drawn for it — the paper sheet stays the evidence — and `collected_by`
    #: is who transcribed it, at `recorded_at`; `signed_at` is the half-day's start.
    recorded_from_paper = models.BooleanField(_("reportée d'une feuille papier"), default=False)
    recorded_at = models.DateTimeField(_("reportée le"), null=True, blank=True)

    objects = SignatureManager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["slot", "role", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "enrolment"],
                condition=Q(role="trainee"),
                name="signature_one_per_trainee_slot",
            ),
            models.UniqueConstraint(
                fields=["slot"], condition=Q(role="trainer"), name="signature_one_trainer_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(role="trainee", enrolment__isnull=False)
                | Q(role="trainer", enrolment__isnull=True),
                name="signature_role_matches_enrolment",
            ),
            # Drawn, with its image's digest; or reported from paper, without any image.
            models.CheckConstraint(
                condition=(
                    Q(recorded_from_paper=False, recorded_at__isnull=True)
                    & ~Q(image_sha256="")
                    & ~Q(device="paper")
                )
                | Q(
                    recorded_from_paper=True,
                    recorded_at__isnull=False,
                    image_sha256="",
                    device="paper",
                ),
                name="signature_drawn_or_from_paper",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} — {self.slot}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableRecordError("a signature cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("a signature cannot be deleted")


class Absence(TimeStampedModel):
    """A trainee who did not come to a half-day, excused or not."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("demi-journée"), on_delete=models.CASCADE, related_name="absences"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("inscription"), on_delete=models.CASCADE, related_name="absences"
    )
    excused = models.BooleanField(_("absence excusée"), default=False)
    reason = models.CharField(_("motif"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["slot", "pk"]
        constraints = [models.UniqueConstraint(fields=["slot", "enrolment"], name="absence_unique")]


class SigningLink(models.Model):
    """A single-use link with which one trainee (or the trainer) signs one half-day on their own device."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("demi-journée"), on_delete=models.CASCADE, related_name="signing_links"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inscription"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_links",
        help_text=_("Vide : le lien du formateur·rice."),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien de signature")
        verbose_name_plural = _("liens de signature")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{_('Lien de signature')} — {self.slot}"


# --- satisfaction ----------------------------------------------------------------------


class SurveyResponse(TimeStampedModel):
    """One trainee's satisfaction questionnaire for a session (Qualiopi indicator 30)."""

    RATINGS = ("rating_overall", "rating_content", "rating_trainer", "rating_organisation")

    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="survey_response",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    sent_at = models.DateTimeField(_("envoyé le"))
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    rating_overall = models.PositiveSmallIntegerField(_("satisfaction générale"), null=True)
    rating_content = models.PositiveSmallIntegerField(_("contenu"), null=True)
    rating_trainer = models.PositiveSmallIntegerField(_("formateur·rice"), null=True)
    rating_organisation = models.PositiveSmallIntegerField(_("organisation"), null=True)
    liked = models.TextField(_("ce qui vous a plu"), blank=True)
    to_improve = models.TextField(_("ce qui pourrait être amélioré"), blank=True)

    class Meta:
        verbose_name = _("questionnaire de satisfaction")
        verbose_name_plural = _("questionnaires de satisfaction")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | (
                    Q(rating_overall__gte=1, rating_overall__lte=5)
                    & Q(rating_content__gte=1, rating_content__lte=5)
                    & Q(rating_trainer__gte=1, rating_trainer__lte=5)
                    & Q(rating_organisation__gte=1, rating_organisation__lte=5)
                ),
                name="survey_ratings_1_to_5",
            )
        ]


# --- appointments ---------------------------------------------------------------------


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AppointmentQuerySet:
        """Every appointment for staff and direction; their own for an entrepreneur."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in MANAGER_ROLES:
            return self
        if user.person_id:
            return self.filter(participants=user.person_id).exclude(
                status=Appointment.Status.CANCELLED
            )
        return self.none()


class Appointment(TimeStampedModel):
    """A meeting between a staff member and one or more entrepreneurs."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévu")
        DONE = "done", _("Tenu")
        CANCELLED = "cancelled", _("Annulé")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accompagnateur·rice"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("entrepreneur·es"), related_name="appointments"
    )
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    subject = models.CharField(_("objet"), max_length=200)
    notes = models.TextField(
        _("compte rendu"), blank=True, help_text=_("Visible par les entrepreneur·es concerné·es.")
    )
    private_notes = models.TextField(
        _("notes privées de l'équipe"),
        blank=True,
        help_text=_(
            "Jamais montrées aux entrepreneur·es, ni dans leurs pages ni dans les exports."
        ),
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_end_after_start"
            )
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.subject} — {local:%d/%m/%Y %H:%M}"


class NextStep(TimeStampedModel):
    """Something agreed during an appointment, to be done by a date."""

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("rendez-vous"),
        on_delete=models.CASCADE,
        related_name="next_steps",
    )
    description = models.CharField(_("action"), max_length=255)
    due_date = models.DateField(_("échéance"))
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)

    class Meta:
        verbose_name = _("prochaine étape")
        verbose_name_plural = _("prochaines étapes")
        ordering = ["due_date", "pk"]


class CalendarFeed(models.Model):
    """The secret address of a staff member's calendar feed (ICS), renewable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("flux d'agenda")
        verbose_name_plural = _("flux d'agenda")

    def __str__(self) -> str:
        return f"{_('Flux d’agenda')} — {self.user}"


# --- quality (Qualiopi indicators 31 and 32) ----------------------------------------------


class QualityEvent(TimeStampedModel):
    """A complaint received (indicator 31) or an improvement action decided (indicator 32)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Réclamation")
        IMPROVEMENT = "improvement", _("Action d'amélioration")

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        CLOSED = "closed", _("Traitée")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    origin = models.CharField(
        _("origine"),
        max_length=120,
        blank=True,
        help_text=_("Stagiaire, formateur·rice, financeur, questionnaire de satisfaction…"),
    )
    workshop = models.ForeignKey(
        Workshop,
        verbose_name=_("atelier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quality_events",
    )
    session = models.ForeignKey(
        WorkshopSession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quality_events",
    )
    complaint = models.ForeignKey(
        "self",
        verbose_name=_("en réponse à la réclamation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvements",
        limit_choices_to={"kind": "complaint"},
    )
    description = models.TextField(_("description"))
    response = models.TextField(_("réponse apportée / résultat"), blank=True)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réclamation ou action d'amélioration")
        verbose_name_plural = _("réclamations et actions d'amélioration")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_on__isnull=False),
                name="quality_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.date:%d/%m/%Y}"


# --- programmes and groups ----------------------------------------------------------------


class Programme(TimeStampedModel):
    """Sessions and participants grouped for a funder (e.g. RSA workshops) or a co-development group."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme financé")
        CODEVELOPMENT = "codevelopment", _("Groupe de co-développement")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.PROGRAMME)
    name = models.CharField(_("nom"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année"))
    funder = models.CharField(_("financeur"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordination"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sessions = models.ManyToManyField(
        WorkshopSession, verbose_name=_("sessions"), related_name="programmes", blank=True
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participant·es"), related_name="programmes", blank=True
    )

    class Meta:
        verbose_name = _("programme ou groupe")
        verbose_name_plural = _("programmes et groupes")
        ordering = ["-year", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"
