"""Seed the quorum rules of SCOP assemblies (our reading of loi 78-763; docs/adr/0005)."""

import datetime

from django.db import migrations

LAW = "Loi n° 78-763 du 19 juillet 1978 (statut des SCOP)"
IN_FORCE = datetime.date(1978, 7, 19)
RULES = [
    # kind, convocation round, numerator, denominator, source
    ("ordinary", 1, 1, 4, f"{LAW} : le quart des associé·es sur première convocation"),
    ("ordinary", 2, 0, 1, f"{LAW} : aucun quorum sur deuxième convocation"),
    ("extraordinary", 1, 1, 3, f"{LAW} : le tiers des associé·es sur première convocation"),
    ("extraordinary", 2, 1, 4, f"{LAW} : le quart des associé·es sur deuxième convocation"),
]


def seed(apps, schema_editor):
    QuorumRule = apps.get_model("governance", "QuorumRule")
    for kind, round_, numerator, denominator, source in RULES:
        QuorumRule.objects.get_or_create(
            kind=kind,
            convocation_round=round_,
            valid_from=IN_FORCE,
            defaults={"numerator": numerator, "denominator": denominator, "source": source},
        )


def unseed(apps, schema_editor):
    apps.get_model("governance", "QuorumRule").objects.filter(valid_from=IN_FORCE).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_shares_assemblies_votes_board")]

    operations = [migrations.RunPython(seed, unseed)]
