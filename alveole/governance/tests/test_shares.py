"""The shares register: subscriptions, releases, refunds on exit, register and capital at a date, ratios."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.core.models import AuditEvent
from alveole.governance import services
from alveole.governance.models import ShareRefund, ShareRelease, ShareSubscription
from alveole.governance.selectors import (
    capital_at,
    departed_with_shares,
    holdings_at,
    refunds_unpaid,
    register_at,
)
from alveole.people import services as people_services
from alveole.people.models import Associateship, Exit, PersonKind
from tests.factories import make_entrepreneur

from .conftest import NOMINAL, make_associate

pytestmark = pytest.mark.django_db

D = datetime.date


def test_subscription_requires_being_an_associate_at_the_date(personas):
    bob = personas.other_entrepreneur.person  # in CESA, not an associate
    with pytest.raises(ValidationError, match="n'est pas associé·e le 01/06/2024"):
        services.shares_subscribe(
            actor=None, person=bob, date=D(2024, 6, 1), shares=4, nominal_cents=NOMINAL,
            paid_cents=10000,
        )  # fmt: skip
    assert not ShareSubscription.objects.exists()
    assert not ShareRelease.objects.exists()


def test_admission_joins_and_subscribes_in_one_step(personas):
    bob = personas.other_entrepreneur.person
    subscription = services.associate_admit(
        actor=personas.staff.user, person=bob, date=D(2024, 6, 1), shares=10,
        nominal_cents=NOMINAL, paid_cents=10000,
        schedule=[(D(2024, 9, 1), 7500), (D(2024, 12, 1), 7500)],
    )  # fmt: skip
    assert subscription.amount_cents == 25000
    associateship = Associateship.objects.get(person=bob)
    assert (associateship.start_date, associateship.category) == (D(2024, 6, 1), "entrepreneur")
    assert list(subscription.installments.values_list("due_date", "amount_cents")) == [
        (D(2024, 9, 1), 7500),
        (D(2024, 12, 1), 7500),
    ]
    assert list(subscription.releases.values_list("date", "amount_cents")) == [
        (D(2024, 6, 1), 10000)
    ]
    assert AuditEvent.objects.filter(
        target_type="governance.sharesubscription", target_id=str(subscription.pk)
    ).exists()


def test_admission_is_all_or_nothing(personas):
    bob = personas.other_entrepreneur.person
    with pytest.raises(ValidationError) as error:
        services.associate_admit(
            actor=None, person=bob, date=D(2024, 6, 1), shares=10, nominal_cents=NOMINAL,
            paid_cents=10000, schedule=[(D(2024, 9, 1), 5000)],
        )  # fmt: skip
    assert "il reste 150,00" in str(error.value)
    assert not Associateship.objects.filter(person=bob).exists()
    assert not ShareSubscription.objects.exists()


def test_a_cape_holder_cannot_be_admitted(personas):
    person = make_entrepreneur(cesa_start_date=D(2030, 1, 1))  # still in CAPE in 2025
    with pytest.raises(ValidationError, match="CESA"):
        make_associate(person=person, joined=D(2025, 1, 1))
    assert not ShareSubscription.objects.filter(person=person).exists()


def test_release_never_exceeds_what_is_unpaid(personas):
    alice = make_associate(person=personas.entrepreneur.person, shares=4, paid_cents=2500)
    subscription = ShareSubscription.objects.get(person=alice)
    services.shares_release_record(
        actor=None, subscription=subscription, date=D(2024, 9, 1), amount_cents=5000
    )
    with pytest.raises(ValidationError, match="Il ne reste que 25,00"):
        services.shares_release_record(
            actor=None, subscription=subscription, date=D(2024, 10, 1), amount_cents=2501
        )
    with pytest.raises(ValidationError, match="précéder la souscription"):
        services.shares_release_record(
            actor=None, subscription=subscription, date=D(2024, 5, 1), amount_cents=100
        )
    assert sum(subscription.releases.values_list("amount_cents", flat=True)) == 7500


def test_register_and_capital_at_a_past_date(personas):
    alice = make_associate(person=personas.entrepreneur.person, shares=4)
    bob = make_associate(
        person=personas.other_entrepreneur.person, joined=D(2025, 1, 15), shares=10
    )
    services.shares_subscribe(
        actor=None, person=alice, date=D(2025, 3, 1), shares=2, nominal_cents=NOMINAL,
        paid_cents=2500, schedule=[(D(2025, 6, 1), 2500)],
    )  # fmt: skip

    rows = {p.last_name: p for p in holdings_at(D(2024, 12, 31))}
    assert list(rows) == ["Martin"]
    assert (rows["Martin"].shares_held, rows["Martin"].capital_cents) == (4, 10000)
    assert capital_at(D(2024, 12, 31)).subscribed_cents == 10000

    rows = {p.last_name: p for p in holdings_at(D(2025, 3, 1))}
    assert (rows["Martin"].shares_held, rows["Martin"].capital_cents) == (6, 15000)
    assert (rows["Martin"].paid_up_cents, rows["Durand"].shares_held) == (12500, 10)
    capital = capital_at(D(2025, 3, 1))
    assert (capital.subscribed_cents, capital.paid_up_cents, capital.shares) == (40000, 37500, 16)
    assert capital.unpaid_cents == 2500
    assert (capital.associates, capital.employee_associates) == (2, 2)
    assert bob.pk in {p.pk for p in holdings_at(D(2025, 1, 15))}
    assert bob.pk not in {p.pk for p in holdings_at(D(2025, 1, 14))}


def test_leaving_lists_the_unrefunded_shares_until_the_refund(personas):
    staff = personas.staff.user
    alice = make_associate(person=personas.entrepreneur.person, shares=4, paid_cents=7500)
    associateship = Associateship.objects.get(person=alice)
    people_services.associate_leave(actor=None, associateship=associateship, date=D(2025, 6, 30))

    assert [p.pk for p in departed_with_shares(user=staff, at=D(2025, 7, 1))] == [alice.pk]
    row = holdings_at(D(2025, 7, 1)).get(pk=alice.pk)
    assert (row.is_associate, row.shares_held, row.left_on) == (False, 4, D(2025, 6, 30))
    assert capital_at(D(2025, 7, 1)).subscribed_cents == 10000

    refund = services.shares_refund_on_exit(actor=staff, person=alice)
    assert (refund.date, refund.shares, refund.nominal_cents) == (D(2025, 6, 30), 4, 10000)
    assert (refund.paid_up_cents, refund.amount_cents) == (
        7500,
        7500,
    )  # the unpaid part is not owed
    assert not departed_with_shares(user=staff, at=D(2025, 7, 1)).exists()
    assert capital_at(D(2025, 7, 1)).subscribed_cents == 0
    assert capital_at(D(2025, 6, 29)).subscribed_cents == 10000
    assert alice.pk not in {p.pk for p in holdings_at(D(2025, 7, 1))}
    assert list(refunds_unpaid(user=staff)) == [refund]

    with pytest.raises(ValidationError, match="ne détient plus de parts"):
        services.shares_refund_on_exit(actor=staff, person=alice)
    with pytest.raises(ValidationError, match="annulées le 30/06/2025"):
        services.shares_release_record(
            actor=None, subscription=ShareSubscription.objects.get(person=alice),
            date=D(2025, 7, 2), amount_cents=2500,
        )  # fmt: skip

    services.shares_refund_pay(actor=staff, refund=refund, paid_on=D(2025, 9, 1))
    assert not refunds_unpaid(user=staff).exists()


def test_person_exit_leads_to_a_refund_at_the_exit_date(personas):
    alice = make_associate(person=personas.entrepreneur.person, shares=4)
    people_services.person_exit(
        actor=None, person=alice, date=D(2025, 9, 30), outcome=Exit.Outcome.BUSINESS_CREATION
    )
    assert [p.pk for p in departed_with_shares(user=personas.staff.user, at=D(2025, 10, 1))] == [
        alice.pk
    ]
    refund = services.shares_refund_on_exit(actor=None, person=alice)
    assert (refund.date, refund.amount_cents) == (D(2025, 9, 30), 10000)


def test_refund_refused_while_still_an_associate_or_before_leaving(personas):
    alice = make_associate(person=personas.entrepreneur.person, shares=4)
    with pytest.raises(ValidationError, match="encore associé·e"):
        services.shares_refund_on_exit(actor=None, person=alice)
    associateship = Associateship.objects.get(person=alice)
    people_services.associate_leave(actor=None, associateship=associateship, date=D(2025, 6, 30))
    with pytest.raises(ValidationError, match="qu'à partir de la sortie"):
        services.shares_refund_on_exit(actor=None, person=alice, date=D(2025, 6, 1))
    assert not ShareRefund.objects.exists()


def test_reduced_refund_needs_a_reason_and_never_exceeds_paid_up(personas):
    alice = make_associate(person=personas.entrepreneur.person, shares=4)
    associateship = Associateship.objects.get(person=alice)
    people_services.associate_leave(actor=None, associateship=associateship, date=D(2025, 6, 30))
    with pytest.raises(ValidationError, match="ne peut dépasser le montant libéré"):
        services.shares_refund_on_exit(actor=None, person=alice, amount_cents=10001)
    with pytest.raises(ValidationError, match="motif"):
        services.shares_refund_on_exit(actor=None, person=alice, amount_cents=8000)
    refund = services.shares_refund_on_exit(
        actor=None, person=alice, amount_cents=8000, reason="Pertes de l'exercice 2025"
    )
    assert refund.amount_cents == 8000


def test_legal_ratios_warn_when_broken(personas):
    day = D(2025, 1, 1)
    make_associate(person=personas.entrepreneur.person, shares=4)
    make_associate(kind=PersonKind.SUPPORT_STAFF, shares=4)
    capital = capital_at(day)
    assert capital.capital_ratio.holds and capital.votes_ratio.holds
    assert capital.warnings == []

    make_associate(kind=PersonKind.EXTERNAL, shares=9)  # 225 € of 425 €: employees hold 47.06 %
    capital = capital_at(day)
    assert capital.capital_ratio.percent == Decimal("47.06")
    assert not capital.capital_ratio.holds
    assert capital.votes_ratio.percent == Decimal("66.67") and capital.votes_ratio.holds
    assert capital.warnings == [
        "Les associé·es salarié·es détiennent 47,06\u202f% du capital : la loi exige au moins 51 %."
    ]

    make_associate(kind=PersonKind.EXTERNAL, shares=1)  # 2 employees of 4 associates: 50 % of votes
    capital = capital_at(day)
    assert not capital.votes_ratio.holds
    assert len(capital.warnings) == 2


def test_former_associates_shares_do_not_count_as_employees_capital(personas):
    alice = make_associate(person=personas.entrepreneur.person, shares=4)
    make_associate(person=personas.other_entrepreneur.person, shares=4)
    associateship = Associateship.objects.get(person=alice)
    people_services.associate_leave(actor=None, associateship=associateship, date=D(2025, 6, 30))
    capital = capital_at(D(2025, 7, 1))
    assert (capital.subscribed_cents, capital.employee_capital_cents) == (20000, 10000)
    assert (capital.associates, capital.employee_associates) == (1, 1)


def test_register_is_scoped_to_those_who_may_read_it(associates):
    day = D(2025, 1, 1)
    assert register_at(user=associates.entrepreneur.user, at=day).count() == 1
    assert register_at(user=associates.accountant.user, at=day).count() == 1
    assert register_at(user=associates.other_entrepreneur.user, at=day).count() == 0
    assert not departed_with_shares(user=associates.entrepreneur.user, at=day).exists()
