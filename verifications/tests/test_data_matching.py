"""Data matching when an application is submitted (issue 14): what the household attested, checked against the
(sample) trusted data sources through one interface; each inconsistency a verification request with the documents
that prove it and a due date; the "documents needed" notice; the SSA's rules of a valid SSN."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import services as application_services
from applications.models import ApplicationStatus
from applications.tests.factories import fill, started, submitted
from audit.models import Action, AuditEvent
from notices.models import Notice
from verifications.models import RequestStatus, VerificationEvent, VerificationRequest
from verifications.sources import ssn_problem

from .factories import source_says, with_income_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(consumer):
    """The consumer's client record."""
    return consumer.client


@pytest.mark.parametrize(
    ("ssn", "valid"),
    [
        ("123-45-6789", True),
        ("123456789", True),
        ("665-01-0001", True),
        ("000-12-3456", False),
        ("666-12-3456", False),
        ("900-12-3456", False),
        ("999-12-3456", False),
        ("123-00-4567", False),
        ("123-45-0000", False),
        ("12-345-6789", False),
        ("", False),
    ],
)
def test_the_ssa_rules_of_a_number_it_issues(ssn, valid):
    assert (ssn_problem(ssn) is None) is valid


def test_income_lower_than_the_source_opens_a_request_and_the_application_waits_for_documents(household, settings):
    application, row = with_income_request(household, attested="20000", source="40000")

    assert application.status == ApplicationStatus.PENDING_VERIFICATION
    assert row.type == "income" and row.status == RequestStatus.OUTSTANDING
    assert row.attested == "$20,000 a year" and row.source_said == "$40,000 a year"
    assert row.due_date == timezone.localdate() + timedelta(days=settings.VERIFICATION_DAYS)
    assert row.member_name == household.full_name
    assert "pay_stubs" in [d.value for d in row.accepted_documents]
    notice = Notice.objects.get(client=household, kind="documents_needed")
    assert notice.data["due"] == row.due_date.isoformat()
    assert notice.data["body"]["requests"][0]["type"] == "income"
    assert AuditEvent.objects.filter(action=Action.VERIFICATION_REQUESTED, client=household).count() == 1
    assert VerificationEvent.objects.get(request=row).to_status == RequestStatus.OUTSTANDING


@pytest.mark.parametrize(
    ("attested", "source"),
    [
        ("40000", "40000"),  # the same
        ("37000", "40000"),  # within the 10% tolerance
        ("60000", "40000"),  # more than the source: it cannot raise the help
    ],
)
def test_income_that_matches_closely_enough_is_accepted_as_attested(household, attested, source):
    source_says(household, yearly_income=Decimal(source))
    application = submitted(fill(started(household), actor=household.user, income=attested))
    assert application.status == ApplicationStatus.DETERMINED
    assert not VerificationRequest.objects.exists()
    assert not Notice.objects.filter(kind="documents_needed").exists()


def test_the_tolerance_is_configuration(household, settings):
    settings.VERIFICATION_INCOME_TOLERANCE = 0
    source_says(household, yearly_income=Decimal("40000"))
    application = submitted(fill(started(household), actor=household.user, income="39999"))
    assert application.status == ApplicationStatus.PENDING_VERIFICATION


def test_a_person_the_sources_do_not_know_is_taken_as_attested(household):
    application = submitted(fill(started(household), actor=household.user))
    assert application.status == ApplicationStatus.DETERMINED
    assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize(
    ("attested", "source", "kind"),
    [
        ({"citizenship": "citizen"}, {"citizenship": "lawfully_present"}, "citizenship"),
        (
            {"citizenship": "lawfully_present", "immigration_document": "I-551"},
            {"citizenship": "not_lawfully_present"},
            "immigration",
        ),
        ({"incarcerated": False}, {"incarcerated": True}, "incarceration"),
        ({"other_coverage": "none"}, {"other_coverage": "medicare"}, "other_coverage"),
        ({}, {"minnesota_resident": False}, "residency"),
    ],
)
def test_each_kind_of_inconsistency_opens_its_own_request(household, attested, source, kind):
    source_says(household, **source)

    def answer(data):
        data["members"][0].update(attested)

    application = fill(started(household), actor=household.user)
    application = application_services.application_save(
        application=application, version=application.version, what="status", update=answer, actor=household.user
    )
    application = submitted(application)
    row = VerificationRequest.objects.get(application=application)
    assert row.type == kind
    assert application.status == ApplicationStatus.PENDING_VERIFICATION


def test_an_ssn_the_ssa_never_issues_opens_a_request(household):
    household.ssn = "900-12-3456"
    household.save(update_fields=["ssn"])
    application = submitted(fill(started(household), actor=household.user))
    row = VerificationRequest.objects.get(application=application)
    assert row.type == "ssn"
    assert row.attested == "SSN ending 3456"
    assert row.source_said == "Not a number the Social Security Administration issues"
    # Never more than the last four, and never which part is wrong (that would give away the rest).
    assert "900" not in row.attested + row.source_said


def test_resubmitting_keeps_the_open_request_and_its_due_date_and_closes_what_the_new_answers_resolve(household):
    source_says(household, yearly_income=Decimal("40000"), incarcerated=True)
    application = submitted(fill(started(household), actor=household.user, income="20000"))
    income = VerificationRequest.objects.get(application=application, type="income")
    VerificationRequest.objects.filter(pk=income.pk).update(due_date=timezone.localdate() + timedelta(days=30))
    assert VerificationRequest.objects.filter(application=application, type="incarceration").exists()

    application = application_services.application_change(
        application=application, version=application.version, actor=household.user
    )

    def jailed(data):
        data["members"][0]["incarcerated"] = True

    application = application_services.application_save(
        application=application, version=application.version, what="status", update=jailed, actor=household.user
    )
    application = submitted(application)

    income.refresh_from_db()
    assert income.status == RequestStatus.OUTSTANDING
    assert income.due_date == timezone.localdate() + timedelta(days=30)
    assert income.revision_number == application.version
    incarceration = VerificationRequest.objects.get(application=application, type="incarceration")
    assert incarceration.status == RequestStatus.CANCELLED
    assert application.status == ApplicationStatus.PENDING_VERIFICATION
    # Only the first submission sent a "documents needed" notice: nothing new was asked the second time.
    assert Notice.objects.filter(client=household, kind="documents_needed").count() == 1
