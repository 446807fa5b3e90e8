"""Governance of the cooperative: the shares register, general assemblies and their votes, the board.

Rules that come from the law or the statutes are data (`QuorumRule`, `GovernanceSettings`)
or named constants in `rules.py`; see docs/adr/0005 and 0006.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alveole.core.models import TimeStampedModel
from alveole.people.models import Person

# --- settings and legal rules as data ---------------------------------------------------


class GovernanceSettings(TimeStampedModel):
    """The cooperative's governance parameters taken from its statutes (a single row)."""

    notice_days_first = models.PositiveSmallIntegerField(
        _("délai de convocation, 1re convocation (jours)"), default=15
    )
    notice_days_second = models.PositiveSmallIntegerField(
        _("délai de convocation, 2e convocation (jours)"), default=10
    )
    board_max_size = models.PositiveSmallIntegerField(
        _("nombre maximal d'administrateur·rices"), default=18
    )
    share_nominal_cents = models.BigIntegerField(
        _("valeur nominale d'une part (centimes)"), default=2500
    )

    class Meta:
        verbose_name = _("paramètres de gouvernance")
        verbose_name_plural = _("paramètres de gouvernance")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_nominal_cents__gt=0), name="gov_settings_nominal_positive"
            ),
            models.CheckConstraint(
                condition=Q(board_max_size__gte=3), name="gov_settings_board_min_three"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Paramètres de gouvernance"))


class AssemblyKind(models.TextChoices):
    ORDINARY = "ordinary", _("Assemblée générale ordinaire")
    EXTRAORDINARY = "extraordinary", _("Assemblée générale extraordinaire")


class ConvocationRound(models.IntegerChoices):
    FIRST = 1, _("1re convocation")
    SECOND = 2, _("2e convocation")


class QuorumRule(models.Model):
    """The quorum an assembly needs: a fraction of the associates, per kind and convocation, dated."""

    kind = models.CharField(_("type d'assemblée"), max_length=16, choices=AssemblyKind.choices)
    convocation_round = models.PositiveSmallIntegerField(
        _("convocation"), choices=ConvocationRound.choices
    )
    numerator = models.PositiveSmallIntegerField(_("numérateur"))
    denominator = models.PositiveSmallIntegerField(_("dénominateur"))
    valid_from = models.DateField(_("en vigueur depuis le"))
    valid_until = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255)

    class Meta:
        verbose_name = _("règle de quorum")
        verbose_name_plural = _("règles de quorum")
        ordering = ["kind", "convocation_round", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(denominator__gt=0) & Q(numerator__lte=F("denominator")),
                name="quorum_rule_fraction",
            ),
            models.UniqueConstraint(
                fields=["kind", "convocation_round", "valid_from"], name="quorum_rule_unique_start"
            ),
        ]

    def __str__(self) -> str:
        if self.numerator == 0:
            return f"{self.get_kind_display()}, {self.get_convocation_round_display()} : {_('aucun quorum')}"
        return (
            f"{self.get_kind_display()}, {self.get_convocation_round_display()} : "
            f"{self.numerator}/{self.denominator}"
        )


# --- shares register -------------------------------------------------------------------


