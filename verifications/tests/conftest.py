"""Fixtures of the verification tests: uploads land in a private folder of each test's own."""

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from plans.tests.factories import load_sample_catalog


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    return private_storage


@pytest.fixture
def reviewer(db):
    """Exchange staff in the "Document reviewers" group."""
    return UserFactory(role=Role.STAFF, email="documents@example.org", mfa=True, groups=("Document reviewers",))


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def catalog_2027(db):
    """The shipped 2027 sample catalog: the benchmark plan the credit is computed from."""
    return load_sample_catalog(2027)
