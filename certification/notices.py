"""Notices about certifications (DESIGN §6, Certification): staff decisions, the sweep's expiry and the
renewal reminders at 60, 30 and 7 days, to the applicant (an assister, or an agency's admins) and to the
agency's admins, one notice per person, written in the transaction of the decision or the reminder."""

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notices import kinds
from notices.kinds import NoticeKind, Recipient
from notices.services import notice_for_user

from .models import Certification
from .selectors import agency_admins

TEMPLATE = "notices/bodies/certification.html"


def _kind(code: str, title, *, decision: bool = False) -> NoticeKind:
    return kinds.register(NoticeKind(code, title, Recipient.USER, decision=decision, template=TEMPLATE))


# By the transition that caused it (CertificationTransition values); submit, withdraw and start_review
# send none.
DECISIONS = {
    "approve": _kind("certification_approved", _("Your certification is approved")),
    "deny": _kind("certification_denied", _("Your certification was denied"), decision=True),
    "request_info": _kind("certification_info_requested", _("MNsure needs more information for your certification")),
    "suspend": _kind("certification_suspended", _("Your certification is suspended"), decision=True),
    "reinstate": _kind("certification_reinstated", _("Your certification is reinstated")),
    "decertify": _kind("certification_decertified", _("Your certification has ended"), decision=True),
    "expire": _kind("certification_expired", _("Your certification has expired")),
}
EXPIRING = _kind("certification_expiring", _("Your certification expires soon: renew it"))


def recipients(certification: Certification) -> list[User]:
    """The applicant (an assister, or an agency's admins) and the agency's admins; each person once."""
    agency = certification.assister.agency if certification.assister_id else certification.agency
    people = list(agency_admins(agency).order_by("pk"))
    if certification.assister_id:
        people.insert(0, certification.assister.user)
    return list({person.pk: person for person in people}.values())


def _body(certification: Certification, **extra) -> dict:
    return {
        "subject_name": certification.assister.full_name if certification.assister_id else str(certification.agency),
        "assister_id": certification.assister.assister_id if certification.assister_id else "",
        "valid_until": certification.valid_until.isoformat() if certification.valid_until else None,
        **extra,
    }


def certification_decision_notices(certification: Certification, transition: str, reason: str) -> None:
    kind = DECISIONS.get(str(transition))
    if kind is None:
        return
    body = _body(certification, reason=reason)
    for person in recipients(certification):
        notice_for_user(kind=kind.code, user=person, body=body)


def certification_reminder_notices(certification: Certification, days_left: int) -> None:
    body = _body(certification, days_left=days_left)
    for person in recipients(certification):
        notice_for_user(kind=EXPIRING.code, user=person, body=body, due=certification.valid_until)
