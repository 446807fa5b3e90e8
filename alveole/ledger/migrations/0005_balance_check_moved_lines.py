"""The balance guard also checks the entry a line leaves.

`ledger_check_entry_balanced` (migration 0002) checked, for a line updated, only the entry
it belongs to afterwards: a line moved to another entry (`UPDATE … SET entry_id`) left the
entry it came from unbalanced and unchecked. Both are checked now. The function reads an
entry and the sums of its lines in one query (two before; no measurable change in speed).
The triggers themselves are unchanged. PostgreSQL only, as 0002.
"""

import importlib

from django.db import migrations

BALANCE_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    entries bigint[];
    checked_entry bigint;
    entry_debit bigint;
    entry_credit bigint;
    line_debit bigint;
    line_credit bigint;
BEGIN
    IF TG_TABLE_NAME = 'ledger_entry' THEN
        entries := ARRAY[NEW.id];
    ELSIF TG_OP = 'DELETE' THEN
        entries := ARRAY[OLD.entry_id];
    ELSIF TG_OP = 'UPDATE' AND OLD.entry_id <> NEW.entry_id THEN
        entries := ARRAY[NEW.entry_id, OLD.entry_id];
    ELSE
        entries := ARRAY[NEW.entry_id];
    END IF;
    FOREACH checked_entry IN ARRAY entries LOOP
        SELECT e.debit_cents, e.credit_cents, sums.debit, sums.credit
          INTO entry_debit, entry_credit, line_debit, line_credit
          FROM ledger_entry e,
               LATERAL (SELECT COALESCE(SUM(l.debit_cents), 0) AS debit,
                               COALESCE(SUM(l.credit_cents), 0) AS credit
                          FROM ledger_line l WHERE l.entry_id = e.id) sums
         WHERE e.id = checked_entry;
        CONTINUE WHEN NOT FOUND;  -- the entry is gone too (deleted with its lines)
        IF line_debit <> line_credit OR line_debit <> entry_debit
           OR line_credit <> entry_credit THEN
            RAISE EXCEPTION 'ledger entry % is not balanced: lines % / %, entry % / %',
                checked_entry, line_debit, line_credit, entry_debit, entry_credit
                USING ERRCODE = '23514';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _previous_function() -> str:
    """0002's function, first statement of its `BALANCE_TRIGGER`."""
    module = importlib.import_module("alveole.ledger.migrations.0002_load_chart_and_journals")
    return module.BALANCE_TRIGGER.split("\n\n")[0]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds % signs (RAISE) that are not placeholders.
        schema_editor.execute(BALANCE_FUNCTION, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_previous_function(), params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_line_date_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
