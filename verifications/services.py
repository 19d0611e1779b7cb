"""Every write to verification requests and documents (CONVENTIONS: services): data matching when an application is
submitted (the applications hook), uploads by the household or on its behalf, staff's accept / reject / extend, and the
daily sweep (reminders before the due date, expiry after it, requests of withdrawn applications closed).

Each step is audited against the client (their "Who viewed my information") and told to them by a notice in the same
transaction; status runs through `REQUEST_MACHINE`, each step a `VerificationEvent`. When nothing is left to prove, the
application is determined again (`applications.services.application_verified`), with what the sources said in place of
what expired.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.core import ObjectPermissionChecker

from accounts.models import User
from applications import services as application_services
from applications.models import Application, ApplicationStatus, Determination
from assister_portal.lib.state_machine import StateMachine, Step, Transition
from assister_portal.lib.uploads import SanitizedFile, quarantined_file_store, uploads_atomic
from associations.models import Association, AssociationStatus
from audit.models import Action
from audit.services import audit_record
from certification.selectors import assister_may_act
from clients.models import Client, search_key

from . import notices, sources
from .documents import ACCEPTED, RejectReason
from .models import (
    OPEN_STATUSES,
    UPLOADABLE_STATUSES,
    Decision,
    Document,
    ReferenceRecord,
    RequestStatus,
    VerificationEvent,
    VerificationRequest,
)
from .permissions import UPLOAD

R = RequestStatus
logger = logging.getLogger(__name__)
MAX_FILES = 10  # per upload: four weeks of pay stubs and then some


class Move:
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    EXPIRE = "expire"
    CANCEL = "cancel"


def _audit_status(step: Step) -> None:
    row = step.instance
    audit_record(
        action=Action.VERIFICATION_STATUS,
        actor=step.actor,
        request=step.request,
        target=row,
        client=row.client,
        details={
            "request": str(row.public_id),
            "type": row.type,
            "from": step.source,
            "to": step.target,
            "due": row.due_date.isoformat(),
            "reason": step.reason,
        },
    )


def _decided(step: Step) -> None:
    step.instance.decided_at, step.instance.decided_by = step.at, step.actor
    step.instance.reject_reason = step.options.get("reject_reason", "")
    step.instance.reject_note = step.options.get("reject_note", "")
    step.fields += ["decided_at", "decided_by", "reject_reason", "reject_note"]


REQUEST_MACHINE = StateMachine(
    model=VerificationRequest,
    events=(VerificationEvent, "request"),
    transitions=[
        Transition(Move.SUBMIT, {R.OUTSTANDING, R.REJECTED}, R.SUBMITTED, who="household"),
        Transition(Move.ACCEPT, {R.SUBMITTED}, R.ACCEPTED, who="staff", apply=_decided),
        Transition(Move.REJECT, {R.SUBMITTED}, R.REJECTED, who="staff", needs_reason=True, apply=_decided),
        # Only what waits for the household: documents sent by the due date wait for staff, however long that takes.
        Transition(Move.EXPIRE, {R.OUTSTANDING, R.REJECTED}, R.EXPIRED, who="system"),
        Transition(Move.CANCEL, set(OPEN_STATUSES), R.CANCELLED, who="system", needs_reason=True),
    ],
    audit=_audit_status,
    refusal=gettext_lazy("This request has moved on since this page was opened: look at it again."),
    reason_message=gettext_lazy("Say why."),
)


def _event(row: VerificationRequest, *, actor, reason: str, at=None) -> None:
    VerificationEvent.objects.create(
        request=row, actor=actor, from_status=row.status, to_status=row.status, reason=reason, at=at or timezone.now()
    )


# --- Data matching, when an application is submitted (applications.hooks.application_submitted) ------------------


def requests_open_for(*, application: Application, determination: Determination, actor, request=None) -> int:
    """Check the submitted answers against the data sources; open a request for each new inconsistency (a request
    still open for the same person and point is kept, with its due date), close those the new answers resolve, and
    send the "documents needed" notice for the new ones. Returns how many are open."""
    found = sources.inconsistencies(
        application.data,
        client_ssn=application.client.ssn or "",
        found=sources.data_sources().lookup(sources.people(application.data)),
    )
    current = {
        (row.member_key, row.type): row
        for row in VerificationRequest.objects.select_for_update().filter(
            application=application, status__in=OPEN_STATUSES
        )
    }
    settled = VerificationRequest.objects.filter(application=application).filter(
        Q(status=R.ACCEPTED) | Q(status=R.EXPIRED, revision_number__gte=_submitted_version(application))
    )
    # What a document already proved for this application, as attested then, is not asked again; nor, until the
    # household submits again, what expired unproved since its last submission (a processed change matches again).
    settled_facts = set(settled.values_list("member_key", "type", "attested"))
    wanted = {
        (item.member_key, item.type): item
        for item in found
        if (item.member_key, item.type, item.attested[:200]) not in settled_facts
    }
    for key, row in current.items():
        if key not in wanted:
            REQUEST_MACHINE.run(
                row, Move.CANCEL, actor=actor, reason="The new answers match the data sources.", request=request
            )
    today = timezone.localdate()
    due = today + timedelta(days=settings.VERIFICATION_DAYS)
    opened = []
    for key, item in wanted.items():
        if key in current:  # still open from an earlier submission: kept, with its due date, for this one
            row = current[key]
            row.revision_number, row.source_value = application.version, item.source_value
            row.member_name, row.attested = item.member_name[:200], item.attested[:200]
            row.source_said, row.facts = item.source_said[:200], item.facts
            row.save(
                update_fields=["revision_number", "source_value", "member_name", "attested", "source_said", "facts"]
            )
            continue
        row = VerificationRequest(
            client=application.client,
            application=application,
            member_key=item.member_key,
            member_name=item.member_name[:200],
            type=item.type,
            attested=item.attested[:200],
            source_said=item.source_said[:200],
            facts=item.facts,
            source_value=item.source_value,
            due_date=due,
            revision_number=application.version,
        )
        row.full_clean()
        row.save(force_insert=True)
        VerificationEvent.objects.create(
            request=row, actor=actor, from_status="", to_status=R.OUTSTANDING, reason="Data matching"
        )
        opened.append(row)
    if opened:
        audit_record(
            action=Action.VERIFICATION_REQUESTED,
            actor=actor,
            request=request,
            target=application,
            client=application.client,
            details={"application": str(application.public_id), "types": sorted({r.type for r in opened})},
        )
        notices.documents_needed(application.client, opened)
    return len(wanted)


# --- Uploading --------------------------------------------------------------------------------------------------


def _acting_for(client: Client, actor: User, association: Association | None) -> bool:
    """True when `actor` acts for the client: only through an active association of this client under which they
    hold `upload_for_client` now (the guardian rows follow the associations). Views reach requests through
    `permissions.access_request`; the service checks again whoever calls it."""
    if client.user_id == actor.pk:
        return False
    current = Association.objects.filter(pk=association.pk).select_related("assister").first() if association else None
    if (
        current is None
        or current.client_id != client.pk
        or current.assister.user_id != actor.pk
        or current.status != AssociationStatus.ACTIVE
        or not current.can_upload
        or not assister_may_act(actor)
        or not ObjectPermissionChecker(actor).has_perm(UPLOAD, client)
    ):
        raise ValidationError(_("Only the client or their assister uploads documents for them."), code="who")
    return True


def document_upload(
    *,
    verification: VerificationRequest,
    document_type: str,
    files: list[SanitizedFile],
    actor: User,
    association: Association | None = None,
    client_gave_it: bool = False,
    request: HttpRequest | None = None,
) -> list[Document]:
    """Store the sanitized files (`assister_portal.lib.uploads.sanitize_upload`) for one request, quarantined until
    the virus scan; the request goes to staff (submitted). More files for a request already sent are added to it. On
    behalf, the assister confirms the client gave them the document to send (`client_gave_it`, audited)."""
    on_behalf = _acting_for(verification.client, actor, association)
    if on_behalf and not client_gave_it:
        raise ValidationError(
            {"confirm": _("Tick the box to confirm the client gave you this document to send.")}, code="confirm"
        )
    if document_type not in ACCEPTED.get(verification.type, ()):
        raise ValidationError(
            {"document_type": _("Choose one of the documents listed for this request.")}, code="document_type"
        )
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")}, code="no_files")
    if len(files) > MAX_FILES:
        raise ValidationError(
            {"files": _("Send at most %(count)s files at a time.") % {"count": MAX_FILES}}, code="too_many"
        )
    with uploads_atomic():
        # The application's row, then the request's: the order staff's decisions and the sweep lock them in.
        Application.objects.select_for_update().filter(pk=verification.application_id).first()
        row = (
            VerificationRequest.objects.select_for_update(of=("self",))
            .select_related("client", "application")
            .get(pk=verification.pk)
        )
        if row.status not in UPLOADABLE_STATUSES:
            raise ValidationError(
                _("This request is %(status)s: it takes no more documents.")
                % {"status": row.get_status_display().lower()},
                code="closed",
            )
        if row.application.status == ApplicationStatus.WITHDRAWN:
            raise ValidationError(_("The application was withdrawn: no documents are needed."), code="withdrawn")
        if not row.takes_documents:  # open (checked above), so past its due date
            raise ValidationError(
                _(
                    "This request was due on %(due)s: documents can no longer be sent here. Call MNsure to ask for "
                    "more time or to send it another way."
                )
                % {"due": row.due_date.strftime("%m/%d/%Y")},
                code="past_due",
            )
        documents = [
            quarantined_file_store(
                instance=Document(
                    request=row,
                    document_type=document_type,
                    uploaded_by=actor,
                    on_behalf=on_behalf,
                    association=association if on_behalf else None,
                ),
                sanitized=sanitized,
            )
            for sanitized in files
        ]
        audit_record(
            action=Action.DOCUMENT_UPLOADED,
            actor=actor,
            request=request,
            target=row,
            client=row.client,
            details={
                "request": str(row.public_id),
                "type": row.type,
                "document_type": document_type,
                "files": len(documents),
                "association": str(association.public_id) if on_behalf else "",
                "client_gave_it": client_gave_it if on_behalf else None,
            },
        )
        if row.status != R.SUBMITTED:
            row = REQUEST_MACHINE.run(row, Move.SUBMIT, actor=actor, request=request)
        notices.document_received(row, documents, by=actor if on_behalf else None)
    return documents


def document_viewed(*, document: Document, actor: User, request: HttpRequest | None, what: str) -> None:
    """Audit a view or download of a document (staff's preview, the household's or an assister's download)."""
    audit_record(
        action=Action.DOCUMENT_VIEWED,
        actor=actor,
        request=request,
        target=document,
        client=document.request.client,
        details={"request": str(document.request.public_id), "document": str(document.public_id), "what": what},
    )


# --- Staff review ---------------------------------------------------------------------------------------------------

REVIEW = "verifications.change_verificationrequest"


def _require_reviewer(actor: User) -> None:
    """Staff with the "Document reviewers" duty decide (the admin checks it too; the service checks whoever calls)."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(REVIEW)):
        raise ValidationError(_("Only exchange staff who review documents decide on them."), code="who")


def _locked_for_decision(verification: VerificationRequest) -> VerificationRequest:
    """The application's row, then the request's (the order uploads and the sweep take them): two requests of one
    application accepted at once by two reviewers would otherwise each see the other still open, and neither would
    determine the application."""
    application = Application.objects.select_for_update().filter(pk=verification.application_id).first()
    if application is None or application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError(_("The application was withdrawn: this request is no longer needed."), code="withdrawn")
    return VerificationRequest.objects.select_for_update(of=("self",)).get(pk=verification.pk)


def _undecided(row: VerificationRequest, seen: set[str] | None) -> list[Document]:
    """The documents this decision is about: those not decided yet that can be looked at (scanned clean; a file still
    waiting for its scan, or infected, stays undecided). With `seen` (the ids the reviewer's page showed), a document
    that arrived meanwhile refuses the decision: the reviewer has not looked at it. Without (the shell, tests), the
    documents as they are now."""
    documents = [d for d in row.documents.filter(decision="").order_by("pk") if d.is_servable]
    if seen is not None and {str(d.public_id) for d in documents} != set(seen):
        raise ValidationError(
            _("Another document arrived while you were reviewing: look at the request again before you decide."),
            code="changed",
        )
    return documents


def _decide_documents(documents: list[Document], decision: str, at) -> None:
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(decision=decision, decided_at=at)


def verification_accept(
    *, verification: VerificationRequest, actor: User, seen: set[str] | None = None, request=None
) -> VerificationRequest:
    """The documents prove it: the inconsistency is resolved; when none is left open the application is determined
    again (and an enrollment's credit follows a determination that changed)."""
    _require_reviewer(actor)
    with transaction.atomic():
        row = _locked_for_decision(verification)
        documents = _undecided(row, seen)
        if not documents:
            raise ValidationError(
                _(
                    "No document of this request can be looked at yet (virus scan waiting, or a virus found): nothing to accept."
                ),
                code="nothing_to_accept",
            )
        row = REQUEST_MACHINE.run(row, Move.ACCEPT, actor=actor, request=request)
        _decide_documents(documents, Decision.ACCEPTED, row.decided_at)
        notices.verification_notice(notices.ACCEPTED, row)
        _settle(row.application, actor=actor, request=request)
    return row


def verification_reject(
    *,
    verification: VerificationRequest,
    reason: str,
    note: str,
    actor: User,
    seen: set[str] | None = None,
    request=None,
) -> VerificationRequest:
    """The documents do not prove it, for a reason the uploader reads; another document may be sent by the due date."""
    _require_reviewer(actor)
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("Choose why the document is not accepted.")}, code="reason")
    note = " ".join(note.split())[:500]
    if reason == RejectReason.OTHER and not note:
        raise ValidationError({"note": _("Say what is wrong: the household reads it.")}, code="note")
    with transaction.atomic():
        row = _locked_for_decision(verification)
        documents = _undecided(row, seen)
        row = REQUEST_MACHINE.run(
            row,
            Move.REJECT,
            actor=actor,
            reason=f"{reason}: {note}" if note else reason,
            request=request,
            reject_reason=reason,
            reject_note=note,
        )
        _decide_documents(documents, Decision.REJECTED, row.decided_at)
        notices.verification_notice(notices.REJECTED, row, refused=documents)
    return row


def verification_extend(
    *, verification: VerificationRequest, due_date: date, reason: str, actor: User, request=None
) -> VerificationRequest:
    """A good-faith extension (45 CFR 155.315(f)(3)): a later due date, with a reason the household reads; reminders
    start again."""
    _require_reviewer(actor)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationError({"reason": _("Say why the due date is extended.")}, code="reason")
    with transaction.atomic():
        row = _locked_for_decision(verification)
        if row.status not in OPEN_STATUSES:
            raise ValidationError(
                _("This request is %(status)s: its due date cannot change.")
                % {"status": row.get_status_display().lower()},
                code="closed",
            )
        latest = row.due_date + timedelta(days=settings.VERIFICATION_MAX_EXTENSION_DAYS)
        if not row.due_date < due_date <= latest:
            raise ValidationError(
                {
                    "due_date": _("Choose a date after %(due)s and no later than %(latest)s.")
                    % {"due": row.due_date.strftime("%m/%d/%Y"), "latest": latest.strftime("%m/%d/%Y")}
                },
                code="due_date",
            )
        before = row.due_date
        row.due_date, row.reminders_sent = due_date, []
        row.save(update_fields=["due_date", "reminders_sent"])
        _event(row, actor=actor, reason=reason)  # the same status: the history shows "due date changed", and why
        audit_record(
            action=Action.VERIFICATION_STATUS,
            actor=actor,
            request=request,
            target=row,
            client=row.client,
            details={"request": str(row.public_id), "extended_from": before.isoformat(), "to": due_date.isoformat()},
        )
        notices.verification_notice(notices.EXTENDED, row, reason=reason)
    return row


# --- Settling the application ------------------------------------------------------------------------------------


def _settle(application: Application, *, actor, request=None) -> None:
    """With nothing left open, determine the application again, with the sources' figures for what expired; an
    enrollment chosen meanwhile on the attestation has its credit follow the new determination."""
    if VerificationRequest.objects.filter(application=application, status__in=OPEN_STATUSES).exists():
        return
    expired = list(
        VerificationRequest.objects.filter(
            application=application, status=R.EXPIRED, revision_number__gte=_submitted_version(application)
        ).order_by("pk")
    )

    def update(data: dict) -> None:
        for row in expired:
            sources.substitute(data, member_key=row.member_key, source_value=row.source_value)

    settled = application_services.application_verified(
        application=application,
        update=update if expired else None,
        what="verification_expired",
        actor=actor,
        request=request,
    )
    if settled.status == ApplicationStatus.ENROLLED and expired:
        application_services.enrollment_follow_determination(application=settled, actor=actor, request=request)


def _submitted_version(application: Application) -> int:
    """The version the application was last submitted as (requests raised before it belong to an older submission)."""
    revision = application.revisions.filter(what="submitted").order_by("-number").values_list("number", flat=True)
    return revision.first() or 0


# --- The daily sweep -----------------------------------------------------------------------------------------------

# Expired only while the application is submitted: a draft (reopened) is matched again when it is submitted.
EXPIRES_WITH = (ApplicationStatus.PENDING_VERIFICATION, ApplicationStatus.DETERMINED, ApplicationStatus.ENROLLED)


def verification_expire_due(*, today: date | None = None) -> int:
    """Expire every request past its due date that waits for the household (one transaction per application: its
    determination changes). One application that fails is logged and left for the next day; the rest go on."""
    today = today or timezone.localdate()
    applications = (
        VerificationRequest.objects.filter(
            status__in=(R.OUTSTANDING, R.REJECTED), due_date__lt=today, application__status__in=EXPIRES_WITH
        )
        .values_list("application_id", flat=True)
        .distinct()
    )
    count = 0
    for application_id in list(applications):
        try:
            count += _expire_application(application_id, today)
        except Exception:  # one household's failure must not stop everyone else's reminders and expiries
            logger.exception("Verification expiry failed for application %s; tried again tomorrow", application_id)
    return count


def _expire_application(application_id: int, today: date) -> int:
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        if application.status not in EXPIRES_WITH:
            return 0
        rows = VerificationRequest.objects.select_for_update(of=("self",)).filter(
            application=application, status__in=(R.OUTSTANDING, R.REJECTED), due_date__lt=today
        )
        expired = [REQUEST_MACHINE.run(row, Move.EXPIRE, actor=None) for row in rows]
        if expired:
            notices.verifications_expired(application.client, expired)
            _settle(application, actor=None)
        return len(expired)


def requests_close_for(*, application: Application, actor, request=None) -> None:
    """The application was withdrawn (applications.hooks.application_withdrawn, its row locked): every open request
    is no longer needed, at once."""
    rows = VerificationRequest.objects.select_for_update(of=("self",)).filter(
        application=application, status__in=OPEN_STATUSES
    )
    for row in rows:
        REQUEST_MACHINE.run(row, Move.CANCEL, actor=actor, reason="The application was withdrawn.", request=request)


def verification_close_withdrawn() -> int:
    """Requests of applications withdrawn and still open (none, since withdrawal closes them: a safety net for rows
    older than that hook) are no longer needed."""
    rows = VerificationRequest.objects.filter(
        status__in=OPEN_STATUSES, application__status=ApplicationStatus.WITHDRAWN
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(rows):
        with transaction.atomic():
            row = VerificationRequest.objects.select_for_update().get(pk=pk)
            if row.status in OPEN_STATUSES:
                REQUEST_MACHINE.run(row, Move.CANCEL, actor=None, reason="The application was withdrawn.")
                count += 1
    return count


def verification_remind(*, today: date | None = None) -> int:
    """Remind the household and its assisters VERIFICATION_REMINDER_DAYS before a request is due, once each (a sweep
    that missed a day sends the nearest one it missed, once). A failure is logged and the rest go on."""
    today = today or timezone.localdate()
    days = settings.VERIFICATION_REMINDER_DAYS
    if not days:
        return 0
    horizon = today + timedelta(days=max(days))
    candidates = VerificationRequest.objects.filter(
        status__in=(R.OUTSTANDING, R.REJECTED),
        due_date__gte=today,
        due_date__lte=horizon,
        application__status__in=EXPIRES_WITH,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(candidates):
        try:
            sent += _remind(pk, today, days)
        except Exception:
            logger.exception("Verification reminder failed for request %s", pk)
    return sent


def _remind(pk: int, today: date, days: tuple[int, ...]) -> int:
    with transaction.atomic():
        row = (
            VerificationRequest.objects.select_for_update(of=("self",))
            .select_related("client", "application")
            .get(pk=pk)
        )
        left = (row.due_date - today).days
        due_now = [d for d in days if left <= d and d not in row.reminders_sent]
        if row.status not in (R.OUTSTANDING, R.REJECTED) or row.application.status not in EXPIRES_WITH or not due_now:
            return 0  # moved on since it was picked: answered, reopened to a draft, withdrawn
        row.reminders_sent = sorted({*row.reminders_sent, *due_now}, reverse=True)
        row.save(update_fields=["reminders_sent"])
        notices.reminder(row, days_left=left)
        return 1


def verification_daily_sweep(*, today: date | None = None) -> dict:
    return {
        "closed": verification_close_withdrawn(),
        "expired": verification_expire_due(today=today),
        "reminded": verification_remind(today=today),
    }


# --- The sample data source --------------------------------------------------------------------------------------


def reference_record_set(*, first_name: str, last_name: str, date_of_birth: date, **facts) -> ReferenceRecord:
    """Put what the (sample) data sources know about one person: seed_demo and the tests fill the table this way."""
    record, _created = ReferenceRecord.objects.update_or_create(
        match_key=search_key(f"{first_name} {last_name}"),
        date_of_birth=date_of_birth,
        defaults={"first_name": first_name, "last_name": last_name, **facts},
    )
    return record
