"""The benchmark's own PostgreSQL database, on DATABASE_URL's server, created on demand.

Its name is the bench's (`BENCH_DB_NAME`, …) when DATABASE_URL names the default database (`assister_portal`) or
none; otherwise that database's name is added after two underscores (DATABASE_URL=…/ap_dev gives
`assister_portal_bench__ap_dev`), so people who work on one server with databases of their own also bench in
databases of their own and never rebuild (drop) each other's data set.

Nothing here imports Django: this runs before settings are loaded, so that Django is
pointed at the bench database from the start.
"""

import json
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BENCH_DB_NAME = "assister_portal_bench"
# `python -m bench notices`: a small database of its own, so it never waits for (or disturbs) the big data set.
NOTICES_DB_NAME = "assister_portal_bench_notices"
# `python -m bench documents`: the staff queue of 10,000 submitted verification requests, built once and kept.
DOCUMENTS_DB_NAME = "assister_portal_bench_documents"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/assister_portal"
DEFAULT_DATABASE_NAME = "assister_portal"
BENCH_NAMES = (BENCH_DB_NAME, NOTICES_DB_NAME, DOCUMENTS_DB_NAME)
OWNER_SEPARATOR = "__"  # between the bench's name and DATABASE_URL's: no bench name has two underscores in a row
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
# Written by the build in the same transaction as the data, so a half-built data set never looks finished.
MARKER_TABLE = "bench_dataset"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme == "pgsql" else parts.scheme
    return urlunsplit(parts._replace(scheme=scheme, path="/" + name))


def bench_database_name(url: str, name: str = BENCH_DB_NAME) -> str:
    """The bench database's name for DATABASE_URL `url`: `name`, followed by DATABASE_URL's database name (letters,
    digits and underscores kept) unless that is the default one."""
    owner = "".join(c for c in urlsplit(url).path.lstrip("/").lower() if c.isascii() and (c.isalnum() or c == "_"))
    if not owner or owner == DEFAULT_DATABASE_NAME:
        return name
    return f"{name}{OWNER_SEPARATOR}{owner}"[:63]  # PostgreSQL's longest identifier


def bench_database_url(url: str | None, name: str = BENCH_DB_NAME) -> str:
    """DATABASE_URL with the database name replaced by the bench database's (`name`, see `bench_database_name`)."""
    url = url or DEFAULT_DATABASE_URL
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        raise SystemExit(f"bench: DATABASE_URL must point at PostgreSQL (postgres://…), not {urlsplit(url).scheme}://")
    return _with_database(url, bench_database_name(url, name))


def _name(url: str) -> str:
    """The bench database `url` names; never another (create_database may drop it)."""
    name = urlsplit(url).path.lstrip("/")
    bench, _sep, owner = name.partition(OWNER_SEPARATOR)
    if bench not in BENCH_NAMES or (_sep and not owner):
        raise ValueError(f"not a bench database: {name!r}")
    return name


def _maintenance_connect(url: str) -> psycopg.Connection:
    return psycopg.connect(_with_database(url, "postgres"), autocommit=True, connect_timeout=10)


def database_exists(url: str) -> bool:
    """Whether the database `url` names (a bench database's URL) exists."""
    with _maintenance_connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_name(url)]).fetchone() is not None


def create_database(url: str, *, drop_first: bool = False) -> None:
    """CREATE DATABASE the one `url` names (a bench database's URL), dropping it first, sessions and all,
    when asked."""
    datname = _name(url)
    name = sql.Identifier(datname)
    with _maintenance_connect(url) as conn:
        if drop_first:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [datname]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def read_marker(url: str) -> dict | None:
    """What the last finished build wrote, or None when there is no finished data set."""
    with psycopg.connect(url, connect_timeout=10) as conn:
        if conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()[0] is None:
            return None
        row = conn.execute(sql.SQL("SELECT info FROM {}").format(sql.Identifier(MARKER_TABLE))).fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def write_marker(cursor, info: dict) -> None:
    """Through Django's cursor, inside the build's transaction."""
    table = MARKER_TABLE
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (id integer PRIMARY KEY, info jsonb NOT NULL)")
    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant table name
    cursor.execute(f"INSERT INTO {table} (id, info) VALUES (1, %s)", [json.dumps(info)])  # noqa: S608
