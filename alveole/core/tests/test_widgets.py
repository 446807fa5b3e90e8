"""FastSelect writes the HTML of Django's Select (without the blank lines between tags)."""

from __future__ import annotations

import re

import pytest
from django import forms

from alveole.core.widgets import FastSelect

CHOICES = [
    ("", "Tous"),
    (1, "Activité <b>1</b> & co"),
    (2, "L'atelier « 2 »"),
    ("Archivées", [(3, "Ancienne"), (4, 'Guillemets "doubles"')]),
]


@pytest.mark.parametrize("value", [None, "", 2, "3", [4]])
@pytest.mark.parametrize(
    "attrs",
    [None, {"class": "form-select form-select-sm", "required": True, "disabled": False}],
)
def test_the_same_html_as_django_select(value, attrs):
    slow = forms.Select(choices=CHOICES, attrs={"data-x": '"q"'})
    fast = FastSelect(choices=CHOICES, attrs={"data-x": '"q"'})
    expected = slow.render("business", value, attrs={"id": "id_business", **(attrs or {})})
    got = fast.render("business", value, attrs={"id": "id_business", **(attrs or {})})
    # The same markup; Django's templates only add line breaks between the tags.
    assert got == re.sub(r">\s+<", "><", expected)


def test_the_filter_form_of_sales_lists_uses_it(db):
    from alveole.sales.forms import FilterForm

    form = FilterForm(user=None, statuses=[("issued", "Émise")])
    assert type(form.fields["business"].widget) is FastSelect
    assert type(form.fields["status"].widget) is FastSelect
    assert '<option value="issued">Émise</option>' in str(form["status"])
