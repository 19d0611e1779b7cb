"""The demo's login agencies and assisters, built through `certification.builders` like the test factories.

Approved agencies of each kind with a certified assister each, one application of each kind
waiting for review, an agency registration waiting for review, support staff, one
certification expiring within 30 days and one expired. The demo broker's own certification
ends in 45 days, so his worklist shows that item too (`worklist.py`). `demo_agency` and `demo_assister`
also build the directory's listings across the state (`listings.py`).
"""

from datetime import date, timedelta

from django.db import transaction

from accounts.models import User
from certification import builders, services
from certification.models import Agency, AgencyKind, Assister, AssisterKind, MembershipRole
from certification.periods import today
from core.models import County, Language

from .staff import DEMO_DOMAIN, DEMO_PASSWORD, demo_email, staff

AGENCIES = [
    # kind, public name, city, zip, admin local part, fein, counties, languages
    (
        AgencyKind.BROKER_AGENCY,
        "North Star Insurance Agency",
        "Saint Paul",
        "55102",
        "agency-admin",
        "41-2000001",
        ["Ramsey", "Hennepin", "Washington", "Dakota"],
        ["en", "hmn"],
    ),
    (
        AgencyKind.NAVIGATOR_ORG,
        "Twin Cities Health Navigators",
        "Minneapolis",
        "55404",
        "navigator-admin",
        "41-2000002",
        ["Hennepin", "Anoka"],
        ["en", "so", "es"],
    ),
    (
        AgencyKind.CAC_ORG,
        "Lakes Country Health Counselors",
        "Duluth",
        "55802",
        "cac-admin",
        "41-2000003",
        ["St. Louis", "Carlton", "Lake"],
        ["en", "oj"],
    ),
]
ENDING_IN_DAYS = 45  # the demo broker's certification: within the worklist's 60 days (CERTIFICATION_REMINDER_DAYS)
KIND_AGENCY = {AssisterKind.BROKER: 0, AssisterKind.NAVIGATOR: 1, AssisterKind.CAC: 2}
ASSISTERS = [
    # local part, kind, first, last, state
    ("broker", AssisterKind.BROKER, "Bao", "Vang", "ending"),
    ("navigator", AssisterKind.NAVIGATOR, "Hodan", "Ali", "approved"),
    ("cac", AssisterKind.CAC, "Erik", "Lindqvist", "approved"),
    ("pending-broker", AssisterKind.BROKER, "Luis", "Hernández", "submitted"),
    ("pending-navigator", AssisterKind.NAVIGATOR, "Amina", "Yusuf", "submitted"),
    ("pending-cac", AssisterKind.CAC, "Kari", "Berg", "submitted"),
    ("expiring-broker", AssisterKind.BROKER, "Tom", "Nguyen", "expiring"),
    ("expired-navigator", AssisterKind.NAVIGATOR, "Fartun", "Warsame", "expired"),
]


def demo_agency(
    kind,
    name,
    city,
    zip_code,
    admin,
    fein,
    counties,
    languages,
    *,
    street="200 Demo Street",
    phone="651-555-0100",
    admin_name=None,
    password=DEMO_PASSWORD,
    profile=None,
):
    """The approved, listed demo agency with this public name, registered once.

    `profile` adds directory fields (hours, services, accessibility…) to the listing;
    `password=None` leaves the admin without a usable password (the caller sets one).
    """
    agency = Agency.objects.filter(public_name=name).first()
    if agency is not None:
        return agency
    first, last = admin_name or ("Grace", name.split()[0])
    agency = builders.register_agency(
        fields={
            "kind": kind,
            "legal_name": f"{name}, Inc.",
            "public_name": name,
            "fein": fein,
            "agency_npn": f"91{fein[-5:]}" if kind == AgencyKind.BROKER_AGENCY else "",
            "contract_number": "" if kind == AgencyKind.BROKER_AGENCY else f"MNS-2026-{fein[-3:]}",
            "street": street,
            "city": city,
            "state": "MN",
            "zip_code": zip_code,
            "phone": phone,
            "public_email": f"office@{zip_code}.{DEMO_DOMAIN}",
            "website": "https://example.org",
        },
        admin_email=demo_email(admin),
        admin_password=password,
        admin_first_name=first,
        admin_last_name=last,
        approved_by=staff(),
        reason="Demo agency.",
    )
    listing = {
        "public_phone": phone,
        "counties": list(County.objects.filter(name__in=counties)),
        "languages": list(Language.objects.filter(code__in=languages)),
    }
    return builders.list_agency(agency, **(listing | (profile or {})))


