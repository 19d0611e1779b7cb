"""The verifications app is wired in at start-up: its handlers on the applications and associations hooks, its notice
kinds, and the daily sweep in Celery beat (a task the worker knows)."""

from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from applications import hooks as application_hooks
from associations import hooks as association_hooks
from associations.tests.factories import associate
from clients.tests.factories import make_client
from conftest import sign_in
from notices import kinds
from notices.models import Notice, NoticeStatus
from notices.services import notice_render
from verifications import client_page, dashboard, services, tasks
from verifications.notices import NEEDED, REMINDER
from verifications.templatetags.verifications import attested_text, source_text

from .factories import upload, with_income_request

CODES = [
    "documents_needed",
    "document_received",
    "verification_accepted",
    "verification_rejected",
    "verification_rejected_assister",
    "verification_extended",
    "verification_reminder",
    "verification_reminder_assister",
    "verifications_expired",
]


def test_the_handlers_are_registered_once():
    assert application_hooks.application_submitted.handlers.count(services.requests_open_for) == 1
    assert application_hooks.application_withdrawn.handlers.count(services.requests_close_for) == 1
    assert client_page.documents_section in association_hooks.client_page_sections.handlers
    assert dashboard.documents_column in application_hooks.book_columns.handlers


def test_every_notice_kind_has_a_body_template():
    assert NEEDED.code in CODES and REMINDER.code in CODES
    for code in CODES:
        assert get_template(kinds.get(code).body_template)


def test_the_daily_sweep_is_scheduled_and_the_worker_knows_it():
    entry = settings.CELERY_BEAT_SCHEDULE["verifications-daily-sweep"]
    assert entry["task"] == tasks.verification_daily_sweep.name
    assert entry["task"] in current_app.tasks


@pytest.mark.django_db
def test_the_documents_notices_render_and_say_what_to_send(client, consumer, navigator, reviewer):
    """Each notice the flow writes renders to a PDF (the worker's step); the "documents needed" notice lists what was
    attested, what the source said, the documents that prove it and the due date."""
    association = associate(consumer.client, navigator.assister, powers=["view_client", "upload_for_client"])
    _application, row = with_income_request(consumer.client)
    upload(row, actor=navigator, association=association)
    services.verification_reject(verification=row, reason="illegible", note="Blurred.", actor=reviewer)
    services.verification_remind(today=row.due_date - timedelta(days=5))
    services.verification_daily_sweep(today=row.due_date + timedelta(days=1))
    other = make_client(first_name="Otto")
    _application, second = with_income_request(other)
    upload(second, actor=other.user)
    services.verification_extend(
        verification=second, due_date=second.due_date + timedelta(days=10), reason="Asked in time", actor=reviewer
    )
    services.verification_accept(verification=second, actor=reviewer)
    written = Notice.objects.filter(kind__in=CODES)
    assert set(written.values_list("kind", flat=True)) == set(CODES)
    for notice in written:
        rendered = notice_render(notice_id=notice.pk)
        assert rendered.status == NoticeStatus.READY, (notice.kind, rendered.last_error)
    needed = Notice.objects.get(kind="documents_needed", client=consumer.client)
    sign_in(client, consumer)
    page = client.get(reverse("notices:detail", args=[needed.public_id])).content.decode()
    for text in ("$20,000 a year", "$40,000 a year", "Pay stubs (the last four weeks)", "sample data source"):
        assert text in page
    assert row.due_date.strftime("%B") in page


@pytest.mark.django_db
def test_the_attested_and_source_sentences_are_in_the_readers_language(consumer):
    """Kept as codes and figures (`facts`): a household reading in Spanish does not get the English of whoever
    submitted; staff's queue and the audit keep the English sentence."""
    _application, row = with_income_request(consumer.client, attested="20000", source="40000")
    assert row.attested == "$20,000 a year"
    with translation.override("es"):
        assert attested_text(row) == translation.gettext("%(amount)s a year") % {"amount": "$20,000"}
        assert attested_text(row) != row.attested
        notice_item = Notice.objects.get(kind="documents_needed").data["body"]["requests"][0]
        assert source_text(notice_item) == translation.gettext("%(amount)s a year") % {"amount": "$40,000"}
