import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AuditEvent
from audit.tests.factories import audit_event


@pytest.fixture
def event(db, consumer):
    return audit_event(actor=consumer)


def test_the_database_rejects_updates_through_the_orm(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.SIGN_OUT)
    event.refresh_from_db()
    assert event.action == Action.SIGN_IN


def test_the_database_rejects_updates_and_deletes_in_raw_sql(event):
    for sql in (
        "UPDATE audit_auditevent SET actor_label = 'someone else'",
        "DELETE FROM audit_auditevent",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).actor_label == event.actor_label


def test_the_database_rejects_model_delete(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserting_is_allowed(event, consumer):
    before = AuditEvent.objects.count()
    audit_event(action=Action.SIGN_OUT, actor=consumer)
    assert AuditEvent.objects.count() == before + 1


def test_a_user_with_an_audit_trail_cannot_be_deleted(event, consumer):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        consumer.delete()
