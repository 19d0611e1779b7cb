"""Shared fixtures: the personas every test uses, and helpers to sign in the real way.

Tests run against PostgreSQL (`make test` points DATABASE_URL at the local server).
"""

import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import celery
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from assister_portal.tests.clamd import ClamdUnavailable, running_clamd
from certification.models import AgencyKind, AssisterKind, MembershipRole
from certification.tests.factories import invite_and_accept, make_agency, make_assister
from clients.tests.factories import make_client
from notices import services as notice_services

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
    # Files the tests store (notice PDFs, uploads) go to a private folder of this test process, removed at
    # the end, never into the developer's var/media.
    if settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        media = Path(tempfile.mkdtemp(prefix="ap-test-media-"))
        config.ap_test_media = media
        settings.MEDIA_ROOT = media
        default = settings.STORAGES["default"]
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**default, "OPTIONS": {**default.get("OPTIONS", {}), "location": media}},
        }


def pytest_unconfigure(config):
    media = getattr(config, "ap_test_media", None)
    if media is not None:
        shutil.rmtree(media, ignore_errors=True)


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
    notice_services._broker_unreachable_until = 0.0  # a refused publish in one test pauses no other
    yield
    cache.clear()
    assert not notice_services._sending_deferred.get(), "a test left notices.services.sending_deferred() on"
    # A `Celery(...)` made in a test becomes the current app unless told not to (set_as_current=False), and
    # every shared task (the notices' too) would then publish to its broker for the rest of the process.
    assert celery.current_app.main == "assister_portal", f"a test left {celery.current_app!r} as the current app"


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


# --- The personas (CONVENTIONS.md, "Tests") ----------------------------------------------------
# Each is real, built through the services by the factories (the builders the demo uses too), and
# each fixture returns the User, so signing in stays `sign_in(client, broker)`. What belongs to them:
# `consumer.client`; `broker.assister` (agency, certification, assister ID); `agency_admin`,
# `support_staff` and each assister: `user.memberships.get()`. The broker, the agency admin and the
# support staff share one broker agency (`broker_agency`); the navigator and the CAC each belong to an
# organization of their kind; the outsider is a broker of another broker agency.


@pytest.fixture
def broker_agency(db):
    """The broker's agency, approved; its admin (who registered it) is the `agency_admin` persona."""
    return make_agency(
        AgencyKind.BROKER_AGENCY, public_name="North Star Brokers", admin_email="agency-admin@example.org"
    )


def _certified(kind, email, first_name, last_name, agency=None):
    return make_assister(kind, agency=agency, email=email, first_name=first_name, last_name=last_name).user


@pytest.fixture
def consumer(db):
    """A consumer with their client record (`consumer.client`), no assister yet."""
    return make_client(first_name="Connie", last_name="Consumer", email="consumer@example.org").user


@pytest.fixture
def new_consumer(db):
    """A consumer who has just signed up: an account, no client record yet (they give their details next)."""
    return UserFactory(role=Role.CONSUMER, email="new-consumer@example.org")


@pytest.fixture
def broker(broker_agency):
    """A certified broker of `broker_agency` (`broker.assister`, with an assister ID)."""
    return _certified(AssisterKind.BROKER, "broker@example.org", "Bao", "Broker", broker_agency)


@pytest.fixture
def navigator(db):
    """A certified navigator of a navigator organization of their own."""
    return _certified(AssisterKind.NAVIGATOR, "navigator@example.org", "Nia", "Navigator")


@pytest.fixture
def cac(db):
    """A certified application counselor of a CAC organization of their own."""
    return _certified(AssisterKind.CAC, "cac@example.org", "Cal", "Counselor")


@pytest.fixture
def agency_admin(broker_agency):
    """The admin of `broker_agency`, the broker's agency."""
    return broker_agency.admin_user


@pytest.fixture
def support_staff(broker_agency):
    """Support staff of `broker_agency`: may view the agency's clients, not act for them."""
    return invite_and_accept(
        broker_agency, role=MembershipRole.SUPPORT, email="support@example.org", first_name="Sam", last_name="Support"
    )


@pytest.fixture
def outsider_assister(db):
    """A certified broker of another broker agency than `broker_agency`."""
    return _certified(AssisterKind.BROKER, "outsider@example.org", "Otto", "Outsider")


REVIEWERS = "Certification reviewers"  # the staff group of certification/migrations/0002


@pytest.fixture
def exchange_staff(db):
    """Exchange staff with the certification reviewers' duties (not a superuser: what the group grants)."""
    return UserFactory(role=Role.STAFF, email="staff@example.org", mfa=True, groups=(REVIEWERS,))


@pytest.fixture
def superuser_staff(db):
    """Exchange staff with every permission, for the admin pages no duty group covers yet (accounts, audit)."""
    return UserFactory(role=Role.STAFF, email="superuser@example.org", mfa=True, is_superuser=True)


@pytest.fixture
def sample_catalog(db):
    """The shipped 2026 sample plan catalog (individual market, made-up plans and rates), loaded by the importer.

    `plans.tests.factories` has the rest: `load_sample_catalog(2027)`, `make_catalog`, `make_plan`.
    """
    from plans.tests.factories import load_sample_catalog

    return load_sample_catalog(2026)


# --- Uploads: private storage of the test's own, and a real clamd (the pipeline's tests and the apps' that upload) --


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploads land in a folder of this test's own, private like the real one."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "file_permissions_mode": 0o600},
        },
    }
    return root


@pytest.fixture(autouse=True)
def no_scanner(settings):
    """No virus scanner unless a test asks for clamd."""
    settings.CLAMD_ADDRESS = ""


@pytest.fixture(scope="session")
def clamd_address(tmp_path_factory):
    """A clamd of our own (assister_portal/tests/clamd.py): only the EICAR test signature, on a free loopback port.

    Fails, not skips, when clamd is missing: CI installs Debian's clamav-daemon (.ci/run)."""
    try:
        with running_clamd(tmp_path_factory.mktemp("clamd")) as address:
            yield address
    except ClamdUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture
def scanner(settings, clamd_address):
    settings.CLAMD_ADDRESS = clamd_address
    return clamd_address


# --- Enrollment periods ------------------------------------------------------------------------------------------


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
    from plans.tests.factories import load_sample_catalog

    return load_sample_catalog(2027)
