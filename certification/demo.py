"""Demo agencies and assisters for `seed_demo`, built through the services like real ones.

Approved agencies of each kind with a certified assister each, one application of
each kind waiting for review, an agency registration waiting for review, one
certification expiring within 30 days and one expired. `demo_agency` and `demo_assister`
also build the directory's listings across the state (directory/demo.py).
"""

from datetime import date, timedelta

from django.db import transaction

from accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD, ensure_mfa
from accounts.models import User
from core.models import County, Language

from . import services, tasks
from .models import Agency, AgencyKind, AssisterKind, BackgroundStudy, MembershipRole
from .periods import today

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
KIND_AGENCY = {AssisterKind.BROKER: 0, AssisterKind.NAVIGATOR: 1, AssisterKind.CAC: 2}
ASSISTERS = [
    # local part, kind, first, last, state
    ("broker", AssisterKind.BROKER, "Bao", "Vang", "approved"),
    ("navigator", AssisterKind.NAVIGATOR, "Hodan", "Ali", "approved"),
    ("cac", AssisterKind.CAC, "Erik", "Lindqvist", "approved"),
    ("pending-broker", AssisterKind.BROKER, "Luis", "Hernández", "submitted"),
    ("pending-navigator", AssisterKind.NAVIGATOR, "Amina", "Yusuf", "submitted"),
    ("pending-cac", AssisterKind.CAC, "Kari", "Berg", "submitted"),
    ("expiring-broker", AssisterKind.BROKER, "Tom", "Nguyen", "expiring"),
    ("expired-navigator", AssisterKind.NAVIGATOR, "Fartun", "Warsame", "expired"),
]


