"""Transaction-scoped PostgreSQL advisory locks: the one way the portal makes concurrent attempts take turns."""

from django.db import connection


def advisory_xact_lock(*names: str) -> None:
    """Wait for, then hold until the caller's transaction ends, a lock on each name, in the order given.

    Callers that take several locks take them in one fixed order, so two attempts never wait for each other
    in a cycle. Must run inside `transaction.atomic()` (outside one, the lock would end with the statement).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_xact_lock() must run inside transaction.atomic().")
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
