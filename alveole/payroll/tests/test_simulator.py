"""The salary simulator against payslips computed by hand with the 2026 rates.

Rounding: each base and each line is rounded half-up to the cent; the reduction's
coefficient is rounded to 4 decimals. PMSS 2026 = 4 005,00 €; SMIC = 1 823,03 € for 151,67 h.
"""

import datetime
from decimal import Decimal

import pytest

from alveole.coop.selectors import PayrollRatesMissing, payroll_parameters_at, payroll_rates_at
from alveole.payroll.simulator import (
    base_cents,
    ceiling_cents,
    compute_payslip,
    gross_for_budget,
    salary_simulate,
    smic_reference_cents,
)

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
FULL_TIME = Decimal("151.67")


def payslip(gross_cents, hours=FULL_TIME):
    return salary_simulate(month=MARCH, paid_hours=hours, gross_cents=gross_cents).payslip


def amounts(slip):
    return {
        line.code: (line.base_cents, line.employee_cents, line.employer_cents)
        for line in slip.lines
    }


def test_payslip_at_the_minimum_wage():
    slip = payslip(182_303)
    # Gross 1 823,03 € < PMSS 4 005 € : T1 = 1 823,03 ; T2 = 0 ; CET not due (gross ≤ PMSS).
    # CSG/CRDS base: 1 823,03 × 98,25 % = 1 791,127 → 1 791,13.
    # line                          base       employee                      employer
    assert amounts(slip) == {
        "maladie": (182_303, 0, 23_699),  # 13 % × 1 823,03 = 236,9939 → 236,99
        "vieillesse-plafonnee": (
            182_303,
            12_579,
            15_587,
        ),  # 6,90 % = 125,789 → 125,79 ; 8,55 % = 155,869 → 155,87
        "vieillesse-deplafonnee": (
            182_303,
            729,
            3_847,
        ),  # 0,40 % = 7,292 → 7,29 ; 2,11 % = 38,4659 → 38,47
        "allocations-familiales": (182_303, 0, 9_571),  # 5,25 % = 95,709 → 95,71
        "accidents-travail": (182_303, 0, 1_823),  # 1,00 % = 18,2303 → 18,23
        "csa": (182_303, 0, 547),  # 0,30 % = 5,469 → 5,47
        "fnal": (182_303, 0, 182),  # 0,10 % of T1 = 1,823 → 1,82
        "chomage": (182_303, 0, 7_292),  # 4,00 % (≤ 4 PMSS) = 72,9212 → 72,92
        "ags": (182_303, 0, 456),  # 0,25 % = 4,5576 → 4,56
        "retraite-complementaire-t1": (
            182_303,
            5_743,
            8_605,
        ),  # 3,15 % = 57,4254 → 57,43 ; 4,72 % = 86,047 → 86,05
        "ceg-t1": (182_303, 1_568, 2_352),  # 0,86 % = 15,678 → 15,68 ; 1,29 % = 23,517 → 23,52
        "retraite-complementaire-t2": (0, 0, 0),
        "ceg-t2": (0, 0, 0),
        "cet": (0, 0, 0),
        "csg-deductible": (179_113, 12_180, 0),  # 6,80 % × 1 791,13 = 121,7968 → 121,80
        "csg-non-deductible": (179_113, 4_299, 0),  # 2,40 % = 42,987 → 42,99
        "crds": (179_113, 896, 0),  # 0,50 % = 8,9557 → 8,96
        "dialogue-social": (182_303, 0, 29),  # 0,016 % = 0,2917 → 0,29
        "formation-professionnelle": (182_303, 0, 1_823),  # 1,00 % = 18,23
        "taxe-apprentissage": (182_303, 0, 1_240),  # 0,68 % = 12,3966 → 12,40
    }
    # Employee: 125,79 + 7,29 + 57,43 + 15,68 + 121,80 + 42,99 + 8,96 = 379,94
    assert slip.employee_contributions_cents == 37_994
    # Net before income tax: 1 823,03 − 379,94 = 1 443,09
    assert slip.net_cents == 144_309
    # Employer: 236,99 + 155,87 + 38,47 + 95,71 + 18,23 + 5,47 + 1,82 + 72,92 + 4,56 + 86,05
    #         + 23,52 + 0,29 + 18,23 + 12,40 = 770,53
    assert slip.employer_contributions_cents == 77_053
    # RGDU: SMIC of the month = 1 823,03 (full time). 3 × 1 823,03 / 1 823,03 = 3 ;
    # ½ × (3 − 1) = 1 ; 1^1,75 = 1 ; C = 0,02 + 0,3781 × 1 = 0,3981 (the maximum).
    assert slip.smic_reference_cents == 182_303
    assert slip.reduction_coefficient == Decimal("0.3981")
    # Reduction: 1 823,03 × 0,3981 = 725,748 → 725,75 (below the 735,05 of contributions in
    # its scope: 236,99 + 155,87 + 38,47 + 95,71 + 18,23 + 5,47 + 1,82 + 72,92 + 86,05 + 23,52).
    assert slip.reduction_cents == 72_575
    # Employer cost: 1 823,03 + 770,53 − 725,75 = 1 867,81
    assert slip.employer_cost_cents == 186_781
    assert slip.warnings == ()