def _staff():
    return User.objects.get(email=f"staff@{DEMO_DOMAIN}")


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
    agency = services.agency_register(
        agency_fields={
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
        admin_email=f"{admin}@{DEMO_DOMAIN}",
        admin_password=password,
        admin_first_name=first,
        admin_last_name=last,
        request=None,
    )
    admin_user = agency.memberships.get().user
    admin_user.emailaddress_set.update(verified=True)
    ensure_mfa(admin_user)
    services.certification_decide(
        certification=agency.certifications.get(), action="approve", actor=_staff(), reason="Demo agency."
    )
    return services.agency_update(
        agency=agency,
        actor=admin_user,
        fields={
            "directory_opt_in": True,
            "public_phone": phone,
            "counties": list(County.objects.filter(name__in=counties)),
            "languages": list(Language.objects.filter(code__in=languages)),
            **(profile or {}),
        },
    )


def demo_assister(
    agency, local, kind, first, last, state, *, npn="8800123", password=DEMO_PASSWORD, profile=None
) -> User | None:
    """The demo assister `local@DEMO_DOMAIN`, invited, certified (per `state`) and listed, once.

    Returns the new account, or None when it already existed. `profile` overrides the
    directory fields (which otherwise copy the agency's languages and counties).
    """
    email = f"{local}@{DEMO_DOMAIN}"
    if User.objects.filter(email=email).exists():
        return None
    admin = agency.memberships.filter(role=MembershipRole.ADMIN).first().user
    _, token = services.invitation_create(
        agency=agency, actor=admin, email=email, role=MembershipRole.ASSISTER, assister_kind=kind
    )
    user = services.invitation_accept(token=token, first_name=first, last_name=last, password=password)
    ensure_mfa(user)
    assister = user.assister
    cert = assister.certifications.get()
    long_ago = date(2026, 1, 1)
    assister_fields = {"date_of_birth": date(1980, 6, 15)}
    cert_fields = {"training_completed_on": long_ago, "training_certificate_number": f"MNS-TRN-{local.upper()}"}
    if kind == AssisterKind.BROKER:
        assister_fields["npn"] = npn
        far = today() + timedelta(days=800)
        cert_fields |= {
            "license_number": "40889900",
            "license_expires_on": far,
            "eo_carrier": "Gopher Mutual",
            "eo_policy_number": "EO-2026-77",
            "eo_expires_on": far,
        }
    services.certification_save_application(
        certification=cert, actor=user, assister_fields=assister_fields, certification_fields=cert_fields
    )
    services.certification_sign_agreement(certification=cert, actor=user, typed_name=assister.full_name)
    services.certification_submit(certification=cert, actor=user)
    if state == "submitted":
        return user
    if kind == AssisterKind.BROKER:
        services.certification_record_check(certification=cert, actor=_staff(), license_verified=True)
    else:
        services.certification_record_check(certification=cert, actor=_staff(), background_study=BackgroundStudy.PASSED)
    if state == "approved":
        services.certification_decide(
            certification=cert, action="approve", actor=_staff(), reason="Demo: all requirements met."
        )
    elif state == "expiring":
        services.certification_import_approved(
            certification=cert,
            actor=_staff(),
            valid_from=today() - timedelta(days=300),
            valid_until=today() + timedelta(days=20),
            reason="Demo: certified under the manual process; ends in 20 days.",
        )
    else:
        ended = today() - timedelta(days=10)
        services.certification_import_approved(
            certification=cert,
            actor=_staff(),
            valid_from=ended - timedelta(days=360),
            valid_until=ended,
            reason="Demo: certified under the manual process.",
        )
    services.assister_update_profile(
        assister=assister,
        actor=user,
        fields={
            "directory_opt_in": True,
            "public_phone": "651-555-0142",
            "public_email": email,
            "languages": list(agency.languages.all()),
            "counties": list(agency.counties.all()),
            **(profile or {}),
        },
    )
    return user


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    agencies = [demo_agency(*row) for row in AGENCIES]
    for local, kind, first, last, state in ASSISTERS:
        demo_assister(agencies[KIND_AGENCY[kind]], local, kind, first, last, state)
    support = f"support@{DEMO_DOMAIN}"
    if not User.objects.filter(email=support).exists():
        admin = agencies[0].memberships.get(role=MembershipRole.ADMIN).user
        _, token = services.invitation_create(
            agency=agencies[0], actor=admin, email=support, role=MembershipRole.SUPPORT
        )
        ensure_mfa(
            services.invitation_accept(token=token, first_name="Sam", last_name="Nguyen", password=DEMO_PASSWORD)
        )
    if not Agency.objects.filter(public_name="Prairie Benefits Group").exists():
        pending = services.agency_register(
            agency_fields={
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
            admin_email=f"pending-agency-admin@{DEMO_DOMAIN}",
            admin_password=DEMO_PASSWORD,
            admin_first_name="Lena",
            admin_last_name="Prairie",
            request=None,
        )
        admin = pending.memberships.get().user
        admin.emailaddress_set.update(verified=True)
        ensure_mfa(admin)
    tasks.certification_daily_sweep()  # moves the demo's lapsed certification to expired
    return [
        ("Agency admin (broker agency)", f"agency-admin@{DEMO_DOMAIN}"),
        ("Agency admin (navigator organization)", f"navigator-admin@{DEMO_DOMAIN}"),
        ("Agency admin (CAC organization)", f"cac-admin@{DEMO_DOMAIN}"),
        ("Agency admin (agency awaiting review)", f"pending-agency-admin@{DEMO_DOMAIN}"),
        ("Agency support staff", support),
        ("Assister: certified broker", f"broker@{DEMO_DOMAIN}"),
        ("Assister: certified navigator", f"navigator@{DEMO_DOMAIN}"),
        ("Assister: certified counselor (CAC)", f"cac@{DEMO_DOMAIN}"),
        ("Assister: broker application awaiting review", f"pending-broker@{DEMO_DOMAIN}"),
        ("Assister: certification expiring in 20 days", f"expiring-broker@{DEMO_DOMAIN}"),
        ("Assister: certification expired", f"expired-navigator@{DEMO_DOMAIN}"),
    ]
