import pytest
from celery import current_app
from django.db import connection


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_answers_503_without_details_when_the_database_is_down(client):
    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert response.status_code == 503
    assert response.content == b"unavailable"


@pytest.mark.django_db
def test_healthz_checks_the_broker_when_one_is_configured(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    app = current_app  # the project's Celery app (assister_portal/celery.py)
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        assert client.get("/healthz").status_code == 200
        settings.CELERY_BROKER_URL = app.conf.broker_url = "redis://127.0.0.1:1/0"
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.content == b"unavailable"
    finally:
        app.conf.broker_url = "memory://localhost/"


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200  # the load balancer probes over plain HTTP
    assert client.get("/").status_code == 301  # everything else goes to https
