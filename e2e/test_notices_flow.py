"""Notices in the browser (issue 11): the consumer opens "My notices", reads a notice and downloads its PDF;
her broker opens the same notice from her client page; her "Who viewed my information" lists it. Every page
is checked with axe-core."""

import re

import pytest

from associations.tests.factories import associate
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client
from conftest import PASSWORD, totp_code
from e2e.conftest import assert_accessible
from e2e.helpers import sign_in
from notices.models import Notice, NoticeStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "You have a new assister of record"


def download(page, link_name) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(link_name)).click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()


def test_the_consumer_reads_and_downloads_a_notice_and_sees_her_broker_did_too(watched):
    broker = make_assister(AssisterKind.BROKER, first_name="Bao", last_name="Vang")
    person = make_client(first_name="Ana", last_name="García")
    associate(person, broker)  # committed: the notice is written, then rendered (in-process, no broker here)
    notice = Notice.objects.get(client=person, kind="association_started")
    assert notice.status == NoticeStatus.READY

    consumer = watched.new_page()
    sign_in(consumer, person.user.email, PASSWORD)
    consumer.get_by_role("link", name="My notices").first.click()
    consumer.wait_for_load_state()
    assert_accessible(consumer, "my notices")
    row = consumer.get_by_role("row", name=re.compile(TITLE))
    assert "New" in row.text_content()  # (shown in capitals by the style)
    row.get_by_role("link", name=re.compile(TITLE)).click()
    consumer.wait_for_load_state()
    assert_accessible(consumer, "a notice")
    letter = consumer.locator("article").inner_text()
    assert "Ana García" in letter and notice.number in letter and "Bao Vang" in letter
    name, pdf = download(consumer, "Download the PDF")
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF-")
    notice.refresh_from_db()
    assert notice.read_at is not None
    consumer.get_by_role("link", name="Back to My notices").click()
    consumer.wait_for_load_state()
    assert "New" not in consumer.get_by_role("row", name=re.compile(TITLE)).text_content()

    # The broker opens the same notice from Ana's client page.
    assister = watched.new_page()
    sign_in(assister, broker.user.email, PASSWORD, totp=lambda: totp_code(broker.user))
    assister.goto("/clients/")
    assister.get_by_role("link", name=re.compile("Ana García")).click()
    assister.wait_for_load_state()
    assister.get_by_role("link", name="Ana García's notices and invoices").click()
    assister.wait_for_load_state()
    assert_accessible(assister, "the client's notices")
    assister.get_by_role("link", name=re.compile(TITLE)).click()
    assister.wait_for_load_state()
    assert_accessible(assister, "the client's notice")
    assert notice.number in assister.locator("article").inner_text()
    _name, pdf = download(assister, "Download the PDF")
    assert pdf.startswith(b"%PDF-")

    # Ana sees who looked at it.
    consumer.goto("/my/activity/")
    assert_accessible(consumer, "who viewed")
    table = consumer.locator("table").inner_text()
    assert "Bao Vang" in table
    assert f"Notice viewed: notice {notice.number} ({TITLE})" in table
    assert f"Notice downloaded: notice {notice.number} ({TITLE})" in table
