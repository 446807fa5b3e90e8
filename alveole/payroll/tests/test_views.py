"""Payroll pages for every persona: scoping, refused writes change nothing, query counts,
exports, French messages."""

import csv
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.businesses.services import business_create
from alveole.core.models import AuditEvent
from alveole.payroll.models import ContributionRule, PayrollCharge, PayrollRecord
from alveole.payroll.services import payroll_record_create
from alveole.payroll.tests.helpers import make_record, make_rule
from tests.factories import make_business, make_entrepreneur, make_staff_person

pytestmark = pytest.mark.django_db

D = datetime.date
ALL = ("entrepreneur", "other_entrepreneur", "staff", "accountant", "director")
WRITERS = ("staff", "accountant", "director")


@pytest.fixture
def records(personas):
    """A month of pay for Alice, Bob, Sacha (staff) and a staff colleague."""
    business_create(
        actor=None,
        name="Structure",
        code="STRUCT",
        kind="support_structure",
        start_date=D(2020, 1, 1),
    )
    colleague = make_staff_person(first_name="Camille", last_name="Collègue")
    return {
        "alice": make_record(personas.entrepreneur.person),
        "bob": make_record(
            personas.other_entrepreneur.person, gross_cents=150_000, net_cents=120_000
        ),
        "sacha": make_record(personas.staff.person, gross_cents=250_000, net_cents=195_000),
        "camille": make_record(colleague, gross_cents=260_000, net_cents=200_000),
    }


def persona(personas, name):
    return getattr(personas, name)


def state():
    return (
        PayrollRecord.objects.count(),
        PayrollCharge.objects.count(),
        sorted(PayrollRecord.objects.values_list("gross_cents", flat=True)),
        AuditEvent.objects.exclude(action="export").count(),
    )


NAMES = ("Alice Martin", "Bob Durand", "Sacha Appui", "Camille Collègue")


def names_in(response):
    """The people of the listed records (the filter's choices list names too)."""
    return {str(record.person) for record in response.context["page"]}


def names_on_page(response):
    body = response.content.decode()
    return {name for name in NAMES if name in body}


