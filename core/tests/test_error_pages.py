import pytest
from django.test import Client

from conftest import sign_in


@pytest.mark.django_db
def test_unknown_page_is_a_plain_language_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()


@pytest.mark.django_db
def test_expired_form_explains_itself(consumer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": consumer.email, "password": "x"})
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()


@pytest.mark.django_db
def test_wrong_method_is_not_a_500(client, consumer):
    sign_in(client, consumer)
    assert client.get("/accounts/session/keepalive/").status_code == 405
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_favicon_request_is_answered_not_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/uswds/img/favicons/favicon")
