"""Demo follow-ups for the demo broker's worklist, "What needs doing" (issue 17): at least one of every kind
(`worklist.kinds`) in every severity, made through the services as the portal makes them.

The broker (Bao Vang, broker@…) already has, from the other builders: Mai Xiong's application waiting for her
confirmation and her change report waiting for her answer; the Vue household determined with no plan chosen in the
open enrollment and their move's special enrollment window open; and his own certification ending in 45 days
(`agencies.py`). This adds four made-up households of his, in Saint Paul:
- the Halvorsen household (Nora, her husband Anders and their son Leif, 16) applied for 2027 with him a month ago,
  and the sample data source disagrees with three answers: Nora's income was due yesterday (overdue), and the demo's
  document reviewer extended Leif's citizenship to 3 days from now (due within 5 days) and Anders's to 12 days
  (within 15 days);
- Joan Pettersen's 2026 plan ends December 31 with nothing after it (coverage ending), and the 2027 application he
  started for her three weeks ago has not been touched since (a draft not touched for 14 days);
- Tyler Kowalski's 2026 plan, a catastrophic plan his issuer does not offer in 2027, has its renewal prepared by the
  portal and not confirmed (a renewal at risk: the plan is not offered next year);
- Sorensen Canoe Works, a small employer (SHOP; its contact person Greta Sorensen), has not paid this month's
  sample premium invoice, due the last day of last month (an invoice overdue).

Dates count from the day of the seeding. Where time must have passed, the builder moves timestamps back, and says
so: the Halvorsens' application and requests were made a month ago (their audit trail keeps the real time), Joan's
draft was last saved three weeks ago. The 2026 plans are chosen as on the first day of the 2026 open enrollment, as
`applications.py` does for 2027. A renewal is prepared only inside the renewal season (`renewal_window`: October 1 to
the end of the open enrollment for 2027), as the daily sweep would: on a day outside it there is none (and near the
end of the year Tyler's plan shows as coverage ending instead). Each step is made once, so running `seed_demo` again
adds nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role
from applications import services as application_services
from applications.models import Application, ApplicationEvent, ApplicationRevision, Determination, Renewal
from applications.periods import open_enrollment
from associations.builders import associate
from associations.models import Association, AssociationStatus
from associations.notices import client_helpers
from certification.models import Assister
from clients import services as client_services
from clients.models import Client, ClientKind
from clients.notices import client_addressee
from core.models import County, Language
from notices.models import Invoice, Notice
from notices.services import invoice_create
from verifications import services as verification_services
from verifications.documents import VerificationType
from verifications.models import RequestStatus, VerificationEvent, VerificationRequest

from .applications import YEAR, _answers, _apply
from .staff import demo_email, demo_user, document_reviewer

HALVORSEN, PETTERSEN, KOWALSKI, SORENSEN = (
    "halvorsen-household",
    "pettersen-household",
    "kowalski-household",
    "sorensen-canoe-works",
)
ASKED_DAYS_AGO = 30  # the Halvorsens' documents were asked for a month ago, due yesterday
SOON_IN_DAYS, LATER_IN_DAYS = 3, 12  # the two extended requests: due within 5 days, within 15 days
STALE_DAYS = 21  # Joan's 2027 draft, last saved three weeks ago (the worklist counts 14)
PREVIOUS = YEAR - 1  # the coverage year the demo's enrolled households renew from
NOT_OFFERED_NEXT_YEAR = "90505MN0010001"  # UCare Sample Loon Catastrophic: in the 2026 sample catalog, not 2027's
SAME_NEXT_YEAR = "90303MN0020003"  # Medica Sample Prairie Silver 5000 EPO, offered in both
EXTEND_REASONS = {
    "Leif": "Sample record: Leif's U.S. passport is on its way; the family asked for a few more days to send it.",
    "Anders": "Sample record: Anders applied for a replacement certificate of naturalization; the family sends "
    "the receipt within two weeks.",
}
INVOICE_LINES = [
    ("Sample SHOP premium for 9 enrolled employees (sample data, not a real bill)", Decimal("4386.15")),
    ("Sample SHOP premium for 3 enrolled dependents (sample data)", Decimal("1204.62")),
]


def _broker() -> Assister:
    """The demo broker (`agencies.py`), the first broker `seed_demo` prints."""
    return Assister.objects.select_related("user").get(user__email=demo_email("broker"))


def _association(client: Client, broker: Assister) -> Association:
    return Association.objects.select_related("assister__user").get(
        client=client, assister=broker, status=AssociationStatus.ACTIVE
    )


def _client(
    local: str,
    first: str,
    last: str,
    born: date,
    ssn: str,
    broker: Assister,
    *,
    employer: dict | None = None,
) -> Client:
    """The consumer's account and client record, with the demo broker chosen in their account, once."""
    email = demo_email(local)
    user = demo_user(email, Role.CONSUMER, first, last)
    client = Client.objects.select_related("user").filter(user=user).first()
    if client is None:
        client = client_services.client_create_for_self(
            user=user,
            fields={
                "kind": ClientKind.EMPLOYER if employer else ClientKind.HOUSEHOLD,
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "email": email,
                "ssn": ssn,
                "street": "45 Wabasha St N",
                "city": "Saint Paul",
                "zip_code": "55102",
                "county": County.objects.get(name="Ramsey"),
                "preferred_language": Language.objects.get(code="en"),
            },
            employer=employer,
        )
        associate(client, broker)
    return client


