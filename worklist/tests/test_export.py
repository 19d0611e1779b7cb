"""The export of the book as a CSV file (issue 17): the dashboard's search, every page of it, streamed; its columns,
spreadsheet-safe cells, an audit row per exported client, who may export what, and the queries bounded per chunk."""

import codecs
import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.tests.factories import determined, started
from assister_portal.lib.spreadsheets import formula_safe
from associations.tests.factories import associate
from audit.models import Action, AuditEvent
from certification import services as certification_services
from certification.models import AssisterKind
from certification.tests.factories import make_assister, staff_user
from clients.selectors import power_labels
from clients.tests.factories import make_client
from conftest import sign_in
from plans.models import Plan
from verifications.tests.factories import with_income_request
from worklist import export
from worklist.selectors import next_deadlines

pytestmark = pytest.mark.django_db

URL = reverse("worklist:export")
DASHBOARD = reverse("clients:dashboard")
HEADER = [
    "Client",
    "Client ID",
    "Kind of assister",
    "Powers granted",
    "Coverage year",
    "Application status",
    "Monthly credit",
    "Plan",
    "Metal level",
    "Documents due",
    "Documents due by",
    "Next deadline",
]


def content(response) -> bytes:
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def read(response) -> list[list[str]]:
    """The file's rows, the header first (the byte order mark checked and dropped)."""
    body = content(response)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def records(response) -> list[dict]:
    rows = read(response)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def exported_ids(response) -> set[str]:
    return {row["Client ID"] for row in records(response)}


def dashboard_ids(http, query: dict) -> set[str]:
    """The client IDs on every page of the dashboard for the same search."""
    ids, number = set(), 1
    while True:
        response = http.get(DASHBOARD, {**query, "page": number})
        assert response.status_code == 200
        ids |= {row.client.short_id for row in response.context["rows"]}
        page = response.context["page"]
        if not page.has_next():
            return ids
        number += 1


def _client(assister, first_name, last_name="Household", **kwargs):
    client = make_client(first_name=first_name, last_name=last_name, **kwargs)
    associate(client, assister)
    return client


def _enrolled(client):
    """The client's own 2027 application, determined, then a plan chosen by them (in open enrollment)."""
    application = determined(client)
    plan = Plan.objects.filter(year=2027, rating_area=application.rating_area, metal_level="silver").first()
    application_services.enrollment_select(
        application=application, version=application.version, plan_id=plan.plan_id, credit=None, actor=client.user
    )
    application.refresh_from_db()
    return application, plan


