"""Two real database connections racing to start an association for the same client and kind."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from associations import services
from associations.models import Association, AssociationStatus
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client


def race(*callables):
    """Run each callable in its own thread (so its own connection), started together; return results/errors."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_starts_leave_exactly_one_active():
    client = make_client()
    first, second = make_assister(AssisterKind.BROKER), make_assister(AssisterKind.BROKER)

    def start(assister):
        return lambda: services.association_start_by_consumer(
            client=client, assister=assister, powers=["view_client"], actor=client.user
        )

    results = race(start(first), start(second))
    assert not [r for r in results if isinstance(r, Exception)], results
    active = Association.objects.filter(client=client, kind="broker", status=AssociationStatus.ACTIVE)
    assert active.count() == 1
    assert Association.objects.filter(client=client, kind="broker", end_reason="replaced").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_constraint_holds_even_without_the_services_lock():
    client = make_client()
    first, second = make_assister(AssisterKind.NAVIGATOR), make_assister(AssisterKind.NAVIGATOR)

    def insert(assister):
        def go():
            with transaction.atomic():
                return Association.objects.create(
                    client=client,
                    assister=assister,
                    agency_id=assister.agency_id,
                    kind="navigator",
                    status="active",
                    initiated_by="consumer",
                )

        return go

    results = race(insert(first), insert(second))
    errors = [r for r in results if isinstance(r, IntegrityError)]
    assert len(errors) == 1
    assert errors[0].__cause__.diag.constraint_name == "assoc_one_current_per_client_kind"
    assert Association.objects.filter(client=client, status="active").count() == 1
