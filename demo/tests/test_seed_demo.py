"""`seed_demo`: every role and case, the directory across Minnesota, and a second run that adds nothing.

Seeding takes seconds, so one test seeds (twice, to prove the second run adds nothing) and checks
everything the demo promises; a second does the same on the demo's own day, in open enrollment and the
renewal season, for the demo broker's worklist. Tests, not a module-scoped fixture shared by several: under
`pytest -n 2` the tests of a module may go to both workers, and each would seed its own database
(xdist's `xdist_group` mark, which would keep them together, has no effect under pytest 9).
"""

import csv
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from applications.models import Application, ApplicationStatus, Enrollment, Renewal
from associations.models import Association, AssociationStatus
from associations.permissions_sync import permissions_drift
from certification.models import Agency, Assister, AssisterKind, Certification, CertificationStatus
from changes.models import ChangeReport, ChangeReportEvent, ReportStatus
from clients.models import Client
from conftest import totp_code
from core import geo
from demo.builders import agencies, listings
from demo.tests.factories import demo_account, seed_demo
from directory import selectors
from notices.models import Invoice, Notice, NoticeStatus
from verifications.models import Document, ReferenceRecord, RequestStatus, VerificationEvent, VerificationRequest
from worklist import selectors as worklist_selectors
from worklist.kinds import BY_CODE
from worklist.selectors import Severity


def counts():
    models = (
        *(User, Agency, Assister, Certification, Association, Notice, Invoice, Application, Enrollment, Renewal),
        *(ChangeReport, ChangeReportEvent),
        *(ReferenceRecord, VerificationRequest, VerificationEvent, Document),
    )
    return {model.__name__: model.objects.count() for model in models} | {
        "listed assisters": selectors.listed_assisters().count(),
        "listed agencies": selectors.listed_agencies().count(),
    }


def assert_every_role_and_case(printed: str) -> None:
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    assert "Minnesota-demo-2026" in printed and "staff@demo.assister.example" in printed
    for kind in ("broker", "navigator", "cac"):
        assert Certification.objects.filter(assister__kind=kind, status=CertificationStatus.APPROVED).exists()
        assert Certification.objects.filter(assister__kind=kind, status=CertificationStatus.SUBMITTED).exists()
    assert Certification.objects.filter(status=CertificationStatus.EXPIRED).exists()
    expiring = Certification.objects.get(assister__user__email="expiring-broker@demo.assister.example")
    assert (expiring.valid_until - expiring.valid_from).days > 0 and expiring.status == CertificationStatus.APPROVED
    statuses = set(Association.objects.values_list("status", flat=True))
    assert {AssociationStatus.ACTIVE, AssociationStatus.PENDING, AssociationStatus.ENDED} <= statuses
    assert (
        Association.objects.filter(client__user__email="all-three@demo.assister.example", status="active").count() == 3
    )
    assert permissions_drift() == []


def assisters_within(place: str, radius: int) -> int:
    where = geo.find_place(place)
    return sum(
        selectors.search(selectors.Criteria(place=where, radius=radius, kind=kind)).total for kind in AssisterKind
    )


def assert_notices_ready_in_each_consumers_language(printed: str) -> None:
    notices = Notice.objects.filter(client__user__email__endswith="@demo.assister.example")
    assert notices.exists() and not notices.exclude(status=NoticeStatus.READY).exists()  # every one opens
    assert all(notice.pdf and notice.pages >= 2 for notice in notices)  # the letter, then the taglines page
    maria = notices.filter(client__user__email="consumer@demo.assister.example")
    assert set(maria.values_list("language", flat=True)) == {"es"}
    assert {"association_started", "invoice"} <= set(maria.values_list("kind", flat=True))
    assert "Sample" in maria.get(kind="invoice").invoice.lines[0]["description"]  # labelled as sample data
    mai = notices.filter(client__user__email="two-assisters@demo.assister.example")
    assert set(mai.values_list("language", flat=True)) == {"hmn"}
    assert len(set(notices.values_list("kind", flat=True))) >= 4
    assert f"+ {Notice.objects.filter(status=NoticeStatus.READY).count()} notices ready to open" in printed