# --- The cells ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_gets_a_leading_apostrophe(start):
    assert formula_safe(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"
    assert formula_safe(start) == f"'{start}"


def test_other_cells_are_kept_as_they_are():
    assert formula_safe("José Hernández") == "José Hernández"
    assert formula_safe("a=b") == "a=b"  # only the first character counts
    assert formula_safe(2027) == "2027"
    assert formula_safe(None) == ""
    assert formula_safe("") == ""


# --- The file -------------------------------------------------------------------------------------------------


def test_the_file_has_the_header_and_one_row_per_client_with_the_dashboards_columns(
    client, broker, catalog_2027, open_enrollment
):
    enrolled = _client(broker.assister, "Ena", "Enrolled")
    application, plan = _enrolled(enrolled)
    waiting = _client(broker.assister, "Wanda", "Waiting")
    _application, request = with_income_request(waiting)
    drafting = _client(broker.assister, "Drew", "Drafting")
    started(drafting)
    _client(broker.assister, "Nell", "Nothing")
    no_plan = _client(broker.assister, "Pat", "Planless")
    chosen = determined(no_plan)
    sign_in(client, broker)

    response = client.get(URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="clients-{today:%Y-%m-%d}.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"].split(", ")
    rows = read(response)
    assert rows[0] == HEADER
    by_name = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert list(by_name) == ["Drew Drafting", "Ena Enrolled", "Nell Nothing", "Pat Planless", "Wanda Waiting"]
    powers = "; ".join(str(label) for label in power_labels(enrolled.associations.get().powers))
    assert by_name["Ena Enrolled"] == {
        "Client": "Ena Enrolled",
        "Client ID": enrolled.short_id,
        "Kind of assister": "Broker",
        "Powers granted": powers,
        "Coverage year": "2027",
        "Application status": "Enrolled",
        "Monthly credit": str(application.determination.max_monthly_credit),
        "Plan": f"{plan.name} (sample plan)",  # the sample catalog says so
        "Metal level": "Silver",
        "Documents due": "0",
        "Documents due by": "",
        "Next deadline": "",
    }
    assert "; " in powers  # a broker holds every power by default: each one named, as the dashboard names them
    waiting_row = by_name["Wanda Waiting"]
    assert waiting_row["Application status"] == "Waiting for documents"
    assert waiting_row["Documents due"] == "1"
    assert waiting_row["Documents due by"] == request.due_date.isoformat()
    # The nearest of the client's follow-ups, as the worklist has them: the documents' due date or, sooner, open
    # enrollment's cut-off (a plan may be chosen while the documents are awaited).
    assert waiting_row["Next deadline"] == min(request.due_date, open_enrollment[1]).isoformat()
    nearest = next_deadlines(broker, [c.pk for c in (enrolled, waiting, drafting, no_plan)])
    for person in (enrolled, waiting, drafting, no_plan):
        row = by_name[person.full_name]
        assert row["Next deadline"] == (nearest[person.pk].isoformat() if person.pk in nearest else "")
    assert by_name["Drew Drafting"]["Application status"] == "Draft"
    assert by_name["Drew Drafting"]["Monthly credit"] == ""
    assert by_name["Nell Nothing"]["Application status"] == "No application"
    assert by_name["Nell Nothing"]["Coverage year"] == ""
    # Determined in open enrollment with no plan chosen: the worklist's deadline is open enrollment's cut-off.
    assert chosen.status == "determined" and by_name["Pat Planless"]["Plan"] == ""
    assert by_name["Pat Planless"]["Next deadline"] == open_enrollment[1].isoformat()


def test_a_name_that_would_run_as_a_formula_comes_out_as_text(client, broker):
    _client(broker.assister, "=cmd|' /C calc'!A0", "Evil")
    _client(broker.assister, "+1", "Plus")
    _client(broker.assister, "@SUM(1+1)", "At")
    sign_in(client, broker)

    names = {row["Client"] for row in records(client.get(URL))}

    assert names == {"'=cmd|' /C calc'!A0 Evil", "'+1 Plus", "'@SUM(1+1) At"}


def test_headers_and_labels_are_in_the_users_language(client, broker):
    started(_client(broker.assister, "José", "Hernández"))
    sign_in(client, broker)
    client.post(reverse("set_language"), {"language": "es"})

    rows = read(client.get(URL))

    assert rows[0][:3] == ["Cliente", "Identificación del cliente", "Tipo de asistente"]
    assert rows[1][0] == "José Hernández"  # accents intact (UTF-8 with its byte order mark, for Excel)
    assert rows[1][5] == "Borrador"


def test_the_clients_ssn_is_never_read(client, broker):
    _client(broker.assister, "Sam", "Secret", ssn="123-45-6789")
    sign_in(client, broker)

    with CaptureQueriesContext(connection) as captured:
        assert len(records(client.get(URL))) == 1

    assert not any('"ssn"' in query["sql"] for query in captured.captured_queries)


def test_the_books_query_is_planned_for_reading_every_row_and_the_setting_is_reset(client, broker):
    _client(broker.assister, "Pat", "Planned")
    sign_in(client, broker)

    with CaptureQueriesContext(connection) as captured:
        assert len(records(client.get(URL))) == 1

    statements = [query["sql"] for query in captured.captured_queries]
    book = next(i for i, sql in enumerate(statements) if '"associations_association"."client_id" AS' in sql)
    assert statements[book - 1] == "SET cursor_tuple_fraction = 1.0"  # not the first 10 %, as a cursor's default
    assert statements[book + 1] == "RESET cursor_tuple_fraction"
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "0.1"


# --- The same rows as the dashboard ---------------------------------------------------------------------------


def test_the_filters_narrow_the_export_exactly_as_they_narrow_the_dashboard(client, broker, catalog_2027):
    for n in range(3):
        started(_client(broker.assister, "Drafty", f"Person{n}"))
    for n in range(2):
        with_income_request(_client(broker.assister, "Docs", f"Person{n}"))
    _client(broker.assister, "Nobody", "Started")
    _client(broker.assister, "Drafty", "Other")
    sign_in(client, broker)

    for query in (
        {"application_status": "draft"},
        {"documents": "due", "sort": "documents_due"},
        {"name": "drafty", "application_status": "none"},
        {"application_status": "pending_verification", "sort": "-application"},
    ):
        expected = dashboard_ids(client, query)
        assert exported_ids(client.get(URL, query)) == expected, query
    assert len(dashboard_ids(client, {"application_status": "draft"})) == 3
    assert len(dashboard_ids(client, {"documents": "due"})) == 2
    assert len(dashboard_ids(client, {"name": "drafty", "application_status": "none"})) == 1


def test_the_export_is_every_page_of_the_search_in_the_dashboards_order(client, broker):
    for n in range(30):
        _client(broker.assister, "Pat", f"Client{n:02d}")
    sign_in(client, broker)

    names = [row["Client"] for row in records(client.get(URL, {"sort": "-name", "page": "2"}))]

    assert len(names) == 30  # not the dashboard's page of 25, and the page number is ignored
    assert names == [f"Pat Client{n:02d}" for n in reversed(range(30))]


def test_the_dashboard_links_to_the_export_of_its_search_without_the_page(client, broker):
    for n in range(30):
        _client(broker.assister, "Pat", f"Client{n:02d}")
    sign_in(client, broker)

    html = client.get(DASHBOARD, {"name": "pat", "sort": "-name", "page": "2"}).content.decode()

    assert f'href="{URL}?name=pat&amp;sort=-name"' in html
    assert "Export these clients (CSV)" in html and "30 rows" in html
    partial = client.get(DASHBOARD, {"name": "pat"}, headers={"HX-Request": "true"}).content.decode()
    assert f'href="{URL}?name=pat"' in partial  # a search through htmx updates the link with the results


# --- Audit ----------------------------------------------------------------------------------------------------


def test_every_exported_client_gets_an_audit_row_once_the_file_is_sent(client, broker):
    clients = [_client(broker.assister, "Ana", f"Helped{n}") for n in range(3)]
    sign_in(client, broker)

    response = client.get(URL)
    assert not AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).exists()  # nothing read yet
    assert len(read(response)) == 4

    events = list(AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED))
    assert sorted(e.client_id for e in events) == sorted(c.pk for c in clients)
    assert {e.actor for e in events} == {broker}
    assert {e.details["what"] for e in events} == {"export"}
    assert all(e.request_id for e in events)


