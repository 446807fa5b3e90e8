"""Grants: yearly parts, validation with French messages, the report's sums by funder."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from alveole.coop.models import Grant, GrantAllocation
from alveole.coop.selectors import grants_for_year, grants_total_for_year
from alveole.coop.services import grant_create, grant_delete, grant_split_evenly, grant_update
from alveole.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def make_grant(**fields) -> Grant:
    values = {
        "funder_kind": Grant.FunderKind.REGION,
        "funder_name": "Région Occitanie",
        "programme": "Accompagnement à la création",
        "amount_cents": 3_000_000,
        "start_year": 2025,
        "end_year": 2025,
        "decision_date": datetime.date(2025, 2, 10),
    }
    values.update(fields)
    return grant_create(actor=None, **values)


def parts(grant: Grant) -> dict[int, int]:
    return dict(grant.allocations.values_list("year", "amount_cents"))


def test_even_split_gives_the_odd_cents_to_the_first_years():
    assert grant_split_evenly(10_001, range(2024, 2027)) == {2024: 3_334, 2025: 3_334, 2026: 3_333}


def test_create_shares_the_amount_between_the_years_and_audits():
    grant = make_grant(amount_cents=10_001, start_year=2024, end_year=2026)
    assert parts(grant) == {2024: 3_334, 2025: 3_334, 2026: 3_333}
    event = AuditEvent.objects.get(target_type="coop.grant", target_id=str(grant.pk))
    assert event.action == "create"
    assert event.changes["amount_cents"] == 10_001


def test_explicit_allocations_must_add_up_to_the_amount():
    with pytest.raises(ValidationError) as error:
        make_grant(start_year=2025, end_year=2026, allocations={2025: 1_000_000, 2026: 1_000_000})
    assert error.value.message_dict["allocations"] == [
        "La répartition par année totalise 20\u202f000,00\u202f€ au lieu du montant de la "
        "subvention, 30\u202f000,00\u202f€."
    ]
    assert Grant.objects.count() == 0
    grant = make_grant(
        start_year=2025, end_year=2026, allocations={2025: 2_000_000, 2026: 1_000_000}
    )
    assert parts(grant) == {2025: 2_000_000, 2026: 1_000_000}


def test_allocation_outside_the_years_refused():
    with pytest.raises(ValidationError) as error:
        make_grant(allocations={2024: 3_000_000})
    assert "hors de la période couverte : 2024" in error.value.message_dict["allocations"][0]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount_cents": 0}, "amount_cents", "Le montant doit être supérieur à zéro."),
        ({"start_year": 2026, "end_year": 2025}, "end_year",
         "La dernière année couverte ne peut pas précéder la première."),
        ({"start_year": 1999}, "start_year", "Année invalide : attendu une année entre 2000 et 2100."),
        ({"end_year": 2040}, "end_year", "Une subvention couvre au plus 10 années."),
        ({"received_date": datetime.date(2025, 1, 5)}, "received_date",
         "La date de réception ne peut pas précéder la date de la décision."),
    ],
)  # fmt: skip
def test_bad_grants_refused_with_french_messages(fields, field, message):
    with pytest.raises(ValidationError) as error:
        make_grant(**fields)
    assert error.value.message_dict[field] == [message]
    assert Grant.objects.count() == GrantAllocation.objects.count() == 0


def test_update_reshares_when_the_years_change_and_keeps_custom_parts_otherwise():
    grant = make_grant(
        start_year=2025, end_year=2026, allocations={2025: 2_000_000, 2026: 1_000_000}
    )
    grant = grant_update(actor=None, grant=grant, received_date=datetime.date(2025, 4, 1))
    assert parts(grant) == {2025: 2_000_000, 2026: 1_000_000}
    grant = grant_update(actor=None, grant=grant, end_year=2027)
    assert parts(grant) == {2025: 1_000_000, 2026: 1_000_000, 2027: 1_000_000}
    event = AuditEvent.objects.filter(target_type="coop.grant", action="update").first()
    assert event.changes["end_year"] == [2026, 2027]


def test_delete_is_audited():
    grant = make_grant()
    grant_delete(actor=None, grant=grant)
    assert Grant.objects.count() == GrantAllocation.objects.count() == 0
    assert AuditEvent.objects.filter(target_type="coop.grant", action="delete").count() == 1


def test_grants_for_a_year_by_funder():
    make_grant(funder_kind="region", amount_cents=3_000_000)
    make_grant(funder_kind="region", programme="Autre", amount_cents=1_000_050)
    make_grant(funder_kind="fse", amount_cents=6_000_000, start_year=2024, end_year=2026)
    make_grant(funder_kind="department", amount_cents=500_000, start_year=2026, end_year=2026)
    assert grants_for_year(2025) == [
        {"funder_kind": "fse", "label": "FSE (Fonds social européen)", "amount_cents": 2_000_000},
        {"funder_kind": "region", "label": "Région", "amount_cents": 4_000_050},
    ]
    assert grants_total_for_year(2025) == 6_000_050
    assert grants_total_for_year(2023) == 0
    assert grants_for_year(2023) == []
