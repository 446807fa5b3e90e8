"""Forms of the business pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.businesses.models import Business
from alveole.coop.models import Sector
from alveole.people.models import Person, PersonKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BusinessFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Secteur"), required=False, queryset=Sector.objects.all(), empty_label=_("Tous")
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous")), *Business.Kind.choices]
    )
    active = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Toutes")), ("yes", _("En activité")), ("no", _("Terminées"))],
    )

    def filters_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "sector": data["sector"].pk if data.get("sector") else None,
            "kind": data.get("kind") or "",
            "active": {"yes": True, "no": False}.get(data.get("active") or ""),
        }


def _entrepreneurs():
    return Person.objects.filter(kind=PersonKind.ENTREPRENEUR).order_by("last_name", "first_name")


class BusinessCreateForm(forms.ModelForm):
    main_person = forms.ModelChoiceField(
        label=_("Entrepreneur·e principal·e"), queryset=Person.objects.none(), required=False
    )

    class Meta:
        model = Business
        fields = ["name", "code", "kind", "sector", "description", "start_date"]
        widgets = {"start_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["main_person"].queryset = _entrepreneurs()
        self.fields["sector"].queryset = Sector.objects.filter(active=True)

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()


class BusinessEditForm(forms.ModelForm):
    class Meta:
        model = Business
        fields = ["name", "sector", "description", "start_date", "end_date"]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class MembershipForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Entrepreneur·e"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("Depuis le"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _entrepreneurs()
