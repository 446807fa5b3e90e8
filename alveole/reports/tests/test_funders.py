"""Funder statistics: counts with known answers on the small cooperative of conftest.py."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.http import QueryDict

from alveole.coop.models import Sector
from alveole.core.models import AuditEvent
from alveole.reports.funders import funder_businesses, funder_people
from alveole.support.models import Programme
from tests.factories import make_person

D = datetime.date
END = "2025-12-31"
MEMBERS = "status=cape&status=salaried&status=associate"


def names(query: str, user) -> list[str]:
    _filter, people = funder_people(data=QueryDict(query), user=user)
    return sorted(p.first_name for p in people)


def test_counts_by_status_age_situation_department_sector_exit(coop_2025):
    staff = coop_2025.staff.user
    assert names(f"at={END}&{MEMBERS}", staff) == ["Alice", "Bob", "Carol", "Dan"]
    assert names(f"at={END}&{MEMBERS}&age=61_or_more", staff) == ["Carol"]
    assert names(f"at={END}&{MEMBERS}&age=30_or_less", staff) == ["Dan"]
    assert names(f"at={END}&{MEMBERS}&entry_situation=rsa", staff) == ["Alice"]
    assert names(f"at={END}&{MEMBERS}&department=65", staff) == ["Carol"]
    assert names(f"at={END}&{MEMBERS}&department=65,+32", staff) == ["Alice", "Bob", "Carol", "Dan"]
    tic = Sector.objects.get(code="tic")
    assert names(f"at={END}&sector={tic.pk}", staff) == ["Carol"]
    assert names(f"at={END}&exit_outcome=business_creation", staff) == ["Eve"]
    assert names(f"at={END}&status=exited", staff) == ["Eve", "Frank"]
    # the status is the one at the date: on 1 March 2025 Eve was in CAPE, Frank salaried
    assert "Eve" in names("at=2025-03-01&status=cape", staff)
    assert "Frank" in names("at=2025-03-01&status=salaried", staff)


def test_programme_and_businesses(coop_2025):
    staff = coop_2025.staff.user
    programme = Programme.objects.create(name="Ateliers RSA", year=2025, funder="Département")
    programme.participants.add(coop_2025.entrepreneur.person)
    assert names(f"programme={programme.pk}", staff) == ["Alice"]
    _filter, associates = funder_people(data=QueryDict(f"at={END}&status=associate"), user=staff)
    assert [b.code for b in funder_businesses(associates)] == ["CAROL"]


@pytest.mark.django_db
def test_age_brackets_turn_on_the_birthday(personas):
    staff = personas.staff.user
    make_person(first_name="Demain", birth_date=D(1994, 7, 1))  # 30 on 30 June 2025
    make_person(first_name="Jour", birth_date=D(1994, 6, 30))  # 31 that very day
    assert "Demain" in names("at=2025-06-30&age=30_or_less", staff)
    assert "Jour" not in names("at=2025-06-30&age=30_or_less", staff)
    assert "Jour" in names("at=2025-06-30&age=31_40", staff)


def test_the_page_lists_counts_and_exports(coop_2025):
    client = coop_2025.staff.client
    html = client.get(f"/report/funders/?at={END}&{MEMBERS}&age=61_or_more").content.decode()
    assert "1 personne au 31/12/2025" in html
    assert "Carol" in html
    html = client.get(f"/report/funders/?population=businesses&at={END}&status=associate")
    assert "1 activité au 31/12/2025" in html.content.decode()
    response = client.get(f"/report/funders/?at={END}&{MEMBERS}&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[2] for row in rows[1:]) == ["Alice", "Bob", "Carol", "Dan"]
    assert AuditEvent.objects.filter(action="export", target_type="reports.funders.people").exists()
    response = client.get(f"/report/funders/?population=businesses&at={END}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_bad_criterion_is_refused_clearly(coop_2025):
    response = coop_2025.staff.client.get("/report/funders/?at=31-02-2025&age=99")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saisissez une date valide" in html or "date valide" in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff", 200), ("director", 200), ("accountant", 403), ("entrepreneur", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_who_may_build_funder_statistics(personas, who, expected):
    assert getattr(personas, who).client.get("/report/funders/").status_code == expected
