"""What the review of issue 11 found, each shown to be fixed: the renderer reads nothing but the shipped font
files however a URL is spelled; a PDF that is not there is not recorded as downloaded or read; a failed
rendering does not hold back the email (and its one-use link); a race to start a rendering is not an error;
the sweep sends a backlog again once per timeout, not at every run; a body date that is not a date is text."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import sign_in
from notices import services
from notices.fonts import FONT_DIR
from notices.models import Notice, NoticeStatus
from notices.rendering import ShippedFilesOnly, letter_html, shipped_font_urls
from notices.services import NOTICE_MACHINE, NoticeTransition, notice_for_user, sending_deferred

from .factories import USER_KIND

S = NoticeStatus


def deferred_notice(user=None, **body) -> Notice:
    user = user or UserFactory(role="assister")
    with sending_deferred(), transaction.atomic():
        return notice_for_user(kind=USER_KIND, user=user, body={"client_name": "Ana", **body})


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "https://example.org/font.ttf",
        "data:font/ttf;base64,AAAA",
        # The shipped folder, then out of it: plainly, percent-encoded, and through a host name.
        (FONT_DIR / ".." / ".." / "manage.py").as_uri(),
        (FONT_DIR.as_uri() + "/%2e%2e/%2e%2e/manage.py"),
        (FONT_DIR.as_uri() + "/%2E%2E%2F%2E%2E%2Fmanage.py"),
        "file://localhost" + (FONT_DIR / "NoticeSans-Regular.ttf").as_posix(),
        (FONT_DIR / "NoticeSans-Regular.ttf").as_uri() + "?x=1",
    ],
)
def test_the_renderer_fetches_no_url_but_the_shipped_fonts(url):
    with pytest.raises(ValueError, match="only use the shipped fonts"):
        ShippedFilesOnly().fetch(url)


def test_the_shipped_fonts_themselves_are_fetched():
    urls = shipped_font_urls()
    assert len(urls) >= 9
    for url in urls:
        fetched = ShippedFilesOnly().fetch(url)
        assert fetched is not None  # the font file, opened


@pytest.mark.django_db
def test_a_failed_rendering_still_sends_the_email_once_and_the_page_says_so(client, django_capture_on_commit_callbacks):
    user = UserFactory(role="assister", email="failed@example.org", mfa=True)
    notice = deferred_notice(user)
    Notice.objects.filter(pk=notice.pk).update(attempts=settings.NOTICE_MAX_ATTEMPTS, email_link="https://x/claim/t")
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_render(notice_id=notice.pk)  # the attempts are used up: failed, with the reason
    notice.refresh_from_db()
    assert notice.status == S.FAILED and notice.emailed_at is not None and notice.email_link == ""
    assert [m.to for m in mail.outbox] == [["failed@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notice_email(notice_id=notice.pk) is False  # once
    sign_in(client, user)
    page = client.get(reverse("notices:detail", args=[notice.public_id])).content.decode()
    assert "could not be prepared" in page and "Ana chose you" in " ".join(page.split())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the reference data back for later tests
def test_a_rendering_another_run_started_first_is_left_to_it():
    """Run B reads the notice as queued; run A holds its row, starts it and commits; B's START then finds it
    rendering under the lock: B leaves it to A instead of failing."""
    notice = deferred_notice()
    took_lock, b_waiting, outcome = threading.Event(), threading.Event(), {}

    def run_a():
        try:
            with transaction.atomic():
                row = Notice.objects.select_for_update().get(pk=notice.pk)
                took_lock.set()
                b_waiting.wait(10)
                time.sleep(0.3)  # B is now blocked on the row lock inside START
                NOTICE_MACHINE.run(row, NoticeTransition.START, actor=None)
        finally:
            connection.close()

    def run_b():
        try:
            took_lock.wait(10)
            b_waiting.set()
            outcome["b"] = services.notice_render(notice_id=notice.pk)
        except Exception as exc:  # what used to happen: TransitionNotAllowed out of the task
            outcome["b"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert isinstance(outcome["b"], Notice), outcome["b"]
    assert Notice.objects.get(pk=notice.pk).attempts == 1  # A's start only


@pytest.mark.django_db
def test_the_sweep_sends_a_backlog_again_once_per_timeout_and_counts_only_what_it_sent():
    notices = [deferred_notice() for _ in range(3)]
    start = timezone.now()
    services._broker_unreachable_until = float("inf")  # the broker refused a moment ago
    try:
        with time_machine.travel(start + timedelta(minutes=3), tick=False):
            assert services.notices_sweep().resent == 0  # nothing reached the broker
            stamped = set(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status_changed_at"))
            assert stamped == {(timezone.now(),)}
    finally:
        services._broker_unreachable_until = 0.0
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert services.notices_sweep().resent == 0  # tried a minute ago: not yet again
    with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
        assert services.notices_sweep().resent == 3
    assert set(Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("status", flat=True)) == {S.READY}


@pytest.mark.django_db
def test_a_body_string_that_looks_like_a_date_but_is_not_one_is_shown_as_it_is():
    notice = deferred_notice(client_name="2026-02-30")
    assert "2026-02-30" in letter_html(notice)


@pytest.mark.django_db
def test_a_notice_whose_kind_is_no_longer_registered_still_opens_and_says_so(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(role="assister", email="retired@example.org", mfa=True)
    with django_capture_on_commit_callbacks(execute=True):
        notice = deferred_notice(user)
        services.notice_render(notice_id=notice.pk)
    Notice.objects.filter(pk=notice.pk).update(kind="a_kind_removed_since")
    sign_in(client, user)
    inbox = client.get(reverse("notices:inbox")).content.decode()
    assert "MNsure notice" in inbox
    page = client.get(reverse("notices:detail", args=[notice.public_id]))
    assert page.status_code == 200 and "cannot be shown on this page" in page.content.decode()
    assert client.get(reverse("notices:pdf", args=[notice.public_id])).status_code == 200  # the stored PDF
