"""The certification pipeline as the portal runs it, for the test factories and the demo (`demo/`) alike.

An agency registers, its admin confirms their email and sets up an authenticator app, staff
approve the registration; the admin invites a member, who accepts; an assister fills in and
signs the application and submits it; staff record their checks and decide. Each step is a
service call, in the order the pages make them. The test factories
(`certification/tests/factories.py`) give these builders numbered defaults; the demo gives
them its made-up people.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from accounts.builders import give_authenticator
from accounts.models import User

from . import services
from .models import Agency, Assister, AssisterKind, BackgroundStudy, Certification, MembershipRole


def register_agency(
    *,
    fields: dict,
    admin_email: str,
    admin_password: str | None,
    admin_first_name: str,
    admin_last_name: str,
    approved_by: User | None,
    reason: str = "Registration checked.",
    admin_mfa: bool = True,
) -> Agency:
    """A registered agency whose admin (`agency.admin_user`) confirmed their email; approved when `approved_by`."""
    agency = services.agency_register(
        agency_fields=fields,
        admin_email=admin_email,
        admin_password=admin_password,
        admin_first_name=admin_first_name,
        admin_last_name=admin_last_name,
        request=None,
    )
    if agency is None:
        raise ValueError(f"{admin_email} already has an account")
    admin = agency.memberships.get(role=MembershipRole.ADMIN).user
    for address in admin.emailaddress_set.all():
        address.set_verified()  # what entering the emailed code does
    if admin_mfa:
        give_authenticator(admin)
    if approved_by is not None:
        services.certification_decide(
            certification=agency.certifications.get(),
            action=services.CertificationTransition.APPROVE,
            actor=approved_by,
            reason=reason,
        )
    agency.admin_user = admin
    return agency


def admin_of(agency: Agency) -> User:
    """The agency's first admin (the one who registered it)."""
    return getattr(agency, "admin_user", None) or agency.memberships.filter(role=MembershipRole.ADMIN).first().user


def join_agency(
    agency: Agency,
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    role: str = MembershipRole.ASSISTER,
    kind: str = "",
    mfa: bool = True,
) -> User:
    """The agency's admin invites the person, who accepts (and sets up an authenticator app when `mfa`)."""
    _, token = services.invitation_create(
        agency=agency,
        actor=admin_of(agency),
        email=email,
        role=role,
        assister_kind=kind if role == MembershipRole.ASSISTER else "",
    )
    user = services.invitation_accept(token=token, first_name=first_name, last_name=last_name, password=password)
    if mfa:
        give_authenticator(user)
    return user


@dataclass(frozen=True)
class Answers:
    """What an applicant enters on the application (a broker adds license and E&O; others the COI questions)."""

    date_of_birth: date
    trained_on: date
    training_certificate: str
    npn: str = "1234567"
    license_number: str = "40123456"
    license_expires_on: date | None = None
    eo_carrier: str = "North Star Mutual"
    eo_policy_number: str = "EO-555"
    eo_expires_on: date | None = None


def complete_application(certification: Certification, answers: Answers) -> Certification:
    """Fill every requirement the applicant provides and sign the agreement; staff checks are separate."""
    assister = certification.assister
    assister_fields = {"date_of_birth": answers.date_of_birth}
    cert_fields = {
        "training_completed_on": answers.trained_on,
        "training_certificate_number": answers.training_certificate,
    }
    if assister.kind == AssisterKind.BROKER:
        assister_fields["npn"] = answers.npn
        cert_fields |= {
            "license_number": answers.license_number,
            "license_expires_on": answers.license_expires_on,
            "eo_carrier": answers.eo_carrier,
            "eo_policy_number": answers.eo_policy_number,
            "eo_expires_on": answers.eo_expires_on,
        }
    else:
        cert_fields |= {
            "coi_other_insurance_lines": "",
            "coi_insurer_employment": "",
            "coi_spouse_insurer_employment": "",
            "coi_financial_ties": "",
        }
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


def record_staff_checks(certification: Certification, *, staff: User) -> Certification:
    """Staff verify the broker's license, or record a passed background study for the others."""
    if certification.assister.kind == AssisterKind.BROKER:
        services.certification_record_check(certification=certification, actor=staff, license_verified=True)
    else:
        services.certification_record_check(
            certification=certification, actor=staff, background_study=BackgroundStudy.PASSED
        )
    certification.refresh_from_db()
    return certification


class Stage(StrEnum):
    """How far `certify` takes an assister's first certification."""

    DRAFT = "draft"  # invited and joined, nothing filled in
    SUBMITTED = "submitted"  # filled in, signed, submitted
    CHECKED = "checked"  # and staff recorded their checks
    APPROVED = "approved"  # and staff approved it


def certify(
    assister: Assister,
    answers: Answers,
    *,
    staff: User,
    stage: Stage = Stage.APPROVED,
    period: tuple[date, date] | None = None,
    reason: str = "All requirements met.",
) -> Assister:
    """Take the assister's pending certification to `stage`; approved by a decision, or for
    `period=(valid_from, valid_until)` by importing an approval made under the manual process (the demo's
    expiring and expired certifications)."""
    stage = Stage(stage)
    if stage == Stage.DRAFT:
        return assister
    certification = complete_application(assister.certifications.get(), answers)
    services.certification_submit(certification=certification, actor=assister.user)
    if stage == Stage.SUBMITTED:
        return assister
    record_staff_checks(certification, staff=staff)
    if stage == Stage.APPROVED and period is None:
        services.certification_decide(
            certification=certification, action=services.CertificationTransition.APPROVE, actor=staff, reason=reason
        )
    elif stage == Stage.APPROVED:
        valid_from, valid_until = period
        services.certification_import_approved(
            certification=certification, actor=staff, valid_from=valid_from, valid_until=valid_until, reason=reason
        )
    assister.refresh_from_db()
    return assister


def list_assister(assister: Assister, **profile) -> Assister:
    """The assister opts in to the public directory with these profile fields (as on "My listing")."""
    return services.assister_update_profile(
        assister=assister, actor=assister.user, fields={"directory_opt_in": True, **profile}
    )


def list_agency(agency: Agency, **profile) -> Agency:
    """The agency's admin opts it in to the public directory with these fields (as on "My agency")."""
    return services.agency_update(agency=agency, actor=admin_of(agency), fields={"directory_opt_in": True, **profile})
