"""Forms of the governance pages; they validate input, the services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alveole.core.dates import today
from alveole.core.money import to_cents
from alveole.governance.models import (
    Assembly,
    AssemblyKind,
    Choice,
    Majority,
    MandateRole,
    ReleaseMethod,
)
from alveole.governance.selectors import associates_at
from alveole.people.models import Exit, Person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
INSTALLMENT_SLOTS = 4


def euros(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal(0), max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kwargs,
    )  # fmt: skip


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.last_name} {obj.first_name}"


class AtForm(forms.Form):
    """A date filter ("at"): the register, the capital and the board as they were that day."""

    at = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)

    def day(self) -> datetime.date:
        return (self.cleaned_data.get("at") if self.is_valid() else None) or today()


class SubscriptionForm(forms.Form):
    """Shares subscribed, what is paid at once, and the schedule of the rest."""

    person = PersonChoiceField(label=_("Associé·e"), queryset=Person.objects.none())
    date = forms.DateField(label=_("Date de souscription"), widget=DATE_WIDGET, initial=today)
    shares = forms.IntegerField(label=_("Nombre de parts"), min_value=1)
    nominal = euros(_("Valeur nominale d'une part (€)"))
    paid = euros(_("Montant libéré à la souscription (€)"), initial=Decimal(0))
    release_method = forms.ChoiceField(label=_("Moyen de paiement"), choices=ReleaseMethod.choices)

    def __init__(self, *args: Any, people, nominal_cents: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["nominal"].initial = Decimal(nominal_cents) / 100
        for slot in range(1, INSTALLMENT_SLOTS + 1):
            self.fields[f"due_{slot}"] = forms.DateField(
                label=_("Échéance %(n)s") % {"n": slot}, required=False, widget=DATE_WIDGET
            )
            self.fields[f"amount_{slot}"] = euros(
                _("Montant de l'échéance %(n)s (€)") % {"n": slot}, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for slot in range(1, INSTALLMENT_SLOTS + 1):
            due, amount = data.get(f"due_{slot}"), data.get(f"amount_{slot}")
            if bool(due) != bool(amount):
                self.add_error(f"due_{slot}", _("Indiquez la date et le montant de l'échéance."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        schedule = [
            (data[f"due_{slot}"], to_cents(data[f"amount_{slot}"]))
            for slot in range(1, INSTALLMENT_SLOTS + 1)
            if data.get(f"due_{slot}") and data.get(f"amount_{slot}")
        ]
        return {
            "person": data["person"],
            "date": data["date"],
            "shares": data["shares"],
            "nominal_cents": to_cents(data["nominal"]),
            "paid_cents": to_cents(data["paid"] or Decimal(0)),
            "schedule": schedule,
            "release_method": data["release_method"],
        }


def admissible_people():
    """People who could become associates: not exited, not associates today."""
    current = associates_at(today()).values("pk")
    return (
        Person.objects.exclude(pk__in=current)
        .exclude(pk__in=Exit.objects.values("person_id"))
        .order_by("last_name", "first_name")
    )


class ReleaseForm(forms.Form):
    date = forms.DateField(label=_("Date du paiement"), widget=DATE_WIDGET, initial=today)
    amount = euros(_("Montant (€)"))
    method = forms.ChoiceField(label=_("Moyen de paiement"), choices=ReleaseMethod.choices)


class RefundForm(forms.Form):
    date = forms.DateField(
        label=_("Parts annulées le"), widget=DATE_WIDGET, required=False,
        help_text=_("Par défaut, le jour de la sortie du sociétariat."),
    )  # fmt: skip
    amount = euros(
        _("Montant à rembourser (€)"), required=False,
        help_text=_("Par défaut, tout le montant libéré."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Motif d'un remboursement réduit"), required=False, max_length=255
    )


class RefundPayForm(forms.Form):
    paid_on = forms.DateField(label=_("Remboursé le"), widget=DATE_WIDGET, initial=today)


class AssemblyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AssemblyKind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Date et heure"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("Lieu"), max_length=255, required=False)
    online = forms.BooleanField(label=_("Participation en ligne possible"), required=False)
    online_url = forms.URLField(label=_("Lien de la visioconférence"), required=False)
    previous = forms.ModelChoiceField(
        label=_("2e convocation de"), required=False, queryset=Assembly.objects.none(),
        help_text=_("Seulement si la 1re convocation n'a pas réuni le quorum."),
    )  # fmt: skip
    chair = PersonChoiceField(
        label=_("Président·e de séance"), required=False, queryset=Person.objects.none()
    )
    secretary = PersonChoiceField(
        label=_("Secrétaire de séance"), required=False, queryset=Person.objects.none()
    )

    def __init__(self, *args: Any, editing: Assembly | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = editing.date if editing is not None else today()
        self.fields["chair"].queryset = associates_at(day)
        self.fields["secretary"].queryset = associates_at(day)
        if editing is not None:
            del self.fields["previous"]
            if editing.status != Assembly.Status.DRAFT:
                for name in ("kind", "title", "starts_at", "place", "online"):
                    self.fields[name].disabled = True
        else:
            self.fields["previous"].queryset = Assembly.objects.filter(
                status=Assembly.Status.CLOSED, quorum_met=False, convocation_round=1
            )

    def clean_starts_at(self) -> datetime.datetime:
        value = self.cleaned_data["starts_at"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Point de l'ordre du jour"), max_length=255)
    description = forms.CharField(
        label=_("Précisions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre du document"), max_length=200)
    upload = forms.FileField(label=_("Fichier"))


class ProxyForm(forms.Form):
    """A proxy recorded by the staff (a paper proxy), or given online by the grantor."""

    grantor = PersonChoiceField(label=_("Associé·e représenté·e"), queryset=Person.objects.none())
    holder = PersonChoiceField(label=_("Mandataire"), queryset=Person.objects.none())

    def __init__(
        self, *args: Any, assembly: Assembly, grantor: Person | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        people = associates_at(assembly.date)
        self.fields["holder"].queryset = (
            people if grantor is None else people.exclude(pk=grantor.pk)
        )
        if grantor is None:
            self.fields["grantor"].queryset = people
        else:
            del self.fields["grantor"]


class SignatureForm(forms.Form):
    """A signature drawn on a canvas, posted as a PNG data URL by governance/signature.js."""

    signature = forms.CharField(widget=forms.HiddenInput, required=False)


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=255)
    text = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 5}))
    majority = forms.ChoiceField(label=_("Majorité requise"), choices=Majority.choices)
    secret = forms.BooleanField(label=_("Vote à bulletin secret"), required=False)


class RoomTallyForm(forms.Form):
    votes_for = forms.IntegerField(label=_("Pour"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("Contre"), min_value=0, initial=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)


class RoomVoteForm(forms.Form):
    person = PersonChoiceField(label=_("Associé·e"), queryset=Person.objects.none())
    choice = forms.ChoiceField(label=_("Vote"), choices=Choice.choices)

    def __init__(self, *args: Any, people, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class VoteForm(forms.Form):
    """One choice per voting right the participant holds; a code field on secret resolutions."""

    def __init__(
        self, *args: Any, rights: list[Person], voter: Person, secret: bool, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        for person in rights:
            label = (
                _("Mon vote")
                if person.pk == voter.pk
                else _("Au nom de %(person)s (procuration)") % {"person": person}
            )
            self.fields[f"choice_{person.pk}"] = forms.ChoiceField(
                label=label,
                choices=Choice.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        if secret:
            self.fields["secret_code"] = forms.CharField(
                label=_("Code secret de vote"), required=False, max_length=40,
                help_text=_(
                    "Donné à votre premier vote secret ; nécessaire pour le modifier "
                    "(mémorisé sur cet appareil)."
                ),
            )  # fmt: skip

    def choices(self) -> dict[int, str]:
        return {
            int(name.removeprefix("choice_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("choice_")
        }


class MandateForm(forms.Form):
    person = PersonChoiceField(label=_("Personne"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Fonction"), choices=MandateRole.choices)
    start_date = forms.DateField(label=_("Début"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("Fin prévue du mandat"), widget=DATE_WIDGET, required=False)
    elected_by = forms.ModelChoiceField(
        label=_("Élu·e par l'assemblée"), required=False, queryset=Assembly.objects.none(),
        help_text=_("Pour les administrateur·rices."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.exclude(
            pk__in=Exit.objects.values("person_id")
        ).order_by("last_name", "first_name")
        self.fields["elected_by"].queryset = Assembly.objects.filter(status=Assembly.Status.CLOSED)


class MandateEndForm(forms.Form):
    end_date = forms.DateField(label=_("Fin du mandat le"), widget=DATE_WIDGET, initial=today)


class SettingsForm(forms.Form):
    notice_days_first = forms.IntegerField(label=_("Délai de 1re convocation (jours)"), min_value=0)
    notice_days_second = forms.IntegerField(label=_("Délai de 2e convocation (jours)"), min_value=0)
    board_max_size = forms.IntegerField(label=_("Taille maximale du conseil"), min_value=0)
    share_nominal = euros(_("Valeur nominale d'une part (€)"))

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["share_nominal_cents"] = to_cents(data.pop("share_nominal"))
        return data
