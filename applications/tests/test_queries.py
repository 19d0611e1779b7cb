"""The application pages that list rows cost the same number of queries at few and many of them (CONVENTIONS): the
history with 2 and 50 versions, My applications and the client's applications with 1 and several applications."""

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import services
from applications.tests.factories import started
from associations.tests.factories import associate
from conftest import sign_in

pytestmark = pytest.mark.django_db


def _count(http, url) -> int:
    http.get(url)  # the session's activity clock may be saved on a first request: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def _rename(application, actor, n):
    def update(data):
        data["address"]["city"] = f"City {n}"

    return services.application_save(
        application=application, version=application.version, what="address", update=update, actor=actor
    )


def test_the_history_and_the_lists_of_applications_cost_the_same_with_few_and_many_rows(consumer, broker):
    associate(consumer.client, broker.assister)
    application = _rename(started(consumer.client), consumer, "first")  # two versions: the page compares them
    own, assister = HttpClient(), HttpClient()
    sign_in(own, consumer)
    sign_in(assister, broker)
    history = reverse("applications:history", args=[application.public_id])
    mine, theirs = reverse("applications:mine"), reverse("applications:for_client", args=[consumer.client.public_id])
    before = (_count(own, history), _count(own, mine), _count(assister, theirs))
    for n in range(48):
        application = _rename(application, consumer, n)
    for _ in range(5):  # withdrawn applications stay on the lists
        services.application_withdraw(application=application, version=application.version, actor=consumer)
        application = started(consumer.client)
    assert (_count(own, history), _count(own, mine), _count(assister, theirs)) == before
    assert len(own.get(mine).context["applications"]) == 6
