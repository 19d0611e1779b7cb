"""The SSN never appears in pages, URLs, logs or the database in clear; only its last four are shown."""

import logging

import pytest
from django.db import connection

from associations.tests.factories import associate
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client
from conftest import sign_in

SSN = "987-65-4321"


@pytest.mark.django_db
def test_the_ssn_is_encrypted_at_rest_and_only_its_last_four_are_shown(client, caplog):
    person = make_client(ssn=SSN)
    broker = make_assister(AssisterKind.BROKER)
    associate(person, broker)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssn, ssn_hash, ssn_last4 FROM clients_client WHERE id = %s", [person.pk])
        stored, hashed, last4 = cursor.fetchone()
    assert "987654321" not in stored and "987654321" not in hashed and last4 == "4321"
    caplog.set_level(logging.DEBUG)
    sign_in(client, broker.user)
    pages = [client.get("/clients/"), client.get(f"/clients/{person.public_id}/")]
    client.post("/accounts/logout/")
    sign_in(client, person.user)
    pages += [client.get("/my/profile/"), client.get("/my/assisters/")]
    for response in pages:
        html = response.content.decode()
        assert "987654321" not in html and "987-65-4321" not in html
    assert "4321" in pages[1].content.decode()  # the masked form on the client page
    assert "987654321" not in caplog.text and "987-65-4321" not in caplog.text
