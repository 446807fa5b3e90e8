"""Forms of the people pages: filters, identity, and one form per path event."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.coop.models import Office, Sector
from alveole.core.dates import today
from alveole.core.roles import Role
from alveole.people.models import (
    Associateship,
    Contract,
    EntrySituation,
    Exit,
    IntakeInterview,
    Person,
    PersonKind,
    Status,
    User,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEPARTMENT_CHOICES = [
    ("", _("Tous")),
    ("32", "32 — Gers"),
    ("65", "65 — Hautes-Pyrénées"),
    ("64", "64 — Pyrénées-Atlantiques"),
    ("31", "31 — Haute-Garonne"),
    ("other", _("Autres")),
]


def staff_users():
    return User.objects.filter(role__in=[Role.STAFF, Role.DIRECTOR], is_active=True).select_related(
        "person"
    )


class PeopleFilterForm(forms.Form):
    """The filters of the people list; an invalid value is ignored with a message."""

    q = forms.CharField(label=_("Recherche"), required=False)
    at = forms.DateField(label=_("Statut au"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous")), *PersonKind.choices]
    )
    sector = forms.ModelChoiceField(
        label=_("Secteur"), required=False, queryset=Sector.objects.all(), empty_label=_("Tous")
    )
    office = forms.ModelChoiceField(
        label=_("Établissement"),
        required=False,
        queryset=Office.objects.all(),
        empty_label=_("Tous"),
    )
    department = forms.ChoiceField(
        label=_("Département"), required=False, choices=DEPARTMENT_CHOICES
    )
    follow_up_staff = forms.ModelChoiceField(
        label=_("Accompagnateur·rice"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Tous"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_staff"].queryset = staff_users()

    def filters_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "at": data.get("at") or today(),
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "kind": data.get("kind") or "",
            "sector": data["sector"].pk if data.get("sector") else None,
            "office": data["office"].pk if data.get("office") else None,
            "department": data.get("department") or "",
            "follow_up_staff": data["follow_up_staff"].pk if data.get("follow_up_staff") else None,
        }


class PersonForm(forms.ModelForm):
    """Identity, contact and demographics of a person."""

    class Meta:
        model = Person
        fields = [
            "kind", "first_name", "last_name", "birth_date", "email", "phone", "address", "postal_code",
            "city", "department", "entry_situation", "has_other_income", "office", "follow_up_staff", "notes",
        ]  # fmt: skip
        widgets = {
            "birth_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "has_other_income": forms.NullBooleanSelect(),
        }
        help_texts = {"department": _("Déduit du code postal s'il est laissé vide.")}

    def __init__(self, *args, show_sensitive: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_up_staff"].queryset = staff_users()
        self.fields["entry_situation"].choices = [("", "—"), *EntrySituation.choices]
        if not show_sensitive:
            del self.fields["entry_situation"]


class IntakeInterviewForm(forms.Form):
    date = forms.DateField(label=_("Date de l'entretien"), widget=DATE_WIDGET)
    decision = forms.ChoiceField(label=_("Décision"), choices=IntakeInterview.Decision.choices)
    interviewer = forms.ModelChoiceField(
        label=_("Reçu·e par"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Motif"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = staff_users()


class InformationMeetingForm(forms.Form):
    date = forms.DateField(label=_("Date de la réunion"), widget=DATE_WIDGET)
    office = forms.ModelChoiceField(
        label=_("Établissement"), queryset=Office.objects.all(), required=False
    )


class CapeStartForm(forms.Form):
    start_date = forms.DateField(label=_("Début du CAPE"), widget=DATE_WIDGET)
    planned_end_date = forms.DateField(
        label=_("Fin prévue"), widget=DATE_WIDGET, help_text=_("12 mois au plus.")
    )


class ContractChoiceMixin(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contrat"), queryset=Contract.objects.none())

    def __init__(self, *args, person: Person, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = person.contracts.filter(
            kind__in=kinds, end_date__isnull=True
        )


class CapeRenewForm(ContractChoiceMixin):
    date = forms.DateField(label=_("Date du renouvellement"), widget=DATE_WIDGET)
    new_planned_end_date = forms.DateField(label=_("Nouvelle fin prévue"), widget=DATE_WIDGET)


class CesaStartForm(forms.Form):
    start_date = forms.DateField(label=_("Début du CESA"), widget=DATE_WIDGET)
    monthly_hours = forms.DecimalField(
        label=_("Heures par mois"), min_value=0, max_digits=6, decimal_places=2
    )


class CesaAmendForm(ContractChoiceMixin):
    date = forms.DateField(label=_("Date d'effet de l'avenant"), widget=DATE_WIDGET)
    monthly_hours = forms.DecimalField(
        label=_("Nouvelles heures par mois"), min_value=0, max_digits=6, decimal_places=2
    )


class ContractEndForm(ContractChoiceMixin):
    end_date = forms.DateField(label=_("Date de fin"), widget=DATE_WIDGET)


class AssociateJoinForm(forms.Form):
    date = forms.DateField(label=_("Devient associé·e le"), widget=DATE_WIDGET)


class AssociateLeaveForm(forms.Form):
    associateship = forms.ModelChoiceField(
        label=_("Sociétariat"), queryset=Associateship.objects.none()
    )
    date = forms.DateField(label=_("Cesse d'être associé·e le"), widget=DATE_WIDGET)

    def __init__(self, *args, person: Person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["associateship"].queryset = person.associateships.filter(end_date__isnull=True)


class ExitForm(forms.Form):
    date = forms.DateField(label=_("Date de sortie"), widget=DATE_WIDGET)
    outcome = forms.ChoiceField(label=_("Devenir"), choices=Exit.Outcome.choices)
    reason = forms.CharField(
        label=_("Motif"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StaffContractForm(forms.Form):
    start_date = forms.DateField(label=_("Début du contrat"), widget=DATE_WIDGET)
    monthly_hours = forms.DecimalField(
        label=_("Heures par mois"), min_value=0, max_digits=6, decimal_places=2, initial="151.67"
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Par exemple : « script de relances »."),
    )
