"""People, their accounts and roles, and the dated events of their path."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Office
from alveole.core.models import TimeStampedModel
from alveole.core.roles import COOPERATIVE_WIDE_ROLES, Role
from alveole.core.validators import validate_department, validate_postal_code


class PersonKind(models.TextChoices):
    """Why a person is known to the cooperative."""

    ENTREPRENEUR = "entrepreneur", _("Porteur·se de projet / entrepreneur·e")
    SUPPORT_STAFF = "support_staff", _("Membre de l'équipe d'appui")
    EXTERNAL = "external", _("Associé·e extérieur·e")


class EntrySituation(models.TextChoices):
    """Situation declared when entering the cooperative (sensitive: support staff only)."""

    EMPLOYED = "employed", _("Salarié·e")
    JOB_SEEKER = "job_seeker", _("Demandeur·se d'emploi")
    RSA = "rsa", _("Bénéficiaire du RSA")
    OTHER = "other", _("Autre")


class Status(models.TextChoices):
    """Where a person stands at a date, computed from the events of their path."""

    CANDIDATE = "candidate", _("Porteur·se de projet")
    CAPE = "cape", _("En CAPE")
    SALARIED = "salaried", _("Entrepreneur·e salarié·e")
    ASSOCIATE = "associate", _("Entrepreneur·e salarié·e associé·e")
    EXITED = "exited", _("Sorti·e")
    STAFF = "staff", _("Équipe d'appui")
    EXTERNAL = "external", _("Extérieur·e")


#: Statuses that make a person a member ("coopérateur") of the cooperative at a date.
MEMBER_STATUSES = (Status.CAPE, Status.SALARIED, Status.ASSOCIATE)


class UserManager(BaseUserManager):
    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.DIRECTOR)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account that logs in by e-mail; its role decides what it may see and do."""

    email = models.EmailField(_("e-mail"), unique=True)
    role = models.CharField(
        _("rôle"), max_length=16, choices=Role.choices, default=Role.ENTREPRENEUR
    )
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("personne"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        ordering = ["email"]

    def __str__(self) -> str:
        if self.person_id:
            return str(self.person)
        return self.email

    @property
    def is_cooperative_wide(self) -> bool:
        return self.is_active and self.role in COOPERATIVE_WIDE_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> PersonQuerySet:
        """The people a user may see: everyone for staff roles, themselves for an entrepreneur."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role in COOPERATIVE_WIDE_ROLES:
            return self
        if user.person_id:
            return self.filter(pk=user.person_id)
        return self.none()

    def with_status(self, at: datetime.date) -> PersonQuerySet:
        """Annotate `status` at a date, computed by the database from the path events."""
        return self.annotate(status=status_expression(at))

    def members_at(self, at: datetime.date) -> PersonQuerySet:
        """Entrepreneurs with a running CAPE or CESA at the date ("coopérateurs")."""
        return self.with_status(at).filter(status__in=MEMBER_STATUSES)


class Person(TimeStampedModel):
    """Someone the cooperative knows: a project holder, an entrepreneur, staff, an external associate."""

    kind = models.CharField(
        _("type"), max_length=16, choices=PersonKind.choices, default=PersonKind.ENTREPRENEUR
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    department = models.CharField(
        _("département"), max_length=3, blank=True, validators=[validate_department], db_index=True
    )
    entry_situation = models.CharField(
        _("situation à l'entrée"), max_length=16, choices=EntrySituation.choices, blank=True
    )
    has_other_income = models.BooleanField(_("autre revenu"), null=True, blank=True)
    office = models.ForeignKey(
        Office, verbose_name=_("établissement"), null=True, blank=True, on_delete=models.PROTECT
    )
    follow_up_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accompagnateur·rice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_people",
        limit_choices_to={"role__in": [Role.STAFF, Role.DIRECTOR]},
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="person_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def status_label(self) -> str:
        """The label of the `status` annotated by `with_status` (empty when not annotated)."""
        status = getattr(self, "status", None)
        return str(Status(status).label) if status else ""

    def status_at(self, at: datetime.date) -> str:
        """This person's status at a date (one query, the same expression as lists use)."""
        return Person.objects.with_status(at).values_list("status", flat=True).get(pk=self.pk)


class InformationMeeting(TimeStampedModel):
    """A collective information meeting where project holders discover the cooperative."""

    date = models.DateField(_("date"))
    office = models.ForeignKey(
        Office, verbose_name=_("établissement"), null=True, blank=True, on_delete=models.PROTECT
    )
    attendees = models.ManyToManyField(
        Person, verbose_name=_("participant·es"), related_name="information_meetings", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("réunion d'information")
        verbose_name_plural = _("réunions d'information")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{_('Réunion d’information')} {self.date:%d/%m/%Y}"


class IntakeInterview(TimeStampedModel):
    """An individual intake interview and the integration decision taken."""

    class Decision(models.TextChoices):
        INTEGRATED = "integrated", _("Intégré·e")
        NOT_INTEGRATED = "not_integrated", _("Non intégré·e")
        POSTPONED = "postponed", _("Décision reportée")

    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="intake_interviews",
    )
    date = models.DateField(_("date"))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reçu·e par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(_("décision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("entretien individuel")
        verbose_name_plural = _("entretiens individuels")
        ordering = ["date", "pk"]


class Contract(TimeStampedModel):
    """A CAPE, a CESA, or a support-staff employment contract, with its dates."""

    class Kind(models.TextChoices):
        CAPE = "cape", _("CAPE")
        CESA = "cesa", _("CESA")
        STAFF = "staff", _("Contrat de travail (équipe d'appui)")

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="contracts"
    )
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    start_date = models.DateField(_("début"))
    planned_end_date = models.DateField(_("fin prévue"), null=True, blank=True)
    end_date = models.DateField(_("fin effective"), null=True, blank=True)
    monthly_hours = models.DecimalField(
        _("heures mensuelles"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["start_date", "pk"]
        indexes = [
            models.Index(fields=["person", "kind", "start_date"], name="contract_person_kind_idx"),
            models.Index(fields=["kind", "start_date", "end_date"], name="contract_kind_dates_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cape") | Q(planned_end_date__isnull=False),
                name="contract_cape_has_planned_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person} ({self.start_date:%d/%m/%Y})"

    @property
    def last_day(self) -> datetime.date | None:
        """The last day the contract runs (actual end, else planned end, else open-ended)."""
        return self.end_date or self.planned_end_date

    def is_running_at(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.last_day is None or day <= self.last_day)


class ContractChange(TimeStampedModel):
    """A renewal of a CAPE or an amendment of a CESA's hours."""

    class Kind(models.TextChoices):
        RENEWAL = "renewal", _("Renouvellement")
        AMENDMENT = "amendment", _("Avenant")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contrat"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    previous_planned_end_date = models.DateField(_("fin prévue précédente"), null=True, blank=True)
    new_planned_end_date = models.DateField(_("nouvelle fin prévue"), null=True, blank=True)
    previous_monthly_hours = models.DecimalField(
        _("heures mensuelles précédentes"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    new_monthly_hours = models.DecimalField(
        _("nouvelles heures mensuelles"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("renouvellement ou avenant")
        verbose_name_plural = _("renouvellements et avenants")
        ordering = ["date", "pk"]


class Associateship(TimeStampedModel):
    """A period during which a person is an associate of the cooperative."""

    class Category(models.TextChoices):
        ENTREPRENEUR = "entrepreneur", _("Entrepreneur·e associé·e")
        SUPPORT_STAFF = "support_staff", _("Membre de l'équipe associé·e")
        EXTERNAL = "external", _("Associé·e extérieur·e")

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="associateships"
    )
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices)
    start_date = models.DateField(_("devenu·e associé·e le"))
    end_date = models.DateField(_("a cessé d'être associé·e le"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualité d'associé·e")
        verbose_name_plural = _("qualités d'associé·e")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="associateship_end_after_start",
            )
        ]

    def is_running_at(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)


class Exit(TimeStampedModel):
    """A person leaving the cooperative, and where they went."""

    class Outcome(models.TextChoices):
        BUSINESS_CREATION = "business_creation", _("Création d'entreprise")
        SALARIED_JOB = "salaried_job", _("Emploi salarié")
        TRAINING = "training", _("Formation")
        OTHER = "other", _("Autre")
        UNKNOWN = "unknown", _("Inconnue")

    POSITIVE_OUTCOMES = (Outcome.BUSINESS_CREATION, Outcome.SALARIED_JOB)

    person = models.OneToOneField(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="exit"
    )
    date = models.DateField(_("date de sortie"))
    outcome = models.CharField(_("devenir"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("sortie")
        verbose_name_plural = _("sorties")
        ordering = ["date"]


def status_expression(at: datetime.date) -> Case:
    """The SQL expression of a person's status at a date; the one definition of status.

    Priority: exited, then staff/external by kind, then associate (a running CESA and a
    running associateship), salaried (a running CESA), CAPE (a running CAPE); someone whose
    contracts all ended without an exit record counts as exited; else a candidate.
    """
    person = OuterRef("pk")
    running = Q(start_date__lte=at) & (
        Q(end_date__gte=at)
        | (
            Q(end_date__isnull=True)
            & (Q(planned_end_date__isnull=True) | Q(planned_end_date__gte=at))
        )
    )
    exited = Exists(Exit.objects.filter(person=person, date__lte=at))
    running_cesa = Exists(Contract.objects.filter(running, person=person, kind=Contract.Kind.CESA))
    running_cape = Exists(Contract.objects.filter(running, person=person, kind=Contract.Kind.CAPE))
    associate = Exists(
        Associateship.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gt=at), person=person, start_date__lte=at
        )
    )
    past_contract = Exists(
        Contract.objects.filter(
            person=person, start_date__lte=at, kind__in=[Contract.Kind.CAPE, Contract.Kind.CESA]
        )
    )
    return Case(
        When(exited, then=Value(Status.EXITED)),
        When(kind=PersonKind.SUPPORT_STAFF, then=Value(Status.STAFF)),
        When(kind=PersonKind.EXTERNAL, then=Value(Status.EXTERNAL)),
        When(running_cesa & associate, then=Value(Status.ASSOCIATE)),
        When(running_cesa, then=Value(Status.SALARIED)),
        When(running_cape, then=Value(Status.CAPE)),
        When(past_contract, then=Value(Status.EXITED)),
        default=Value(Status.CANDIDATE),
        output_field=models.CharField(max_length=16),
    )


class ApiToken(models.Model):
    """A token a script uses to call the API as a user; only its hash is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("compte"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("préfixe"), max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    #: The account's role when the token was issued: a token stops working if it changes.
    role = models.CharField(_("rôle"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