def test_a_big_export_is_read_audited_and_sent_a_chunk_at_a_time(client, broker, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 2)
    clients = [_client(broker.assister, "Pat", f"Client{n:02d}") for n in range(5)]
    sign_in(client, broker)

    response = client.get(URL)
    parts = list(response.streaming_content)

    assert len(parts) == 1 + 3  # the header, then chunks of 2, 2 and 1 rows
    rows = list(csv.reader(io.StringIO(b"".join(parts).decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == [c.full_name for c in clients]
    audited = AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED, details__what="export")
    assert sorted(audited.values_list("client_id", flat=True)) == sorted(c.pk for c in clients)


# --- Who may export what --------------------------------------------------------------------------------------


def test_an_outsider_assister_exports_none_of_another_agencys_clients(client, broker, outsider_assister):
    _client(broker.assister, "Mine", "Broker")
    theirs = _client(outsider_assister.assister, "Their", "Client")
    sign_in(client, outsider_assister)

    assert exported_ids(client.get(URL)) == {theirs.short_id}
    assert exported_ids(client.get(URL, {"name": "mine"})) == set()


def test_agency_staff_export_the_agencys_book_and_may_filter_by_kind(client, broker, agency_admin, support_staff):
    colleague = make_assister(AssisterKind.BROKER, agency=broker.assister.agency)
    mine = _client(broker.assister, "Ana", "Broker")
    theirs = _client(colleague, "Bea", "Colleague")
    navigator = make_assister(AssisterKind.NAVIGATOR)
    _client(navigator, "Other", "Agency")
    for person in (agency_admin, support_staff):
        sign_in(client, person)
        assert exported_ids(client.get(URL)) == {mine.short_id, theirs.short_id}
        assert exported_ids(client.get(URL, {"kind": "navigator"})) == set()
        client.post(reverse("account_logout"))


def test_anonymous_visitors_are_sent_to_sign_in_and_consumers_and_staff_get_404(client, consumer, exchange_staff):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    sign_in(client, consumer)
    assert client.get(URL).status_code == 404
    client.post(reverse("account_logout"))
    sign_in(client, exchange_staff)
    assert client.get(URL).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).exists()


def test_an_assister_who_may_not_act_gets_no_file(client, broker):
    _client(broker.assister, "Ana", "Helped")
    certification_services.certification_decide(
        certification=broker.assister.certifications.get(), action="suspend", actor=staff_user(), reason="Lapsed."
    )
    sign_in(client, broker)

    response = client.get(URL)

    assert response.status_code == 302 and response["Location"] == DASHBOARD
    page = client.get(response["Location"]).content.decode()
    assert "Your certification is not current" in page
    assert not AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).exists()


