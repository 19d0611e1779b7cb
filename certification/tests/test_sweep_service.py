"""The daily sweep is a service (`certification_sweep`, `certification_remind`); the Celery task only calls it."""

from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from certification import services
from certification.models import AssisterKind, CertificationReminder, CertificationStatus
from certification.tasks import certification_daily_sweep
from certification.tests.factories import make_assister
from notices.models import Notice

CHICAGO = timezone.get_fixed_timezone(-360)


def on(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 6, 0, tzinfo=CHICAGO), tick=False)


@pytest.fixture
def certified(db):
    with on(date(2026, 11, 27)):
        return make_assister(AssisterKind.NAVIGATOR)  # valid until 2027-10-31


@pytest.mark.django_db
def test_a_reminder_is_recorded_in_its_transaction_and_emailed_only_after_commit(
    certified, django_capture_on_commit_callbacks
):
    cert = certified.certifications.get()
    mail.outbox.clear()
    with on(date(2027, 9, 1)), django_capture_on_commit_callbacks() as callbacks:
        assert services.certification_remind(certification=cert, day=date(2027, 9, 1)) is True  # 60 days left
        assert list(CertificationReminder.objects.filter(certification=cert).values_list("days_before", flat=True)) == [
            60
        ]
        assert mail.outbox == []
        notice = Notice.objects.get(
            user=certified.user, kind="certification_expiring"
        )  # the notice is in the reminder's transaction
        assert (notice.kind, notice.data["body"]["days_left"]) == ("certification_expiring", 60)
    with django_capture_on_commit_callbacks(execute=True):  # rendering emails after its own commit
        for callback in callbacks:
            callback()
    subjects = [m.subject for m in mail.outbox if certified.user.email in m.to]
    assert subjects == ["[MNsure Assister Portal] New notice: Your certification expires soon: renew it"]
    with on(date(2027, 9, 2)):
        assert services.certification_remind(certification=cert, day=date(2027, 9, 2)) is False  # the same lead time


@pytest.mark.django_db
def test_no_reminder_is_due_before_the_first_lead_time_or_after_the_period(certified):
    cert = certified.certifications.get()
    assert services.certification_remind(certification=cert, day=date(2027, 8, 31)) is False  # 61 days left
    assert services.certification_remind(certification=cert, day=date(2027, 11, 1)) is False  # already over
    assert not CertificationReminder.objects.exists()


@pytest.mark.django_db
def test_the_task_returns_what_the_service_did(certified, django_capture_on_commit_callbacks):
    with on(date(2027, 11, 1)), django_capture_on_commit_callbacks(execute=True):
        assert certification_daily_sweep() == {"expired": 2, "reminded": 0, "listings_changed": 0}
        assert services.certification_sweep() == services.SweepResult(expired=0, reminded=0, listings_changed=0)
    assert certified.certifications.get().status == CertificationStatus.EXPIRED
