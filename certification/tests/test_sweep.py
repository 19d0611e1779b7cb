from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import Action, AuditEvent
from certification.models import AssisterKind, CertificationEvent, CertificationReminder, CertificationStatus
from certification.selectors import assister_may_act
from certification.tasks import certification_daily_sweep
from certification.tests.factories import make_assister
from notices.models import Notice

CHICAGO = timezone.get_fixed_timezone(-360)


def on(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 6, 0, tzinfo=CHICAGO), tick=False)


@pytest.fixture
def certified(db):
    with on(date(2026, 11, 27)):
        return make_assister(AssisterKind.BROKER)  # valid until 2027-10-31


def sweep(day, capture):
    with on(day), capture(execute=True):
        return certification_daily_sweep()


def notices_to(user) -> list[tuple[str, int | None]]:
    """(kind, days left) of each notice to `user` since the approval, oldest first."""
    notices = Notice.objects.filter(user=user).exclude(kind="certification_approved").order_by("pk")
    return [(n.kind, n.data["body"].get("days_left")) for n in notices]


@pytest.mark.django_db
def test_reminders_at_60_30_and_7_days_each_sent_once(certified, django_capture_on_commit_callbacks):
    end = date(2027, 10, 31)
    sent = []
    for days_before in (61, 60, 60, 45, 30, 30, 8, 7, 7, 1):
        mail.outbox.clear()
        sweep(end - timedelta(days=days_before), django_capture_on_commit_callbacks)
        sent += [(days_before, m.subject) for m in mail.outbox if certified.user.email in m.to]
    assert [d for d, _ in sent] == [60, 30, 7]
    assert sent[0][1] == "[MNsure Assister Portal] New notice: Your certification expires soon: renew it"
    assert notices_to(certified.user) == [("certification_expiring", days) for days in (60, 30, 7)]
    reminders = CertificationReminder.objects.filter(certification__assister=certified)
    assert sorted(reminders.values_list("days_before", flat=True)) == [7, 30, 60]


@pytest.mark.django_db
def test_a_late_first_sweep_sends_only_the_nearest_reminder(certified, django_capture_on_commit_callbacks):
    sweep(date(2027, 10, 20), django_capture_on_commit_callbacks)  # 11 days left: the 60 and 30 were missed
    assert notices_to(certified.user) == [("certification_expiring", 11)]
    assert len([m for m in mail.outbox if certified.user.email in m.to]) == 1
    sweep(date(2027, 10, 25), django_capture_on_commit_callbacks)  # 6 days left: the 7-day one is due
    assert notices_to(certified.user) == [("certification_expiring", 11), ("certification_expiring", 6)]
    assert len([m for m in mail.outbox if certified.user.email in m.to]) == 2


@pytest.mark.django_db
def test_expiry_runs_once_cuts_access_and_tells_people(certified, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    assert sweep(date(2027, 10, 31), django_capture_on_commit_callbacks)["expired"] == 0  # last valid day
    result = sweep(date(2027, 11, 1), django_capture_on_commit_callbacks)
    again = sweep(date(2027, 11, 1), django_capture_on_commit_callbacks)
    assert (result["expired"], again["expired"]) == (2, 0)  # the assister's and the agency's
    cert = certified.certifications.get()
    assert cert.status == CertificationStatus.EXPIRED
    assert CertificationEvent.objects.filter(certification=cert, to_status=CertificationStatus.EXPIRED).count() == 1
    assert notices_to(certified.user) == [("certification_expiring", 0), ("certification_expired", None)]
    subjects = [m.subject for m in mail.outbox if certified.user.email in m.to]
    assert subjects == [
        "[MNsure Assister Portal] New notice: Your certification expires soon: renew it",
        "[MNsure Assister Portal] New notice: Your certification has expired",
    ]
    with on(date(2027, 11, 1)):
        assert not assister_may_act(certified.user)
    reasons = set(
        AuditEvent.objects.filter(action=Action.ASSISTER_ACCESS_CHANGED)
        .exclude(details__reason="certified")
        .values_list("details__reason", flat=True)
    )
    assert reasons == {"expired", "agency_expired"}


@pytest.mark.django_db
def test_no_reminder_once_a_renewal_is_submitted(certified, django_capture_on_commit_callbacks):
    from certification import services

    with on(date(2027, 8, 15)):
        renewal = services.certification_renew(assister=certified, actor=certified.user)
        services.certification_sign_agreement(
            certification=renewal, actor=certified.user, typed_name=certified.full_name
        )
        services.certification_submit(certification=renewal, actor=certified.user)
    mail.outbox.clear()
    sweep(date(2027, 9, 1), django_capture_on_commit_callbacks)
    assert [m for m in mail.outbox if certified.user.email in m.to] == []
