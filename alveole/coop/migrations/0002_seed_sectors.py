"""Load the eight sectors of the seed report (editable reference data afterwards)."""

from django.db import migrations

# Copied from alveole.coop.data at the time of writing: migrations never import app code.
SEED_SECTORS = [
    ("formation-conseil", "Formation, coaching et conseils"),
    ("tic", "Techniques de l'information et de la communication (TIC)"),
    ("sante", "Santé"),
    ("artisanat-commerce", "Artisanat, création et commerce / e-commerce"),
    ("habitat-espaces-verts", "Habitat, décoration et espaces verts"),
    ("arts-culture", "Arts et culture"),
    ("bien-etre", "Bien-être et développement personnel"),
    ("services-entreprises", "Autres services aux entreprises et collectivités"),
]


def load(apps, schema_editor):
    Sector = apps.get_model("coop", "Sector")
    for position, (code, name) in enumerate(SEED_SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def unload(apps, schema_editor):
    Sector = apps.get_model("coop", "Sector")
    Sector.objects.filter(code__in=[code for code, _ in SEED_SECTORS], businesses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("coop", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
