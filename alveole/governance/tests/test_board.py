"""The board and offices: elections, size, co-presidency, who is in office at a date."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from alveole.core.dates import today
from alveole.governance import services
from alveole.governance.models import Mandate, MandateRole
from alveole.governance.selectors import board_at
from alveole.people.models import PersonKind

from .conftest import convene_and_open, make_assembly, make_associate

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(associates):
    assembly = convene_and_open(make_assembly())
    return services.assembly_close(actor=None, assembly=assembly)


def test_board_members_are_associates_elected_by_an_assembly(associates, election):
    alice = associates.entrepreneur.person
    bob = associates.other_entrepreneur.person  # not an associate
    start = today()
    with pytest.raises(ValidationError, match="Seul·e un·e associé·e"):
        services.mandate_start(
            actor=None, person=bob, role=MandateRole.BOARD_MEMBER, start_date=start,
            elected_by=election,
        )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.mandate_start(
            actor=None, person=alice, role=MandateRole.BOARD_MEMBER, start_date=start
        )
    assert "elected_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.mandate_start(
            actor=None, person=alice, role=MandateRole.BOARD_MEMBER,
            start_date=start - datetime.timedelta(days=1), elected_by=election,
        )  # fmt: skip
    assert "elected_by" in error.value.message_dict
    services.mandate_start(
        actor=None, person=alice, role=MandateRole.BOARD_MEMBER, start_date=start,
        elected_by=election,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="exerce déjà cette fonction"):
        services.mandate_start(
            actor=None, person=alice, role=MandateRole.BOARD_MEMBER, start_date=start,
            elected_by=election,
        )  # fmt: skip
    assert Mandate.objects.count() == 1


def test_board_size_is_capped_by_the_settings(associates, election):
    services.governance_settings_update(actor=None, board_max_size=3)
    people = [make_associate(kind=PersonKind.SUPPORT_STAFF) for _ in range(4)]
    for person in people[:3]:
        services.mandate_start(
            actor=None, person=person, role=MandateRole.BOARD_MEMBER, start_date=today(),
            elected_by=election,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="déjà 3 membres"):
        services.mandate_start(
            actor=None, person=people[3], role=MandateRole.BOARD_MEMBER, start_date=today(),
            elected_by=election,
        )  # fmt: skip


def test_co_presidency_and_direction_and_the_board_at_a_date(associates, election):
    alice = associates.entrepreneur.person
    bob = associates.other_entrepreneur.person
    start = today()
    with pytest.raises(ValidationError, match="confiée à un membre du conseil"):
        services.mandate_start(
            actor=None, person=alice, role=MandateRole.CO_PRESIDENT, start_date=start
        )
    seat = services.mandate_start(
        actor=None, person=alice, role=MandateRole.BOARD_MEMBER, start_date=start,
        elected_by=election,
    )  # fmt: skip
    services.mandate_start(
        actor=None, person=alice, role=MandateRole.CO_PRESIDENT, start_date=start
    )
    # The direction need not sit on the board nor be elected by the assembly.
    services.mandate_start(
        actor=None, person=bob, role=MandateRole.DIRECTOR_GENERAL, start_date=start
    )
    with pytest.raises(ValidationError, match="élu·es par l'assemblée"):
        services.mandate_start(
            actor=None, person=bob, role=MandateRole.DEPUTY_DIRECTOR_GENERAL, start_date=start,
            elected_by=election,
        )  # fmt: skip
    staff = associates.staff.user
    in_office = {(m.person_id, m.role) for m in board_at(user=staff, at=start)}
    assert in_office == {
        (alice.pk, MandateRole.BOARD_MEMBER),
        (alice.pk, MandateRole.CO_PRESIDENT),
        (bob.pk, MandateRole.DIRECTOR_GENERAL),
    }
    assert not board_at(user=staff, at=start - datetime.timedelta(days=1)).exists()
    later = start + datetime.timedelta(days=365)
    with pytest.raises(ValidationError, match="co-préside encore"):
        services.mandate_end(actor=None, mandate=seat, end_date=later)
    presidency = Mandate.objects.get(role=MandateRole.CO_PRESIDENT)
    services.mandate_end(actor=None, mandate=presidency, end_date=later)
    services.mandate_end(actor=None, mandate=seat, end_date=later)
    assert {m.person_id for m in board_at(user=staff, at=later)} == {bob.pk}
    assert not board_at(user=associates.other_entrepreneur.user, at=start).exists()
