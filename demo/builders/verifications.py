"""Demo verification requests (issue 14), made through `verifications.services` as the portal makes them.

The Castillo household of Minneapolis (castillo-household@…, Ana, her husband Diego and their daughter Lucía, 19)
chose the demo's navigator in their account and applied for 2027 themselves. The sample data source (the
`ReferenceRecord` table, labelled "Sample data source (not a real federal service)") disagrees with four answers, so
data matching opened four requests and their application waits for documents:
- Ana's income (she said $28,000 a year, the source says $41,000): documents needed, due in 10 days (reminded);
- Diego's U.S. citizenship (the source says lawfully present): documents needed, the due date extended in good faith
  by the demo's document reviewer (a replacement naturalization certificate takes months);
- Diego's income: the navigator sent a pay stub for him (on behalf, under the household's "upload" power), waiting
  for review in the admin's queue;
- Lucía's U.S. citizenship: Ana sent a birth certificate herself, and the reviewer did not accept it (a birth
  certificate needs a photo ID too), so Ana and Lucía read the reason and may send another by the due date.

The files are small generated pictures marked "SAMPLE", sent through the upload pipeline (`sanitize_upload`) like any
upload. Each step is made once: a request already past it is left as it is, so running `seed_demo` again (or after a
run stopped half way) adds nothing twice. Uploads commit on their own (`uploads_atomic` is durable): `seed_demo` calls
`seed()` outside its own transaction.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Role, User
from applications import answers
from applications import services as application_services
from applications.models import Application
from assister_portal.lib.uploads import quarantined_file_scan, sanitize_upload
from associations.builders import associate
from associations.models import Association, AssociationStatus
from certification.models import Assister
from clients import services as client_services
from clients.models import Client
from core.models import County, Language
from verifications import services
from verifications.documents import DocumentType, RejectReason, VerificationType
from verifications.models import Document, RequestStatus, VerificationRequest

from .applications import YEAR
from .staff import demo_email, demo_user, document_reviewer

LOCAL = "castillo-household"
DUE_IN_DAYS = 10  # Ana's income: due soon, as the dashboard's "Documents due" and the reminders show
EXTENDED_BY_DAYS = 60  # Diego's citizenship, extended from the 10 days
REJECT_NOTE = "Sample record: a U.S. birth certificate needs a photo ID too. Send both, together."
EXTEND_REASON = (
    "Sample record: Diego applied for a replacement certificate of naturalization (N-565), which takes months."
)


def _born(age: int) -> date:
    return date(YEAR - age - 1, 4, 20)


# The household as on the application, and what the sample data source says about each of them.
ANA = {"first_name": "Ana", "last_name": "Castillo", "date_of_birth": _born(34)}
DIEGO = {"first_name": "Diego", "last_name": "Castillo", "date_of_birth": _born(37)}
LUCIA = {"first_name": "Lucía", "last_name": "Castillo", "date_of_birth": _born(19)}
ATTESTED_INCOME = {"Ana": "28000", "Diego": "18000", "Lucía": "0"}
SOURCES = [
    (ANA, {"yearly_income": Decimal("41000"), "citizenship": "citizen"}),
    (DIEGO, {"yearly_income": Decimal("30000"), "citizenship": "lawfully_present"}),
    (LUCIA, {"citizenship": "lawfully_present"}),
]


def _navigator() -> Assister:
    return Assister.objects.select_related("user").get(user__email=demo_email("navigator"))


def _household() -> Client:
    """The Castillos' client record, with the demo navigator of record (the kind's default powers: upload among
    them), once."""
    user = demo_user(demo_email(LOCAL), Role.CONSUMER, ANA["first_name"], ANA["last_name"])
    client = Client.objects.select_related("user").filter(user=user).first()
    if client is None:
        client = client_services.client_create_for_self(
            user=user,
            fields={
                **ANA,
                "email": user.email,
                "ssn": "555-04-1992",
                "county": County.objects.get(name="Hennepin"),
                "preferred_language": Language.objects.get(code="en"),
                "city": "Minneapolis",
                "zip_code": "55404",
            },
        )
        associate(client, _navigator())
    return client


def _answers(data: dict) -> None:
    data["address"].update(street="2110 Bloomington Ave", city="Minneapolis", zip_code="55404", county_fips="27053")
    ana = {**data["members"][0], "files_taxes": True, "filing_status": "married_joint", "sex": "female"}
    diego = {
        **DIEGO,
        "date_of_birth": DIEGO["date_of_birth"].isoformat(),
        "relationship": "spouse",
        "files_taxes": True,
        "filing_status": "married_joint",
        "sex": "male",
    }
    lucia = {**LUCIA, "date_of_birth": LUCIA["date_of_birth"].isoformat(), "relationship": "child", "sex": "female"}
    data["members"] = [answers.new_member(**ana), answers.new_member(**diego), answers.new_member(**lucia)]
    for member in data["members"]:
        member["citizenship"] = "citizen"
        member["other_coverage"] = "none"
        amount = ATTESTED_INCOME[member["first_name"]]
        if amount != "0":
            member["incomes"] = [{"key": answers.new_key(), "kind": "wages", "amount": amount, "frequency": "yearly"}]
    data["members"][0]["dependents"] = [data["members"][2]["key"]]
    data["income_confirmed"] = True


def _submitted_application(client: Client) -> Application:
    """The household's 2027 application, filled and submitted by Ana once; data matching opens the requests."""
    application = Application.objects.filter(client=client, coverage_year=YEAR).first()
    if application is not None:
        return application
    actor = client.user
    application = application_services.application_start(client=client, coverage_year=YEAR, actor=actor)
    application = application_services.application_save(
        application=application, version=application.version, what="address", update=_answers, actor=actor
    )
    # No service opens a request due sooner than VERIFICATION_DAYS (90 by default) from the day of submission, the demo cannot
    # submit in the past, and `verification_extend` only moves a date later. So this one submission runs the
    # service's own rule with a 10-day period: the requests and the "documents needed" notice agree on the date.
    with override_settings(VERIFICATION_DAYS=DUE_IN_DAYS):
        return application_services.application_submit(
            application=application,
            version=application.version,
            attestations=dict.fromkeys(application_services.ATTESTATIONS, True),
            signed_name=client.full_name,
            actor=actor,
        )


