"""Agencies, assisters and certifications for tests: `certification.builders` (the pipeline the demo also
uses) with numbered defaults."""

import itertools
from datetime import date, timedelta

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from certification import builders
from certification.models import AgencyKind, AssisterKind, Certification, MembershipRole
from certification.periods import today

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)

KIND_OF_AGENCY = {
    AssisterKind.BROKER: AgencyKind.BROKER_AGENCY,
    AssisterKind.NAVIGATOR: AgencyKind.NAVIGATOR_ORG,
    AssisterKind.CAC: AgencyKind.CAC_ORG,
}


def staff_user():
    """The exchange staff member who approves what the factories build (a superuser: it also reviews
    consents and reads the audit trail in tests, duties no group grants yet)."""
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
    return builders.register_agency(
        fields=agency_fields(kind, **overrides),
        admin_email=admin_email or f"admin{n}@agency.example.org",
        admin_password=PASSWORD,
        admin_first_name="Ada",
        admin_last_name=f"Admin{n}",
        approved_by=staff_user() if approved else None,
        admin_mfa=admin_mfa,
    )


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
    return builders.join_agency(
        agency,
        email=email or f"person{n}@assister.example.org",
        first_name=first_name,
        last_name=last_name or f"Person{n}",
        password=PASSWORD,
        role=role,
        kind=kind,
        mfa=mfa,
    )


def answers(*, license_expires_on=None) -> builders.Answers:
    """A complete, plausible application: trained ten days ago, license and E&O good to the end of the year
    after next."""
    year_end = date(today().year + 2, 12, 31)
    return builders.Answers(
        date_of_birth=date(1985, 4, 12),
        trained_on=today() - timedelta(days=10),
        training_certificate="MNS-TRN-1",
        license_expires_on=license_expires_on or year_end,
        eo_expires_on=year_end,
    )


def complete_application(certification: Certification, *, license_expires_on=None):
    """Fill every requirement the applicant provides, sign the agreement; staff checks are separate."""
    return builders.complete_application(certification, answers(license_expires_on=license_expires_on))


def staff_checks(certification: Certification):
    return builders.record_staff_checks(certification, staff=staff_user())


def make_assister(kind=AssisterKind.BROKER, *, agency=None, state="approved", **invite):
    """An assister of `kind` whose latest certification is at `state` (`builders.Stage`): draft, submitted,
    checked (staff checks recorded) or approved."""
    agency = agency or make_agency(KIND_OF_AGENCY[kind])
    user = invite_and_accept(agency, kind, **invite)
    return builders.certify(user.assister, answers(), staff=staff_user(), stage=builders.Stage(state))