class ShareSubscription(TimeStampedModel):
    """Shares an associate subscribes on a date, at a nominal value, with a payment schedule."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("associé·e"),
        on_delete=models.PROTECT,
        related_name="share_subscriptions",
    )
    date = models.DateField(_("date de souscription"))
    shares = models.PositiveIntegerField(_("nombre de parts"))
    nominal_cents = models.BigIntegerField(_("valeur nominale d'une part (centimes)"))
    amount_cents = models.GeneratedField(
        expression=F("shares") * F("nominal_cents"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("montant souscrit (centimes)"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("souscription de parts")
        verbose_name_plural = _("souscriptions de parts")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["person", "date"], name="share_sub_person_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="share_sub_shares_positive"),
            models.CheckConstraint(
                condition=Q(nominal_cents__gt=0), name="share_sub_nominal_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.shares} × {self.nominal_cents / 100:.2f} € ({self.date:%d/%m/%Y})"


class ShareInstallment(models.Model):
    """One planned payment of the unpaid part of a subscription (the payment schedule)."""

    subscription = models.ForeignKey(
        ShareSubscription,
        verbose_name=_("souscription"),
        on_delete=models.CASCADE,
        related_name="installments",
    )
    due_date = models.DateField(_("échéance"))
    amount_cents = models.BigIntegerField(_("montant (centimes)"))

    class Meta:
        verbose_name = _("échéance de libération")
        verbose_name_plural = _("échéancier de libération")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="share_installment_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_date:%d/%m/%Y} : {self.amount_cents / 100:.2f} €"


class ReleaseMethod(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    CHEQUE = "cheque", _("Chèque")
    PAYROLL = "payroll", _("Retenue sur salaire")
    OTHER = "other", _("Autre")


class ShareRelease(TimeStampedModel):
    """A payment that releases (pays up) part of a subscription."""

    subscription = models.ForeignKey(
        ShareSubscription,
        verbose_name=_("souscription"),
        on_delete=models.PROTECT,
        related_name="releases",
    )
    date = models.DateField(_("date"))
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    method = models.CharField(
        _("moyen"), max_length=10, choices=ReleaseMethod.choices, default=ReleaseMethod.TRANSFER
    )

    class Meta:
        verbose_name = _("libération de parts")
        verbose_name_plural = _("libérations de parts")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="share_release_positive")
        ]


class ShareRefund(TimeStampedModel):
    """The cancellation of a former associate's shares and the refund owed to them."""

    person = models.ForeignKey(
        Person, verbose_name=_("ancien·ne associé·e"), on_delete=models.PROTECT,
        related_name="share_refunds",
    )  # fmt: skip
    date = models.DateField(_("parts annulées le"))
    shares = models.PositiveIntegerField(_("nombre de parts"))
    nominal_cents = models.BigIntegerField(_("capital annulé (centimes)"))
    paid_up_cents = models.BigIntegerField(_("montant libéré (centimes)"))
    amount_cents = models.BigIntegerField(_("montant à rembourser (centimes)"))
    reason = models.CharField(_("motif d'un remboursement réduit"), max_length=255, blank=True)
    paid_on = models.DateField(_("remboursé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("remboursement de parts")
        verbose_name_plural = _("remboursements de parts")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="share_refund_shares_positive"),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0) & Q(amount_cents__lte=F("paid_up_cents")),
                name="share_refund_amount_within_paid_up",
            ),
        ]


# --- general assemblies ----------------------------------------------------------------


