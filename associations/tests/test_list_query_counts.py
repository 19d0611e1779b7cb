"""List pages whose query count must not grow with their rows (DESIGN §9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.tests.factories import ask_to_help
from certification import services as certification_services
from certification.models import AssisterKind
from certification.tests.factories import make_assister, staff_user
from clients.tests.factories import make_client
from conftest import sign_in


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def request_for(navigator):
    ask_to_help(make_client(), navigator)


@pytest.mark.django_db
def test_the_requests_list_costs_the_same_for_1_and_20_requests(client):
    navigator = make_assister(AssisterKind.NAVIGATOR)
    sign_in(client, navigator.user)
    request_for(navigator)
    queries(client, "/clients/requests/")  # the session clock settles on the first page
    one = queries(client, "/clients/requests/")
    for _ in range(19):
        request_for(navigator)
    assert queries(client, "/clients/requests/") == one


@pytest.mark.django_db
def test_my_certification_costs_the_same_for_a_short_and_a_long_history(client):
    broker = make_assister(AssisterKind.BROKER)
    sign_in(client, broker.user)
    queries(client, "/certification/")
    short = queries(client, "/certification/")
    cert = broker.certifications.get()
    for _ in range(10):
        for action in ("suspend", "reinstate"):
            certification_services.certification_decide(
                certification=cert, action=action, actor=staff_user(), reason="History."
            )
    assert queries(client, "/certification/") == short
