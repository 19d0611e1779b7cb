"""Notices about applications (registered at start-up, written in the transaction of the change): to the
client when an assister starts an application or asks them to confirm one, when an application is withdrawn,
and the eligibility determination of every submission (a decision, so it carries the appeal rights)."""

from django.utils.translation import gettext_lazy as _

from associations.notices import client_helpers
from clients.notices import notice_for_client
from notices import kinds
from notices.kinds import NoticeKind, Recipient

from .models import Application, Determination

STARTED = kinds.register(
    NoticeKind("application_started_for_you", _("An assister started an application for you"), Recipient.CLIENT)
)
REVIEW_REQUESTED = kinds.register(
    NoticeKind("application_review_requested", _("Please review and confirm your application"), Recipient.CLIENT)
)
WITHDRAWN = kinds.register(NoticeKind("application_withdrawn", _("Your application was withdrawn"), Recipient.CLIENT))
DETERMINATION = kinds.register(
    NoticeKind("application_determination", _("Your eligibility results"), Recipient.CLIENT, decision=True)
)


def _actor_fields(application: Application, actor, association) -> dict:
    if association is None or application.client.user_id == getattr(actor, "pk", None):
        return {"by_client": True}
    return {
        "by_client": False,
        "assister_name": association.assister.full_name or actor.get_full_name(),
        "agency": str(association.assister.agency),
    }


def application_notice(kind: NoticeKind, application: Application, *, actor, association) -> None:
    notice_for_client(
        kind=kind.code,
        client=application.client,
        body={
            "year": application.coverage_year,
            "application": application.short_id,
            **_actor_fields(application, actor, association),
        },
        helpers=client_helpers(application.client),
    )


def determination_notice(application: Application, determination: Determination, *, sample_catalog: bool) -> None:
    notice_for_client(
        kind=DETERMINATION.code,
        client=application.client,
        body={
            "year": application.coverage_year,
            "application": application.short_id,
            "status": application.status,
            "determination": determination.data,
            "sample_catalog": sample_catalog,
        },
        helpers=client_helpers(application.client),
    )
