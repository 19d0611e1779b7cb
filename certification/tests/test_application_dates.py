"""Dates in the certification application that cannot be right are refused with a message, and nothing is saved.

A date of birth from 1900 to today, a training date not in the future, and license and errors-and-omissions
expiry dates within ten years either side of today (the shared fields of assister_portal.lib.forms).
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from certification.models import AssisterKind
from certification.tests.factories import make_assister
from conftest import sign_in

APPLICATION = "/certification/application/"


def broker_application(assister, **overrides):
    return {
        "legal_first_name": "Pat",
        "legal_last_name": assister.legal_last_name,
        "date_of_birth": "1985-04-12",
        "training_completed_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "training_certificate_number": "TRN-42",
        "npn": "7654321",
        "license_number": "40999",
        "license_expires_on": (timezone.localdate() + timedelta(days=700)).isoformat(),
        "eo_carrier": "North Star Mutual",
        "eo_policy_number": "EO-1",
        "eo_expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "agreement-typed_name": "",
    } | overrides


@pytest.fixture
def broker(client):
    assister = make_assister(AssisterKind.BROKER, state="draft")
    sign_in(client, assister.user)
    return assister


def assert_refused(client, broker, message, **overrides):
    response = client.post(APPLICATION, broker_application(broker, **overrides))
    assert response.status_code == 200, overrides  # the form again, with its errors
    assert message in response.content.decode(), overrides
    broker.refresh_from_db()
    certification = broker.certifications.get()
    assert broker.date_of_birth is None
    assert certification.training_certificate_number == "" and certification.license_expires_on is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31", "The date of birth cannot be in the future."),
        ("0001-01-01", "Check the year of birth: it is before 1900."),
    ],
)
def test_an_impossible_date_of_birth_is_refused(client, broker, typed, message):
    assert_refused(client, broker, message, date_of_birth=typed)


@pytest.mark.django_db
@pytest.mark.parametrize("future", [lambda: timezone.localdate() + timedelta(days=1), lambda: date(9999, 12, 31)])
def test_a_training_date_in_the_future_is_refused(client, broker, future):
    assert_refused(client, broker, "The date cannot be in the future.", training_completed_on=future().isoformat())


@pytest.mark.django_db
def test_a_training_date_before_1900_is_refused(client, broker):
    assert_refused(client, broker, "Check the year: the date is before 1900.", training_completed_on="0001-01-01")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["license_expires_on", "eo_expires_on"])
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0001-01-01", "Check the year: this date is more than 10 years ago."),
        ("9999-12-31", "Check the year: this date is more than 10 years from now."),
    ],
)
def test_an_expiry_date_that_cannot_be_right_is_refused(client, broker, field, typed, message):
    assert_refused(client, broker, message, **{field: typed})


@pytest.mark.django_db
def test_plausible_dates_are_saved_and_an_expired_license_is_left_to_the_checklist(client, broker):
    last_year = timezone.localdate() - timedelta(days=365)
    response = client.post(APPLICATION, broker_application(broker, license_expires_on=last_year.isoformat()))
    assert response.status_code == 302
    certification = broker.certifications.get()
    assert certification.license_expires_on == last_year
    page = client.get("/certification/").content.decode()
    assert "To do:</strong> Minnesota license valid through the certification period" in page
