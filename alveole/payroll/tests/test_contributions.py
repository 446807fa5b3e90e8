"""The contribution: each base, tiers, rounding over a year, and which rule applies when."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.core.models import AuditEvent
from alveole.payroll import services
from alveole.payroll.contributions import contribution_amount
from alveole.payroll.models import ContributionRule
from alveole.payroll.selectors import contribution_rule_for
from alveole.payroll.services import (
    contribution_rule_delete,
    contribution_rule_end,
)
from alveole.payroll.tests.helpers import make_rule

pytestmark = pytest.mark.django_db

D = datetime.date
#: A month's bases: 10 000,00 € invoiced, 8 000,00 € received, 6 500,00 € of gross margin.
BASES = {"turnover_invoiced": 1_000_000, "turnover_received": 800_000, "gross_margin": 650_000}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: D(2026, 11, 26))


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        ("turnover_invoiced", "12.00", 120_000),  # 10 000,00 × 12 % = 1 200,00
        ("turnover_received", "10.00", 80_000),  # 8 000,00 × 10 % = 800,00
        ("gross_margin", "12.00", 78_000),  # 6 500,00 × 12 % = 780,00
        ("gross_margin", "12.345", 80_243),  # 6 500,00 × 12,345 % = 802,425 → 802,43
    ],
)
def test_each_base(base, rate, expected):
    rule = make_rule(base=base, rate=Decimal(rate))
    assert contribution_amount(rule, BASES) == expected


def test_tiers_apply_to_the_part_of_the_yearly_base_above_their_threshold():
    # 12 % up to 50 000 € of yearly base, 8 % from 50 000 €, 5 % from 100 000 €.
    rule = make_rule(tiers=[(5_000_000, Decimal(8)), (10_000_000, Decimal(5))])
    # Before the month 45 000 € were invoiced: 5 000 € at 12 % + 5 000 € at 8 % = 600 + 400.
    assert contribution_amount(rule, BASES, year_to_date_cents=4_500_000) == 100_000
    # Across two thresholds: 95 000 € + 10 000 € → 5 000 € at 8 % + 5 000 € at 5 % = 650.
    assert contribution_amount(rule, BASES, year_to_date_cents=9_500_000) == 65_000
    # The first month of the year stays in the first bracket: 10 000 € at 12 %.
    assert contribution_amount(rule, BASES) == 120_000
    # A whole year of 120 000 €: 6 000 + 4 000 + 1 000 = 11 000 €.
    assert contribution_amount(rule, {"turnover_invoiced": 12_000_000}) == 1_100_000


def test_months_add_up_to_the_contribution_of_the_year():
    rule = make_rule(rate=Decimal("12.5"))
    # 10,05 € a month at 12,5 % = 1,25625 €: rounded month by month it would be 3 × 1,26.
    months = [
        contribution_amount(rule, {"turnover_invoiced": 1005}, year_to_date_cents=1005 * n)
        for n in range(3)
    ]
    assert months == [126, 125, 126]
    assert sum(months) == contribution_amount(rule, {"turnover_invoiced": 3015})  # 3,76875 → 3,77


def test_a_negative_base_gives_a_refund():
    rule = make_rule()
    assert contribution_amount(rule, {"turnover_invoiced": -50_000}) == -6_000


def test_the_base_of_the_rule_must_be_given():
    rule = make_rule(base="gross_margin")
    with pytest.raises(ValueError, match="gross_margin"):
        contribution_amount(rule, {"turnover_invoiced": 1})


def test_rule_change_in_the_middle_of_a_year(personas):
    business = personas.entrepreneur.business
    first = make_rule(base="turnover_invoiced", rate=Decimal(10))
    second = make_rule(
        base="gross_margin", rate=Decimal(12), effective_from=D(2027, 7, 1),
        decision_reference="AG du 14/06/2026, résolution 3", decision_date=D(2026, 6, 14),
    )  # fmt: skip
    assert contribution_rule_for(business, D(2027, 6, 30)) == first
    assert contribution_rule_for(business, D(2027, 7, 1)) == second
    june = contribution_amount(contribution_rule_for(business, D(2027, 6, 1)), BASES)
    july = contribution_amount(contribution_rule_for(business, D(2027, 7, 1)), BASES)
    assert (june, july) == (100_000, 78_000)  # 10 % of 10 000 €; 12 % of 6 500 €
    assert contribution_rule_for(business, D(2021, 12, 31)) is None


def test_a_business_rule_wins_while_in_effect_then_the_default_resumes(personas):
    alice, bob = personas.entrepreneur.business, personas.other_entrepreneur.business
    default = make_rule()
    override = make_rule(
        business=alice, rate=Decimal(8), effective_from=D(2026, 12, 1), effective_to=D(2027, 5, 31)
    )
    assert contribution_rule_for(alice, D(2026, 11, 30)) == default
    assert contribution_rule_for(alice, D(2026, 12, 1)) == override
    assert contribution_rule_for(bob, D(2026, 12, 1)) == default
    assert contribution_rule_for(alice, D(2027, 6, 1)) == default
    # A new default does not end the business's own rule.
    new_default = make_rule(rate=Decimal(11), effective_from=D(2027, 1, 1))
    assert contribution_rule_for(alice, D(2027, 1, 1)) == override
    assert contribution_rule_for(bob, D(2027, 1, 1)) == new_default


def test_a_temporary_business_rule_over_a_standing_one(personas):
    alice = personas.entrepreneur.business
    make_rule()
    standing = make_rule(business=alice, rate=Decimal(9), effective_from=D(2026, 12, 1))
    temporary = make_rule(
        business=alice, rate=Decimal(5), effective_from=D(2027, 2, 1), effective_to=D(2027, 3, 31)
    )
    assert contribution_rule_for(alice, D(2027, 3, 15)) == temporary
    assert contribution_rule_for(alice, D(2027, 4, 1)) == standing


def test_a_past_month_is_never_rewritten(personas):
    alice = personas.entrepreneur.business
    make_rule(effective_from=D(2022, 1, 1))
    count = ContributionRule.objects.count()
    for fields in ({}, {"business": alice}):
        with pytest.raises(ValidationError) as error:
            make_rule(effective_from=D(2026, 10, 1), **fields)
        assert error.value.message_dict["effective_from"] == [
            "Cette date réécrirait des mois passés déjà régis par une règle : une nouvelle règle "
            "prend effet au plus tôt le 01/11/2026 (ce mois-ci)."
        ]
    assert ContributionRule.objects.count() == count
    # This month and later are open.
    make_rule(effective_from=D(2026, 11, 1), rate=Decimal(11))


def test_history_before_the_first_rule_can_be_recorded(personas):
    first = make_rule(effective_from=D(2022, 1, 1))
    older = make_rule(effective_from=D(2019, 1, 1), rate=Decimal(10), decision_date=D(2018, 6, 1))
    alice = personas.entrepreneur.business
    assert contribution_rule_for(alice, D(2021, 12, 31)) == older
    assert contribution_rule_for(alice, D(2022, 1, 1)) == first
    # Between the two, nothing can be slipped in any more.
    with pytest.raises(ValidationError):
        make_rule(effective_from=D(2020, 1, 1), rate=Decimal(11))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"effective_from": D(2027, 1, 15)}, "effective_from",
         "Une règle prend effet le premier jour d'un mois."),
        ({"rate": Decimal(120)}, "rate", "Un taux est un pourcentage entre 0 et 100."),
        ({"rate": Decimal("12.0001")}, "rate", "Un taux a au plus trois décimales."),
        ({"decision_reference": " "}, "decision_reference",
         "Indiquez la décision d'assemblée (AG, date, numéro de résolution)."),
        ({"decision_date": D(2027, 1, 1)}, "decision_date", "La décision ne peut pas être dans le futur."),
        ({"effective_to": D(2027, 6, 30)}, "effective_to",
         "La règle par défaut n'a pas de fin : une nouvelle règle la remplace."),
        ({"base": "profit"}, "base", "Assiette inconnue."),
        ({"tiers": [(0, Decimal(5))]}, "tiers", "Le seuil d'une tranche doit être supérieur à zéro."),
        ({"tiers": [(100, Decimal(5)), (100, Decimal(4))]}, "tiers", "Deux tranches ont le même seuil."),
    ],
)  # fmt: skip
def test_bad_rules_refused(fields, field, message):
    values = {"effective_from": D(2027, 1, 1)} | fields
    with pytest.raises(ValidationError) as error:
        make_rule(**values)
    assert error.value.message_dict[field] == [message]
    assert ContributionRule.objects.count() == 0


def test_two_defaults_on_the_same_date_refused():
    make_rule(effective_from=D(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        make_rule(effective_from=D(2027, 1, 1), rate=Decimal(3))
    assert "prend déjà effet le 01/01/2027" in error.value.message_dict["effective_from"][0]


def test_end_and_delete(personas):
    alice = personas.entrepreneur.business
    in_effect = make_rule(business=alice, effective_from=D(2026, 1, 1))
    future = make_rule(effective_from=D(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        contribution_rule_delete(actor=None, rule=in_effect)
    assert "Une règle entrée en vigueur ne se supprime pas" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        contribution_rule_end(actor=None, rule=in_effect, effective_to=D(2026, 10, 31))
    assert error.value.message_dict["effective_to"] == [
        "Une fin dans un mois passé réécrirait ce mois : au plus tôt le 30/11/2026."
    ]
    contribution_rule_end(actor=None, rule=in_effect, effective_to=D(2026, 12, 31))
    assert contribution_rule_for(alice, D(2027, 1, 1)) == future
    contribution_rule_delete(actor=None, rule=future)
    assert not ContributionRule.objects.filter(pk=future.pk).exists()
    actions = list(
        AuditEvent.objects.filter(target_type="payroll.contributionrule").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "create", "delete", "update"]
