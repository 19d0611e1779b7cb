"""A consumer chooses a broker by assister ID, the broker sees them, the consumer ends it (issue 4)."""

import re

import pytest

from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_choose_a_broker_then_end_it_and_see_who_viewed(watched):
    broker = make_assister(AssisterKind.BROKER, first_name="Bao", last_name="Vang")
    person = make_client(first_name="Ana", last_name="García")
    consumer = watched.new_page()
    assister = watched.new_page(expected_statuses=(404,))  # its last request is refused on purpose

    # The consumer adds the broker by assister ID and agrees to the consent text.
    sign_in(consumer, person.user.email, PASSWORD)
    consumer.goto("/my/assisters/")
    assert_accessible(consumer, "my assisters (none)")
    consumer.get_by_role("textbox", name="Assister ID").fill(broker.assister_id.lower())
    consumer.get_by_role("button", name="Find the assister").click()
    consumer.wait_for_load_state()
    assert "Bao Vang" in consumer.content(), consumer.locator("main").inner_text()[:1500]
    assert_accessible(consumer, "consent step")
    consumer.locator("label", has_text="I agree to have Bao Vang help me").click()
    consumer.get_by_role("button", name=re.compile("Agree and choose")).click()
    consumer.wait_for_load_state()
    assert_accessible(consumer, "my assisters (broker)")

    # The broker sees the client on the dashboard and opens the client page.
    sign_in(assister, broker.user.email, PASSWORD, totp=lambda: totp_code(broker.user))
    assister.goto("/clients/")
    assert_accessible(assister, "dashboard")
    assister.get_by_role("link", name=re.compile("Ana García")).click()
    assister.wait_for_load_state()
    assert_accessible(assister, "client page")
    client_page = assister.url

    # The consumer ends it.
    consumer.get_by_role("link", name=re.compile("End it")).click()
    consumer.wait_for_load_state()
    assert_accessible(consumer, "end confirmation")
    consumer.get_by_role("button", name="End it").click()
    consumer.wait_for_load_state()

    # The broker's next request for that client page is a 404.
    response = assister.goto(client_page)
    assert response.status == 404

    # "Who viewed my information" lists the broker's earlier view.
    consumer.goto("/my/activity/")
    assert_accessible(consumer, "who viewed")
    table = consumer.locator("table").inner_text()
    assert "Bao Vang" in table and "Assister" in table