def _born(age: int, month: int = 6) -> date:
    """Someone `age` on January 1 of the demo's coverage year."""
    return date(YEAR - age - 1, month, 15)


# --- Documents due: overdue, within 5 days, within 15 days ---------------------------------------------------------

NORA = {"first_name": "Nora", "last_name": "Halvorsen", "date_of_birth": _born(41, 2)}
ANDERS = {"first_name": "Anders", "last_name": "Halvorsen", "date_of_birth": _born(44, 9)}
LEIF = {"first_name": "Leif", "last_name": "Halvorsen", "date_of_birth": _born(16, 4)}
SOURCES = [
    (NORA, {"yearly_income": Decimal("52000"), "citizenship": "citizen"}),
    (ANDERS, {"citizenship": "lawfully_present"}),
    (LEIF, {"citizenship": "lawfully_present"}),
]


def _member(person: dict, relationship: str, sex: str) -> dict:
    return {
        **person,
        "date_of_birth": person["date_of_birth"].isoformat(),
        "relationship": relationship,
        "files_taxes": relationship == "spouse",
        "filing_status": "married_joint" if relationship == "spouse" else "",
        "sex": sex,
    }


def _asked_days_ago(application: Application, days: int) -> None:
    """Time that must have passed: the application was submitted, and its documents asked for, `days` ago. Moves the
    application's own timestamps, its history, its requests' and the household's notices' dates back; the audit
    trail keeps the real time."""
    back = timedelta(days=days)
    Application.objects.filter(pk=application.pk).update(
        created_at=F("created_at") - back,
        updated_at=F("updated_at") - back,
        submitted_at=F("submitted_at") - back,
        status_changed_at=F("status_changed_at") - back,
    )
    ApplicationRevision.objects.filter(application=application).update(at=F("at") - back)
    ApplicationEvent.objects.filter(application=application).update(at=F("at") - back)
    Determination.objects.filter(application=application).update(at=F("at") - back)
    application.reviews.update(
        requested_at=F("requested_at") - back,
        answered_at=F("answered_at") - back,
        reviewed_on=F("reviewed_on") - back,
    )
    requests = VerificationRequest.objects.filter(application=application)
    requests.update(opened_at=F("opened_at") - back)
    VerificationEvent.objects.filter(request__in=requests).update(at=F("at") - back)
    Notice.objects.filter(client=application.client).update(
        created_at=F("created_at") - back, status_changed_at=F("status_changed_at") - back
    )


def _documents_due(broker: Assister) -> None:
    client = _client(HALVORSEN, NORA["first_name"], NORA["last_name"], NORA["date_of_birth"], "555-21-1985", broker)
    if not Application.objects.filter(client=client, coverage_year=YEAR).exists():
        for person, facts in SOURCES:
            verification_services.reference_record_set(**person, **facts)
        household = [
            {"files_taxes": True, "filing_status": "married_joint", "sex": "female"},
            _member(ANDERS, "spouse", "male"),
            _member(LEIF, "child", "male"),
        ]
        # No service opens a request already due, and the demo cannot submit in the past: the submission runs the
        # service's own rule with a period that ended yesterday (the requests and the "documents needed" notice agree
        # on the date), then the story is moved a month back.
        with override_settings(VERIFICATION_DAYS=-1):
            application = _apply(
                client,
                household,
                "38000",
                association=_association(client, broker),
                note="Sample record: reviewed every answer with Nora and Anders by phone.",
            )
        _asked_days_ago(application, ASKED_DAYS_AGO)
    reviewer = document_reviewer()
    for first_name, days in (("Leif", SOON_IN_DAYS), ("Anders", LATER_IN_DAYS)):
        row = (
            VerificationRequest.objects.filter(
                client=client, member_name__startswith=first_name, type=VerificationType.CITIZENSHIP
            )
            .exclude(status=RequestStatus.CANCELLED)
            .first()
        )
        already = row is None or row.events.filter(from_status=F("to_status")).exists()  # extended once
        if not already and row.status in (RequestStatus.OUTSTANDING, RequestStatus.REJECTED):
            verification_services.verification_extend(
                verification=row,
                due_date=timezone.localdate() + timedelta(days=days),
                reason=EXTEND_REASONS[first_name],
                actor=reviewer,
            )