def assert_assisters_listed_across_minnesota(printed: str) -> None:
    listed = selectors.listed_assisters()
    people = listings.people()
    assert len({person.local for person in people}) == len(people)
    assert listed.filter(user__email__in=[f"{p.local}@demo.assister.example" for p in people]).count() == len(people)
    assert 40 <= listed.count() <= 80 and 15 <= selectors.listed_agencies().count() <= 25
    assert f"+ {listed.count()} assisters and" in printed
    assert "kazoua.her@" not in printed  # the directory's people are not in the login list
    for place in ("55802", "55901", "56560", "56601", "55401"):  # Duluth, Rochester, Moorhead, Bemidji, Minneapolis
        assert assisters_within(place, 25) >= 1, place
    # From every Minnesota ZIP code, a 100-mile search finds an assister.
    positions = list(listed.values_list("latitude", "longitude"))
    with (geo.DATA_DIR / "mn_zip_codes.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lat, lon = float(row["latitude"]), float(row["longitude"])
            assert min(geo.haversine_miles(lat, lon, *p) for p in positions) <= 100, row["zip"]
    # A varied directory: own offices, languages, services, accessibility, people not taking clients.
    assert listed.exclude(office_zip="").exclude(location_zip=F("agency__zip_code")).count() >= 10
    assert {"es", "hmn", "so", "vi", "om", "kar", "oj", "dak", "ase"} <= set(
        listed.values_list("languages__code", flat=True)
    )
    assert listed.filter(serves_shop=True).exists() and listed.filter(serves_public_programs=True).exists()
    assert listed.filter(asl_available=True).exists() and listed.filter(open_weekends=True).exists()
    assert listed.filter(accepting_new_clients=False).exists() and listed.filter(accepting_new_clients=True).exists()
    # The directory's accounts share the demo password.
    assert User.objects.get(email="kazoua.her@demo.assister.example").check_password("Minnesota-demo-2026")


def assert_plans_chosen_by_a_broker_and_by_a_consumer_and_one_left_to_choose() -> None:
    # The 2027 plans as chosen (a processed change may since have moved a plan's credit: see the change reports; the
    # 2026 plans of the worklist's households: assert_demo_broker_has_followups_of_every_kind_and_severity).
    demo = Enrollment.objects.select_related("application__determination", "association", "writing_agent").filter(
        replaces__isnull=True, application__coverage_year=2027
    )
    assert demo.count() == 2
    # Maria's broker chose for her household, taking $25 a month less than the whole credit.
    by_broker = demo.get(client__user__email="consumer@demo.assister.example")
    assert by_broker.on_behalf and by_broker.association.kind == "broker"
    assert by_broker.writing_agent_npn == by_broker.writing_agent.npn != ""
    credit = by_broker.application.determinations.order_by("pk").first().max_monthly_credit
    assert by_broker.credit_applied == credit - Decimal("25.00") < by_broker.max_credit
    assert by_broker.net_premium == by_broker.premium - by_broker.credit_applied
    assert [m["first_name"] for m in by_broker.members] == ["Maria", "Luis", "Sofia"]  # Mateo: Medical Assistance
    # Abdi chose his own plan, with all of his credit: no writing agent.
    own = demo.get(client__user__email="all-three@demo.assister.example")
    assert not own.on_behalf and own.writing_agent_id is None and own.writing_agent_npn == ""
    assert own.selected_by == own.client.user and own.credit_applied == own.max_credit > 0
    for enrollment in (by_broker, own):
        enrollment.application.refresh_from_db()
        assert enrollment.application.status == ApplicationStatus.ENROLLED
        # Chosen in the 2027 open enrollment, before its cut-off, although it was over on the day of the seeding.
        assert enrollment.period_kind == "open" and enrollment.coverage_start == date(2027, 1, 1)
        assert enrollment.sample_catalog
    # The Vue household's application is determined, and nobody has chosen a plan for them yet.
    waiting = Application.objects.get(status=ApplicationStatus.DETERMINED)
    assert waiting.client.full_name == "Nhia Vue" and not waiting.enrollments.exists()
    assert waiting.determination.max_monthly_credit > 0


def assert_change_reports_at_each_step() -> None:
    today = timezone.localdate()
    reports = ChangeReport.objects.select_related("client__user", "application__determination")
    assert reports.count() == 4
    # The Vue household moved from Saint Paul to Duluth: processed by staff into a new revision and determination,
    # and the move into another rating area opened a special enrollment period.
    moved = reports.get(event="moved")
    application = moved.application
    assert moved.client.full_name == "Nhia Vue" and moved.on_behalf and moved.association.kind == "broker"
    assert moved.status == ReportStatus.PROCESSED and moved.processed_by.email == "staff@demo.assister.example"
    assert moved.opens_sep and moved.sep_opens <= today <= moved.sep_closes
    assert application.rating_area.number == 2 and application.data["address"]["zip_code"] == "55802"
    latest = application.revisions.first()
    assert latest.what == "change_address" and latest.number == moved.processed_revision == application.version
    assert application.determinations.count() == 2
    assert application.determination.revision_number == moved.processed_revision
    assert application.status == ApplicationStatus.DETERMINED and not application.enrollments.exists()
    # Abdi's daughter, born a few days ago: on his application, and the birth's window is open today.
    birth = reports.get(event="birth")
    assert birth.client.full_name == "Abdi Hassan" and birth.status == ReportStatus.PROCESSED
    assert birth.effective_date < today and birth.sep_opens == birth.effective_date <= today <= birth.sep_closes
    assert [m["first_name"] for m in birth.application.data["members"]] == ["Abdi", "Hodan"]
    assert [r.what for r in birth.application.revisions.all()[:2]] == ["credit_changed", "change_household"]
    # The new determination screens Abdi for MinnesotaCare: his plan stays, its credit goes to $0 from next month.
    chosen, adjusted = birth.application.enrollments.order_by("selected_at")
    assert adjusted.replaces == chosen and adjusted.plan == chosen.plan and adjusted.status == "active"
    assert adjusted.credit_applied == 0 < chosen.credit_applied and adjusted.coverage_start > today
    assert Notice.objects.filter(kind="credit_changed", client=birth.client).count() == 1
    # Maria's raise, in review; Mai's new job's coverage, waiting for her answer to staff's question.
    income = reports.get(event="income_changed")
    assert income.client.full_name == "Maria Lopez" and income.status == ReportStatus.IN_REVIEW
    assert income.application.determinations.count() == 1  # not processed: her determination stands
    waiting = reports.get(event="gained_coverage")
    assert waiting.client.full_name == "Mai Xiong" and waiting.status == ReportStatus.NEEDS_INFO
    assert "each month" in waiting.question and waiting.answer == ""
    assert Notice.objects.filter(kind="change_question", client=waiting.client).exists()


def assert_verification_requests_at_each_step(private_storage) -> None:
    today = timezone.localdate()
    requests = VerificationRequest.objects.select_related("client__user", "application", "decided_by").filter(
        client__user__email="castillo-household@demo.assister.example"  # (the broker's worklist has its own)
    )
    assert requests.count() == 4
    application = requests.first().application
    assert {r.application_id for r in requests} == {application.pk}  # one household, one application
    assert application.client.full_name == "Ana Castillo"
    assert application.status == ApplicationStatus.PENDING_VERIFICATION
    by = {(r.member_name, r.type): r for r in requests}
    # Outstanding: Ana's income, due in 10 days (as the "documents needed" notice says), and Diego's citizenship,
    # extended in good faith.
    income = by["Ana Castillo", "income"]
    assert income.status == RequestStatus.OUTSTANDING and income.due_date == today + timedelta(days=10)
    assert (income.attested, income.source_said) == ("$28,000 a year", "$41,000 a year")
    needed = Notice.objects.get(client=application.client, kind="documents_needed")
    assert needed.data["due"] == income.due_date.isoformat() and len(needed.data["body"]["requests"]) == 4
    citizenship = by["Diego Castillo", "citizenship"]
    assert citizenship.status == RequestStatus.OUTSTANDING and citizenship.due_date == today + timedelta(days=70)
    assert Notice.objects.filter(client=application.client, kind="verification_extended").count() == 1
    # Submitted: Diego's pay stub, sent by the navigator on behalf (the household granted upload), waiting for review.
    submitted = by["Diego Castillo", "income"]
    assert submitted.status == RequestStatus.SUBMITTED
    navigator = Association.objects.get(client=application.client, kind="navigator", status="active")
    assert navigator.can_upload and navigator.assister.user.email == "navigator@demo.assister.example"
    stub = submitted.documents.get()
    assert stub.on_behalf and stub.association == navigator and stub.uploaded_by == navigator.assister.user
    assert (stub.document_type, stub.kind, stub.decision) == ("pay_stubs", "png", "")
    assert (private_storage / stub.file.name).exists()  # stored through the pipeline, in the test's own folder
    # Rejected: Lucía's birth certificate, sent by Ana, not accepted by the demo's document reviewer, with a reason.
    rejected = by["Lucía Castillo", "citizenship"]
    assert rejected.status == RequestStatus.REJECTED and rejected.is_open
    assert rejected.reject_reason == "incomplete" and rejected.reject_note.startswith("Sample record:")
    assert rejected.decided_by.email == "documents@demo.assister.example"
    assert list(rejected.decided_by.groups.values_list("name", flat=True)) == ["Document reviewers"]
    assert not rejected.decided_by.is_superuser
    certificate = rejected.documents.get()
    assert not certificate.on_behalf and certificate.uploaded_by == application.client.user
    assert (certificate.kind, certificate.decision) == ("pdf", "rejected")
    assert Notice.objects.filter(client=application.client, kind="verification_rejected").count() == 1
    # Reminded before the due date (Ana's income, Lucía's citizenship), the household and the navigator.
    assert Notice.objects.filter(client=application.client, kind="verification_reminder").count() == 2
    assert Notice.objects.filter(user=navigator.assister.user, kind="verification_reminder_assister").count() == 2
    # The sample data source says it is one, wherever it shows.
    records = ReferenceRecord.objects.filter(last_name="Castillo")
    assert records.count() == 3
    assert all(r.source == "Sample data source (not a real federal service)" for r in records)


@pytest.mark.django_db
def test_seed_demo_builds_every_role_case_and_listing_and_a_second_run_adds_nothing(settings, private_storage):
    # Open enrollment for 2027 ended yesterday: the demo still chooses its plans, as on open enrollment's first day.
    today = timezone.localdate()
    settings.OPEN_ENROLLMENT_PERIODS = {
        **settings.OPEN_ENROLLMENT_PERIODS,
        2027: (today - timedelta(days=60), today - timedelta(days=30), today - timedelta(days=1)),
    }
    printed = seed_demo()
    assert_every_role_and_case(printed)
    assert_assisters_listed_across_minnesota(printed)
    assert_notices_ready_in_each_consumers_language(printed)
    assert_plans_chosen_by_a_broker_and_by_a_consumer_and_one_left_to_choose()
    assert_change_reports_at_each_step()
    assert_verification_requests_at_each_step(private_storage)
    assert "castillo-household@demo.assister.example" in printed and "documents@demo.assister.example" in printed
    first = counts()
    assert seed_demo() == printed
    assert counts() == first


def followups_of_the_demo_broker() -> list[tuple]:
    broker = User.objects.get(email="broker@demo.assister.example")  # the first broker seed_demo prints
    return [
        (row["fu_kind"], row["fu_severity"], row["fu_deadline"], row["fu_client_first_name"], row["fu_detail"])
        for row in worklist_selectors.followups(broker)
    ]


def assert_demo_broker_has_followups_of_every_kind_and_severity(printed: str) -> None:
    items = followups_of_the_demo_broker()
    assert {kind for kind, *_rest in items} == set(BY_CODE), items
    assert {severity for _kind, severity, *_rest in items} == set(Severity), items
    today = timezone.localdate()
    documents = {(severity, deadline, name) for kind, severity, deadline, name, _d in items if kind == "documents_due"}
    assert documents == {
        (Severity.OVERDUE, today - timedelta(days=1), "Nora"),
        (Severity.SOON, today + timedelta(days=3), "Nora"),
        (Severity.LATER, today + timedelta(days=12), "Nora"),
    }
    # The rest, on the day of the demo: most urgent first, the employer's unpaid invoice among the overdue.
    assert items[0][0] in ("invoice_overdue", "documents_due") and items[0][1] == Severity.OVERDUE
    assert [severity for _kind, severity, *_rest in items] == sorted(severity for _k, severity, *_r in items)
    by_kind = {kind: (severity, deadline, name, detail) for kind, severity, deadline, name, detail in items}
    assert by_kind["invoice_overdue"][2] == "Greta"
    assert Client.objects.get(first_name="Greta", last_name="Sorensen").employer.business_name == "Sorensen Canoe Works"
    assert by_kind["no_plan"] == (Severity.LATER, date(2026, 12, 15), "Nhia", "")  # open enrollment's cut-off
    assert by_kind["renewal_at_risk"] == (Severity.TO_DO, date(2027, 1, 15), "Tyler", "not_offered")
    assert by_kind["coverage_ending"] == (Severity.TO_DO, date(2026, 12, 31), "Joan", "")
    assert by_kind["stale_draft"][2] == "Joan" and by_kind["confirmation_waiting"][2] == "Mai"
    assert by_kind["change_answer"][2] == "Mai" and by_kind["window_closing"][2] == "Nhia"
    assert by_kind["certification_expiring"] == (Severity.TO_DO, today + timedelta(days=45), None, "assister")
    # Made through the services: the Halvorsens' requests were asked for a month ago, and the renewal is the portal's.
    halvorsen = VerificationRequest.objects.filter(client__user__email="halvorsen-household@demo.assister.example")
    assert {r.opened_at.date() for r in halvorsen} == {(timezone.now() - timedelta(days=30)).date()}
    assert halvorsen.filter(events__from_status=F("events__to_status")).distinct().count() == 2  # two extended
    renewal = Renewal.objects.get(application__client__first_name="Tyler")
    assert renewal.next_plan is None and renewal.application.created_by is None
    assert "halvorsen-household@demo.assister.example" in printed and "sorensen-canoe-works@" in printed


@pytest.mark.django_db
def test_seed_demo_gives_the_demo_broker_followups_of_every_kind_and_severity_once(settings, private_storage):
    # The demo's day, in MNsure's 2027 open enrollment (its announced dates) and renewal season.
    settings.OPEN_ENROLLMENT_PERIODS = {
        **settings.OPEN_ENROLLMENT_PERIODS,
        2027: (date(2026, 11, 1), date(2026, 12, 15), date(2027, 1, 15)),
    }
    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("America/Chicago"))):
        printed = seed_demo()
        assert_demo_broker_has_followups_of_every_kind_and_severity(printed)
        first, items = counts(), followups_of_the_demo_broker()
        assert seed_demo() == printed
        assert counts() == first
        assert followups_of_the_demo_broker() == items


@pytest.mark.django_db
def test_demo_totp_prints_the_current_code_of_a_demo_account():
    broker = demo_account("broker", Role.ASSISTER, "Bao", "Vang")
    out = StringIO()
    before = totp_code(broker)
    call_command("demo_totp", "broker@demo.assister.example", stdout=out)
    code = re.match(r"(\d{6})", out.getvalue()).group(1)
    # The code of the 30-second window the command ran in: the window may turn between the two readings.
    assert code in {before, totp_code(broker)}


def test_the_directory_data_files_say_their_people_are_made_up():
    for name in ("directory_agencies.csv", "directory_people.csv"):
        first = (listings.DATA / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Made-up sample"), name
    agencies_named = {listing.name for listing in listings.agencies()} | {row[1] for row in agencies.AGENCIES}
    assert {person.agency for person in listings.people()} <= agencies_named  # everyone works somewhere


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_outside_debug_unless_told_it_is_not_production(settings):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(email__endswith="@demo.assister.example").exists()
