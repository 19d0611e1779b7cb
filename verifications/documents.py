"""What must be proved and the documents that prove it (reference "Documents accepted to resolve a data-matching issue":
MNsure's and HealthCare.gov's published lists), and why staff may refuse a document."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationType(models.TextChoices):
    SSN = "ssn", _("Social Security number")
    CITIZENSHIP = "citizenship", _("U.S. citizenship")
    IMMIGRATION = "immigration", _("Immigration status")
    INCOME = "income", _("Income")
    INCARCERATION = "incarceration", _("Incarceration")
    OTHER_COVERAGE = "other_coverage", _("Other health coverage")
    RESIDENCY = "residency", _("Minnesota residency")


class DocumentType(models.TextChoices):
    SOCIAL_SECURITY_CARD = "ssn_card", _("Social Security card")
    SSA_LETTER = "ssa_letter", _("A letter from the Social Security Administration with the number")
    TAX_RETURN = "tax_return", _("Federal tax return (Form 1040)")
    US_PASSPORT = "us_passport", _("U.S. passport or passport card")
    NATURALIZATION = "naturalization", _("Certificate of naturalization (N-550 or N-570)")
    CITIZENSHIP_CERTIFICATE = "citizenship_cert", _("Certificate of U.S. citizenship (N-560 or N-561)")
    ENHANCED_LICENSE = "enhanced_license", _("Enhanced driver's license")
    BIRTH_CERTIFICATE = "birth_certificate", _("U.S. birth certificate (with a photo ID: two documents)")
    I551 = "i551", _("Permanent resident card (I-551)")
    I94 = "i94", _("Arrival/departure record (I-94)")
    I766 = "i766", _("Employment authorization card (I-766)")
    I20 = "i20", _("Certificate of eligibility for student status (I-20)")
    DS2019 = "ds2019", _("Certificate of eligibility for exchange visitor status (DS-2019)")
    I327 = "i327", _("Reentry permit (I-327)")
    I571 = "i571", _("Refugee travel document (I-571)")
    OTHER_IMMIGRATION = "other_immigration", _("Another immigration document")
    PAY_STUBS = "pay_stubs", _("Pay stubs (the last four weeks)")
    W2_1099 = "w2_1099", _("W-2 or 1099")
    EMPLOYER_STATEMENT = "employer_statement", _("A signed statement from the employer")
    SELF_EMPLOYMENT = "self_employment", _("Schedule C or a self-employment ledger")
    BENEFITS_LETTER = "benefits_letter", _("A benefits letter (Social Security, unemployment, pension)")
    RELEASE_PAPERS = "release_papers", _("Release papers or a letter from the facility")
    COURT_ORDER = "court_order", _("A court document showing the case is pending or closed")
    COVERAGE_ENDED = "coverage_ended", _("A letter saying other coverage ended or was never in place")
    INSURANCE_CARD = "insurance_card", _("Insurance card with the dates of coverage")
    MN_ID = "mn_id", _("Minnesota driver's license or state ID")
    LEASE = "lease", _("Lease, mortgage or rent receipt at the Minnesota address")
    UTILITY_BILL = "utility_bill", _("Utility bill at the Minnesota address")
    SHELTER_LETTER = "shelter_letter", _("A letter from a shelter or someone you live with")


D = DocumentType

ACCEPTED: dict[str, tuple[DocumentType, ...]] = {
    VerificationType.SSN: (D.SOCIAL_SECURITY_CARD, D.SSA_LETTER, D.TAX_RETURN, D.W2_1099),
    VerificationType.CITIZENSHIP: (
        D.US_PASSPORT,
        D.NATURALIZATION,
        D.CITIZENSHIP_CERTIFICATE,
        D.ENHANCED_LICENSE,
        D.BIRTH_CERTIFICATE,
    ),
    VerificationType.IMMIGRATION: (
        D.I551,
        D.I94,
        D.I766,
        D.I20,
        D.DS2019,
        D.I327,
        D.I571,
        D.OTHER_IMMIGRATION,
    ),
    VerificationType.INCOME: (
        D.PAY_STUBS,
        D.TAX_RETURN,
        D.W2_1099,
        D.EMPLOYER_STATEMENT,
        D.SELF_EMPLOYMENT,
        D.BENEFITS_LETTER,
    ),
    VerificationType.INCARCERATION: (D.RELEASE_PAPERS, D.COURT_ORDER),
    VerificationType.OTHER_COVERAGE: (D.COVERAGE_ENDED, D.INSURANCE_CARD),
    VerificationType.RESIDENCY: (D.MN_ID, D.LEASE, D.UTILITY_BILL, D.SHELTER_LETTER),
}


def accepted_documents(verification_type: str) -> list[DocumentType]:
    return [DocumentType(value) for value in ACCEPTED.get(verification_type, ())]


class RejectReason(models.TextChoices):
    ILLEGIBLE = "illegible", _("We could not read it")
    INCOMPLETE = "incomplete", _("Part of it is missing")
    WRONG_TYPE = "wrong_type", _("It is not a document that proves this")
    WRONG_PERSON = "wrong_person", _("It is about someone else")
    EXPIRED = "expired", _("It has expired or is too old")
    OTHER = "other", _("Another reason (see the note)")
