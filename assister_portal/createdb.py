"""`python -m assister_portal.createdb`: create DATABASE_URL's PostgreSQL database if it is missing.

`make run` does this through `assister_portal.devdb` (`ensure_database`), so a fresh machine
needs no manual step, whichever server it uses.
"""

import os
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


def ensure_database(url: str) -> bool:
    """Create the database `url` names on its server unless it exists; True if it was created.

    Connects to the server's `postgres` database; raises psycopg.OperationalError when the
    server cannot be reached.
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        print(f"DATABASE_URL is not a PostgreSQL address: {url!r}", file=sys.stderr)
        return 2
    try:
        if ensure_database(url):
            print(f"created the database {parts.path.lstrip('/')}")
    except psycopg.OperationalError as error:
        print(f"Cannot reach PostgreSQL at {parts.hostname}:{parts.port or 5432}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
