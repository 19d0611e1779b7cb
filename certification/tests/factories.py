"""Build agencies, assisters and certifications through the services, the way the portal does."""

import itertools
from datetime import date, timedelta

from accounts.models import Role
from accounts.tests.factories import UserFactory
from certification import services
from certification.models import AgencyKind, AssisterKind, BackgroundStudy, Certification, MembershipRole
from certification.periods import today

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)

KIND_OF_AGENCY = {
    AssisterKind.BROKER: AgencyKind.BROKER_AGENCY,
    AssisterKind.NAVIGATOR: AgencyKind.NAVIGATOR_ORG,
    AssisterKind.CAC: AgencyKind.CAC_ORG,
}


def staff_user():
    from accounts.models import User

    user = User.objects.filter(email="certification-staff@example.org").first()
    return user or UserFactory(role=Role.STAFF, email="certification-staff@example.org", mfa=True, is_superuser=True)


def agency_fields(kind=AgencyKind.BROKER_AGENCY, **overrides):
    n = next(_seq)
    fields = {
        "kind": kind,
        "legal_name": f"Agency {n} LLC",
        "public_name": f"Agency {n}",
        "fein": f"41-{n:07d}",
        "agency_npn": str(100000 + n) if kind == AgencyKind.BROKER_AGENCY else "",
        "contract_number": "" if kind == AgencyKind.BROKER_AGENCY else f"MNS-{n:05d}",
        "street": f"{n} Main St",
        "city": "Saint Paul",
        "state": "MN",
        "zip_code": "55101",
        "phone": "651-555-0100",
        "public_email": f"office{n}@agency.example.org",
        "website": "https://agency.example.org",
    }
    fields.update(overrides)
    return fields


def make_agency(kind=AgencyKind.BROKER_AGENCY, *, approved=True, admin_email=None, admin_mfa=True, **overrides):
    """A registered agency with its admin (`agency.admin_user`); approved by staff unless approved=False."""
    n = next(_seq)
    agency = services.agency_register(
        agency_fields=agency_fields(kind, **overrides),
        admin_email=admin_email or f"admin{n}@agency.example.org",
        admin_password=PASSWORD,
        admin_first_name="Ada",
        admin_last_name=f"Admin{n}",
        request=None,
    )
    admin = agency.memberships.get(role=MembershipRole.ADMIN).user
    admin.emailaddress_set.update(verified=True)  # what entering the emailed code does
    if admin_mfa:
        from allauth.mfa.totp.internal.auth import generate_totp_secret

        from accounts.services import user_add_totp

        user_add_totp(user=admin, secret=generate_totp_secret())
    if approved:
        cert = agency.certifications.get()
        services.certification_decide(
            certification=cert, action="approve", actor=staff_user(), reason="Registration checked."
        )
    agency.admin_user = admin
    return agency


def invite_and_accept(
    agency,
    kind=AssisterKind.BROKER,
    *,
    email=None,
    role=MembershipRole.ASSISTER,
    mfa=True,
    first_name="Pat",
    last_name=None,
):
    n = next(_seq)
    email = email or f"person{n}@assister.example.org"
    _, token = services.invitation_create(
        agency=agency,
        actor=agency.admin_user,
        email=email,
        role=role,
        assister_kind=kind if role == MembershipRole.ASSISTER else "",
    )
    user = services.invitation_accept(
        token=token, first_name=first_name, last_name=last_name or f"Person{n}", password=PASSWORD
    )
    if mfa:
        from allauth.mfa.totp.internal.auth import generate_totp_secret

        from accounts.services import user_add_totp

        user_add_totp(user=user, secret=generate_totp_secret())
    return user


def complete_application(certification: Certification, *, license_expires_on=None):
    """Fill every requirement the applicant provides, sign the agreement; staff checks are separate."""
    assister = certification.assister
    year_end = date(today().year + 2, 12, 31)
    cert_fields = {"training_completed_on": today() - timedelta(days=10), "training_certificate_number": "MNS-TRN-1"}
    assister_fields = {"date_of_birth": date(1985, 4, 12)}
    if assister.kind == AssisterKind.BROKER:
        assister_fields["npn"] = "1234567"
        cert_fields.update(
            license_number="40123456",
            license_expires_on=license_expires_on or year_end,
            eo_carrier="North Star Mutual",
            eo_policy_number="EO-555",
            eo_expires_on=year_end,
        )
    else:
        cert_fields.update(
            coi_other_insurance_lines="",
            coi_insurer_employment="",
            coi_spouse_insurer_employment="",
            coi_financial_ties="",
        )
    services.certification_save_application(
        certification=certification,
        actor=assister.user,
        assister_fields=assister_fields,
        certification_fields=cert_fields,
    )
    services.certification_sign_agreement(
        certification=certification, actor=assister.user, typed_name=assister.full_name
    )
    certification.refresh_from_db()
    return certification


def staff_checks(certification: Certification):
    staff = staff_user()
    if certification.assister.kind == AssisterKind.BROKER:
        services.certification_record_check(certification=certification, actor=staff, license_verified=True)
    else:
        services.certification_record_check(
            certification=certification, actor=staff, background_study=BackgroundStudy.PASSED
        )
    certification.refresh_from_db()
    return certification


def make_assister(kind=AssisterKind.BROKER, *, agency=None, state="approved", **invite):
    """An assister of `kind` whose latest certification is in `state`: draft, submitted, or approved."""
    agency = agency or make_agency(KIND_OF_AGENCY[kind])
    user = invite_and_accept(agency, kind, **invite)
    assister = user.assister
    certification = assister.certifications.get()
    if state == "draft":
        return assister
    complete_application(certification)
    services.certification_submit(certification=certification, actor=user)
    if state == "submitted":
        return assister
    staff_checks(certification)
    services.certification_decide(
        certification=certification, action="approve", actor=staff_user(), reason="All requirements met."
    )
    assister.refresh_from_db()
    return assister