def test_payslip_at_twice_the_minimum_wage():
    slip = payslip(364_606)
    # Gross 3 646,06 € (2 × 1 823,03) < PMSS 4 005 € : T1 = 3 646,06 ; T2 = 0 ; no CET.
    # CSG/CRDS base: 3 646,06 × 98,25 % = 3 582,254 → 3 582,25.
    assert amounts(slip) == {
        "maladie": (364_606, 0, 47_399),  # 13 % = 473,9878 → 473,99
        "vieillesse-plafonnee": (
            364_606,
            25_158,
            31_174,
        ),  # 6,90 % = 251,578 → 251,58 ; 8,55 % = 311,738 → 311,74
        "vieillesse-deplafonnee": (
            364_606,
            1_458,
            7_693,
        ),  # 0,40 % = 14,584 → 14,58 ; 2,11 % = 76,9319 → 76,93
        "allocations-familiales": (364_606, 0, 19_142),  # 5,25 % = 191,418 → 191,42
        "accidents-travail": (364_606, 0, 3_646),  # 1,00 % = 36,4606 → 36,46
        "csa": (364_606, 0, 1_094),  # 0,30 % = 10,938 → 10,94
        "fnal": (364_606, 0, 365),  # 0,10 % = 3,646 → 3,65
        "chomage": (364_606, 0, 14_584),  # 4,00 % = 145,8424 → 145,84
        "ags": (364_606, 0, 912),  # 0,25 % = 9,115 → 9,12
        "retraite-complementaire-t1": (
            364_606,
            11_485,
            17_209,
        ),  # 3,15 % = 114,851 → 114,85 ; 4,72 % = 172,094 → 172,09
        "ceg-t1": (364_606, 3_136, 4_703),  # 0,86 % = 31,356 → 31,36 ; 1,29 % = 47,034 → 47,03
        "retraite-complementaire-t2": (0, 0, 0),
        "ceg-t2": (0, 0, 0),
        "cet": (0, 0, 0),
        "csg-deductible": (358_225, 24_359, 0),  # 6,80 % × 3 582,25 = 243,593 → 243,59
        "csg-non-deductible": (358_225, 8_597, 0),  # 2,40 % = 85,974 → 85,97
        "crds": (358_225, 1_791, 0),  # 0,50 % = 17,911 → 17,91
        "dialogue-social": (364_606, 0, 58),  # 0,016 % = 0,5834 → 0,58
        "formation-professionnelle": (364_606, 0, 3_646),  # 1,00 % = 36,46
        "taxe-apprentissage": (364_606, 0, 2_479),  # 0,68 % = 24,793 → 24,79
    }
    # Employee: 251,58 + 14,58 + 114,85 + 31,36 + 243,59 + 85,97 + 17,91 = 759,84
    assert slip.employee_contributions_cents == 75_984
    # Net: 3 646,06 − 759,84 = 2 886,22
    assert slip.net_cents == 288_622
    # Employer: 473,99 + 311,74 + 76,93 + 191,42 + 36,46 + 10,94 + 3,65 + 145,84 + 9,12
    #         + 172,09 + 47,03 + 0,58 + 36,46 + 24,79 = 1 541,04
    assert slip.employer_contributions_cents == 154_104
    # RGDU: 3 × 1 823,03 / 3 646,06 = 1,5 ; ½ × (1,5 − 1) = 0,25 ; 0,25^1,75 = 0,0883883… ;
    # C = 0,02 + 0,3781 × 0,0883883 = 0,0534196… → 0,0534
    assert slip.reduction_coefficient == Decimal("0.0534")
    # Reduction: 3 646,06 × 0,0534 = 194,6996 → 194,70
    assert slip.reduction_cents == 19_470
    # Employer cost: 3 646,06 + 1 541,04 − 194,70 = 4 992,40
    assert slip.employer_cost_cents == 499_240


