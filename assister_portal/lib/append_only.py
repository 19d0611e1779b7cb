"""Database triggers that make a table append-only (audit events, consent history).

UPDATE and DELETE are rejected by PostgreSQL itself, whoever issues them. TRUNCATE is
left to the database owner (test flushes use it); the production application role
should not hold it (README, "Configuration").
"""

from django.db import migrations

_UP = """
CREATE OR REPLACE FUNCTION {table}_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_reject_change();
"""
_DOWN = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_reject_change();
"""


def append_only(table: str) -> migrations.RunSQL:
    """A migration operation that installs (and on reverse removes) the trigger for `table`."""
    return migrations.RunSQL(_UP.format(table=table), _DOWN.format(table=table))
