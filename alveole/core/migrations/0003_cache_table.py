"""The table of the shared cache (settings.CACHES "database", `ALVEOLE_CACHE`).

Created here rather than by `createcachetable`, so that `alveole migrate` is the only step
an installation or an upgrade runs, whichever cache the settings name today.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "alveole_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, False)


def drop(apps, schema_editor):
    if TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_login_throttle")]

    operations = [migrations.RunPython(create, drop)]
