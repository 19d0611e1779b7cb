"""The coverage pages cost the same number of queries at 1 and 50 rows (CONVENTIONS: every list and detail view):
My coverage with one plan and with 49 earlier plans it replaced, the client page's coverage section, and the
agency's enrollments with 1 and 50 clients enrolled by its broker."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.client_page import coverage_section
from applications.models import Enrollment, EnrollmentStatus
from applications.tests.test_choosing import _select, determined
from associations import hooks
from associations.tests.factories import associate
from clients.tests.factories import make_client
from conftest import sign_in
from plans.models import Plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_enrollment", "catalog_2027")]


def _count(http, url, **params) -> int:
    http.get(url, params)  # the session's activity clock may be saved on a first request: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url, params).status_code == 200
    return len(captured)


def test_my_coverage_and_the_client_page_cost_the_same_with_1_and_50_plans(client, consumer, broker):
    association = associate(consumer.client, broker.assister)
    application = determined(consumer.client)
    plans = list(Plan.objects.filter(year=2027, rating_area=application.rating_area).order_by("plan_id"))
    _select(application, broker, association, plan=plans[0])
    sign_in(client, consumer)
    mine = _count(client, reverse("applications:coverage"))
    client.logout()
    sign_in(client, broker)
    page = _count(client, reverse("clients:detail", args=[consumer.client.public_id]))
    for n in range(1, 50):
        _select(application, broker, association, plan=plans[n % len(plans)])
    assert Enrollment.objects.filter(status=EnrollmentStatus.REPLACED).count() == 49
    assert _count(client, reverse("clients:detail", args=[consumer.client.public_id])) == page
    client.logout()
    sign_in(client, consumer)
    assert _count(client, reverse("applications:coverage")) == mine


def test_the_agencys_enrollments_cost_the_same_with_1_and_50_clients(client, broker, agency_admin):
    def enroll(n):
        household = make_client(first_name=f"Row{n:02d}", last_name="Enrolled")
        _select(determined(household), broker, associate(household, broker.assister))

    enroll(0)
    sign_in(client, agency_admin)
    url = reverse("applications:agency_enrollments")
    one = _count(client, url)
    one_csv = _count(client, url, format="csv")
    for n in range(1, 50):
        enroll(n)
    assert _count(client, url) == one
    assert _count(client, url, format="csv") == one_csv
    assert len(client.get(url).context["rows"]) == 50


def test_applications_adds_the_coverage_section_to_the_client_page_at_start_up():
    assert hooks.client_page_sections.handlers[0] == coverage_section
