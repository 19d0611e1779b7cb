"""Shared fixtures: the personas every test uses, and helpers to sign in the real way.

Tests run against PostgreSQL (`make test` points DATABASE_URL at the local server).
"""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from accounts.models import Role
from accounts.tests.factories import UserFactory

PASSWORD = "correct horse battery staple 42"


def pytest_configure(config):
    # Plain HTTP on loopback in tests: no redirect to https, cookies without Secure.
    # (Production values are checked by test_deploy_settings.py in a subprocess.)
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Static files come straight from the finders; no collectstatic needed to test pages.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The live server wraps the app in a media handler that needs a string prefix; production has none.
    settings.MEDIA_URL = "/test-media-never-routed/"
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there first
    # One hash round is enough to test login logic; production keeps Django's PBKDF2 default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _require_postgresql(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("The suite runs against PostgreSQL: use `make test` or set DATABASE_URL=postgres://…", 2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters (per IP) in the cache; every test starts from zero."""
    from directory.selectors import reference_clear

    cache.clear()
    reference_clear()
    yield
    cache.clear()


def totp_code(user) -> str:
    """The current code of a user's authenticator app, as their phone would show it."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, user, password=PASSWORD, *, follow=True):
    """Sign in through the real login page (and the MFA step when the account has one)."""
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    if response.status_code == 302 and response["Location"].startswith("/accounts/2fa/authenticate/"):
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
    if follow and response.status_code == 302:
        return client.get(response["Location"], follow=True)
    return response


@pytest.fixture
def consumer(db):
    return UserFactory(role=Role.CONSUMER, email="consumer@example.org")


@pytest.fixture
def broker(db):
    return UserFactory(role=Role.ASSISTER, email="broker@example.org", mfa=True)


@pytest.fixture
def navigator(db):
    return UserFactory(role=Role.ASSISTER, email="navigator@example.org", mfa=True)


@pytest.fixture
def cac(db):
    return UserFactory(role=Role.ASSISTER, email="cac@example.org", mfa=True)


@pytest.fixture
def agency_admin(db):
    return UserFactory(role=Role.AGENCY_ADMIN, email="agency-admin@example.org", mfa=True)


@pytest.fixture
def support_staff(db):
    return UserFactory(role=Role.AGENCY_SUPPORT, email="support@example.org", mfa=True)


@pytest.fixture
def exchange_staff(db):
    return UserFactory(role=Role.STAFF, email="staff@example.org", mfa=True, is_superuser=True)


@pytest.fixture
def outsider_assister(db):
    return UserFactory(role=Role.ASSISTER, email="outsider@example.org", mfa=True)
