"""Fixtures of the application and enrollment tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from plans.tests.factories import load_sample_catalog


@pytest.fixture
def open_enrollment(settings):
    """Open enrollment for 2027 coverage is on today, before its cut-off (so coverage starts January 1), whatever
    day the tests run: the dates are configuration."""
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        2027: (today - timedelta(days=5), today + timedelta(days=5), today + timedelta(days=40))
    }
    return settings.OPEN_ENROLLMENT_PERIODS[2027]


@pytest.fixture
def catalog_2027(db):
    """The shipped 2027 sample catalog (individual market), loaded by the importer."""
    return load_sample_catalog(2027)
