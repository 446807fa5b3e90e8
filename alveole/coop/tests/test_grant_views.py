"""Grant pages for every persona: read by the cooperative side, written by accountant and
direction; refused writes change nothing; query counts; export; French messages."""

import csv
import datetime
import html
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.businesses.models import Business
from alveole.businesses.services import business_create
from alveole.coop.models import Grant, GrantAllocation
from alveole.coop.services import grant_create
from alveole.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


def make_grant(**fields):
    values = {
        "funder_kind": "region", "funder_name": "Région Occitanie", "programme": "Création d'activités",
        "amount_cents": 3_000_000, "start_year": 2025, "end_year": 2026, "decision_date": datetime.date(2025, 2, 1),
    }  # fmt: skip
    values.update(fields)
    return grant_create(actor=None, **values)


def state():
    return (
        list(
            Grant.objects.order_by("pk").values_list(
                "pk", "amount_cents", "programme", "received_date"
            )
        ),
        list(GrantAllocation.objects.order_by("pk").values_list("year", "amount_cents")),
    )


FORM = {
    "funder_kind": "fse", "funder_name": "FSE+", "programme": "Inclusion", "amount": "45000.00",
    "start_year": "2025", "end_year": "2027", "decision_date": "2025-03-01", "received_date": "",
    "notes": "", "allocations": "",
}  # fmt: skip


@pytest.mark.parametrize("who", ["staff", "accountant", "director"])
def test_the_cooperative_side_reads_grants(personas, who):
    make_grant()
    response = getattr(personas, who).client.get(reverse("coop:grants"))
    assert response.status_code == 200
    assert "Création d'activités" in text(response)


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur"])
def test_entrepreneurs_do_not(personas, who):
    make_grant()
    response = getattr(personas, who).client.get(reverse("coop:grants"))
    assert response.status_code == 403
    assert "Création" not in text(response)


def test_anonymous_goes_to_login(personas):
    grant = make_grant()
    for url in (
        reverse("coop:grants"),
        reverse("coop:grant_create"),
        reverse("coop:grant_edit", args=[grant.pk]),
    ):
        response = personas.anonymous.client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["entrepreneur", "other_entrepreneur", "staff"])
def test_writes_refused(personas, who):
    grant = make_grant()
    client = getattr(personas, who).client
    before = state()
    audit = AuditEvent.objects.count()
    assert client.get(reverse("coop:grant_create")).status_code == 403
    assert client.post(reverse("coop:grant_create"), FORM).status_code == 403
    assert client.post(reverse("coop:grant_edit", args=[grant.pk]), FORM).status_code == 403
    assert client.post(reverse("coop:grant_delete", args=[grant.pk])).status_code == 403
    assert state() == before
    assert AuditEvent.objects.count() == audit


@pytest.fixture
def support(cooperative):
    """The support structure: recording a grant posts its entries for it (docs/adr/0012)."""
    return business_create(
        actor=None,
        name="Structure d'accompagnement",
        code="CAE",
        kind=Business.Kind.SUPPORT_STRUCTURE,
        start_date=datetime.date(2020, 1, 1),
    )


@pytest.mark.parametrize("who", ["accountant", "director"])
def test_create_edit_delete(personas, support, who):
    client = getattr(personas, who).client
    response = client.post(reverse("coop:grant_create"), FORM)
    assert response.status_code == 302
    grant = Grant.objects.get(programme="Inclusion")
    assert dict(grant.allocations.values_list("year", "amount_cents")) == {
        2025: 1_500_000,
        2026: 1_500_000,
        2027: 1_500_000,
    }
    response = client.get(reverse("coop:grant_edit", args=[grant.pk]))
    assert "2025 : 15\u202f000,00" in response.content.decode()
    data = FORM | {
        "received_date": "2025-05-02",
        "allocations": "2025 : 20 000\n2026: 15000,00\n2027 = 10000",
    }
    assert client.post(reverse("coop:grant_edit", args=[grant.pk]), data).status_code == 302
    grant.refresh_from_db()
    assert grant.received_date == datetime.date(2025, 5, 2)
    assert dict(grant.allocations.values_list("year", "amount_cents")) == {
        2025: 2_000_000,
        2026: 1_500_000,
        2027: 1_000_000,
    }
    assert client.post(reverse("coop:grant_delete", args=[grant.pk])).status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()


def test_bad_input_french_messages_nothing_written(personas):
    client = personas.accountant.client
    before = state()
    response = client.post(reverse("coop:grant_create"), FORM | {"end_year": "2024"})
    assert response.status_code == 400
    assert "La dernière année couverte ne peut pas précéder la première." in text(response)
    response = client.post(
        reverse("coop:grant_create"), FORM | {"allocations": "2025 : 10 000\n2026 : 10 000"}
    )
    assert "La répartition par année totalise 20\u202f000,00\u202f€" in text(response)
    response = client.post(reverse("coop:grant_create"), FORM | {"allocations": "l'an prochain"})
    assert "Ligne 1 illisible" in text(response)
    response = client.post(reverse("coop:grant_create"), FORM | {"amount": "-5"})
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0" in text(response)
    assert state() == before


def test_filters_totals_and_the_year_s_part(personas):
    make_grant()  # 30 000 over 2025-2026
    make_grant(
        funder_kind="fse", programme="FSE", amount_cents=1_000_000, start_year=2024, end_year=2024
    )
    response = personas.director.client.get(reverse("coop:grants"), {"year": 2025})
    assert [g.programme for g in response.context["page"]] == ["Création d'activités"]
    assert response.context["total"] == 3_000_000
    assert response.context["year_total"] == 1_500_000
    response = personas.director.client.get(reverse("coop:grants"), {"funder_kind": "fse"})
    assert [g.programme for g in response.context["page"]] == ["FSE"]


def test_export(personas):
    make_grant()
    response = personas.staff.client.get(reverse("coop:grants"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:7] == [
        "Région",
        "Région Occitanie",
        "Création d'activités",
        "30000.00",
        "2025",
        "2026",
        "2025=15000.00 | 2026=15000.00",
    ]
    assert AuditEvent.objects.filter(action="export", target_type="coop.grant").count() == 1


def test_list_query_count_is_constant(personas):
    make_grant()
    client = personas.accountant.client
    client.get(reverse("coop:grants"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("coop:grants"), {"year": 2025})
    for n in range(10):
        make_grant(programme=f"Programme {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("coop:grants"), {"year": 2025})
    assert len(many) == len(few)
