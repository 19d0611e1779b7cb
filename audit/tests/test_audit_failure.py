import pytest
from django.db import connection

from conftest import PASSWORD


@pytest.fixture
def broken_audit_table(transactional_db):
    """Make every insert into the audit table fail, the way a full disk or a revoked grant would."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_audit_refuse_insert() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit storage unavailable'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_audit_refuse_insert BEFORE INSERT ON audit_auditevent
                FOR EACH ROW EXECUTE FUNCTION test_audit_refuse_insert();
            """
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER test_audit_refuse_insert ON audit_auditevent; DROP FUNCTION test_audit_refuse_insert();"
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sign_in_that_cannot_be_audited_fails_and_leaves_no_session(client, consumer, broken_audit_table):
    client.raise_request_exception = False
    response = client.post("/accounts/login/", {"login": consumer.email, "password": PASSWORD})
    assert response.status_code == 500
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/email/").status_code == 302  # still signed out