def _request(application: Application, first_name: str, kind: str) -> VerificationRequest | None:
    """The member's request of this kind (None when someone trying the demo changed the answers since, so that
    data matching closed it: the step is then left out)."""
    member = next((m for m in application.data["members"] if m.get("first_name") == first_name), None)
    if member is None:
        return None
    return (
        VerificationRequest.objects.select_related("client", "application")
        .filter(application=application, member_key=member["key"], type=kind)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-pk")
        .first()
    )


def _sample_page(title: str, lines: list[str], *, fmt: str = "PNG", name: str = "sample.png") -> ContentFile:
    """A small page picture marked SAMPLE (a PNG, or a one-page PDF), as a household would photograph or scan it."""
    image = Image.new("RGB", (640, 400), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 631, 391), outline=(40, 40, 40), width=3)
    draw.text((30, 24), "SAMPLE - not a real document", fill=(170, 20, 20), font=ImageFont.load_default(size=26))
    draw.text((30, 80), title, fill=(20, 20, 20), font=ImageFont.load_default(size=24))
    body = ImageFont.load_default(size=18)
    for number, line in enumerate(lines):
        draw.text((30, 130 + 30 * number), line, fill=(20, 20, 20), font=body)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return ContentFile(buffer.getvalue(), name=name)


def _pay_stub() -> ContentFile:
    return _sample_page(
        "Pay statement: Diego Castillo",
        ["Employer: Lake Street Bakery (sample)", "Pay period: four weeks", "Gross pay: $1,480.00", "Sample data"],
        name="sample-pay-stub.png",
    )


def _birth_certificate() -> ContentFile:
    return _sample_page(
        "Certificate of birth: LUCIA CASTILLO",  # as vital records print names (the font has no accents)
        ["State of Minnesota (sample)", "Born in Minneapolis", "Sample data"],
        fmt="PDF",
        name="sample-birth-certificate.pdf",
    )


def _upload(row: VerificationRequest, document_type: str, file: ContentFile, *, actor: User, association=None) -> None:
    """Send one file for the request, through the pipeline as the upload form does (its own transaction), then its
    virus scan now (idempotent; the commit also schedules it): the demo's reviewer decides only on what can be looked
    at, whether a worker (make run-full) has scanned it yet or not."""
    documents = services.document_upload(
        verification=row,
        document_type=document_type,
        files=[sanitize_upload(file)],
        actor=actor,
        association=association,
        client_gave_it=association is not None,  # the household handed the navigator the pay stub
    )
    for document in documents:
        quarantined_file_scan(model=Document, pk=document.pk)


def _extended(row: VerificationRequest) -> bool:
    return row.events.filter(from_status=F("to_status")).exists()  # a due date moved: the one event of its kind


def seed() -> list[tuple[str, str]]:
    """Build the demo verification requests (outside `seed_demo`'s transaction: see the module's note); the login
    worth printing. A step already taken, or taken otherwise by someone trying the demo, is left as it is."""
    if YEAR not in settings.APPLICATION_COVERAGE_YEARS:
        return []
    reviewer = document_reviewer()
    with transaction.atomic():
        client = _household()
        for person, facts in SOURCES:
            services.reference_record_set(**person, **facts)
        application = _submitted_application(client)
    navigator = (
        Association.objects.select_related("assister__user")
        .filter(client=client, kind="navigator", status=AssociationStatus.ACTIVE, can_upload=True)
        .first()
    )

    citizenship = _request(application, "Diego", VerificationType.CITIZENSHIP)
    if citizenship and citizenship.status == RequestStatus.OUTSTANDING and not _extended(citizenship):
        services.verification_extend(
            verification=citizenship,
            due_date=citizenship.due_date + timedelta(days=EXTENDED_BY_DAYS),
            reason=EXTEND_REASON,
            actor=reviewer,
        )

    pay = _request(application, "Diego", VerificationType.INCOME)
    if pay and pay.status == RequestStatus.OUTSTANDING and navigator is not None:
        _upload(pay, DocumentType.PAY_STUBS, _pay_stub(), actor=navigator.assister.user, association=navigator)

    birth = _request(application, "Lucía", VerificationType.CITIZENSHIP)
    if birth and birth.status == RequestStatus.OUTSTANDING:
        _upload(birth, DocumentType.BIRTH_CERTIFICATE, _birth_certificate(), actor=client.user)
        birth.refresh_from_db()
    if birth and birth.status == RequestStatus.SUBMITTED and not birth.events.filter(to_status="rejected").exists():
        services.verification_reject(
            verification=birth, reason=RejectReason.INCOMPLETE, note=REJECT_NOTE, actor=reviewer
        )

    # The daily sweep's reminders (VERIFICATION_REMINDER_DAYS before the due date, each once): Ana's income and
    # Lucía's citizenship are due within 15 days, so Ana and the navigator are reminded, as the next sweep would.
    services.verification_remind()
    return [("Consumer: Ana Castillo (documents asked for)", demo_email(LOCAL))]
