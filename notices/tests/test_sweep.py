"""The sweep (Celery beat, every minute) delivers what a lost message or a dead worker left behind, with
bounded attempts; a failed notice is shown to staff first and retried from the admin. Run in-process here
(the worker tests in test_reliability.py do the same through a real worker and Redis)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent
from conftest import sign_in
from notices import services
from notices.models import Notice, NoticeStatus
from notices.services import NOTICE_MACHINE, NoticeTransition, notice_for_user, notices_sweep, sending_deferred

from .factories import USER_KIND

pytestmark = pytest.mark.django_db
S = NoticeStatus


def deferred_notice(email="sweep@example.org") -> Notice:
    """A committed notice whose rendering task never reached a worker (as when Redis was down)."""
    user = UserFactory(role="assister", email=email)
    with sending_deferred(), transaction.atomic():
        return notice_for_user(kind=USER_KIND, user=user, body={"client_name": "Ana"})


def later(seconds: int):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def stuck_rendering(notice: Notice, attempts: int = 1) -> Notice:
    """A worker took the notice (queued → rendering) and died before finishing."""
    notice = NOTICE_MACHINE.run(notice, NoticeTransition.START, actor=None)
    Notice.objects.filter(pk=notice.pk).update(attempts=attempts)
    return Notice.objects.get(pk=notice.pk)


def test_a_notice_whose_message_was_lost_is_sent_again_after_the_timeout_and_not_before(
    django_capture_on_commit_callbacks,
):
    notice = deferred_notice()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().resent == 0  # not yet: it may still be on its way
    with later(settings.NOTICE_QUEUED_TIMEOUT + 1), django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().resent == 1
    notice.refresh_from_db()
    assert notice.status == S.READY and notice.attempts == 1
    assert [m.to for m in mail.outbox] == [["sweep@example.org"]]
    with later(settings.NOTICE_QUEUED_TIMEOUT * 3), django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    assert (result.resent, result.requeued, result.emails) == (0, 0, 0) and len(mail.outbox) == 1


def test_a_notice_left_rendering_by_a_dead_worker_is_queued_again_and_rendered(django_capture_on_commit_callbacks):
    notice = stuck_rendering(deferred_notice())
    with later(settings.NOTICE_RENDERING_TIMEOUT - 5):
        assert notices_sweep().requeued == 0  # a live worker may still be on it
    with later(settings.NOTICE_RENDERING_TIMEOUT + 1), django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().requeued == 1
    notice.refresh_from_db()
    assert notice.status == S.READY and notice.attempts == 2  # the dead worker's try, then this one
    assert "did not finish in time" in notice.events.get(to_status=S.QUEUED, from_status=S.RENDERING).reason


def test_after_the_last_attempt_it_fails_with_the_reason_and_staff_see_it_first_and_retry_it(
    client, superuser_staff, django_capture_on_commit_callbacks
):
    notice = stuck_rendering(deferred_notice("failing@example.org"), attempts=settings.NOTICE_MAX_ATTEMPTS)
    newer = deferred_notice("newer@example.org")
    with later(settings.NOTICE_RENDERING_TIMEOUT + 1), django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().failed == 1
    notice.refresh_from_db()
    assert notice.status == S.FAILED and f"{settings.NOTICE_MAX_ATTEMPTS}" in notice.last_error
    assert AuditEvent.objects.filter(action=Action.NOTICE_FAILED).exists()

    sign_in(client, superuser_staff)
    listing = client.get(reverse("admin:notices_notice_changelist")).content.decode()
    assert listing.index(notice.number) < listing.index(newer.number)  # failed first, before newer ones
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notices_notice_changelist"),
            {"action": "retry", "_selected_action": [notice.pk, newer.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "1 notice(s) queued to be prepared again." in page
    assert "1 notice(s) were not failed, so they were left as they are." in page
    notice.refresh_from_db()
    assert notice.status == S.READY
    assert AuditEvent.objects.filter(action=Action.NOTICE_RETRIED, actor=superuser_staff).count() == 1


def test_staff_who_may_see_notices_but_not_retry_them_are_not_offered_it(client, django_capture_on_commit_callbacks):
    notice = stuck_rendering(deferred_notice(), attempts=settings.NOTICE_MAX_ATTEMPTS)
    with later(settings.NOTICE_RENDERING_TIMEOUT + 1), django_capture_on_commit_callbacks(execute=True):
        notices_sweep()
    viewer = UserFactory(role="staff", email="viewer@example.org", mfa=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notice", content_type__app_label="notices"))
    sign_in(client, viewer)
    page = client.get(reverse("admin:notices_notice_changelist"))
    assert page.status_code == 200 and Notice.objects.get(pk=notice.pk).number in page.content.decode()
    assert 'value="retry"' not in page.content.decode()
    response = client.post(
        reverse("admin:notices_notice_changelist"), {"action": "retry", "_selected_action": [notice.pk]}
    )
    assert response.status_code in (200, 302)
    assert Notice.objects.get(pk=notice.pk).status == S.FAILED  # refused: nothing changed
    assert not AuditEvent.objects.filter(action=Action.NOTICE_RETRIED).exists()


def test_a_ready_notice_whose_email_was_lost_is_emailed_by_the_sweep_once(django_capture_on_commit_callbacks):
    notice = deferred_notice()
    services.notice_render(notice_id=notice.pk)  # rendered, but its email task was lost (no on_commit here)
    assert mail.outbox == []
    with later(settings.NOTICE_QUEUED_TIMEOUT + 1), django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().emails == 1
        notices_sweep()
    assert len(mail.outbox) == 1