def _answers(local: str, npn: str) -> builders.Answers:
    far = today() + timedelta(days=800)
    return builders.Answers(
        date_of_birth=date(1980, 6, 15),
        trained_on=date(2026, 1, 1),
        training_certificate=f"MNS-TRN-{local.upper()}",
        npn=npn,
        license_number="40889900",
        license_expires_on=far,
        eo_carrier="Gopher Mutual",
        eo_policy_number="EO-2026-77",
        eo_expires_on=far,
    )


def _certify(assister: Assister, answers: builders.Answers, state: str) -> None:
    """approved: decided by staff; ending, expiring and expired: imported from the manual process; submitted:
    waiting."""
    if state == "submitted":
        builders.certify(assister, answers, staff=staff(), stage=builders.Stage.SUBMITTED)
    elif state == "approved":
        builders.certify(assister, answers, staff=staff(), reason="Demo: all requirements met.")
    elif state == "ending":
        period = (today() - timedelta(days=320), today() + timedelta(days=ENDING_IN_DAYS))
        reason = f"Demo: certified under the manual process; ends in {ENDING_IN_DAYS} days (the worklist shows it)."
        builders.certify(assister, answers, staff=staff(), period=period, reason=reason)
    elif state == "expiring":
        period = (today() - timedelta(days=300), today() + timedelta(days=20))
        reason = "Demo: certified under the manual process; ends in 20 days."
        builders.certify(assister, answers, staff=staff(), period=period, reason=reason)
    elif state == "expired":
        ended = today() - timedelta(days=10)
        period = (ended - timedelta(days=360), ended)
        builders.certify(
            assister, answers, staff=staff(), period=period, reason="Demo: certified under the manual process."
        )
    else:
        raise ValueError(f"Unknown demo state {state!r}")


def demo_assister(
    agency, local, kind, first, last, state, *, npn="8800123", password=DEMO_PASSWORD, profile=None
) -> User | None:
    """The demo assister `local@DEMO_DOMAIN`, invited, certified (per `state`) and listed, once.

    Returns the new account, or None when it already existed. `profile` overrides the
    directory fields (which otherwise copy the agency's languages and counties).
    """
    email = demo_email(local)
    if User.objects.filter(email=email).exists():
        return None
    user = builders.join_agency(agency, email=email, first_name=first, last_name=last, password=password, kind=kind)
    _certify(user.assister, _answers(local, npn), state)
    if state == "submitted":
        return user
    listing = {
        "public_phone": "651-555-0142",
        "public_email": email,
        "languages": list(agency.languages.all()),
        "counties": list(agency.counties.all()),
    }
    builders.list_assister(user.assister, **(listing | (profile or {})))
    return user


def _support_staff(agency: Agency) -> None:
    if not User.objects.filter(email=demo_email("support")).exists():
        builders.join_agency(
            agency,
            email=demo_email("support"),
            first_name="Sam",
            last_name="Nguyen",
            password=DEMO_PASSWORD,
            role=MembershipRole.SUPPORT,
        )


def _agency_awaiting_review() -> None:
    if Agency.objects.filter(public_name="Prairie Benefits Group").exists():
        return
    builders.register_agency(
        fields={
            "kind": AgencyKind.BROKER_AGENCY,
            "legal_name": "Prairie Benefits Group LLC",
            "public_name": "Prairie Benefits Group",
            "fein": "41-2000009",
            "agency_npn": "9100009",
            "street": "12 Prairie Ave",
            "city": "Moorhead",
            "state": "MN",
            "zip_code": "56560",
            "phone": "218-555-0199",
            "public_email": f"office@prairie.{DEMO_DOMAIN}",
        },
        admin_email=demo_email("pending-agency-admin"),
        admin_password=DEMO_PASSWORD,
        admin_first_name="Lena",
        admin_last_name="Prairie",
        approved_by=None,
    )


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    agencies = [demo_agency(*row) for row in AGENCIES]
    for local, kind, first, last, state in ASSISTERS:
        demo_assister(agencies[KIND_AGENCY[kind]], local, kind, first, last, state)
    _support_staff(agencies[0])
    _agency_awaiting_review()
    services.certification_sweep()  # moves the demo's lapsed certification to expired
    return [
        ("Agency admin (broker agency)", demo_email("agency-admin")),
        ("Agency admin (navigator organization)", demo_email("navigator-admin")),
        ("Agency admin (CAC organization)", demo_email("cac-admin")),
        ("Agency admin (agency awaiting review)", demo_email("pending-agency-admin")),
        ("Agency support staff", demo_email("support")),
        ("Assister: certified broker", demo_email("broker")),
        ("Assister: certified navigator", demo_email("navigator")),
        ("Assister: certified counselor (CAC)", demo_email("cac")),
        ("Assister: broker application awaiting review", demo_email("pending-broker")),
        ("Assister: certification expiring in 20 days", demo_email("expiring-broker")),
        ("Assister: certification expired", demo_email("expired-navigator")),
    ]