def text(response):
    """The page as a reader sees it (HTML entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("entrepreneur", {"Alice Martin"}),
        ("other_entrepreneur", {"Bob Durand"}),
        ("staff", {"Alice Martin", "Bob Durand", "Sacha Appui"}),
        ("accountant", {"Alice Martin", "Bob Durand", "Sacha Appui", "Camille Collègue"}),
        ("director", {"Alice Martin", "Bob Durand", "Sacha Appui", "Camille Collègue"}),
    ],
)
def test_list_is_scoped(personas, records, who, seen):
    response = persona(personas, who).client.get(reverse("payroll:list"))
    assert response.status_code == 200
    assert names_in(response) == seen
    if who in ("entrepreneur", "other_entrepreneur"):
        assert names_on_page(response) == seen  # no filter lists other people


def test_anonymous_is_sent_to_login(personas, records):
    for name in ("list", "create", "import", "simulator", "rates", "rules", "rule_create"):
        response = personas.anonymous.client.get(reverse(f"payroll:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_totals_of_filtered_rows(personas, records):
    response = personas.director.client.get(
        reverse("payroll:list"), {"kind": "entrepreneur", "year": 2026, "month": 3}
    )
    totals = response.context["totals"]
    assert totals["count"] == 2
    assert totals["gross_cents"] == 182_303 + 150_000
    assert totals["paid_hours"] == Decimal("303.34")
    body = response.content.decode()
    assert "3\u202f323,03\u202f€" in body  # 1 823,03 + 1 500,00
    response = personas.director.client.get(
        reverse("payroll:list"), {"business": personas.other_entrepreneur.business.pk}
    )
    assert names_in(response) == {"Bob Durand"}
    response = personas.director.client.get(reverse("payroll:list"), {"year": 2025})
    assert response.context["totals"]["count"] == 0


def test_list_query_count_is_constant(personas, records):
    client = personas.director.client
    client.get(reverse("payroll:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:list"))
    for n in range(8):
        person = make_entrepreneur(first_name=f"P{n}")
        make_business(person)
        make_record(person)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("payroll:list"))
    assert response.context["totals"]["count"] == 12
    assert len(many) == len(few)


def test_export_is_scoped_and_audited(personas, records):
    response = personas.entrepreneur.client.get(reverse("payroll:list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Mois", "Nom", "Prénom", "Brut"]
    assert [r[1] for r in rows[1:]] == ["Martin"]
    assert rows[1][3] == "1823.03"
    assert rows[1][10] == "ALICE=1867.81"
    assert (
        AuditEvent.objects.filter(action="export", target_type="payroll.payrollrecord").count() == 1
    )
    response = personas.accountant.client.get(reverse("payroll:list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- entry ----------------------------------------------------------------------------------


def form_data(person, **overrides):
    data = {
        "person": person.pk, "month": "2026-04", "gross": "1823.03", "employee_contributions": "379.94",
        "employer_contributions": "770.53", "reduction": "725.75", "net": "1443.09", "paid_hours": "151.67",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", WRITERS)
def test_writers_enter_an_entrepreneur_s_pay(personas, records, who):
    client = persona(personas, who).client
    assert client.get(reverse("payroll:create")).status_code == 200
    response = client.post(reverse("payroll:create"), form_data(personas.entrepreneur.person))
    assert response.status_code == 302
    record = PayrollRecord.objects.get(person=personas.entrepreneur.person, month=D(2026, 4, 1))
    assert record.employer_cost_cents == 186_781
    assert list(record.charges.values_list("business__code", "amount_cents")) == [
        ("ALICE", 186_781)
    ]


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_entrepreneurs_cannot_write(personas, records, who):
    client = persona(personas, who).client
    before = state()
    assert client.get(reverse("payroll:create")).status_code == 403
    assert (
        client.post(reverse("payroll:create"), form_data(personas.entrepreneur.person)).status_code
        == 403
    )
    record = records["alice"]
    assert (
        client.post(
            reverse("payroll:edit", args=[record.pk]),
            form_data(personas.entrepreneur.person, month="2026-03", gross="9999"),
        ).status_code
        == 403
    )
    assert client.post(reverse("payroll:delete", args=[record.pk])).status_code == 403
    assert client.get(reverse("payroll:import")).status_code == 403
    assert state() == before


def test_staff_cannot_touch_the_support_team_s_pay(personas, records):
    client = personas.staff.client
    before = state()
    camille, sacha = records["camille"], records["sacha"]
    response = client.post(reverse("payroll:create"), form_data(camille.person))
    assert response.status_code == 400  # not among the choices
    assert "Sélectionnez un choix valide" in text(response)
    assert client.get(reverse("payroll:edit", args=[camille.pk])).status_code == 404
    assert client.post(reverse("payroll:delete", args=[camille.pk])).status_code == 404
    assert client.get(reverse("payroll:edit", args=[sacha.pk])).status_code == 403  # their own
    assert client.post(reverse("payroll:delete", args=[sacha.pk])).status_code == 403
    assert state() == before
    # The direction can.
    assert (
        personas.director.client.get(reverse("payroll:edit", args=[camille.pk])).status_code == 200
    )


def test_bad_input_gives_french_messages_and_writes_nothing(personas, records):
    before = state()
    client = personas.accountant.client
    response = client.post(
        reverse("payroll:create"), form_data(personas.entrepreneur.person, net="2000")
    )
    assert response.status_code == 400
    assert "Le net ne peut pas dépasser le brut." in text(response)
    response = client.post(
        reverse("payroll:create"), form_data(personas.entrepreneur.person, month="2026-03")
    )
    assert "La paie de Alice Martin pour mars 2026 est déjà enregistrée." in text(response)
    response = client.post(
        reverse("payroll:create"), form_data(personas.entrepreneur.person, month="mars")
    )
    assert "Saisissez une date valide." in text(response)
    response = client.post(
        reverse("payroll:create"),
        form_data(personas.entrepreneur.person, business_1=personas.entrepreneur.business.pk, amount_1="1000",
                  business_2=personas.other_entrepreneur.business.pk, amount_2="800"),
    )  # fmt: skip
    assert "au lieu du coût employeur, 1\u202f867,81\u202f€" in text(response)
    response = client.post(
        reverse("payroll:create"), form_data(personas.entrepreneur.person, amount_2="10")
    )
    assert "Choisissez l'activité de ce montant." in text(response)
    assert state() == before


def test_split_between_two_businesses(personas, records):
    response = personas.director.client.post(
        reverse("payroll:create"),
        form_data(personas.entrepreneur.person, business_1=personas.entrepreneur.business.pk, amount_1="1000",
                  business_2=personas.other_entrepreneur.business.pk, amount_2="867.81"),
    )  # fmt: skip
    assert response.status_code == 302
    record = PayrollRecord.objects.get(month=D(2026, 4, 1))
    assert dict(record.charges.values_list("business__code", "amount_cents")) == {
        "ALICE": 100_000,
        "BOB": 86_781,
    }


def test_edit_and_delete(personas, records):
    record = records["alice"]
    client = personas.accountant.client
    response = client.get(reverse("payroll:edit", args=[record.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["gross"] == Decimal("1823.03")
    assert response.context["form"].initial["business_1"] == personas.entrepreneur.business.pk
    assert "amount_1" not in response.context["form"].initial  # the whole cost, whatever it becomes
    response = client.post(
        reverse("payroll:edit", args=[record.pk]),
        form_data(personas.entrepreneur.person, month="2026-03", employer_contributions="780.53",
                  business_1=personas.entrepreneur.business.pk),
    )  # fmt: skip
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.employer_contributions_cents == 78_053
    assert list(record.charges.values_list("amount_cents", flat=True)) == [187_781]
    assert client.post(reverse("payroll:delete", args=[record.pk])).status_code == 302
    assert not PayrollRecord.objects.filter(pk=record.pk).exists()


# --- import ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_import_page(personas, who):
    client = persona(personas, who).client
    response = client.get(reverse("payroll:import"))
    assert response.status_code == 200
    assert "paid_hours" in text(response)
    template = client.get(reverse("payroll:import"), {"template": "payroll", "format": "csv"})
    assert template.content.decode("utf-8-sig").startswith("month;gross;employee_contributions")


def test_import_refused_whole_on_the_page(personas):
    content = (
        "month;person_email;gross;employee_contributions;employer_contributions;net;paid_hours\n"
        "2026-03;alice@example.org;1823,03;379,94;770,53;1443,09;151,67\n"
        "2026-03;bob@example.org;1000;210;300;1200;70\n"
    )
    response = personas.accountant.client.post(
        reverse("payroll:import"),
        {"kind": "payroll", "file": SimpleUploadedFile("paie.csv", content.encode())},
    )
    assert response.status_code == 400
    assert "Ligne 3 : net : Le net ne peut pas dépasser le brut." in text(response)
    assert PayrollRecord.objects.count() == 0


# --- simulator and rates --------------------------------------------------------------------


@pytest.mark.parametrize("who", ALL)
def test_simulator_for_every_role(personas, who):
    client = persona(personas, who).client
    assert client.get(reverse("payroll:simulator")).status_code == 200


def test_simulator_from_a_budget(personas):
    response = personas.entrepreneur.client.get(
        reverse("payroll:simulator"),
        {"business": personas.entrepreneur.business.pk, "mode": "budget", "amount": "1867.81",
         "paid_hours": "151.67", "month": "2026-03"},
    )  # fmt: skip
    assert response.status_code == 200
    slip = response.context["simulation"].payslip
    assert (slip.gross_cents, slip.net_cents, slip.employer_cost_cents) == (
        182_303,
        144_309,
        186_781,
    )
    body = response.content.decode()
    assert "Assurance chômage" in body
    assert "1\u202f823,03\u202f€" in body
    assert "0,3981" in body


def test_simulator_refuses_someone_else_s_business(personas):
    response = personas.entrepreneur.client.get(
        reverse("payroll:simulator"),
        {"business": personas.other_entrepreneur.business.pk, "mode": "gross", "amount": "2000",
         "paid_hours": "151.67", "month": "2026-03"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["simulation"] is None
    assert "Sélectionnez un choix valide" in text(response)
    assert "Bob Conseil" not in text(response)


def test_simulator_without_rates_for_the_month(personas):
    response = personas.staff.client.get(
        reverse("payroll:simulator"),
        {"business": personas.entrepreneur.business.pk, "mode": "gross", "amount": "2000",
         "paid_hours": "151.67", "month": "2025-03"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Aucun paramètre de paie (SMIC, plafond) n'est en vigueur au 01/03/2025." in text(
        response
    )


@pytest.mark.parametrize("who", ALL)
def test_rates_page(personas, who):
    response = persona(personas, who).client.get(reverse("payroll:rates"), {"at": "2026-06-01"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "4\u202f005,00\u202f€" in body
    assert "Contribution au dialogue social" in body
    assert "0,016 %" in body


# --- contribution rules ---------------------------------------------------------------------


@pytest.fixture
def rules(personas, monkeypatch):
    from alveole.payroll import services

    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))
    monkeypatch.setattr("alveole.payroll.views.today", lambda: D(2026, 11, 26))
    return {
        "default": make_rule(),
        "alice": make_rule(
            business=personas.entrepreneur.business, rate=Decimal(8), effective_from=D(2026, 11, 1)
        ),
        "future": make_rule(rate=Decimal(11), effective_from=D(2027, 1, 1)),
    }


@pytest.mark.parametrize("who", ["staff", "accountant", "director"])
def test_rules_readable_by_the_cooperative_side(personas, rules, who):
    response = persona(personas, who).client.get(reverse("payroll:rules"))
    assert response.status_code == 200
    assert "AG du 10/12/2021, résolution 4" in text(response)


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_rules_hidden_from_entrepreneurs(personas, rules, who):
    client = persona(personas, who).client
    response = client.get(reverse("payroll:rules"))
    assert response.status_code == 403
    assert "AG du 10/12/2021" not in text(response)


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur", "staff"])
def test_rule_writes_refused(personas, rules, who):
    client = persona(personas, who).client
    before = list(ContributionRule.objects.values_list("pk", "rate", "effective_to"))
    assert client.get(reverse("payroll:rule_create")).status_code == 403
    data = {"base": "gross_margin", "rate": "12", "effective_from": "2027-02",
            "decision_reference": "AG", "decision_date": "2026-06-01"}  # fmt: skip
    assert client.post(reverse("payroll:rule_create"), data).status_code == 403
    assert client.post(reverse("payroll:rule_delete", args=[rules["future"].pk])).status_code == 403
    assert (
        client.post(
            reverse("payroll:rule_end", args=[rules["alice"].pk]), {"effective_to": "2027-03"}
        ).status_code
        == 403
    )
    assert list(ContributionRule.objects.values_list("pk", "rate", "effective_to")) == before


@pytest.mark.parametrize("who", ["accountant", "director"])
def test_rule_create_end_delete(personas, rules, who):
    client = persona(personas, who).client
    response = client.post(
        reverse("payroll:rule_create"),
        {"business": personas.other_entrepreneur.business.pk, "base": "gross_margin", "rate": "10.5",
         "effective_from": "2027-02", "effective_to": "2027-12", "decision_reference": "AG du 14/06/2026, résolution 2",
         "decision_date": "2026-06-14", "tier_threshold_1": "50000", "tier_rate_1": "8"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = ContributionRule.objects.get(business=personas.other_entrepreneur.business)
    assert (rule.effective_from, rule.effective_to, rule.rate) == (
        D(2027, 2, 1),
        D(2027, 12, 31),
        Decimal("10.5"),
    )
    assert list(rule.tiers.values_list("threshold_cents", "rate")) == [(5_000_000, Decimal(8))]
    response = client.post(
        reverse("payroll:rule_end", args=[rules["alice"].pk]), {"effective_to": "2027-03"}
    )
    assert response.status_code == 302
    rules["alice"].refresh_from_db()
    assert rules["alice"].effective_to == D(2027, 3, 31)
    assert client.post(reverse("payroll:rule_delete", args=[rules["future"].pk])).status_code == 302
    assert not ContributionRule.objects.filter(pk=rules["future"].pk).exists()
    # A rule in effect is not deleted: the message says why.
    response = client.post(reverse("payroll:rule_delete", args=[rules["default"].pk]), follow=True)
    assert "Une règle entrée en vigueur ne se supprime pas" in text(response)
    assert ContributionRule.objects.filter(pk=rules["default"].pk).exists()


def test_rule_form_bad_input(personas, rules):
    count = ContributionRule.objects.count()
    response = personas.director.client.post(
        reverse("payroll:rule_create"),
        {"base": "gross_margin", "rate": "12", "effective_from": "2026-09", "decision_reference": "AG",
         "decision_date": "2026-06-01", "tier_threshold_1": "50000"},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "Une tranche a un seuil et un taux." in body
    response = personas.director.client.post(
        reverse("payroll:rule_create"),
        {"base": "gross_margin", "rate": "12", "effective_from": "2026-09", "decision_reference": "AG",
         "decision_date": "2026-06-01"},
    )  # fmt: skip
    assert "Cette date réécrirait des mois passés" in text(response)
    assert ContributionRule.objects.count() == count


def test_rules_query_count_is_constant(personas, rules):
    client = personas.accountant.client
    client.get(reverse("payroll:rules"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:rules"))
    for n in range(6):
        business = make_business(make_entrepreneur())
        make_rule(
            business=business, effective_from=D(2027, 1 + n, 1), tiers=[(100_000, Decimal(5))]
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("payroll:rules"))
    assert len(many) == len(few)


def test_payroll_record_create_is_the_one_write_path():
    # The page, the API and the import all call the service (see their tests); nothing else
    # creates records.
    assert payroll_record_create.__module__ == "alveole.payroll.services"
