"""Notices to clients about their assisters, the consumer's inbox, and an assister reading a client's
notices on their behalf: only with the client's permission, every view in the client's "Who viewed"."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import AssociationNotice, EndReason
from associations.notices import association_notices
from associations.services import DEFAULT_POWERS, association_end
from audit.models import Action, AuditEvent
from clients.notices import client_addressee
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Invoice, Notice, NoticeStatus
from notices.services import invoice_create, sending_deferred

from .factories import ask_and_record_call, associate

pytestmark = pytest.mark.django_db
WITH_NOTICES = DEFAULT_POWERS["broker"]
WITHOUT_NOTICES = [power for power in WITH_NOTICES if power != "view_notices_for_client"]
assert "view_notices_for_client" in WITH_NOTICES


def choose(client, assister, powers=WITH_NOTICES, *, capture):
    with capture(execute=True):
        return associate(client, assister, powers=powers)


def test_choosing_an_assister_writes_a_notice_to_each_side_with_the_end_link_only_in_the_clients_email(
    consumer, broker, django_capture_on_commit_callbacks
):
    client = consumer.client
    choose(client, broker.assister, capture=django_capture_on_commit_callbacks)
    to_client = Notice.objects.get(client=client)
    to_broker = Notice.objects.get(user=broker, kind="assister_client_started")
    assert (to_client.kind, to_broker.kind) == ("association_started", "assister_client_started")
    assert to_client.status == to_broker.status == NoticeStatus.READY
    assert to_client.data["helpers"][0]["name"] == broker.assister.full_name  # "How to get help"
    emails = {email.to[0]: email for email in mail.outbox}
    end_link = reverse("associations:end_by_link", args=["x"]).rsplit("x", 1)[0]
    assert end_link in emails[consumer.email].body and end_link not in emails[broker.email].body
    assert to_client.email_link == ""  # the one-use link is not kept once sent


def test_ending_writes_a_notice_to_the_client_and_to_the_assister(consumer, broker, django_capture_on_commit_callbacks):
    association = choose(consumer.client, broker.assister, capture=django_capture_on_commit_callbacks)
    before = Notice.objects.order_by("-pk").values_list("pk", flat=True).first()
    association_end(association=association, actor=consumer, reason=EndReason.RESCINDED, request=None)
    new = Notice.objects.filter(pk__gt=before)
    assert sorted(new.values_list("kind", flat=True)) == ["assister_client_ended", "association_ended"]


def test_the_consumer_reads_their_notice_as_a_page_and_a_pdf_and_it_is_marked_read(
    client, consumer, broker, django_capture_on_commit_callbacks
):
    choose(consumer.client, broker.assister, capture=django_capture_on_commit_callbacks)
    notice = Notice.objects.get(client=consumer.client)
    sign_in(client, consumer)
    inbox = client.get(reverse("notices:inbox"))
    assert inbox.status_code == 200
    assert "You have a new assister of record" in inbox.content.decode() and "New" in inbox.content.decode()
    page = client.get(reverse("notices:detail", args=[notice.public_id]))
    assert page.status_code == 200 and broker.assister.full_name in page.content.decode()
    notice.refresh_from_db()
    assert notice.read_at is not None
    pdf = client.get(reverse("notices:pdf", args=[notice.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_someone_elses_notice_is_a_404_for_a_consumer(client, consumer, broker, django_capture_on_commit_callbacks):
    other = make_client()
    choose(other, broker.assister, capture=django_capture_on_commit_callbacks)
    notice = Notice.objects.get(client=other)
    sign_in(client, consumer)
    assert client.get(reverse("notices:detail", args=[notice.public_id])).status_code == 404
    assert client.get(reverse("notices:pdf", args=[notice.public_id])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_broker_reads_the_clients_notices_and_the_client_sees_it_in_who_viewed(
    client, consumer, broker, django_capture_on_commit_callbacks
):
    choose(consumer.client, broker.assister, capture=django_capture_on_commit_callbacks)
    notice = Notice.objects.get(client=consumer.client)
    sign_in(client, broker)
    args = [consumer.client.public_id]
    assert reverse("clients:notices", args=args) in client.get(reverse("clients:detail", args=args)).content.decode()
    listing = client.get(reverse("clients:notices", args=args))
    assert listing.status_code == 200 and notice.number in listing.content.decode()
    assert client.get(reverse("clients:notice", args=[*args, notice.public_id])).status_code == 200
    pdf = client.get(reverse("clients:notice_pdf", args=[*args, notice.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    notice.refresh_from_db()
    assert notice.read_at is None  # only the client's own opening marks it read
    actions = list(
        AuditEvent.objects.filter(client=consumer.client, actor=broker, action__startswith="notice_")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [Action.NOTICE_VIEWED, Action.NOTICE_VIEWED, Action.NOTICE_DOWNLOADED]
    client.logout()
    sign_in(client, consumer)
    who = client.get(reverse("associations:who_viewed")).content.decode()
    assert "Notice downloaded" in who and "Notice viewed" in who and broker.assister.full_name.split()[0] in who
    assert f"notice {notice.number} (You have a new assister of record)" in who  # which one, in words


def test_without_the_notices_power_or_from_another_agency_it_is_a_404(
    client, consumer, broker, outsider_assister, django_capture_on_commit_callbacks
):
    choose(consumer.client, broker.assister, powers=WITHOUT_NOTICES, capture=django_capture_on_commit_callbacks)
    notice = Notice.objects.get(client=consumer.client)
    urls = [
        reverse("clients:notices", args=[consumer.client.public_id]),
        reverse("clients:notice", args=[consumer.client.public_id, notice.public_id]),
        reverse("clients:notice_pdf", args=[consumer.client.public_id, notice.public_id]),
    ]
    for user in (broker, outsider_assister):
        client.logout()
        sign_in(client, user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert not AuditEvent.objects.filter(action__startswith="notice_").exists()


def test_a_notice_of_another_client_is_a_404_under_a_client_the_broker_may_see(
    client, consumer, broker, django_capture_on_commit_callbacks
):
    choose(consumer.client, broker.assister, capture=django_capture_on_commit_callbacks)
    other = make_client()
    choose(other, broker.assister, capture=django_capture_on_commit_callbacks)
    others = Notice.objects.get(client=other)
    sign_in(client, broker)
    url = reverse("clients:notice", args=[consumer.client.public_id, others.public_id])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="notice_").exists()  # nothing was viewed


def test_offline_consent_notice_goes_to_a_client_with_no_account(broker, django_capture_on_commit_callbacks):
    unclaimed = make_client(claimed=False, email="paper@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        association = ask_and_record_call(unclaimed, broker.assister)
    kinds = list(Notice.objects.filter(client=unclaimed).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["association_requested", "association_offline_consent"]
    assert association.status == "active"
    assert any(email.to == ["paper@example.org"] and "end it with one click" in email.body for email in mail.outbox)


def count_queries(client, url) -> int:
    client.get(url)  # warm-up: the session's activity stamp is saved at most every 15 s
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_and_the_client_notice_list_cost_the_same_for_1_and_30_notices(client, consumer, broker):
    association = associate(consumer.client, broker.assister, powers=WITH_NOTICES)
    inbox, on_behalf = reverse("notices:inbox"), reverse("clients:notices", args=[consumer.client.public_id])
    sign_in(client, consumer)
    inbox_at_1 = count_queries(client, inbox)
    client.logout()
    sign_in(client, broker)
    on_behalf_at_1 = count_queries(client, on_behalf)
    for _ in range(29):
        association_notices(association, AssociationNotice.RESTORED)
    assert Notice.objects.filter(client=consumer.client).count() == 30
    assert count_queries(client, on_behalf) == on_behalf_at_1
    client.logout()
    sign_in(client, consumer)
    assert count_queries(client, inbox) == inbox_at_1
    first, second = client.get(inbox).content.decode(), client.get(inbox, {"page": 2}).content.decode()
    assert 'href="?page=2"' in first and first.count("<tr>") - 1 == 20  # 20 a page (a header row, then rows)
    assert 'href="?page=1"' in second and second.count("<tr>") - 1 == 10


def test_an_assister_reads_their_own_notices_from_the_navigation(
    client, consumer, broker, django_capture_on_commit_callbacks
):
    choose(consumer.client, broker.assister, capture=django_capture_on_commit_callbacks)
    mine = Notice.objects.get(user=broker, kind="assister_client_started")
    sign_in(client, broker)
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("notices:inbox")}"' in home
    inbox = client.get(reverse("notices:inbox")).content.decode()
    assert "A client chose you" in inbox and mine.number in inbox
    assert "You have a new assister of record" not in inbox  # the client's notice is hers, not his
    assert client.get(reverse("notices:detail", args=[mine.public_id])).status_code == 200


@pytest.mark.django_db
def test_a_pdf_not_ready_is_a_404_and_is_neither_read_nor_recorded(
    client, consumer, broker, django_capture_on_commit_callbacks
):
    from associations.tests.factories import associate

    with sending_deferred():
        associate(consumer.client, broker.assister)
    notice = Notice.objects.get(client=consumer.client, kind="association_started")
    assert notice.status == NoticeStatus.QUEUED
    sign_in(client, broker)
    url = reverse("clients:notice_pdf", args=[consumer.client.public_id, notice.public_id])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.NOTICE_DOWNLOADED).exists()
    client.logout()
    sign_in(client, consumer)
    assert client.get(reverse("notices:pdf", args=[notice.public_id])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None and not AuditEvent.objects.filter(action=Action.NOTICE_READ).exists()
    page = client.get(reverse("notices:detail", args=[notice.public_id])).content.decode()
    assert "being prepared" in page  # the page itself opens: the letter is there before the PDF


def test_the_notice_and_invoice_changelists_cost_the_same_for_1_and_30_rows(client, superuser_staff, broker):
    def one_more(n):
        person = make_client()
        association_notices(associate(person, broker.assister), AssociationNotice.RESTORED)
        invoice_create(
            client=person,
            addressee=client_addressee(person),
            period_start=date(2027, 1, 1),
            period_end=date(2027, 1, 31),
            lines=[(f"Premium {n}", Decimal("100.00"))],
            due_date=date(2026, 12, 23),
        )

    notices, invoices = reverse("admin:notices_notice_changelist"), reverse("admin:notices_invoice_changelist")
    one_more(0)
    sign_in(client, superuser_staff)
    at_1 = (count_queries(client, notices), count_queries(client, invoices))
    for n in range(29):
        one_more(n + 1)
    assert Invoice.objects.count() == 30
    assert (count_queries(client, notices), count_queries(client, invoices)) == at_1
