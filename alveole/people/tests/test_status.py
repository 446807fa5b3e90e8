import datetime

import pytest

from alveole.people.models import Exit, Person, Status
from alveole.people.services import associate_join, cape_start, cesa_start, person_exit
from tests.factories import make_person

pytestmark = pytest.mark.django_db

D = datetime.date


def test_status_follows_the_path(cooperative):
    person = make_person()
    assert person.status_at(D(2022, 1, 1)) == Status.CANDIDATE
    cape_start(actor=None, person=person, start_date=D(2022, 2, 1), planned_end_date=D(2023, 1, 31))
    assert person.status_at(D(2022, 2, 1)) == Status.CAPE
    cesa_start(actor=None, person=person, start_date=D(2022, 9, 1), monthly_hours=70)
    assert person.status_at(D(2022, 8, 31)) == Status.CAPE
    assert person.status_at(D(2022, 9, 1)) == Status.SALARIED
    associate_join(actor=None, person=person, date=D(2023, 9, 1))
    assert person.status_at(D(2023, 9, 1)) == Status.ASSOCIATE
    person_exit(
        actor=None, person=person, date=D(2024, 6, 30), outcome=Exit.Outcome.BUSINESS_CREATION
    )
    assert person.status_at(D(2024, 6, 29)) == Status.ASSOCIATE
    assert person.status_at(D(2024, 6, 30)) == Status.EXITED
    assert Person.objects.members_at(D(2023, 12, 31)).count() == 1
    assert Person.objects.members_at(D(2024, 12, 31)).count() == 0
