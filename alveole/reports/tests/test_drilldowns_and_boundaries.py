"""Drill-down totals equal the figures; the boundary cases of the issue, one by one."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from alveole.people.models import Status
from alveole.people.services import cape_start, contract_end
from alveole.reports.figures import report_compute
from alveole.reports.records import RECORD_KEYS, figure_records
from tests.factories import make_person

D = datetime.date
E = Decimal

#: For each figure with a list: which column of the export adds up to it ("" = count rows).
SUMMED_COLUMNS = {
    "entrepreneurs_turnover": ["HT (avoirs en négatif)"],
    "internal_turnover": ["HT (avoirs en négatif)"],
    "external_services": ["HT (avoirs en négatif)"],
    "wage_bill": ["Brut"],
    "paid_hours": ["Heures payées"],
    "social_contributions": ["Cotisations salariales", "Cotisations patronales"],
}


def _export(client, key):
    response = client.get(f"/report/2025/figures/{key}/?format=csv")
    assert response.status_code == 200, key
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def test_every_drilldown_total_equals_its_figure(coop_2025):
    figures = report_compute(year=2025).figures
    client = coop_2025.staff.client
    for key in sorted(RECORD_KEYS):
        header, rows = _export(client, key)
        value = figures[key].value
        if key in SUMMED_COLUMNS:
            columns = [header.index(name) for name in SUMMED_COLUMNS[key]]
            total = sum((E(row[c]) for row in rows for c in columns), E(0))
            assert total == value, key
        elif key == "associates":
            assert len(rows) == value["total"]
        elif isinstance(value, dict):  # a breakdown of the members: its parts add up to the list
            assert len(rows) == sum(value.values()) == figures["members"].value, key
        else:
            assert len(rows) == value, key
    # the page shows the same total as the figure
    html = client.get("/report/2025/figures/entrepreneurs_turnover/").content.decode()
    assert '<strong id="records-total">2\u202f400\u202f€</strong>' in html
    assert "6 enregistrements" in html  # 5 invoices of 2025 and the credit note of February


def test_figure_lists_are_for_staff_roles(coop_2025):
    assert coop_2025.entrepreneur.client.get("/report/2025/figures/members/").status_code == 403
    assert coop_2025.accountant.client.get("/report/2025/figures/members/").status_code == 200
    assert coop_2025.staff.client.get("/report/2025/figures/nothing/").status_code == 404


def _names(key, year=2025):
    return sorted(str(row) for row in figure_records(key, year).rows)


def test_a_contract_from_1_january_to_31_december_counts_in_its_year(coop_2025):
    # Dan: CAPE from 1 January to 31 December 2025
    assert "Dan" in " ".join(_names("integrated"))
    assert "Dan" in " ".join(_names("members"))
    assert "Dan" not in " ".join(_names("members", 2024))
    assert "Dan" not in " ".join(_names("integrated", 2026))


def test_a_credit_note_counts_in_the_year_it_is_issued(coop_2025):
    assert report_compute(year=2025).figures["entrepreneurs_turnover"].value == E("2400.00")
    # 2026: only the credit note of 10 January on a 2025 invoice
    assert report_compute(year=2026).figures["entrepreneurs_turnover"].value == E("-50.00")
    # and 2024's turnover keeps the invoice the 2025 credit note corrects
    assert report_compute(year=2024).figures["entrepreneurs_turnover"].value == E("500.00")


def test_an_entrepreneur_becoming_associate_during_the_year(coop_2025):
    figures = report_compute(year=2025).figures
    # Carol, associate from 1 June: her April sale counts as CESA, her July sale as associate
    split = figures["entrepreneurs_turnover_by_status"].value
    assert split == {"cape_and_salaried": E("1400.00"), "associate": E("1000.00")}
    assert figures["associates_joined"].value == 1
    assert figures["members_by_status"].value["associate"] == 1  # at 31 December


def test_internal_sales_are_in_the_turnover_and_apart(coop_2025):
    figures = report_compute(year=2025).figures
    assert figures["internal_turnover"].value == E("200.00")
    internal = {i.number for i in figure_records("internal_turnover", 2025).rows}
    everything = {i.number for i in figure_records("entrepreneurs_turnover", 2025).rows}
    assert internal and internal <= everything


@pytest.mark.django_db
def test_a_person_who_left_and_came_back(personas):
    person = make_person(first_name="Revenu", last_name="Deux-fois")
    first = cape_start(
        actor=None, person=person, start_date=D(2023, 1, 1), planned_end_date=D(2023, 12, 31)
    )
    contract_end(actor=None, contract=first, end_date=D(2023, 6, 30))
    cape_start(actor=None, person=person, start_date=D(2025, 3, 1), planned_end_date=D(2026, 2, 1))
    assert person.status_at(D(2024, 6, 1)) == Status.EXITED
    assert person.status_at(D(2025, 12, 31)) == Status.CAPE
    assert "Revenu Deux-fois" in _names("integrated", 2023)
    assert "Revenu Deux-fois" not in _names("integrated", 2025)  # integrated once, in 2023
    assert "Revenu Deux-fois" in _names("members", 2025)
    assert "Revenu Deux-fois" not in _names("members", 2024)
