"""Fixtures of the verification tests: uploads land in a private folder of each test's own."""

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    return private_storage


@pytest.fixture
def reviewer(db):
    """Exchange staff in the "Document reviewers" group."""
    return UserFactory(role=Role.STAFF, email="documents@example.org", mfa=True, groups=("Document reviewers",))
