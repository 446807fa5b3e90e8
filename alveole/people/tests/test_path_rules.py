"""Every invalid path is refused with a clear message and leaves nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.people.models import (
    Associateship,
    Contract,
    ContractChange,
    Exit,
    IntakeInterview,
    PersonKind,
    Status,
)
from alveole.people.services import (
    associate_join,
    associate_leave,
    cape_renew,
    cape_start,
    cesa_amend,
    cesa_start,
    contract_end,
    intake_interview_record,
    person_create,
    person_exit,
    staff_contract_start,
)
from tests.factories import make_person

pytestmark = pytest.mark.django_db
D = datetime.date


def refused(match: str, call, *args, **kwargs) -> None:
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert match in " ".join(error.value.messages), error.value.messages


def test_exit_before_entry_refused(cooperative):
    person = make_person()
    cape_start(actor=None, person=person, start_date=D(2023, 3, 1), planned_end_date=D(2024, 2, 28))
    refused(
        "ne peut pas précéder l'entrée",
        person_exit,
        actor=None,
        person=person,
        date=D(2023, 1, 1),
        outcome="other",
    )
    assert not Exit.objects.exists()


def test_exit_of_someone_who_never_entered_refused(cooperative):
    person = make_person()
    refused(
        "jamais entré", person_exit, actor=None, person=person, date=D(2023, 1, 1), outcome="other"
    )


def test_exit_twice_and_events_after_exit_refused(cooperative):
    person = make_person()
    cape_start(actor=None, person=person, start_date=D(2023, 3, 1), planned_end_date=D(2024, 2, 28))
    person_exit(actor=None, person=person, date=D(2023, 9, 30), outcome=Exit.Outcome.SALARIED_JOB)
    cape = Contract.objects.get(person=person)
    assert cape.end_date == D(2023, 9, 30)
    refused(
        "déjà enregistrée",
        person_exit,
        actor=None,
        person=person,
        date=D(2023, 10, 1),
        outcome="other",
    )
    refused(
        "aucun événement",
        cesa_start,
        actor=None,
        person=person,
        start_date=D(2023, 11, 1),
        monthly_hours=50,
    )
    assert Contract.objects.filter(person=person).count() == 1


def test_cesa_overlapping_another_cesa_refused(cooperative):
    person = make_person()
    cesa_start(actor=None, person=person, start_date=D(2022, 1, 1), monthly_hours=60)
    refused(
        "chevaucherait le CESA",
        cesa_start,
        actor=None,
        person=person,
        start_date=D(2023, 1, 1),
        monthly_hours=60,
    )
    assert Contract.objects.filter(person=person, kind=Contract.Kind.CESA).count() == 1


def test_cesa_after_an_ended_cesa_is_allowed(cooperative):
    person = make_person()
    first = cesa_start(actor=None, person=person, start_date=D(2022, 1, 1), monthly_hours=60)
    contract_end(actor=None, contract=first, end_date=D(2022, 12, 31))
    cesa_start(actor=None, person=person, start_date=D(2023, 2, 1), monthly_hours=60)
    assert person.status_at(D(2023, 1, 15)) == Status.EXITED
    assert person.status_at(D(2023, 2, 1)) == Status.SALARIED


def test_cape_rules(cooperative):
    person = make_person()
    refused(
        "après son début",
        cape_start,
        actor=None,
        person=person,
        start_date=D(2023, 3, 1),
        planned_end_date=D(2023, 3, 1),
    )
    refused(
        "12 mois",
        cape_start,
        actor=None,
        person=person,
        start_date=D(2023, 3, 1),
        planned_end_date=D(2024, 3, 1),
    )
    cape = cape_start(
        actor=None, person=person, start_date=D(2023, 3, 1), planned_end_date=D(2024, 2, 29)
    )
    refused(
        "chevauche",
        cape_start,
        actor=None,
        person=person,
        start_date=D(2023, 6, 1),
        planned_end_date=D(2023, 12, 1),
    )
    # Renewals: during the contract, later than the current end, at most 12 months each.
    refused(
        "pendant le CAPE",
        cape_renew,
        actor=None,
        contract=cape,
        date=D(2024, 3, 15),
        new_planned_end_date=D(2025, 2, 28),
    )
    refused(
        "après la fin actuelle",
        cape_renew,
        actor=None,
        contract=cape,
        date=D(2024, 2, 1),
        new_planned_end_date=D(2024, 1, 1),
    )
    refused(
        "12 mois au plus",
        cape_renew,
        actor=None,
        contract=cape,
        date=D(2024, 2, 1),
        new_planned_end_date=D(2025, 6, 1),
    )
    cape_renew(actor=None, contract=cape, date=D(2024, 2, 1), new_planned_end_date=D(2025, 2, 28))
    cape_renew(actor=None, contract=cape, date=D(2025, 2, 1), new_planned_end_date=D(2026, 2, 27))
    refused(
        "deux fois",
        cape_renew,
        actor=None,
        contract=cape,
        date=D(2026, 2, 1),
        new_planned_end_date=D(2026, 2, 28),
    )
    assert ContractChange.objects.filter(contract=cape).count() == 2
    cape.refresh_from_db()
    assert cape.planned_end_date == D(2026, 2, 27)


def test_cape_total_capped_at_36_months(cooperative):
    person = make_person()
    cape = cape_start(
        actor=None, person=person, start_date=D(2023, 3, 1), planned_end_date=D(2024, 2, 29)
    )
    cape_renew(actor=None, contract=cape, date=D(2024, 2, 1), new_planned_end_date=D(2025, 2, 28))
    refused(
        "36 mois",
        cape_renew,
        actor=None,
        contract=cape,
        date=D(2025, 2, 1),
        new_planned_end_date=D(2026, 3, 1),
    )


def test_cesa_ends_the_running_cape(cooperative):
    person = make_person()
    cape = cape_start(
        actor=None, person=person, start_date=D(2023, 3, 1), planned_end_date=D(2024, 2, 28)
    )
    cesa_start(actor=None, person=person, start_date=D(2023, 9, 1), monthly_hours=Decimal("80"))
    cape.refresh_from_db()
    assert cape.end_date == D(2023, 8, 31)
    refused(
        "temps plein",
        cesa_start,
        actor=None,
        person=make_person(),
        start_date=D(2023, 9, 1),
        monthly_hours=Decimal("200"),
    )


def test_cesa_amendment_rules(cooperative):
    person = make_person()
    cesa = cesa_start(actor=None, person=person, start_date=D(2023, 1, 1), monthly_hours=60)
    refused(
        "pendant le contrat",
        cesa_amend,
        actor=None,
        contract=cesa,
        date=D(2022, 12, 1),
        monthly_hours=80,
    )
    refused("positif", cesa_amend, actor=None, contract=cesa, date=D(2023, 6, 1), monthly_hours=0)
    cesa_amend(actor=None, contract=cesa, date=D(2023, 6, 1), monthly_hours=80)
    refused(
        "plus récent", cesa_amend, actor=None, contract=cesa, date=D(2023, 5, 1), monthly_hours=90
    )
    cesa.refresh_from_db()
    assert cesa.monthly_hours == Decimal("80")


def test_associate_rules(cooperative):
    person = make_person()
    cape_start(
        actor=None, person=person, start_date=D(2023, 1, 1), planned_end_date=D(2023, 12, 31)
    )
    refused("pas en CAPE", associate_join, actor=None, person=person, date=D(2023, 6, 1))
    cesa_start(actor=None, person=person, start_date=D(2024, 1, 1), monthly_hours=60)
    refused(
        "catégorie",
        associate_join,
        actor=None,
        person=person,
        date=D(2024, 6, 1),
        category="external",
    )
    membership = associate_join(actor=None, person=person, date=D(2024, 6, 1))
    refused("déjà associé", associate_join, actor=None, person=person, date=D(2024, 7, 1))
    refused(
        "doit suivre", associate_leave, actor=None, associateship=membership, date=D(2024, 6, 1)
    )
    associate_leave(actor=None, associateship=membership, date=D(2025, 1, 1))
    assert person.status_at(D(2025, 1, 1)) == Status.SALARIED
    assert Associateship.objects.filter(person=person).count() == 1


def test_staff_and_external_associates(cooperative):
    staff = make_person(kind=PersonKind.SUPPORT_STAFF)
    refused("salarié", associate_join, actor=None, person=staff, date=D(2023, 1, 1))
    staff_contract_start(actor=None, person=staff, start_date=D(2022, 1, 1))
    associate_join(actor=None, person=staff, date=D(2023, 1, 1))
    assert staff.status_at(D(2023, 6, 1)) == Status.STAFF
    external = make_person(kind=PersonKind.EXTERNAL)
    associate_join(actor=None, person=external, date=D(2023, 1, 1))
    assert Associateship.objects.get(person=external).category == Associateship.Category.EXTERNAL
    refused(
        "porteur",
        cape_start,
        actor=None,
        person=external,
        start_date=D(2023, 1, 1),
        planned_end_date=D(2023, 6, 1),
    )


def test_intake_interview_rules(cooperative):
    person = make_person()
    refused(
        "motif",
        intake_interview_record,
        actor=None,
        person=person,
        date=D(2023, 1, 5),
        decision="not_integrated",
    )
    refused(
        "future",
        intake_interview_record,
        actor=None,
        person=person,
        date=D(2999, 1, 5),
        decision="integrated",
    )
    cape_start(
        actor=None, person=person, start_date=D(2023, 2, 1), planned_end_date=D(2023, 12, 31)
    )
    refused(
        "précéder le premier contrat",
        intake_interview_record,
        actor=None,
        person=person,
        date=D(2023, 3, 1),
        decision="integrated",
    )
    intake_interview_record(actor=None, person=person, date=D(2023, 1, 10), decision="integrated")
    assert IntakeInterview.objects.filter(person=person).count() == 1


def test_contract_end_rules(cooperative):
    person = make_person()
    cape = cape_start(
        actor=None, person=person, start_date=D(2023, 2, 1), planned_end_date=D(2023, 12, 31)
    )
    refused("précéder son début", contract_end, actor=None, contract=cape, end_date=D(2023, 1, 1))
    refused(
        "dépasser la fin prévue", contract_end, actor=None, contract=cape, end_date=D(2024, 1, 31)
    )
    contract_end(actor=None, contract=cape, end_date=D(2023, 10, 31))
    refused("déjà terminé", contract_end, actor=None, contract=cape, end_date=D(2023, 11, 30))


def test_person_identity_rules(cooperative):
    refused(
        "futur", person_create, actor=None, first_name="A", last_name="B", birth_date=D(2999, 1, 1)
    )
    refused(
        "16 ans",
        person_create,
        actor=None,
        first_name="A",
        last_name="B",
        birth_date=datetime.date.today(),
    )
    refused(
        "département", person_create, actor=None, first_name="A", last_name="B", department="99"
    )
    refused(
        "entrepreneur",
        person_create,
        actor=None,
        first_name="A",
        last_name="B",
        kind="support_staff",
        entry_situation="rsa",
    )
