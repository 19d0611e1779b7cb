"""`python -m assister_portal.createdb`: create DATABASE_URL's PostgreSQL database if it is missing.

Used by `make run`, so a fresh machine with a PostgreSQL server needs no manual step.
"""

import os
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        print(f"DATABASE_URL is not a PostgreSQL address: {url!r}", file=sys.stderr)
        return 2
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created the database {name}")
    except psycopg.OperationalError as error:
        print(f"Cannot reach PostgreSQL at {parts.hostname}:{parts.port or 5432}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