def test_a_bad_search_goes_back_to_the_dashboard_which_says_what_to_fix(client, broker):
    _client(broker.assister, "Ana", "Born", date_of_birth=date(1990, 2, 3))
    sign_in(client, broker)

    response = client.get(URL, {"date_of_birth": "31/31/1990", "name": "ana", "page": "3"})

    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?date_of_birth=31%2F31%2F1990&name=ana"
    html = client.get(response["Location"]).content.decode()
    assert "Nothing was exported. Check the search below, then export again." in html
    assert "Enter the date like 05/17/1980" in html
    assert not AuditEvent.objects.filter(action=Action.CLIENT_LIST_VIEWED).exists()
    assert client.post(URL).status_code == 405  # a download is a GET


# --- Queries --------------------------------------------------------------------------------------------------


def _export_queries(http) -> int:
    return len(_export_statements(http))


def _export_statements(http) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        content(http.get(URL))
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("persona", ["broker", "agency_admin"])
def test_the_export_makes_the_same_queries_for_1_and_50_clients(
    client, broker, agency_admin, persona, django_assert_num_queries
):
    user = {"broker": broker, "agency_admin": agency_admin}[persona]
    _client(broker.assister, "Pat", "Only")
    sign_in(client, user)
    content(client.get(URL))  # warm caches (permission ids, content types)
    one = _export_queries(client)
    for n in range(49):
        _client(broker.assister, "Pat", f"More{n:02d}")
    # The session's activity clock is saved at most every 15 seconds (3 queries): building 49 clients can take that
    # long, so a request first, as before counting with one client.
    content(client.get(URL, {"name": "nobody"}))

    with django_assert_num_queries(one):
        assert len(read(client.get(URL))) == 51  # the header and 50 rows, consumed inside the block


def test_the_queries_grow_with_the_chunks_not_the_rows(client, broker, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 10)
    for n in range(10):
        _client(broker.assister, "Pat", f"Client{n:02d}")
    sign_in(client, broker)
    content(client.get(URL))
    one_chunk = _export_statements(client)
    for n in range(10, 20):
        _client(broker.assister, "Pat", f"Client{n:02d}")
    content(client.get(URL, {"name": "nobody"}))  # the session's activity clock, as above

    two_chunks = _export_statements(client)

    # A chunk's next deadlines (whether the assister may act, their book's ids, the follow-ups) and its audit rows
    # (the INSERT and full_clean's checks that its actor and first client exist): a few, whatever the chunk's size.
    per_chunk = len(two_chunks) - len(one_chunk)
    assert 0 < per_chunk <= 8, "\n".join(sql[:100] for sql in two_chunks)
