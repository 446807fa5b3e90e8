"""The 2026 payroll figures: SMIC, social security ceiling, general reduction (RGDU) and the
contribution lines of a non-executive employee of a company under 50 employees.

Sources and choices are written in each row's `source` and in docs/payroll-rates.md.
"""

import datetime
from decimal import Decimal

from django.db import migrations

VALID_FROM = datetime.date(2026, 1, 1)

PARAMETERS = {
    "smic_hourly_cents": 1202,
    "smic_monthly_cents": 182303,
    "full_time_monthly_hours": Decimal("151.67"),
    "pmss_cents": 400500,
    "reduction_tmin": Decimal("0.0200"),
    "reduction_tdelta": Decimal("0.3781"),
    "reduction_exponent": Decimal("1.75"),
    "reduction_exit_smic_multiple": Decimal("3.00"),
    "csg_base_percent": Decimal("98.25"),
    "csg_abatement_pmss_cap": 4,
    "source": (
        "SMIC au 1er janvier 2026 : 12,02 € de l'heure, 1 823,03 € par mois pour 151,67 h. "
        "PMSS 2026 : 4 005 € (communiqué BOSS du 21 octobre 2025, arrêté de décembre 2025). "
        "Réduction générale dégressive unique (RGDU), décrets n° 2025-887 du 4 septembre 2025 "
        "et n° 2025-1446 du 31 décembre 2025 : Tmin = 0,02, Tdelta = 0,3781 (moins de 50 "
        "salariés, FNAL à 0,10 % ; 0,3821 à partir de 50), P = 1,75, nulle à partir de 3 SMIC ; "
        "coefficient maximal 0,3981. CSG/CRDS sur 98,25 % du brut dans la limite de 4 PMSS."
    ),
}

URSSAF = "Taux URSSAF au 1er janvier 2026 (urssaf.fr, taux de cotisations du secteur privé)."
AGIRC_ARRCO = "Taux AGIRC-ARRCO 2026 (agirc-arrco.fr) : répartition 60 % employeur, 40 % salarié."

# (position, code, label, base, employee %, employer %, covered by the reduction, source)
RATES = [
    (10, "maladie", "Sécurité sociale – maladie, maternité, invalidité, décès", "total",
     "0", "13.00", True, URSSAF + " Taux réduit de 7 % supprimé en 2026 (absorbé par la RGDU)."),
    (20, "vieillesse-plafonnee", "Sécurité sociale – vieillesse plafonnée", "tranche_a",
     "6.90", "8.55", True, URSSAF),
    (30, "vieillesse-deplafonnee", "Sécurité sociale – vieillesse déplafonnée", "total",
     "0.40", "2.11", True, URSSAF + " Part patronale portée de 2,02 % à 2,11 % (décret 2025-1446)."),
    (40, "allocations-familiales", "Allocations familiales", "total",
     "0", "5.25", True, URSSAF + " Taux réduit de 3,45 % supprimé en 2026 (absorbé par la RGDU)."),
    (50, "accidents-travail", "Accidents du travail – maladies professionnelles", "total",
     "0", "1.00", True,
     "Taux propre à l'établissement, notifié par la CARSAT : 1,00 % est une valeur plausible "
     "pour une activité de services (conseil, formation) ; remplacez-la par le taux notifié."),
    (60, "csa", "Contribution solidarité autonomie (CSA)", "total", "0", "0.30", True, URSSAF),
    (70, "fnal", "FNAL (moins de 50 salariés)", "tranche_a", "0", "0.10", True,
     URSSAF + " 0,50 % sur la totalité du brut à partir de 50 salariés."),
    (80, "chomage", "Assurance chômage", "capped_4_pmss", "0", "4.00", True,
     URSSAF + " Tranches A et B (jusqu'à 4 PMSS)."),
    (90, "ags", "AGS (garantie des salaires)", "capped_4_pmss", "0", "0.25", False,
     URSSAF + " Tranches A et B (jusqu'à 4 PMSS)."),
    (100, "retraite-complementaire-t1", "Retraite complémentaire AGIRC-ARRCO T1", "tranche_a",
     "3.15", "4.72", True, AGIRC_ARRCO),
    (110, "ceg-t1", "Contribution d'équilibre général (CEG) T1", "tranche_a",
     "0.86", "1.29", True, AGIRC_ARRCO),
    (120, "retraite-complementaire-t2", "Retraite complémentaire AGIRC-ARRCO T2", "tranche_2",
     "8.64", "12.95", False, AGIRC_ARRCO),
    (130, "ceg-t2", "Contribution d'équilibre général (CEG) T2", "tranche_2",
     "1.08", "1.62", False, AGIRC_ARRCO),
    (140, "cet", "Contribution d'équilibre technique (CET)", "t1_t2_above_pmss",
     "0.14", "0.21", False, AGIRC_ARRCO + " Due seulement si le brut dépasse le PMSS."),
    (150, "csg-deductible", "CSG déductible de l'impôt sur le revenu", "csg",
     "6.80", "0", False, URSSAF),
    (160, "csg-non-deductible", "CSG non déductible", "csg", "2.40", "0", False, URSSAF),
    (170, "crds", "CRDS", "csg", "0.50", "0", False, URSSAF),
    (180, "dialogue-social", "Contribution au dialogue social", "total", "0", "0.016", False,
     URSSAF),
    (190, "formation-professionnelle", "Contribution à la formation professionnelle",
     "total", "0", "1.00", False,
     "Code du travail L6331-3 : 1 % à partir de 11 salariés (0,55 % en dessous)."),
    (200, "taxe-apprentissage", "Taxe d'apprentissage", "total", "0", "0.68", False,
     "Code du travail L6241-1 : 0,59 % (part principale) + 0,09 % (solde)."),
]  # fmt: skip


def load(apps, schema_editor):
    PayrollParameters = apps.get_model("coop", "PayrollParameters")
    PayrollRate = apps.get_model("coop", "PayrollRate")
    if not PayrollParameters.objects.filter(valid_from=VALID_FROM).exists():
        PayrollParameters.objects.create(valid_from=VALID_FROM, **PARAMETERS)
    for position, code, label, base, employee, employer, covered, source in RATES:
        PayrollRate.objects.get_or_create(
            code=code,
            valid_from=VALID_FROM,
            defaults={
                "label": label,
                "base": base,
                "employee_rate": Decimal(employee),
                "employer_rate": Decimal(employer),
                "covered_by_reduction": covered,
                "position": position,
                "source": source,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("coop", "PayrollRate").objects.filter(valid_from=VALID_FROM).delete()
    apps.get_model("coop", "PayrollParameters").objects.filter(valid_from=VALID_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("coop", "0003_grants_and_payroll_rates")]

    operations = [migrations.RunPython(load, unload)]
