"""Payroll rates are data with validity dates: the 2026 data, new versions, lookups by date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alveole.coop.models import PayrollParameters, PayrollRate
from alveole.coop.selectors import (
    PayrollRatesMissing,
    payroll_parameters_at,
    payroll_rates_at,
)
from alveole.coop.services import payroll_parameters_create, payroll_rate_create, payroll_rate_end

pytestmark = pytest.mark.django_db

D = datetime.date


def test_2026_initial_data():
    parameters = payroll_parameters_at(D(2026, 6, 15))
    assert parameters.smic_hourly_cents == 1202
    assert parameters.smic_monthly_cents == 182303
    assert parameters.full_time_monthly_hours == Decimal("151.67")
    assert parameters.pmss_cents == 400500
    assert parameters.reduction_tmin + parameters.reduction_tdelta == Decimal("0.3981")
    assert parameters.reduction_exponent == Decimal("1.75")
    rates = {
        rate.code: (rate.employee_rate, rate.employer_rate)
        for rate in payroll_rates_at(D(2026, 6, 15))
    }
    assert rates["maladie"] == (0, Decimal("13"))
    assert rates["vieillesse-plafonnee"] == (Decimal("6.9"), Decimal("8.55"))
    assert rates["csg-deductible"] == (Decimal("6.8"), 0)
    assert rates["dialogue-social"] == (0, Decimal("0.016"))
    assert len(rates) == 20


def test_nothing_in_force_before_2026():
    with pytest.raises(PayrollRatesMissing) as error:
        payroll_parameters_at(D(2025, 12, 31))
    assert (
        str(error.value)
        == "Aucun paramètre de paie (SMIC, plafond) n'est en vigueur au 31/12/2025."
    )
    with pytest.raises(PayrollRatesMissing):
        payroll_rates_at(D(2025, 12, 31))


def test_a_new_version_closes_the_previous_one_the_day_before():
    new = payroll_rate_create(
        actor=None, code="maladie", valid_from=D(2027, 1, 1), label="Maladie",
        base="total", employee_rate=Decimal(0), employer_rate=Decimal("13.10"),
        covered_by_reduction=True, position=10,
    )  # fmt: skip
    old = PayrollRate.objects.get(code="maladie", valid_from=D(2026, 1, 1))
    assert old.valid_to == D(2026, 12, 31)
    assert {r.code: r.employer_rate for r in payroll_rates_at(D(2026, 12, 31))}["maladie"] == 13
    assert {r.pk for r in payroll_rates_at(D(2027, 1, 1)) if r.code == "maladie"} == {new.pk}


def test_a_version_cannot_start_before_the_one_in_force():
    with pytest.raises(ValidationError) as error:
        payroll_rate_create(
            actor=None, code="maladie", valid_from=D(2025, 7, 1), label="Maladie", base="total",
            employee_rate=Decimal(0), employer_rate=Decimal(13),
        )  # fmt: skip
    assert "commence déjà le 01/01/2026" in error.value.message_dict["valid_from"][0]
    assert PayrollRate.objects.filter(code="maladie").count() == 1


def test_rate_out_of_range_refused():
    with pytest.raises(ValidationError) as error:
        payroll_rate_create(
            actor=None, code="nouvelle", valid_from=D(2027, 1, 1), label="Nouvelle", base="total",
            employee_rate=Decimal(-1), employer_rate=Decimal(1),
        )  # fmt: skip
    assert error.value.message_dict["employee_rate"] == [
        "Un taux est un pourcentage entre 0 et 100."
    ]


def test_an_abolished_contribution_ends():
    rate = PayrollRate.objects.get(code="dialogue-social")
    payroll_rate_end(actor=None, rate=rate, valid_to=D(2026, 12, 31))
    assert "dialogue-social" not in {r.code for r in payroll_rates_at(D(2027, 1, 1))}


def test_new_parameters_supersede():
    current = payroll_parameters_at(D(2026, 1, 1))
    fields = {
        name: getattr(current, name)
        for name in ("smic_monthly_cents", "full_time_monthly_hours", "pmss_cents", "reduction_tmin",
                     "reduction_tdelta", "reduction_exponent", "reduction_exit_smic_multiple",
                     "csg_base_percent", "csg_abatement_pmss_cap")
    }  # fmt: skip
    payroll_parameters_create(
        actor=None, valid_from=D(2026, 11, 1), smic_hourly_cents=1230, **fields
    )
    assert payroll_parameters_at(D(2026, 10, 31)).smic_hourly_cents == 1202
    assert payroll_parameters_at(D(2026, 11, 1)).smic_hourly_cents == 1230
    assert PayrollParameters.objects.get(valid_from=D(2026, 1, 1)).valid_to == D(2026, 10, 31)


def test_the_admin_shows_rates_but_does_not_edit_them(personas):
    client = personas.director.client
    assert client.get("/admin/coop/payrollrate/").status_code == 200
    rate = PayrollRate.objects.get(code="maladie")
    response = client.get(f"/admin/coop/payrollrate/{rate.pk}/change/")
    assert response.status_code == 200
    assert "absorbé par la RGDU" in response.content.decode()
    assert client.get("/admin/coop/payrollrate/add/").status_code == 403
    assert (
        client.post(f"/admin/coop/payrollrate/{rate.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert PayrollRate.objects.filter(pk=rate.pk).exists()
    assert personas.staff.client.get("/admin/coop/payrollrate/").status_code == 302
