"""Database triggers that make a table append-only (audit events, consent history).

UPDATE and DELETE are rejected by the database itself, whoever issues them.
PostgreSQL in production and tests; SQLite for `make run`. TRUNCATE is left to the
database owner (test flushes use it); the production application role should not
hold it (README, "Configuration").
"""

from django.db import migrations

_POSTGRES_UP = """
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
_POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_reject_change();
"""
_SQLITE_UP = [
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE is not allowed'); END;",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE is not allowed'); END;",
]
_SQLITE_DOWN = ["DROP TRIGGER IF EXISTS {table}_no_update;", "DROP TRIGGER IF EXISTS {table}_no_delete;"]


def _runner(table: str, postgres: str, sqlite: list[str]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = [postgres.format(table=table)]
        elif vendor == "sqlite":
            statements = [s.format(table=table) for s in sqlite]
        else:
            raise RuntimeError(f"No append-only trigger for {vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that installs (and on reverse removes) the triggers for `table`."""
    return migrations.RunPython(_runner(table, _POSTGRES_UP, _SQLITE_UP), _runner(table, _POSTGRES_DOWN, _SQLITE_DOWN))
