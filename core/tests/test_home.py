import pytest

from conftest import sign_in


@pytest.mark.django_db
def test_visitors_see_what_the_portal_is_for_and_how_to_sign_in_or_up(client):
    html = client.get("/").content.decode()
    assert "For consumers and small employers" in html
    assert "For brokers, navigators and counselors" in html
    assert 'href="/accounts/login/"' in html and 'href="/accounts/signup/"' in html


@pytest.mark.django_db
def test_the_page_has_a_skip_link_landmarks_and_a_language_switcher(client):
    html = client.get("/").content.decode()
    assert '<a class="usa-skipnav" href="#main-content">' in html
    assert '<main id="main-content"' in html and "<header" in html and "<footer" in html and "<nav" in html
    assert 'action="/i18n/setlang/"' in html


@pytest.mark.django_db
def test_switching_to_spanish_translates_the_home_page(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="es">' in html
    assert "Para consumidores y pequeños empleadores" in html
    assert "Iniciar sesión" in html


@pytest.mark.django_db
def test_navigation_depends_on_the_role(client, consumer, exchange_staff):
    assert "Staff administration" not in client.get("/").content.decode()
    sign_in(client, consumer)
    html = client.get("/").content.decode()
    assert "Sign out" in html and "Staff administration" not in html
    assert 'content="consumer"' in html
    client.post("/accounts/logout/")
    sign_in(client, exchange_staff)
    html = client.get("/").content.decode()
    assert "Staff administration" in html and 'content="staff"' in html


@pytest.mark.django_db
def test_home_query_count_is_small(client, broker, django_assert_max_num_queries):
    sign_in(client, broker)
    with django_assert_max_num_queries(8):
        client.get("/")
