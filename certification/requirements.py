"""The requirement checklist of a certification, per kind (DESIGN §4).

Staff see it on the admin change page with what is missing highlighted; approval
is refused until every requirement is met.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import AgencyKind, AssisterKind, BackgroundStudy, Certification
from .periods import period_end_for, today


@dataclass(frozen=True)
class Requirement:
    label: str
    met: bool
    detail: str = ""


def planned_valid_until(certification: Certification):
    """The end of the period this certification would cover if approved today."""
    renews = certification.renews
    if renews is not None and renews.valid_until and renews.valid_until >= today():
        return period_end_for(renews.valid_until + timedelta(days=1))
    return period_end_for(today())


def requirements(certification: Certification) -> list[Requirement]:
    if certification.agency_id:
        return _agency_requirements(certification)
    return _assister_requirements(certification)


def _agency_requirements(certification: Certification) -> list[Requirement]:
    agency = certification.agency
    items = [
        Requirement(_("FEIN on file"), bool(agency.fein)),
        Requirement(_("Address on file"), bool(agency.street and agency.city and agency.zip_code)),
    ]
    if agency.kind == AgencyKind.BROKER_AGENCY:
        items.append(Requirement(_("Agency NPN"), bool(agency.agency_npn)))
    else:
        items.append(Requirement(_("Contract or grant number"), bool(agency.contract_number)))
    return items


def _assister_requirements(certification: Certification) -> list[Requirement]:
    c = certification
    assister = c.assister
    until = planned_valid_until(c)
    items = [
        Requirement(_("Legal name"), bool(assister.legal_first_name and assister.legal_last_name)),
        Requirement(_("Date of birth"), assister.date_of_birth is not None),
        Requirement(
            _("Training completed"),
            bool(c.training_completed_on and c.training_certificate_number),
            str(c.training_completed_on or ""),
        ),
        Requirement(
            _("Agreement signed"),
            bool(c.agreement_signed_at and c.agreement_version == settings.ASSISTER_AGREEMENT_VERSION),
            c.agreement_version,
        ),
    ]
    if assister.kind == AssisterKind.BROKER:
        items += [
            Requirement(_("NPN"), bool(assister.npn)),
            Requirement(
                _("Minnesota license valid through the certification period"),
                bool(c.license_number and c.license_expires_on and c.license_expires_on >= until),
                _("expires %(expires)s; period ends %(until)s") % {"expires": c.license_expires_on, "until": until}
                if c.license_expires_on
                else "",
            ),
            Requirement(_("License verified by staff"), c.license_verified_by_staff),
            Requirement(
                _("Errors-and-omissions coverage in force"),
                bool(c.eo_carrier and c.eo_policy_number and c.eo_expires_on and c.eo_expires_on >= today()),
                str(c.eo_expires_on or ""),
            ),
        ]
    else:
        items += [
            Requirement(_("Conflict-of-interest disclosures answered"), c.coi_answered),
            Requirement(
                _("Background study passed (recorded by staff)"),
                c.background_study == BackgroundStudy.PASSED,
                c.get_background_study_display(),
            ),
        ]
    return items


def missing(certification: Certification) -> list[Requirement]:
    return [item for item in requirements(certification) if not item.met]
