"""Notices about applications (registered at start-up, written in the transaction of the change): to the
client when an assister starts an application or asks them to confirm one, when an application is withdrawn,
and the eligibility determination of every submission (a decision, so it carries the appeal rights). Issue 13:
every plan chosen or changed and every end of coverage (with, when someone else did it, how to say "I did not ask
for this"), and the course of such a report, to the client and to the assister who made the change."""

from django.utils.translation import gettext_lazy as _

from associations.notices import client_helpers
from clients.notices import notice_for_client
from notices import kinds
from notices.kinds import NoticeKind, Recipient
from notices.services import notice_for_user

from .models import Application, Determination, EnrollmentDispute
from .periods import dispute_deadline

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


# --- Choosing a plan (issue 13) --------------------------------------------------------------------------------

PLAN_SELECTED = kinds.register(NoticeKind("plan_selected", _("Your health plan"), Recipient.CLIENT))
COVERAGE_ENDED = kinds.register(NoticeKind("coverage_ended", _("Your coverage is ending"), Recipient.CLIENT))
CREDIT_CHANGED = kinds.register(
    NoticeKind("credit_changed", _("The premium tax credit on your plan changed"), Recipient.CLIENT)
)
DISPUTE_TO_CLIENT = kinds.register(
    NoticeKind("enrollment_dispute", _("Your report of a plan change you did not ask for"), Recipient.CLIENT)
)
DISPUTE_TO_ASSISTER = kinds.register(
    NoticeKind("enrollment_dispute_assister", _("A client reported a plan change they did not ask for"), Recipient.USER)
)


def _enrollment_body(enrollment) -> dict:
    return {
        "year": enrollment.coverage_year,
        "enrollment": enrollment.short_id,
        "plan": enrollment.plan_name,
        "plan_id": enrollment.hios_plan_id,
        "issuer": enrollment.issuer_name,
        "metal_level": enrollment.metal_level,
        "csr": enrollment.csr_variant,
        "members": [m["first_name"] for m in enrollment.members],
        "premium": str(enrollment.premium),
        "credit": str(enrollment.credit_applied),
        "net": str(enrollment.net_premium),
        "coverage_start": enrollment.coverage_start.isoformat(),
        "coverage_end": enrollment.coverage_end.isoformat(),
        "never_started": enrollment.never_started,
        "sample_catalog": enrollment.sample_catalog,
    }


def enrollment_notice(kind: NoticeKind, enrollment, *, actor, association) -> None:
    """A plan chosen or changed (PLAN_SELECTED), or coverage ended (COVERAGE_ENDED), told to the client; when
    someone else did it, with the last day to say "I did not ask for this"."""
    fields = _actor_fields(enrollment.application, actor, association)
    body = {**_enrollment_body(enrollment), **fields}
    if kind is PLAN_SELECTED and enrollment.replaces_id:
        body["replaced"] = enrollment.replaces.plan_name
    if not fields["by_client"]:
        at = enrollment.ended_at if kind is COVERAGE_ENDED else enrollment.selected_at
        body["dispute_until"] = dispute_deadline(at).isoformat()
    notice_for_client(kind=kind.code, client=enrollment.client, body=body, helpers=client_helpers(enrollment.client))


def dispute_notices(dispute: EnrollmentDispute) -> None:
    """A report received or decided: to the client, and to the assister whose change it was."""
    enrollment = dispute.enrollment
    body = {
        **_enrollment_body(enrollment),
        "action": dispute.action,
        "status": dispute.status,
        "decision_note": dispute.decision_note,
        "reference": dispute.public_id.hex[:8].upper(),
    }
    notice_for_client(
        kind=DISPUTE_TO_CLIENT.code, client=enrollment.client, body=body, helpers=client_helpers(enrollment.client)
    )
    body = {**body, "client_name": enrollment.client.full_name, "members": []}
    notice_for_user(kind=DISPUTE_TO_ASSISTER.code, user=dispute.assister_user, body=body)


def credit_changed_notice(enrollment, *, previous) -> None:
    """The plan's credit follows a new determination (a processed change): what it was, what it is, from when."""
    body = {
        **_enrollment_body(enrollment),
        "previous_credit": str(previous.credit_applied),
        "previous_net": str(previous.net_premium),
    }
    notice_for_client(
        kind=CREDIT_CHANGED.code, client=enrollment.client, body=body, helpers=client_helpers(enrollment.client)
    )


# --- Annual renewal (45 CFR 155.335; issue 17) -------------------------------------------------------------------------

RENEWAL = kinds.register(NoticeKind("renewal", _("Your coverage for next year: check it and renew"), Recipient.CLIENT))
RENEWED = kinds.register(NoticeKind("renewal_renewed", _("Your coverage was renewed"), Recipient.CLIENT))
RENEWAL_ENDED = kinds.register(NoticeKind("renewal_ended", _("Your coverage was not renewed"), Recipient.CLIENT))


def renewal_notice(renewal, *, deadline, cutoff) -> None:
    """The renewal notice (45 CFR 155.335(c)): the data used, the projected eligibility and credit, the plan the household
    will be renewed into (or that theirs is not offered), what to do and by when (the open enrollment's last day,
    `deadline`; by `cutoff` for coverage from January 1)."""
    application, projected = renewal.application, renewal.projected
    notice_for_client(
        kind=RENEWAL.code,
        client=application.client,
        body={
            "year": application.coverage_year,
            "previous_year": renewal.previous.coverage_year,
            "application": application.short_id,
            "data": projected.get("data", {}),
            "determination": projected.get("determination"),
            "problems": projected.get("problems", []),
            "projected_credit": str(renewal.projected_credit),
            "previous_credit": str(renewal.previous_credit),
            "current_plan": projected.get("current_plan", {}),
            "next_plan": projected.get("next_plan"),
            "deadline": deadline.isoformat(),
            "cutoff": cutoff.isoformat(),
        },
        helpers=client_helpers(application.client),
        due=deadline,
    )


def renewed_notice(renewal, enrollment, *, deadline) -> None:
    """The portal renewed the household's coverage when open enrollment ended: the plan, its premium and credit."""
    body = {
        **_enrollment_body(enrollment),
        "previous_year": renewal.previous.coverage_year,
        "previous_plan": renewal.current_plan.name,
        "crosswalk": renewal.current_plan.plan_id != enrollment.hios_plan_id,
        "deadline": deadline.isoformat(),
    }
    notice_for_client(kind=RENEWED.code, client=enrollment.client, body=body, helpers=client_helpers(enrollment.client))


def renewal_ended_notice(renewal, *, deadline) -> None:
    """The household's coverage was not renewed (`renewal.end_reason` says why) and they must choose a plan."""
    application = renewal.application
    notice_for_client(
        kind=RENEWAL_ENDED.code,
        client=application.client,
        body={
            "year": application.coverage_year,
            "previous_year": renewal.previous.coverage_year,
            "application": application.short_id,
            "reason": renewal.end_reason,
            "previous_plan": renewal.current_plan.name,
            "deadline": deadline.isoformat(),
        },
        helpers=client_helpers(application.client),
    )
