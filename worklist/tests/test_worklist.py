"""The worklist (issue 17): every open follow-up across the book, from the apps' own rows, most urgent first."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from applications import services as application_services
from applications.models import Application
from applications.tests.factories import determined, fill, started
from associations import services as association_services
from associations.models import EndReason
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from certification.models import Certification
from changes import services as change_services
from clients.notices import client_addressee
from clients.tests.factories import make_client
from conftest import sign_in
from notices.services import invoice_create
from plans.models import Plan
from verifications.models import VerificationRequest
from verifications.tests.factories import upload, with_income_request
from worklist import selectors
from worklist.selectors import Filters, Severity

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_reviewer(db):
    return UserFactory(role=Role.STAFF, email="changes@example.org", mfa=True, groups=("Change reviewers",))


def _rows(user, **filters):
    return list(selectors.followups(user, Filters(**filters)))


def _items(user, **filters):
    return [(row["fu_kind"], row["fu_client_first_name"]) for row in _rows(user, **filters)]


def _household(assister, first_name, **kwargs):
    client = make_client(first_name=first_name, last_name="Household")
    associate(client, assister, **kwargs)
    return client


def test_a_documents_request_is_a_followup_until_a_document_is_sent(broker, catalog_2027, private_storage):
    client = _household(broker.assister, "Dora")
    _application, request = with_income_request(client)
    rows = _rows(broker, kinds=("documents_due",))
    assert [(r["fu_kind"], r["fu_ref"], r["fu_deadline"]) for r in rows] == [
        ("documents_due", str(request.public_id), request.due_date)
    ]
    assert rows[0]["fu_severity"] == Severity.TO_DO  # 90 days away
    VerificationRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    assert _rows(broker)[0]["fu_severity"] == Severity.OVERDUE  # and so first
    VerificationRequest.objects.filter(pk=request.pk).update(due_date=timezone.localdate())
    request.refresh_from_db()
    upload(request, actor=client.user)
    assert _rows(broker, kinds=("documents_due",)) == []  # sent: it waits for MNsure's staff, not for the assister


def test_severity_follows_the_configured_days(broker, catalog_2027, settings):
    client = _household(broker.assister, "Sev")
    _application, request = with_income_request(client)
    today = timezone.localdate()
    for days, expected in (
        (-3, Severity.OVERDUE),
        (0, Severity.SOON),
        (5, Severity.SOON),
        (6, Severity.LATER),
        (15, Severity.LATER),
        (16, Severity.TO_DO),
    ):
        VerificationRequest.objects.filter(pk=request.pk).update(due_date=today + timedelta(days=days))
        assert _rows(broker, kinds=("documents_due",))[0]["fu_severity"] == expected, days
    settings.WORKLIST_SEVERITY_DAYS = (20, 30)
    assert _rows(broker, kinds=("documents_due",))[0]["fu_severity"] == Severity.SOON


def test_every_kind_of_item_comes_from_its_apps_rows(
    broker, catalog_2027, open_enrollment, change_reviewer, private_storage
):
    today = timezone.localdate()
    # Documents due.
    docs = _household(broker.assister, "Docs")
    with_income_request(docs)
    # Waiting for the consumer's confirmation: the broker prepared it and asked them to confirm.
    confirm = _household(broker.assister, "Confirm")
    application = fill(
        started(confirm, actor=broker, association=confirm.associations.get()),
        actor=broker,
        association=confirm.associations.get(),
    )
    application_services.application_request_review(
        application=application, actor=broker, association=confirm.associations.get()
    )
    # A draft nobody touched for 15 days.
    stale = _household(broker.assister, "Stale")
    Application.objects.filter(pk=started(stale).pk).update(updated_at=timezone.now() - timedelta(days=15))
    fresh = _household(broker.assister, "Fresh")
    started(fresh)
    # Determined in open enrollment, no plan chosen.
    no_plan = _household(broker.assister, "Noplan")
    determined(no_plan)
    # A change report MNsure asked about.
    asked = _household(broker.assister, "Asked")
    determined(asked)
    report = change_services.change_report_submit(
        client=asked,
        event="other",
        effective_date=today - timedelta(days=3),
        details={"description": "x"},
        actor=asked.user,
        association=None,
    )
    change_services.change_report_ask(report=report, question="Which day?", actor=change_reviewer)
    # An open special enrollment window with no plan chosen in it (a move to another rating area, processed).
    moved = _household(broker.assister, "Moved")
    determined(moved)
    report = change_services.change_report_submit(
        client=moved,
        event="moved",
        effective_date=today - timedelta(days=3),
        details={"street": "3 Lake Ave", "city": "Duluth", "zip_code": "55802"},
        actor=moved.user,
        association=None,
    )
    change_services.change_report_process(report=report, actor=change_reviewer)
    # Coverage ending with nothing after it.
    ending = _household(broker.assister, "Ending")
    application = determined(ending)
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area).first()
    enrollment = application_services.enrollment_select(
        application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=ending.user
    )
    application.refresh_from_db()
    # (coverage not started yet: ending it means it never starts; end a started one by moving its dates)
    type(enrollment).objects.filter(pk=enrollment.pk).update(
        coverage_start=today - timedelta(days=40), coverage_end=today + timedelta(days=20)
    )
    # An invoice past its due date.
    employer = _household(broker.assister, "Owing")
    invoice_create(
        client=employer,
        addressee=client_addressee(employer),
        period_start=today.replace(day=1),
        period_end=today.replace(day=1) + timedelta(days=27),
        lines=[("Premium", Decimal("100.00"))],
        due_date=today - timedelta(days=2),
    )
    # The broker's own certification ends within 60 days.
    Certification.objects.filter(assister=broker.assister).update(valid_until=today + timedelta(days=30))

    items = _items(broker)
    assert set(items) == {
        ("documents_due", "Docs"),
        ("no_plan", "Docs"),  # a plan may be chosen while documents are awaited
        ("confirmation_waiting", "Confirm"),
        ("stale_draft", "Stale"),
        ("no_plan", "Noplan"),
        ("no_plan", "Moved"),  # determined too, and no plan chosen in open enrollment
        ("change_answer", "Asked"),
        ("window_closing", "Moved"),
        ("no_plan", "Asked"),
        ("coverage_ending", "Ending"),
        ("invoice_overdue", "Owing"),
        ("certification_expiring", None),
    }
    # Most urgent first: the overdue invoice, then due soon (open enrollment's cut-off in 5 days), then the rest.
    assert items[0] == ("invoice_overdue", "Owing")
    severities = [row["fu_severity"] for row in _rows(broker)]
    assert severities == sorted(severities)
    # Each filter narrows to its kind; severity filters.
    assert sorted(n for _k, n in _items(broker, kinds=("no_plan",))) == ["Asked", "Docs", "Moved", "Noplan"]
    assert _items(broker, severity=Severity.OVERDUE) == [("invoice_overdue", "Owing")]
    # Each row links to the page where the item is done.
    rows = selectors.decorate(broker, _rows(broker))
    links = {row["fu_kind"]: row["link"] for row in rows}
    assert links["documents_due"].startswith("/documents/requests/")
    assert links["no_plan"].endswith("/plans/")
    assert links["certification_expiring"] == reverse("certification:my_certification")
    for row in rows:
        assert row["link"].startswith("/")


def test_an_outsider_sees_none_of_another_agencys_items(broker, outsider_assister, catalog_2027):
    with_income_request(_household(broker.assister, "Mine"))
    assert _items(outsider_assister) == []
    assert ("documents_due", "Mine") in _items(broker)


def test_an_ended_association_takes_the_items_off_the_list(broker, catalog_2027):
    client = _household(broker.assister, "Gone")
    with_income_request(client)
    association_services.association_end(
        association=client.associations.get(), actor=client.user, reason=EndReason.RESCINDED
    )
    assert _items(broker) == []


def test_the_agency_admin_sees_the_agencys_items_with_the_assister_of_record(
    client, broker, agency_admin, catalog_2027
):
    with_income_request(_household(broker.assister, "Agencyclient"))
    sign_in(client, agency_admin)
    page = client.get(reverse("worklist:list"))
    html = page.content.decode()
    assert page.status_code == 200 and "Agencyclient" in html and broker.get_full_name() in html


def test_the_page_filters_and_refuses_bad_filters_with_a_message(client, broker, catalog_2027):
    with_income_request(_household(broker.assister, "Filter"))
    sign_in(client, broker)
    url = reverse("worklist:list")
    assert "Filter" in client.get(url, {"kind": "documents_due"}).content.decode()
    assert "Nothing matches these filters." in client.get(url, {"kind": "stale_draft"}).content.decode()
    bad = client.get(url, {"kind": "'; drop table", "severity": "9"})
    assert bad.status_code == 400
    assert "Choose what to show from the list." in bad.content.decode()
    assert "Choose how urgent from the list." in bad.content.decode()


def test_the_list_is_audited_so_each_client_sees_it(client, broker, catalog_2027):
    household = _household(broker.assister, "Audited")
    with_income_request(household)
    sign_in(client, broker)
    client.get(reverse("worklist:list"))
    event = AuditEvent.objects.get(action=Action.CLIENT_LIST_VIEWED, client=household, actor=broker)
    assert event.details == {"what": "worklist"}


def test_consumers_and_anonymous_visitors_do_not_get_the_worklist(client, consumer):
    url = reverse("worklist:list")
    assert client.get(url).status_code == 302
    sign_in(client, consumer)
    assert client.get(url).status_code in (403, 404)


def _page_queries(http) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(reverse("worklist:list")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["broker", "agency_admin"])
def test_the_query_count_is_the_same_for_1_and_50_items(client, broker, agency_admin, persona, catalog_2027):
    user = {"broker": broker, "agency_admin": agency_admin}[persona]

    def add(n, start):
        for i in range(start, start + n):
            household = _household(broker.assister, f"Row{i:02d}")
            Application.objects.filter(pk=started(household).pk).update(updated_at=timezone.now() - timedelta(days=20))

    add(1, 0)
    sign_in(client, user)
    _page_queries(client)  # warm
    one = _page_queries(client)
    add(49, 1)
    assert len(_rows(user)) == 50
    _page_queries(client)  # warm again: building 49 households can outlast the session's write interval
    assert _page_queries(client) == one


def test_the_page_number_is_forgiving_and_the_total_is_counted_in_the_same_statement(client, broker, settings):
    for i in range(3):
        household = _household(broker.assister, f"Paged{i}")
        Application.objects.filter(pk=started(household).pk).update(updated_at=timezone.now() - timedelta(days=20))
    rows, total = selectors.followups_page(broker, offset=2, limit=2)
    assert total == 3 and [r["fu_client_first_name"] for r in rows] == [_rows(broker)[2]["fu_client_first_name"]]
    assert selectors.followups_page(broker, offset=10, limit=2) == ([], 3)
    sign_in(client, broker)
    for number in ("abc", "-1", "99", "1"):
        page = client.get(reverse("worklist:list"), {"page": number})
        assert page.status_code == 200 and "Showing 1 to 3 of 3 items." in page.content.decode(), number