class Assembly(TimeStampedModel):
    """A general assembly of the associates: ordinary or extraordinary, first or second convocation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        CONVENED = "convened", _("Convoquée")
        OPEN = "open", _("En séance")
        CLOSED = "closed", _("Close")

    kind = models.CharField(_("type"), max_length=16, choices=AssemblyKind.choices)
    convocation_round = models.PositiveSmallIntegerField(
        _("convocation"), choices=ConvocationRound.choices, default=ConvocationRound.FIRST
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("assemblée de 1re convocation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="second_convocations",
    )  # fmt: skip
    title = models.CharField(_("intitulé"), max_length=200)
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    online = models.BooleanField(_("participation en ligne possible"), default=False)
    online_url = models.URLField(_("lien de la visioconférence"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    convened_at = models.DateTimeField(_("convoquée le"), null=True, blank=True)
    opened_at = models.DateTimeField(_("séance ouverte le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    chair = models.ForeignKey(
        Person, verbose_name=_("président·e de séance"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    secretary = models.ForeignKey(
        Person, verbose_name=_("secrétaire de séance"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    # Frozen by the service that closes the assembly, so that the minutes never change.
    associates_count = models.PositiveIntegerField(_("associé·es"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("présent·es"), null=True, blank=True)
    online_count = models.PositiveIntegerField(_("en ligne"), null=True, blank=True)
    represented_count = models.PositiveIntegerField(_("représenté·es"), null=True, blank=True)
    quorum_required = models.PositiveIntegerField(_("quorum requis"), null=True, blank=True)
    quorum_met = models.BooleanField(_("quorum atteint"), null=True, blank=True)
    # A past assembly entered from its paper minutes (history, demo): its services accept
    # the past moments of the session (`at=`); a live assembly never does.
    recorded_afterwards = models.BooleanField(
        _("enregistrée a posteriori (procès-verbal papier)"), default=False
    )

    class Meta:
        verbose_name = _("assemblée générale")
        verbose_name_plural = _("assemblées générales")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(convocation_round=1, previous__isnull=True)
                | Q(convocation_round=2, previous__isnull=False),
                name="assembly_second_convocation_has_previous",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    @property
    def date(self) -> datetime.date:
        """The assembly's day in the cooperative's time zone."""
        return timezone.localtime(self.starts_at).date()


class AgendaItem(models.Model):
    """One item of an assembly's agenda (ordre du jour)."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    title = models.CharField(_("point"), max_length=255)
    description = models.TextField(_("précisions"), blank=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="agenda_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


def _document_path(instance: AssemblyDocument, filename: str) -> str:
    # A random name: the original name is kept in `filename`, never trusted as a path.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/assemblies/{instance.assembly_id}/{uuid.uuid4().hex}.{suffix}"


class AssemblyDocument(models.Model):
    """A document of an assembly (report, accounts, draft resolutions), served after a permission check."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=_document_path, max_length=255)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document d'assemblée")
        verbose_name_plural = _("documents d'assemblée")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Convocation(models.Model):
    """The convocation of one associate to an assembly, with the hash of their personal link."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        POST = "post", _("Courrier (pas d'adresse e-mail)")

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="convocations"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("associé·e"), on_delete=models.PROTECT, related_name="convocations"
    )
    channel = models.CharField(_("envoi"), max_length=8, choices=Channel.choices)
    email = models.EmailField(_("adresse"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("convoqué·e le"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("e-mail remis le"), null=True, blank=True)
    error = models.CharField(_("erreur d'envoi"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["assembly", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "person"], name="convocation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.assembly}"


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("Présent·e")
    ONLINE = "online", _("En ligne")


class AttendanceStatus(models.TextChoices):
    """How an associate took part, as the attendance sheet shows it (computed)."""

    IN_PERSON = "in_person", _("Présent·e")
    ONLINE = "online", _("En ligne")
    REPRESENTED = "represented", _("Représenté·e")
    ABSENT = "absent", _("Absent·e")


class Attendance(models.Model):
    """An associate's signature on the attendance sheet, drawn on a tablet or online."""

    class Via(models.TextChoices):
        TABLET = "tablet", _("Tablette (en salle)")
        ONLINE = "online", _("En ligne")

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("associé·e"), on_delete=models.PROTECT, related_name="attendances"
    )
    mode = models.CharField(_("présence"), max_length=10, choices=AttendanceMode.choices)
    via = models.CharField(_("signé sur"), max_length=8, choices=Via.choices)
    # Kept in the database rather than as a file: it is small and must roll back with the row.
    signature_png = models.BinaryField(_("signature (PNG)"))
    signature_sha256 = models.CharField(_("empreinte de la signature"), max_length=64)
    signed_at = models.DateTimeField(_("signé le"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recueilli par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("feuille de présence")
        ordering = ["assembly", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "person"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_mode_display()})"


class Proxy(models.Model):
    """A proxy (pouvoir) an associate gives another associate for one assembly."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="proxies"
    )
    grantor = models.ForeignKey(
        Person, verbose_name=_("mandant·e"), on_delete=models.PROTECT, related_name="proxies_given"
    )
    holder = models.ForeignKey(
        Person, verbose_name=_("mandataire"), on_delete=models.PROTECT, related_name="proxies_held"
    )
    given_at = models.DateTimeField(_("donné le"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_reason = models.CharField(_("motif de révocation"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("procuration")
        verbose_name_plural = _("procurations")
        ordering = ["assembly", "given_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "grantor"],
                condition=Q(revoked_at__isnull=True),
                name="proxy_one_active_per_grantor",
            ),
            models.CheckConstraint(condition=~Q(grantor=F("holder")), name="proxy_not_to_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.grantor} → {self.holder}"


# --- resolutions and votes -------------------------------------------------------------


class Majority(models.TextChoices):
    """The majority a resolution needs, among the votes cast (for + against)."""

    SIMPLE = "simple", _("Majorité simple")
    TWO_THIRDS = "two_thirds", _("Majorité des deux tiers")
    THREE_QUARTERS = "three_quarters", _("Majorité des trois quarts")


class Choice(models.TextChoices):
    FOR = "for", _("Pour")
    AGAINST = "against", _("Contre")
    ABSTAIN = "abstain", _("Abstention")


class Resolution(TimeStampedModel):
    """A resolution put to the vote; its tally and outcome are computed when the vote closes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Proposée")
        OPEN = "open", _("Vote ouvert")
        CLOSED = "closed", _("Vote clos")

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="resolutions"
    )
    position = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("titre"), max_length=255)
    text = models.TextField(_("texte"))
    majority = models.CharField(
        _("majorité requise"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE
    )
    secret = models.BooleanField(_("vote à bulletin secret"), default=False)
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(_("vote ouvert le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("vote clos le"), null=True, blank=True)
    # Written only by the service that closes the vote: computed, never typed.
    votes_for = models.PositiveIntegerField(_("pour"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("contre"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    adopted = models.BooleanField(_("adoptée"), null=True, blank=True)

    class Meta:
        verbose_name = _("résolution")
        verbose_name_plural = _("résolutions")
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "position"], name="resolution_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Vote(models.Model):
    """An open (non-secret) vote of one associate on a resolution, cast by them or their proxy."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("En ligne")
        ROOM = "room", _("En salle (relevé par la présidence)")

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("résolution"), on_delete=models.CASCADE, related_name="votes"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("associé·e"), on_delete=models.PROTECT, related_name="+"
    )
    cast_by = models.ForeignKey(
        Person, verbose_name=_("exprimé par"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["resolution", "person"], name="vote_one_per_associate")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.resolution}"


class Ballot(models.Model):
    """A secret ballot: a choice and nothing that leads back to the voter (see docs/adr/0006).

    No foreign key to a person, no timestamp, a random UUID key, and the resolution's
    ballots are rewritten in random order at every cast, so that neither ids nor the
    physical row order tell who voted when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("résolution"), on_delete=models.CASCADE, related_name="ballots"
    )
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    # HMAC of the voter's secret code: only the holder of the code finds (and changes) it.
    key_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("bulletin secret")
        verbose_name_plural = _("bulletins secrets")
        default_permissions = ()

    def __str__(self) -> str:
        return str(_("Bulletin secret"))


class VoteReceipt(models.Model):
    """That an associate has voted on a secret resolution (who, never what)."""

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("résolution"), on_delete=models.CASCADE,
        related_name="receipts",
    )  # fmt: skip
    person = models.ForeignKey(
        Person, verbose_name=_("associé·e"), on_delete=models.PROTECT, related_name="+"
    )
    cast_by = models.ForeignKey(
        Person, verbose_name=_("exprimé par"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("émargement de vote")
        verbose_name_plural = _("émargements de vote")
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "person"], name="receipt_one_per_associate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.resolution}"


class RoomTally(models.Model):
    """The counts of a show of hands (or a paper ballot) in the room, recorded by the chair."""

    resolution = models.OneToOneField(
        Resolution,
        verbose_name=_("résolution"),
        on_delete=models.CASCADE,
        related_name="room_tally",
    )
    votes_for = models.PositiveIntegerField(_("pour"), default=0)
    votes_against = models.PositiveIntegerField(_("contre"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("relevé par"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("décompte en salle")
        verbose_name_plural = _("décomptes en salle")

    def __str__(self) -> str:
        return f"{_('Décompte en salle')} — {self.resolution}"

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


# --- signed minutes -------------------------------------------------------------------


class ImmutableRecordError(Exception):
    """A minutes signature or frozen minutes cannot be changed or deleted once recorded."""


class _ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError("an immutable record cannot be changed")

    def delete(self):
        raise ImmutableRecordError("an immutable record cannot be deleted")


class _ImmutableManager(models.Manager.from_queryset(_ImmutableQuerySet)):  # type: ignore[misc]
    def bulk_update(self, *args, **kwargs):
        raise ImmutableRecordError("an immutable record cannot be changed")


class _Immutable(models.Model):
    objects = _ImmutableManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableRecordError("an immutable record cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("an immutable record cannot be deleted")


class SignatoryRole(models.TextChoices):
    CHAIR = "chair", _("Président·e de séance")
    SECRETARY = "secretary", _("Secrétaire de séance")


class MinutesSignature(_Immutable):
    """The chair's or the secretary's signature of an assembly's minutes; never changed afterwards."""

    class Method(models.TextChoices):
        DRAWN = "drawn", _("Signature dessinée")
        ONLINE = "online", _("Signature en ligne (compte connecté)")
        PAPER = "paper", _("Procès-verbal papier signé, enregistré a posteriori")

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE,
        related_name="minutes_signatures",
    )  # fmt: skip
    role = models.CharField(_("qualité"), max_length=10, choices=SignatoryRole.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("signataire"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("mode de signature"), max_length=8, choices=Method.choices)
    signed_at = models.DateTimeField(_("signé le"))
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    image_png = models.BinaryField(_("image de la signature (PNG)"), blank=True, default=b"")
    image_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("signature du procès-verbal")
        verbose_name_plural = _("signatures du procès-verbal")
        ordering = ["assembly", "role"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "role"], name="minutes_signature_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.person} — {self.assembly}"


class Minutes(_Immutable):
    """The signed minutes of an assembly, frozen as a PDF with its SHA-256: never regenerated."""

    assembly = models.OneToOneField(
        Assembly, verbose_name=_("assemblée"), on_delete=models.CASCADE, related_name="minutes"
    )
    pdf = models.BinaryField(_("procès-verbal (PDF)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    frozen_at = models.DateTimeField(_("figé le"))

    class Meta:
        verbose_name = _("procès-verbal signé")
        verbose_name_plural = _("procès-verbaux signés")

    def __str__(self) -> str:
        return f"{_('Procès-verbal')} — {self.assembly}"


# --- the board -------------------------------------------------------------------------


class MandateRole(models.TextChoices):
    BOARD_MEMBER = "board_member", _("Administrateur·rice")
    CO_PRESIDENT = "co_president", _("Co-président·e")
    DIRECTOR_GENERAL = "director_general", _("Directeur·rice général·e")
    DEPUTY_DIRECTOR_GENERAL = "deputy_dg", _("Directeur·rice général·e délégué·e")


class Mandate(TimeStampedModel):
    """An office held by a person for a period: board member, co-president, general direction."""

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="mandates"
    )
    role = models.CharField(_("fonction"), max_length=20, choices=MandateRole.choices)
    start_date = models.DateField(_("début"))
    # Exclusive, like an associateship's end: the day the person is no longer in office.
    end_date = models.DateField(_("fin du mandat le"), null=True, blank=True)
    elected_by = models.ForeignKey(
        Assembly, verbose_name=_("élu·e par l'assemblée"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="elections",
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["role", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="mandate_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.person}"

    def is_running_at(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)
