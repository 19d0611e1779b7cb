"""The assister's certification application: answers, the e-signed agreement, renewal."""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assister_portal.lib.forms import is_typed_text
from audit.models import Action
from audit.services import audit_record, client_ip

from ..models import (
    Assister,
    AssisterKind,
    Certification,
    CertificationStatus,
)
from ..periods import renewal_opens_for, today
from ..selectors import OPEN_STATUSES, current_certification
from ._common import require

# Characters a person can read aloud and type without confusing them (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
# --- The application -----------------------------------------------------------


def _lock_editable(certification: Certification, refusal: str) -> Certification:
    """The application, locked, if the applicant may still change it (a draft, or more information asked)."""
    certification = (
        Certification.objects.select_for_update(of=("self",)).select_related("assister").get(pk=certification.pk)
    )
    require(certification.status in (CertificationStatus.DRAFT, CertificationStatus.INFO_REQUESTED), refusal)
    return certification


def certification_save_application(
    *,
    certification: Certification,
    actor: User,
    assister_fields: dict,
    certification_fields: dict,
    request: HttpRequest | None = None,
) -> Certification:
    with transaction.atomic():
        certification = _lock_editable(
            certification,
            _("This application was already submitted; you can change it only if MNsure asks for more information."),
        )
        assister = certification.assister
        for name, value in assister_fields.items():
            setattr(assister, name, value)
        assister.full_clean()
        assister.save(update_fields=list(assister_fields))
        for name, value in certification_fields.items():
            setattr(certification, name, value)
        if assister.kind != AssisterKind.BROKER:
            certification.coi_answered = True
        certification.full_clean()
        certification.save(update_fields=[*certification_fields, "coi_answered"])
    return certification


def certification_sign_agreement(
    *, certification: Certification, actor: User, typed_name: str, request: HttpRequest | None = None
) -> Certification:
    # AgreementForm refuses these too; the service has the last word whoever calls it.
    max_length = Certification._meta.get_field("agreement_signed_name").max_length
    require(
        len(typed_name) <= max_length and is_typed_text(typed_name),
        _("Type your full legal name only: at most 200 characters of letters, spaces and punctuation."),
        "typed_name",
    )
    with transaction.atomic():
        certification = _lock_editable(certification, _("This application can no longer be changed."))
        expected = certification.assister.full_name
        require(
            " ".join(typed_name.split()).casefold() == " ".join(expected.split()).casefold(),
            _("Type your full legal name exactly as above (%(name)s) to sign.") % {"name": expected},
            "typed_name",
        )
        certification.agreement_version = settings.ASSISTER_AGREEMENT_VERSION
        certification.agreement_signed_name = typed_name.strip()
        certification.agreement_signed_at = timezone.now()
        certification.agreement_signed_ip = client_ip(request) if request is not None else None
        certification.save(
            update_fields=["agreement_version", "agreement_signed_name", "agreement_signed_at", "agreement_signed_ip"]
        )
        audit_record(
            action=Action.AGREEMENT_SIGNED,
            actor=actor,
            request=request,
            target=certification,
            details={"version": certification.agreement_version},
        )
    return certification


def certification_renew(*, assister: Assister, actor: User, request: HttpRequest | None = None) -> Certification:
    """Start the renewal for the next period, prefilled from the current certification."""
    with transaction.atomic():
        current = current_certification(assister=assister)
        require(current is not None, _("Only a current certification can be renewed; apply again instead."))
        require(
            today() >= renewal_opens_for(current.valid_until),
            _("Renewal opens on %(date)s.") % {"date": renewal_opens_for(current.valid_until)},
        )
        require(not Certification.objects.filter(renews=current).exists(), _("You have already started this renewal."))
        copied = [
            "training_completed_on",
            "training_certificate_number",
            "license_number",
            "license_expires_on",
            "eo_carrier",
            "eo_policy_number",
            "eo_expires_on",
            "coi_other_insurance_lines",
            "coi_insurer_employment",
            "coi_spouse_insurer_employment",
            "coi_financial_ties",
        ]
        renewal = Certification.objects.create(
            assister=assister, is_renewal=True, renews=current, **{name: getattr(current, name) for name in copied}
        )
        audit_record(action=Action.RENEWAL_STARTED, actor=actor, request=request, target=renewal)
    return renewal


def certification_apply_again(*, assister: Assister, actor: User, request: HttpRequest | None = None) -> Certification:
    """A new application after a denial, withdrawal, expiry or lapse (not after decertification)."""
    with transaction.atomic():
        require(
            not Certification.objects.filter(assister=assister, status__in=OPEN_STATUSES).exists(),
            _("You already have an application in progress."),
        )
        require(current_certification(assister=assister) is None, _("You are certified; renew instead."))
        require(
            not Certification.objects.filter(assister=assister, status=CertificationStatus.DECERTIFIED).exists(),
            _("You were decertified. Contact MNsure before applying again."),
        )
        return Certification.objects.create(assister=assister)
