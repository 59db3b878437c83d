"""Database rules that keep the ledger whole on PostgreSQL.

A deferred constraint trigger checks at commit that every journal entry
touched in the transaction has at least two lines and that its debits equal
its credits to the cent. Row triggers reject any UPDATE or DELETE of posted
entries and lines: a correction is a reversing entry. SQLite has no deferred
triggers, so there the same rules are enforced by accounting.ledger alone.
"""

from django.db import migrations

CREATE_SQL = """
CREATE FUNCTION accounting_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    checked_entry bigint;
    line_count integer;
    total_debit numeric;
    total_credit numeric;
BEGIN
    IF TG_TABLE_NAME = 'accounting_journalentry' THEN
        checked_entry := NEW.id;
    ELSE
        checked_entry := NEW.entry_id;
    END IF;
    SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0)
      INTO line_count, total_debit, total_credit
      FROM accounting_journalline WHERE entry_id = checked_entry;
    IF line_count < 2 THEN
        RAISE EXCEPTION 'journal entry % has % lines; it needs at least two',
            checked_entry, line_count USING ERRCODE = 'check_violation';
    END IF;
    IF total_debit <> total_credit THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits % and credits %',
            checked_entry, total_debit, total_credit
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER accounting_journalentry_balanced
    AFTER INSERT ON accounting_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION accounting_check_entry_balanced();

CREATE CONSTRAINT TRIGGER accounting_journalline_balanced
    AFTER INSERT ON accounting_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION accounting_check_entry_balanced();

CREATE FUNCTION accounting_reject_ledger_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% of % rejected: posted ledger rows are never changed; '
        'post a reversing entry instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounting_journalentry_immutable
    BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION accounting_reject_ledger_change();

CREATE TRIGGER accounting_journalline_immutable
    BEFORE UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION accounting_reject_ledger_change();
"""

DROP_SQL = """
DROP TRIGGER accounting_journalline_immutable ON accounting_journalline;
DROP TRIGGER accounting_journalentry_immutable ON accounting_journalentry;
DROP FUNCTION accounting_reject_ledger_change();
DROP TRIGGER accounting_journalline_balanced ON accounting_journalline;
DROP TRIGGER accounting_journalentry_balanced ON accounting_journalentry;
DROP FUNCTION accounting_check_entry_balanced();
"""


def create_rules(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL, params=None)


def drop_rules(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0004_chart_of_accounts")]

    operations = [migrations.RunPython(create_rules, drop_rules)]