def test_budget_gives_back_the_hand_computed_gross():
    # The employer costs computed above give back their gross salaries exactly.
    at_smic = salary_simulate(month=MARCH, paid_hours=FULL_TIME, budget_cents=186_781)
    assert at_smic.payslip.gross_cents == 182_303
    assert at_smic.unused_budget_cents == 0
    twice = salary_simulate(month=MARCH, paid_hours=FULL_TIME, budget_cents=499_240)
    assert twice.payslip.gross_cents == 364_606


@pytest.mark.parametrize("budget", [186_780, 250_000, 300_000, 512_345, 600_000, 1_200_000])
def test_budget_solution_is_exact_to_the_cent(budget):
    parameters, rates = payroll_parameters_at(MARCH), payroll_rates_at(MARCH)
    slip = gross_for_budget(
        budget_cents=budget, paid_hours=FULL_TIME, month=MARCH, parameters=parameters, rates=rates
    )
    one_cent_more = compute_payslip(
        gross_cents=slip.gross_cents + 1,
        paid_hours=FULL_TIME,
        month=MARCH,
        parameters=parameters,
        rates=rates,
    )
    assert slip.employer_cost_cents <= budget < one_cent_more.employer_cost_cents


def test_from_three_times_the_minimum_wage_there_is_no_reduction():
    assert payslip(546_909).reduction_cents == 0  # 3 × 1 823,03 = 5 469,09
    assert payslip(546_908).reduction_coefficient == Decimal("0.0200")  # the 2 % floor just below


def test_above_the_ceiling_the_second_tranche_and_the_cet_are_due():
    slip = amounts(payslip(500_000))
    assert slip["vieillesse-plafonnee"][0] == 400_500  # T1 = PMSS
    assert slip["retraite-complementaire-t2"] == (
        99_500,
        8_597,
        12_885,
    )  # 995,00 × 8,64 % / 12,95 %
    assert slip["cet"] == (500_000, 700, 1_050)  # 0,14 % / 0,21 % of T1 + T2


def test_part_time_prorates_the_ceiling_and_the_smic():
    parameters = payroll_parameters_at(MARCH)
    hours = Decimal(70)
    # 4 005,00 × 70 / 151,67 = 1 848,421 → 1 848,42 ; SMIC 12,02 × 70 = 841,40
    assert ceiling_cents(parameters, hours) == 184_842
    assert smic_reference_cents(parameters, hours) == 84_140
    assert base_cents("tranche_a", 250_000, 184_842, parameters) == 184_842
    assert base_cents("tranche_2", 250_000, 184_842, parameters) == 65_158
    slip = payslip(84_140, hours)
    assert slip.reduction_coefficient == Decimal("0.3981")


def test_below_the_minimum_wage_a_warning():
    slip = payslip(100_000)
    assert slip.warnings == (
        "Ce salaire est inférieur au SMIC pour 151,67 h payées (1\u202f823,03\u202f€) : "
        "réduisez les heures payées ou augmentez le salaire.",
    )
    # The reduction is capped at its maximum coefficient.
    assert slip.reduction_coefficient == Decimal("0.3981")


def test_no_rates_before_2026():
    with pytest.raises(PayrollRatesMissing):
        salary_simulate(month=datetime.date(2025, 12, 1), paid_hours=FULL_TIME, gross_cents=100_000)
