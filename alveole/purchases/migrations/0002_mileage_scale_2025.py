"""The fiscal mileage scale for cars published in 2025 (barème kilométrique 2025).

Source: the scale of the arrêté du 27 mars 2023 (JO du 31 mars 2023, revaluation of 5.4 %),
kept unchanged in 2024 and published again by the tax administration in April 2025 for the
2024 income (impots.gouv.fr, BOFiP BOI-BAREME-000001; entreprendre.service-public.fr,
« Barème kilométrique 2025 »). URSSAF accepts it for allowances paid to employees who use
their own car. Alvéole applies it to trips from 1 January 2025 and keeps applying it in
2026 until the next scale is loaded. Electric cars: amounts increased by 20 %.

Bands: "jusqu'à 5 000 km", "de 5 001 à 20 000 km", "au-delà de 20 000 km" of yearly
distance; "3 CV et moins" is 0–3 CV and "7 CV et plus" has no upper bound.
See docs/users/purchases.md.
"""

import datetime
from decimal import Decimal

from django.db import migrations

YEAR = 2025
VALID_FROM = datetime.date(2025, 1, 1)
SOURCE = (
    "Barème kilométrique des voitures publié en 2025 (revenus 2024) : barème de l'arrêté du "
    "27 mars 2023 (JO du 31 mars 2023), reconduit en 2024 et en 2025 — impots.gouv.fr, "
    "BOFiP BOI-BAREME-000001 ; entreprendre.service-public.fr, « Barème kilométrique 2025 ». "
    "Véhicules électriques : montants majorés de 20 %. Appliqué aux trajets à partir du "
    "1er janvier 2025, et en 2026 jusqu'à la publication du barème suivant."
)

# (horsepower from, to) → (d ≤ 5 000 km), (5 001–20 000 km: rate, fixed €), (> 20 000 km)
CARS = [
    ((0, 3), "0.529", ("0.316", 1065), "0.370"),
    ((4, 4), "0.606", ("0.340", 1330), "0.407"),
    ((5, 5), "0.636", ("0.357", 1395), "0.427"),
    ((6, 6), "0.665", ("0.374", 1457), "0.447"),
    ((7, None), "0.697", ("0.394", 1515), "0.470"),
]


def load(apps, schema_editor):
    MileageScale = apps.get_model("purchases", "MileageScale")
    MileageBand = apps.get_model("purchases", "MileageBand")
    scale = MileageScale.objects.create(
        year=YEAR, valid_from=VALID_FROM, electric_bonus_percent=Decimal("20"), source=SOURCE
    )
    for (hp_min, hp_max), first, (middle, fixed_euros), last in CARS:
        for d_min, d_max, rate, fixed_cents in (
            (0, 5000, first, 0),
            (5001, 20000, middle, fixed_euros * 100),
            (20001, None, last, 0),
        ):
            MileageBand.objects.create(
                scale=scale,
                horsepower_min=hp_min,
                horsepower_max=hp_max,
                distance_min_km=d_min,
                distance_max_km=d_max,
                rate_per_km=Decimal(rate),
                fixed_cents=fixed_cents,
            )


def unload(apps, schema_editor):
    apps.get_model("purchases", "MileageScale").objects.filter(year=YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("purchases", "0001_suppliers_invoices_expense_reports")]

    operations = [migrations.RunPython(load, unload)]
