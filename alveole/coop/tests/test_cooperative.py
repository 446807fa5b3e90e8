"""The cooperative's identity: identifiers validated, settings page for the director only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alveole.coop.models import Cooperative, FiscalYear
from alveole.coop.services import cooperative_update, fiscal_year_create
from tests.factories import COOP_SIREN, COOP_SIRET, COOP_VAT

pytestmark = pytest.mark.django_db


def test_wrong_siren_refused_with_a_clear_message(cooperative):
    with pytest.raises(ValidationError) as error:
        cooperative_update(actor=None, cooperative=cooperative, siren="123456789")
    assert "n'est pas un numéro SIREN valide" in str(error.value)
    cooperative.refresh_from_db()
    assert cooperative.siren == COOP_SIREN


def test_siret_must_belong_to_siren(cooperative):
    with pytest.raises(ValidationError) as error:
        cooperative_update(actor=None, cooperative=cooperative, siret="73282932000074")
    assert "SIRET doit commencer par le SIREN" in str(error.value)


def test_identifiers_are_normalised(cooperative):
    cooperative = cooperative_update(
        actor=None,
        cooperative=cooperative,
        siren="912 345 675",
        siret="912 345 675 00009",
        vat_number="fr 65 912345675",
    )
    assert (cooperative.siren, cooperative.siret, cooperative.vat_number) == (
        COOP_SIREN,
        COOP_SIRET,
        COOP_VAT,
    )


def test_fiscal_years_cannot_overlap(cooperative):
    import datetime as dt

    fiscal_year_create(actor=None, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    with pytest.raises(ValidationError) as error:
        fiscal_year_create(
            actor=None, start_date=dt.date(2025, 7, 1), end_date=dt.date(2026, 6, 30)
        )
    assert "chevauche" in str(error.value)
    assert FiscalYear.objects.count() == 1


def test_eight_seed_sectors_are_loaded(db):
    from alveole.coop.models import Sector

    assert Sector.objects.count() == 8
    assert Sector.objects.first().name == "Formation, coaching et conseils"


def test_settings_page_director_only(personas):
    url = reverse("coop:settings")
    assert personas.director.client.get(url).status_code == 200
    for persona in (personas.entrepreneur, personas.staff, personas.accountant):
        assert persona.client.get(url).status_code == 403
    assert personas.anonymous.client.get(url).status_code == 302


def _form_data(cooperative, **changes):
    data = {
        "name": cooperative.name, "legal_form": cooperative.legal_form, "capital": "10000.00",
        "siren": cooperative.siren, "siret": cooperative.siret, "rcs_city": cooperative.rcs_city,
        "vat_number": cooperative.vat_number, "address": cooperative.address, "postal_code": cooperative.postal_code,
        "city": cooperative.city, "region": cooperative.region, "training_registration_number": "",
        "email": "", "phone": "", "website": "", "full_time_paid_hours": "1820",
    }  # fmt: skip
    data.update(changes)
    return data


def test_director_changes_capital_and_refused_siren_changes_nothing(personas, cooperative):
    client = personas.director.client
    response = client.post(
        reverse("coop:settings"),
        _form_data(cooperative, capital="12 345,67".replace(" ", "").replace(",", ".")),
    )
    assert response.status_code == 302
    assert Cooperative.objects.get().capital_cents == 1_234_567
    response = client.post(
        reverse("coop:settings"), _form_data(cooperative, siren="123456789", capital="1.00")
    )
    assert response.status_code == 400
    assert "SIREN valide" in response.content.decode()
    assert Cooperative.objects.get().capital_cents == 1_234_567


def test_staff_cannot_post_settings(personas, cooperative):
    response = personas.staff.client.post(
        reverse("coop:settings"), _form_data(cooperative, name="Piratée")
    )
    assert response.status_code == 403
    assert Cooperative.objects.get().name == "Coopérative Test"


def test_admin_reference_data_for_director_only(personas):
    url = reverse("admin:coop_sector_changelist")
    assert personas.director.client.get(url).status_code == 200
    assert (
        personas.staff.client.get(url).status_code == 302
    )  # not admin staff: sent to the admin login
