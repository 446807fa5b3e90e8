"""Load the initial chart of accounts (PCG subset) and the journals; editable afterwards.

On PostgreSQL, also a deferred constraint trigger: at commit, every entry's lines must add up
to its debit and credit totals, which must be equal (the check constraint on the entry
already requires debit = credit). SQLite has no deferred triggers: the posting service
checks it there, as everywhere.
"""

from django.db import migrations

# Copied from alveole.ledger.chart at the time of writing: migrations never import app code.
INITIAL_ACCOUNTS = [
    ('101', 'Capital'),
    ('1013', 'Capital souscrit – appelé, versé'),
    ('106', 'Réserves'),
    ('1061', 'Réserve légale'),
    ('1068', 'Autres réserves (réserves impartageables)'),
    ('110', 'Report à nouveau (solde créditeur)'),
    ('119', 'Report à nouveau (solde débiteur)'),
    ('120', "Résultat de l'exercice (bénéfice)"),
    ('129', "Résultat de l'exercice (perte)"),
    ('1811', 'Liaison entre activités – contributions coopératives'),
    ('1812', 'Liaison entre activités – ventes et achats internes'),
    ('401', 'Fournisseurs'),
    ('411', 'Clients'),
    ('421', 'Personnel – rémunérations dues'),
    ('427', 'Personnel – oppositions et autres retenues'),
    ('431', 'Sécurité sociale (URSSAF)'),
    ('437', 'Autres organismes sociaux'),
    ('441', 'État – subventions à recevoir'),
    ('44551', 'TVA à décaisser'),
    ('44564', 'TVA déductible en attente de paiement'),
    ('44566', 'TVA déductible sur autres biens et services'),
    ('44567', 'Crédit de TVA à reporter'),
    ('44571', 'TVA collectée'),
    ('44574', "TVA collectée en attente d'encaissement (prestations)"),
    ('4671', 'Notes de dépenses à rembourser'),
    ('512', 'Banque'),
    ('604', "Achats d'études et prestations de services (sous-traitance)"),
    ('606', 'Achats non stockés de matières et fournitures'),
    ('6061', 'Fournitures non stockables (eau, énergie, carburant)'),
    ('6063', "Fournitures d'entretien et de petit équipement"),
    ('6064', 'Fournitures administratives'),
    ('607', 'Achats de marchandises'),
    ('611', 'Sous-traitance générale'),
    ('613', 'Locations'),
    ('6181', 'Documentation générale'),
    ('6226', 'Honoraires'),
    ('6251', 'Voyages et déplacements'),
    ('6256', 'Missions'),
    ('6257', 'Réceptions'),
    ('626', 'Frais postaux et de télécommunications'),
    ('627', 'Services bancaires et assimilés'),
    ('628', 'Divers'),
    ('641', 'Rémunérations du personnel'),
    ('645', 'Charges de sécurité sociale et de prévoyance'),
    ('6459', 'Réduction générale des cotisations patronales'),
    ('706', 'Prestations de services'),
    ('707', 'Ventes de marchandises'),
    ('740', "Subventions d'exploitation"),
]

INITIAL_JOURNALS = [
    ('VE', 'Ventes'),
    ('AC', 'Achats'),
    ('BQ', 'Banque'),
    ('PA', 'Paie'),
    ('OD', 'Opérations diverses'),
    ('AN', 'À-nouveaux'),
]

BALANCE_TRIGGER = """
CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    checked_entry bigint;
    line_debit bigint;
    line_credit bigint;
    entry_debit bigint;
    entry_credit bigint;
BEGIN
    IF TG_TABLE_NAME = 'ledger_entry' THEN
        checked_entry := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        checked_entry := OLD.entry_id;
    ELSE
        checked_entry := NEW.entry_id;
    END IF;
    SELECT debit_cents, credit_cents INTO entry_debit, entry_credit
      FROM ledger_entry WHERE id = checked_entry;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT COALESCE(SUM(debit_cents), 0), COALESCE(SUM(credit_cents), 0)
      INTO line_debit, line_credit FROM ledger_line WHERE entry_id = checked_entry;
    IF line_debit <> line_credit OR line_debit <> entry_debit OR line_credit <> entry_credit THEN
        RAISE EXCEPTION 'ledger entry % is not balanced: lines % / %, entry % / %',
            checked_entry, line_debit, line_credit, entry_debit, entry_credit
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_line_balance_check
    AFTER INSERT OR DELETE OR UPDATE OF debit_cents, credit_cents, entry_id ON ledger_line
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

CREATE CONSTRAINT TRIGGER ledger_entry_balance_check
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS ledger_entry_balance_check ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_line_balance_check ON ledger_line;
DROP FUNCTION IF EXISTS ledger_check_entry_balanced();
"""


def load(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Journal = apps.get_model("ledger", "Journal")
    for number, label in INITIAL_ACCOUNTS:
        Account.objects.get_or_create(number=number, defaults={"label": label})
    for code, label in INITIAL_JOURNALS:
        Journal.objects.get_or_create(code=code, defaults={"label": label})
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds % signs (RAISE) that are not placeholders.
        for statement in BALANCE_TRIGGER.split("\n\n"):
            schema_editor.execute(statement, params=None)


def unload(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)
    apps.get_model("ledger", "Journal").objects.filter(entries__isnull=True).delete()
    apps.get_model("ledger", "Account").objects.filter(lines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_ledger_accounts_journals_entries")]
    operations = [migrations.RunPython(load, unload)]
