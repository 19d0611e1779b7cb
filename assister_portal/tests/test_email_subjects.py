"""Issue 10: one consistent subject prefix on every email, ours (assister_portal.lib.email) and allauth's."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from associations.tasks import send_offline_consent_alert
from associations.tests.factories import ask_to_help, record_call_consent
from certification.models import AssisterKind
from certification.tests.factories import make_assister, staff_user
from clients import services as client_services
from clients.tasks import send_identification_alert
from clients.tests.factories import make_client

PREFIX = "[MNsure Assister Portal] "
ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "associations", "audit", "certification", "clients", "core", "demo", "directory", "notices"]


def _subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def test_the_prefix_is_one_setting_that_allauth_shares():
    assert settings.EMAIL_SUBJECT_PREFIX == PREFIX
    assert settings.ACCOUNT_EMAIL_SUBJECT_PREFIX == settings.EMAIL_SUBJECT_PREFIX


@pytest.mark.django_db
def test_the_sign_up_email_from_allauth_starts_with_the_prefix(client):
    password = "correct horse battery staple 42"
    client.post(reverse("account_signup"), {"email": "new@example.org", "password1": password, "password2": password})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(PREFIX)


@pytest.mark.django_db
def test_every_email_of_certifying_asking_consenting_and_claiming_starts_with_the_prefix(
    django_capture_on_commit_callbacks,
):
    staff = staff_user()
    with django_capture_on_commit_callbacks(execute=True):
        navigator = make_assister(AssisterKind.NAVIGATOR)  # the invitation, then the approval
    with django_capture_on_commit_callbacks(execute=True):
        ask_to_help(make_client(email="ana@example.org"), navigator)  # "asked to help you" to the client
    with django_capture_on_commit_callbacks(execute=True):
        record_call_consent(ask_to_help(make_client(claimed=False, email="ben@example.org"), navigator))
    with django_capture_on_commit_callbacks(execute=True):
        client_services.claim_invitation_send(client=make_client(claimed=False, email="cy@example.org"), helpers=[])
    send_identification_alert.delay(navigator.user.pk)
    send_offline_consent_alert.delay(navigator.user.pk, 3)

    subjects = _subjects()
    assert all(subject.startswith(PREFIX) for subject in subjects), subjects
    assert not any(PREFIX in subject[len(PREFIX) :] for subject in subjects)  # once, not twice
    expected = [
        "invite",  # "… invites you to" or, when the address has an account already, "… tried to invite you to"
        # the events that are notices: "New notice: " and the notice's title
        "New notice: Your certification is approved",
        "New notice: An assister asked to help you",
        "New notice: An assister recorded that you agreed to their help",
        "account is ready to claim",  # the claim notice's email, with its link
        "Security alert: searches for clients paused",
        "consents offline today",
    ]
    for words in expected:
        assert any(words in subject for subject in subjects), (words, subjects)
    assert any(staff.email in message.to for message in mail.outbox)


MAIL = "django.core.mail"
THE_ONE_SENDER = ROOT / "assister_portal" / "lib" / "email.py"


def _is_mail(module: str) -> bool:
    return module == MAIL or module.startswith(f"{MAIL}.")


def _calls_mail_directly(path: Path, where: str | None = None) -> list[str]:
    """Every way of reaching Django's mail module: `from django.core.mail import X`, `from django.core import
    mail`, `import django.core.mail` (and their submodules, with or without `as`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = where or path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_mail(node.module):
                found += [f"{where}: from {node.module} import {alias.name}" for alias in node.names]
            else:
                found += [
                    f"{where}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if _is_mail(f"{node.module}.{alias.name}")
                ]
        elif isinstance(node, ast.Import):
            found += [f"{where}: import {alias.name}" for alias in node.names if _is_mail(alias.name)]
    return found


def _app_modules():
    for app in [*APPS, "assister_portal"]:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts and path != THE_ONE_SENDER:
                yield path


def test_no_app_sends_an_email_but_through_the_one_sender():
    offenders = []
    for path in _app_modules():
        offenders += _calls_mail_directly(path)
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from django.core.mail import send_mail",
        "from django.core.mail import get_connection as c",
        "from django.core.mail.message import EmailMessage",
        "from django.core import mail",
        "from django.core import mail as m",
        "import django.core.mail",
        "import django.core.mail as m",
        "import django.core.mail.message",
        "def f():\n    from django.core import mail\n",
    ],
)
def test_the_check_catches_every_way_of_importing_the_mail_module(tmp_path, source):
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert _calls_mail_directly(path, "probe.py") != []


def test_the_check_leaves_other_imports_alone(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("from django.core import signing\nimport django.core.files\nfrom . import mail\n", "utf-8")
    assert _calls_mail_directly(path, "probe.py") == []
    assert THE_ONE_SENDER.exists() and THE_ONE_SENDER not in set(_app_modules())
    assert _calls_mail_directly(THE_ONE_SENDER) != []  # the one sender is skipped, not invisible to the check