# --- Enrolled for the previous year: coverage ending, a draft left alone, a renewal at risk -----------------------


def _enrolled_previous_year(
    client: Client, broker: Assister, *, sex: str, plan_id: str, income: str, note: str
) -> Application | None:
    """The client's application for the year before the demo's, applied for and enrolled by the broker (the plan
    chosen as on that open enrollment's first day), once. None when that year is not offered."""
    window = open_enrollment(PREVIOUS)
    if PREVIOUS not in settings.APPLICATION_COVERAGE_YEARS or window is None:
        return None
    application = Application.objects.filter(client=client, coverage_year=PREVIOUS).first()
    association = _association(client, broker)
    if application is None:
        household = [{"files_taxes": True, "filing_status": "single", "sex": sex}]
        application = _apply(client, household, income, association=association, note=note, year=PREVIOUS)
    application.refresh_from_db()
    if application.enrollments.exists() or application.determination is None:
        return application
    application_services.enrollment_select(
        application=application,
        version=application.version,
        plan_id=plan_id,
        credit=None,
        actor=broker.user,
        association=association,
        today=window[0],
    )
    return application


def _coverage_ending_and_stale_draft(broker: Assister) -> None:
    client = _client(PETTERSEN, "Joan", "Pettersen", _born(61, 3), "555-22-1965", broker)
    note = "Sample record: reviewed every answer with Joan by phone."
    if _enrolled_previous_year(client, broker, sex="female", plan_id=SAME_NEXT_YEAR, income="46000", note=note) is None:
        return
    if Application.objects.filter(client=client, coverage_year=YEAR).exists():
        return
    association = _association(client, broker)
    draft = application_services.application_start(
        client=client, coverage_year=YEAR, actor=broker.user, association=association
    )
    application_services.application_save(
        application=draft,
        version=draft.version,
        what="address",
        update=_answers([{"files_taxes": True, "filing_status": "single", "sex": "female"}], "47000"),
        actor=broker.user,
        association=association,
    )
    # Time that must have passed: the broker last saved it three weeks ago.
    back = timedelta(days=STALE_DAYS)
    Application.objects.filter(pk=draft.pk).update(
        created_at=F("created_at") - back,
        updated_at=F("updated_at") - back,
        status_changed_at=F("status_changed_at") - back,
    )
    ApplicationRevision.objects.filter(application=draft).update(at=F("at") - back)


def _renewal_at_risk(broker: Assister) -> None:
    client = _client(KOWALSKI, "Tyler", "Kowalski", _born(27, 11), "555-23-1999", broker)
    note = "Sample record: Tyler chose a catastrophic plan by phone."
    previous = _enrolled_previous_year(
        client, broker, sex="male", plan_id=NOT_OFFERED_NEXT_YEAR, income="70000", note=note
    )
    if previous is not None and not Renewal.objects.filter(previous=previous).exists():
        application_services.renewal_prepare(previous=previous)  # as the daily sweep does, inside the season


# --- An invoice overdue (a small employer) ---------------------------------------------------------------------


def _invoice_overdue(broker: Assister) -> None:
    client = _client(
        SORENSEN,
        "Greta",
        "Sorensen",
        date(1974, 8, 3),
        "555-24-1974",
        broker,
        employer={"business_name": "Sorensen Canoe Works", "fein": "41-3000017", "employee_count": 12},
    )
    if Invoice.objects.filter(client=client).exists():
        return
    first = timezone.localdate().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    invoice_create(
        client=client,
        addressee=client_addressee(client),
        period_start=first,
        period_end=last,
        lines=INVOICE_LINES,
        due_date=first - timedelta(days=1),  # a month's premium is due before the month starts
        helpers=client_helpers(client),
    )


def seed() -> list[tuple[str, str]]:
    """Build the demo broker's follow-ups (see the module's note); the logins worth printing."""
    if YEAR not in settings.APPLICATION_COVERAGE_YEARS:
        return []
    broker = _broker()
    _documents_due(broker)
    _coverage_ending_and_stale_draft(broker)
    _renewal_at_risk(broker)
    _invoice_overdue(broker)
    return [
        ("Consumer: Nora Halvorsen (documents due)", demo_email(HALVORSEN)),
        ("Small employer: Sorensen Canoe Works", demo_email(SORENSEN)),
    ]
