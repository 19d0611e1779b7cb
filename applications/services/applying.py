"""Every write to an application (CONVENTIONS: services): start, save a step, ask the consumer to confirm,
record the review, submit (which runs the determination), change a determined application, withdraw.

Each takes the `actor` and, when the actor is not the client, the `association` relied on (from
`associations.permissions.access_client`); each save that changes an answer writes a revision; each status
change is an event through the shared state machine; everything done for a client is audited (so it shows in
their "Who viewed my information") and what they must know becomes a notice in the same transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assister_portal.lib.state_machine import StateMachine, Step, Transition, TransitionNotAllowed
from associations.models import Association
from audit.models import Action
from audit.services import audit_record
from clients.models import Client, search_key
from core.geo import locate_zip
from core.models import County
from plans import selectors as plan_selectors

from .. import answers, eligibility, hooks, notices
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationReview,
    ApplicationRevision,
    ApplicationStatus,
    Determination,
    Renewal,
    RenewalStatus,
    ReviewMethod,
    ReviewStatus,
)
from ..periods import coverage_start

__all__ = [
    "APPLICATION_MACHINE",
    "ATTESTATIONS",
    "ChangedElsewhere",
    "Move",
    "application_answer_review",
    "application_apply_change",
    "application_change",
    "application_record_review",
    "application_request_review",
    "application_save",
    "application_start",
    "application_submit",
    "application_verified",
    "application_withdraw",
    "confirmed_review",
    "renewal_confirm",
    "signer_name",
]

S = ApplicationStatus


class Move:
    """The transitions' names; the label is the verb of a refusal ("Cannot submit an application that is …")."""

    SUBMIT = "submit"
    AWAIT_DOCUMENTS = "await_documents"
    DETERMINE = "determine"
    CHANGE = "change"
    WITHDRAW = "withdraw"
    ENROLL = "enroll"
    UNENROLL = "unenroll"


def _audit_status(step: Step) -> None:
    application = step.instance
    audit_record(
        action=Action.APPLICATION_STATUS,
        actor=step.actor,
        request=step.request,
        target=application,
        client=application.client,
        details={"from": step.source, "to": step.target, "reason": step.reason, "year": application.coverage_year},
    )


def _stamp(step: Step) -> None:
    step.instance.status_changed_at = step.at
    step.fields.append("status_changed_at")
    if step.target == S.SUBMITTED:
        step.instance.submitted_at = step.at
        step.fields.append("submitted_at")


APPLICATION_MACHINE = StateMachine(
    model=Application,
    events=(ApplicationEvent, "application"),
    transitions=[
        Transition(Move.SUBMIT, {S.DRAFT}, S.SUBMITTED, who="household", apply=_stamp),
        Transition(Move.AWAIT_DOCUMENTS, {S.SUBMITTED}, S.PENDING_VERIFICATION, who="system", apply=_stamp),
        Transition(Move.DETERMINE, {S.SUBMITTED, S.PENDING_VERIFICATION}, S.DETERMINED, who="system", apply=_stamp),
        Transition(Move.CHANGE, {S.PENDING_VERIFICATION, S.DETERMINED}, S.DRAFT, who="household", apply=_stamp),
        Transition(
            Move.WITHDRAW,
            {S.DRAFT, S.SUBMITTED, S.PENDING_VERIFICATION, S.DETERMINED},
            S.WITHDRAWN,
            who="household",
            apply=_stamp,
        ),
        # While documents are awaited the determination on the attestation stands: a plan may be chosen (45 CFR
        # 155.315(f)(4)); the requests go on, and their outcome follows the enrollment (`application_verified`).
        Transition(Move.ENROLL, {S.DETERMINED, S.PENDING_VERIFICATION}, S.ENROLLED, who="household", apply=_stamp),
        # Coverage ended (`services.enrolling.enrollment_terminate`): the determination stands, a plan may be
        # chosen again in an enrollment period.
        Transition(Move.UNENROLL, {S.ENROLLED}, S.DETERMINED, who="household", apply=_stamp),
    ],
    audit=_audit_status,
    refusal="This application is %(status)s, so it cannot be changed that way (%(action)s).",
    reason_message="Say why.",
)


def _on_behalf(application: Application, actor: User | None) -> bool:
    return actor is None or application.client.user_id != actor.pk


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("client").get(pk=application.pk)


def _revision(
    application: Application, *, what: str, actor, association: Association | None, at
) -> ApplicationRevision:
    return ApplicationRevision.objects.create(
        application=application,
        number=application.version,
        data=application.data,
        status=application.status,
        what=what,
        actor=actor,
        on_behalf=_on_behalf(application, actor),
        association=association,
        at=at,
    )


def _audit(action: Action, application: Application, *, actor, request, association, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=application,
        client=application.client,
        details={
            "year": application.coverage_year,
            "application": str(application.public_id),
            "association": str(association.public_id) if association else "",
            **details,
        },
    )


def _supersede_pending_reviews(application: Application) -> None:
    """A request to confirm is about one version: once the application moves on, it can no longer be answered."""
    application.reviews.filter(status=ReviewStatus.PENDING).update(
        status=ReviewStatus.SUPERSEDED, answered_at=timezone.now()
    )


def _require_version(application: Application, version: int, message: str) -> None:
    if application.version != version:
        raise ChangedElsewhere(message, code="changed_elsewhere")


def _place(data: dict) -> tuple[County | None, object]:
    fips = data["address"].get("county_fips") or ""
    county = County.objects.filter(fips=fips).first() if fips else None
    area = plan_selectors.rating_area_for_county(county.pk) if county else None
    return county, area


# --- Start and save ---------------------------------------------------------------------------------------


def application_start(
    *,
    client: Client,
    coverage_year: int,
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """A new draft for the client and year, with the client as its first member and their address."""
    if coverage_year not in settings.APPLICATION_COVERAGE_YEARS:
        raise ValidationError(_("Applications are open for %(years)s only.") % {"years": _years()}, code="year")
    data = answers.empty()
    data["members"].append(
        answers.new_member(
            first_name=client.first_name,
            last_name=client.last_name,
            date_of_birth=client.date_of_birth.isoformat(),
            relationship=answers.Relationship.SELF,
        )
    )
    place = locate_zip(client.zip_code) if client.zip_code else None
    data["address"].update(
        street=client.street, city=client.city, zip_code=client.zip_code, county_fips=place.county_fips if place else ""
    )
    try:
        with transaction.atomic():
            Client.objects.select_for_update().filter(pk=client.pk).first()
            application = _create(
                client=client,
                coverage_year=coverage_year,
                data=data,
                what="started",
                actor=actor,
                association=association,
                request=request,
            )
            if _on_behalf(application, actor):
                notices.application_notice(notices.STARTED, application, actor=actor, association=association)
    except IntegrityError:
        raise ValidationError(
            _("There is already a %(year)s application for this client: continue that one.") % {"year": coverage_year},
            code="exists",
        ) from None
    return application


def _create(
    *,
    client: Client,
    coverage_year: int,
    data: dict,
    what: str,
    actor: User | None,
    association: Association | None,
    request: HttpRequest | None,
    **details,
) -> Application:
    """A new draft with its first revision (`what`) and audit row, in the caller's transaction, the client's row locked
    by the caller: `application_start`, and a renewal prepared by the portal (`actor` None)."""
    now = timezone.now()
    application = Application(client=client, coverage_year=coverage_year, data=data, created_by=actor)
    application.county, application.rating_area = _place(data)
    application.created_at = application.updated_at = application.status_changed_at = now
    application.full_clean(exclude=["client", "created_by", "county", "rating_area", "determination"])
    application.save(force_insert=True)
    _revision(application, what=what, actor=actor, association=association, at=now)
    _audit(Action.APPLICATION_STARTED, application, actor=actor, request=request, association=association, **details)
    return application


def _years() -> str:
    return ", ".join(str(year) for year in settings.APPLICATION_COVERAGE_YEARS)


class ChangedElsewhere(ValidationError):
    """The application was saved by someone else (another tab, the assister, the consumer) after this page
    was opened; nothing was saved."""


def application_save(
    *,
    application: Application,
    version: int,
    what: str,
    update: Callable[[dict], None],
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """Apply `update` (which changes the document in place) to the draft saved at `version`; a revision when
    anything changed. A stale `version` raises ChangedElsewhere and changes nothing."""
    with transaction.atomic():
        row = _lock(application)
        if row.status != S.DRAFT:
            raise ValidationError(
                _("This application is %(status)s: its answers can no longer be changed here.")
                % {"status": row.get_status_display().lower()},
                code="not_draft",
            )
        if row.version != version:
            last = row.revisions.select_related("actor").first()
            who = (last.actor.get_full_name() or last.actor.email) if last and last.actor_id else _("someone")
            raise ChangedElsewhere(
                _(
                    "This application was changed by %(who)s at %(time)s, after you opened this page, so your "
                    "answers were not saved. Check the page as it is now, then save your answers again."
                )
                % {"who": who, "time": timezone.localtime(last.at).strftime("%-I:%M %p") if last else "—"},
                code="changed_elsewhere",
            )
        data = copy.deepcopy(row.data)
        update(data)
        if data == row.data:
            return row
        now = timezone.now()
        row.data, row.version, row.updated_at = data, row.version + 1, now
        row.county, row.rating_area = _place(data)
        row.save(update_fields=["data", "version", "updated_at", "county", "rating_area"])
        _revision(row, what=what, actor=actor, association=association, at=now)
        _supersede_pending_reviews(row)
        _audit(Action.APPLICATION_SAVED, row, actor=actor, request=request, association=association, step=what)
    return row


# --- Review and confirmation (45 CFR 155.220(j)(2)(ii)) ---------------------------------------------------


def _require_assister(application: Application, actor: User, association: Association | None) -> Association:
    if association is None or not _on_behalf(application, actor):
        raise ValidationError(_("Only an assister acting for the client does this."), code="not_assister")
    return association


def _require_complete(application: Application) -> None:
    found = answers.problems(application.data, coverage_start=coverage_start(application.coverage_year))
    if found:
        raise ValidationError(found, code="incomplete")


def application_request_review(
    *, application: Application, actor: User, association: Association | None, request: HttpRequest | None = None
) -> ApplicationReview:
    """Ask the consumer to review the application in their account and confirm it (a notice tells them)."""
    association = _require_assister(application, actor, association)
    with transaction.atomic():
        row = _lock(application)
        if row.status != S.DRAFT:
            raise ValidationError(_("Only a draft is sent to the consumer to confirm."), code="not_draft")
        _require_complete(row)
        _supersede_pending_reviews(row)
        review = ApplicationReview.objects.create(
            application=row,
            revision_number=row.version,
            method=ReviewMethod.IN_ACCOUNT,
            status=ReviewStatus.PENDING,
            assister_user=actor,
            association=association,
            consumer_name=row.client.full_name,
        )
        _audit(
            Action.APPLICATION_REVIEW, row, actor=actor, request=request, association=association, review="requested"
        )
        notices.application_notice(notices.REVIEW_REQUESTED, row, actor=actor, association=association)
    return review


def application_answer_review(
    *, review: ApplicationReview, confirmed: bool, actor: User, request: HttpRequest | None = None
) -> ApplicationReview:
    """The consumer confirms the application as it stands, or asks for changes. A review whose application
    changed since it was asked for cannot be answered (the consumer would confirm something they did not see)."""
    with transaction.atomic():
        review = ApplicationReview.objects.select_for_update().select_related("application__client").get(pk=review.pk)
        application = review.application
        if application.client.user_id != actor.pk:
            raise ValidationError(_("Only the consumer answers a request to confirm their application."), code="who")
        if review.status != ReviewStatus.PENDING or application.version != review.revision_number:
            raise ValidationError(
                _("This request to confirm was replaced by a later change: open the application again."),
                code="stale",
            )
        review.status = ReviewStatus.CONFIRMED if confirmed else ReviewStatus.DECLINED
        review.answered_at, review.answered_by = timezone.now(), actor
        review.reviewed_on = timezone.localdate()
        review.save(update_fields=["status", "answered_at", "answered_by", "reviewed_on"])
        audit_record(
            action=Action.APPLICATION_REVIEW,
            actor=actor,
            request=request,
            target=application,
            client=application.client,
            details={"review": review.status, "revision": review.revision_number},
        )
    return review


def application_record_review(
    *,
    application: Application,
    version: int,
    method: str,
    reviewed_on: date,
    attestations_explained: bool,
    note: str,
    actor: User,
    association: Association | None,
    request: HttpRequest | None = None,
) -> ApplicationReview:
    """The assister records that the consumer reviewed and confirmed the application with them."""
    association = _require_assister(application, actor, association)
    if method not in {ReviewMethod.IN_PERSON, ReviewMethod.PHONE, ReviewMethod.VIDEO}:
        raise ValidationError({"method": _("Say how you reviewed it with the consumer.")})
    if not attestations_explained:
        raise ValidationError({"attestations_explained": _("Explain the attestations to the consumer first.")})
    today = timezone.localdate()
    if reviewed_on > today or reviewed_on < today - timedelta(days=366):
        raise ValidationError({"reviewed_on": _("Give the date of the review: today or within the last year.")})
    with transaction.atomic():
        row = _lock(application)
        _require_version(
            row, version, _("The application changed after you opened this page: review it with the consumer again.")
        )
        if row.status != S.DRAFT:
            raise ValidationError(_("Only a draft is reviewed before it is submitted."), code="not_draft")
        _require_complete(row)
        last_change = timezone.localtime(row.revisions.order_by("-number").values_list("at", flat=True).first())
        if reviewed_on < last_change.date():
            raise ValidationError(
                {
                    "reviewed_on": _(
                        "The answers last changed on %(date)s: the consumer must review them as they are now, so "
                        "the review cannot be before that day."
                    )
                    % {"date": last_change.strftime("%m/%d/%Y")}
                }
            )
        _supersede_pending_reviews(row)
        review = ApplicationReview.objects.create(
            application=row,
            revision_number=row.version,
            method=method,
            status=ReviewStatus.CONFIRMED,
            assister_user=actor,
            association=association,
            consumer_name=row.client.full_name,
            reviewed_on=reviewed_on,
            attestations_explained=True,
            note=note.strip()[:2000],
            answered_at=timezone.now(),
        )
        _audit(Action.APPLICATION_REVIEW, row, actor=actor, request=request, association=association, review="recorded")
    return review


def confirmed_review(application: Application) -> ApplicationReview | None:
    """The consumer's confirmation of the application as it stands now, if there is one."""
    return (
        application.reviews.filter(status=ReviewStatus.CONFIRMED, revision_number=application.version)
        .order_by("-answered_at")
        .first()
    )


# --- Submit and determine ---------------------------------------------------------------------------------

ATTESTATIONS = ("accurate", "penalties", "verify", "report_changes")


def application_submit(
    *,
    application: Application,
    version: int,
    attestations: dict,
    signed_name: str,
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """Submit the draft and determine eligibility. The consumer signs with their name; an assister may submit
    only what the consumer confirmed (in their account, or in a review the assister recorded)."""
    on_behalf = _on_behalf(application, actor)
    if on_behalf and association is None:
        raise ValidationError(_("Only the client or their assister submits this application."), code="who")
    if not all(attestations.get(name) for name in ATTESTATIONS):
        raise ValidationError(_("Agree to each statement before you submit."), code="attestations")
    with transaction.atomic():
        row = _lock(application)
        _require_version(
            row,
            version,
            _("The application changed after you opened this page: check your answers again, then submit."),
        )
        if row.status != S.DRAFT:
            raise TransitionNotAllowed(_("This application was already submitted."), code="not_draft")
        _require_complete(row)
        expected = signer_name(row, actor)
        if search_key(" ".join(signed_name.split())) != search_key(" ".join(expected.split())):
            raise ValidationError({"signed_name": _("Type your full name as “%(name)s” to sign.") % {"name": expected}})
        review = confirmed_review(row) if on_behalf else None
        if on_behalf and review is None:
            raise ValidationError(
                _(
                    "The consumer has not confirmed this application as it is now. Ask them to confirm it in their "
                    "account, or record that you reviewed it with them."
                ),
                code="not_confirmed",
            )
        signature = {
            **dict.fromkeys(ATTESTATIONS, True),
            "signed_name": " ".join(signed_name.split()),
            "signed_at": timezone.now().isoformat(),
            "signed_by": "assister" if on_behalf else "consumer",
            "review": str(review.public_id) if review else "",
        }
        row = _submit(row, attestations=signature, actor=actor, association=association, request=request)
        renewal_confirm(application=row, actor=actor, association=association, request=request)
    return row


def _submit(
    row: Application,
    *,
    attestations: dict,
    actor: User | None,
    association: Association | None,
    request: HttpRequest | None,
    start: date | None = None,
    screening_date: date | None = None,
) -> Application:
    """Submit a locked, complete draft signed with `attestations`, and determine it: the data sources are matched
    (the hook), the application waits for documents or is determined, and the determination's notice is written.
    `start` and `screening_date` default to `coverage_start(year)` and today (`_eligibility`). The callers check who
    may submit: `application_submit`, and a renewal the portal submits for the household (`actor` None)."""
    now = timezone.now()
    for member in row.data.get("members", []):
        # What expired unproved at an earlier submission is attested again now, and matched again (issue 14).
        member.pop("unverified", None)
    row.data = {**row.data, "attestations": attestations}
    row.version += 1
    row.save(update_fields=["data", "version"])
    row = APPLICATION_MACHINE.run(row, Move.SUBMIT, actor=actor, request=request)
    _supersede_pending_reviews(row)
    _revision(row, what="submitted", actor=actor, association=association, at=now)
    determination = _determine(
        row, actor=actor, association=association, request=request, start=start, screening_date=screening_date
    )
    open_requests = sum(
        hooks.application_submitted.send(application=row, determination=determination, actor=actor, request=request)
    )
    move = Move.AWAIT_DOCUMENTS if open_requests else Move.DETERMINE
    row = APPLICATION_MACHINE.run(row, move, actor=actor, request=request)
    catalog = plan_selectors.catalog(year=row.coverage_year)
    notices.determination_notice(row, determination, sample_catalog=bool(catalog and catalog.is_sample))
    return row


def signer_name(application: Application, actor: User) -> str:
    """Who signs: the client themself, or the assister submitting for them (their name, else their email)."""
    if not _on_behalf(application, actor):
        return application.client.full_name
    return actor.get_full_name() or actor.email


def _benchmark(application: Application) -> Callable[[tuple[int, ...]], Decimal | None]:
    def benchmark(ages: tuple[int, ...]) -> Decimal | None:
        if application.rating_area_id is None or not ages:
            return None
        found = plan_selectors.benchmark(
            year=application.coverage_year, rating_area_id=application.rating_area_id, ages=ages
        )
        return found.premium if found else None

    return benchmark


def _eligibility(
    application: Application, *, start: date | None = None, screening_date: date | None = None
) -> eligibility.Determination:
    """The rules of the application's coverage year applied to its answers (which `answers.problems` must accept), with
    the benchmark of its year and rating area: ages as of `start` (default: `coverage_start` of the year), public
    programs screened on `screening_date` (default today). What a submission stores, and a renewal's projection."""
    start = start or coverage_start(application.coverage_year)
    return eligibility.determine(
        answers.facts(application.data, coverage_year=application.coverage_year, coverage_start=start),
        screening_date=screening_date or timezone.localdate(),
        benchmark=_benchmark(application),
    )


def _determine(
    application: Application,
    *,
    actor,
    association,
    request,
    start: date | None = None,
    screening_date: date | None = None,
) -> Determination:
    result = _eligibility(application, start=start, screening_date=screening_date)
    determination = Determination.objects.create(
        application=application,
        revision_number=application.version,
        data=result.to_dict(),
        max_monthly_credit=result.max_monthly_credit,
        programs=",".join(sorted({str(m.program) for m in result.members if m.program != "not_applying"})),
    )
    application.determination = determination
    application.save(update_fields=["determination"])
    return determination


# --- Change and withdraw ----------------------------------------------------------------------------------


def application_change(
    *, application: Application, version: int, actor: User, association: Association | None = None, request=None
) -> Application:
    """Open a submitted application for changes: back to a draft (its determination stands until the next
    submission, which makes a new one)."""
    with transaction.atomic():
        _require_version(
            _lock(application),
            version,
            _("The application changed after you opened this page: look at it again before you change or withdraw it."),
        )
        row = APPLICATION_MACHINE.run(application, Move.CHANGE, actor=actor, request=request)
        row.version += 1
        row.save(update_fields=["version"])
        _revision(row, what="reopened", actor=actor, association=association, at=timezone.now())
    return row


def application_withdraw(
    *,
    application: Application,
    version: int,
    actor: User,
    association: Association | None = None,
    reason: str = "",
    request=None,
) -> Application:
    """Withdraw (rescind) the application; a new one may be started for the same year afterwards."""
    with transaction.atomic():
        _require_version(
            _lock(application),
            version,
            _("The application changed after you opened this page: look at it again before you change or withdraw it."),
        )
        row = APPLICATION_MACHINE.run(application, Move.WITHDRAW, actor=actor, reason=reason, request=request)
        row.version += 1
        row.save(update_fields=["version"])
        _revision(row, what="withdrawn", actor=actor, association=association, at=timezone.now())
        _supersede_pending_reviews(row)
        _renewal_withdrawn(row, actor=actor, association=association, request=request)
        hooks.application_withdrawn.send(application=row, actor=actor, request=request)
        notices.application_notice(notices.WITHDRAWN, row, actor=actor, association=association)
    return row


# --- A reported change, processed (issue 15) --------------------------------------------------------------------


def application_apply_change(
    *,
    application: Application,
    what: str,
    update: Callable[[dict], None],
    actor: User,
    request: HttpRequest | None = None,
) -> Application:
    """Apply a change in circumstance that exchange staff processed: the answers updated as a new revision (who acted:
    the staff member, for the client). A draft stays a draft for the household to submit; a submitted application is
    determined again from the new answers (a new determination, and its notice: a decision). Answers the rules cannot
    work with are refused with what is missing, and nothing changes."""
    with transaction.atomic():
        row = _lock(application)
        if row.status == S.WITHDRAWN:
            raise ValidationError(
                _("This application was withdrawn: there is no application to apply the change to."), code="withdrawn"
            )
        data = copy.deepcopy(row.data)
        update(data)
        if row.status != S.DRAFT:
            found = answers.problems(data, coverage_start=coverage_start(row.coverage_year))
            if found:
                raise ValidationError(found, code="incomplete")
        now = timezone.now()
        row.data, row.version, row.updated_at = data, row.version + 1, now
        row.county, row.rating_area = _place(data)
        row.save(update_fields=["data", "version", "updated_at", "county", "rating_area"])
        _revision(row, what=what, actor=actor, association=None, at=now)
        _supersede_pending_reviews(row)
        _audit(Action.APPLICATION_SAVED, row, actor=actor, request=request, association=None, step=what)
        if row.status != S.DRAFT:
            determination = _determine(row, actor=actor, association=None, request=request)
            # The new answers are matched against the data sources again (issue 14): a change may resolve a request
            # (closed) or raise one; an application waiting for documents with none left open is determined.
            open_requests = sum(
                hooks.application_submitted.send(
                    application=row, determination=determination, actor=actor, request=request
                )
            )
            if row.status == S.PENDING_VERIFICATION and not open_requests:
                row = APPLICATION_MACHINE.run(row, Move.DETERMINE, actor=actor, request=request)
            catalog = plan_selectors.catalog(year=row.coverage_year)
            notices.determination_notice(row, determination, sample_catalog=bool(catalog and catalog.is_sample))
    return row


# --- Verification settled (issue 14) --------------------------------------------------------------------------


def application_verified(
    *,
    application: Application,
    update: Callable[[dict], None] | None,
    what: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> Application:
    """Nothing is left to prove (every verification request was accepted, expired or is no longer needed).

    An application waiting for documents is determined again and leaves `pending_verification`, with the
    determination's notice. `update` puts in what the data sources said where no document was accepted by the due date
    (a new revision, `what`); then an application already determined or enrolled on the attestation (a plan may be
    chosen while documents are awaited) is determined again too — the caller lets the enrollment's credit follow. A
    draft (reopened: it is matched again when submitted) or a withdrawn application is left as it is. Called in the
    verifications app's transaction."""
    with transaction.atomic():
        row = _lock(application)
        waiting = row.status == S.PENDING_VERIFICATION
        if not waiting and (update is None or row.status not in (S.DETERMINED, S.ENROLLED)):
            return row
        now = timezone.now()
        if update is not None:
            data = copy.deepcopy(row.data)
            update(data)
            row.data, row.version, row.updated_at = data, row.version + 1, now
            row.save(update_fields=["data", "version", "updated_at"])
            _revision(row, what=what, actor=actor, association=None, at=now)
        determination = _determine(row, actor=actor, association=None, request=request)
        if waiting:
            row = APPLICATION_MACHINE.run(row, Move.DETERMINE, actor=actor, request=request)
        catalog = plan_selectors.catalog(year=row.coverage_year)
        notices.determination_notice(row, determination, sample_catalog=bool(catalog and catalog.is_sample))
    return row


# --- A renewal confirmed or withdrawn by the household (issue 17; the rest is services.renewing) ---------------------


def _renewal_audit(renewal: Renewal, application: Application, *, actor, association, request, status: str) -> None:
    _audit(
        Action.CLIENT_ACTION,
        application,
        actor=actor,
        request=request,
        association=association,
        renewal=status,
        renewed_from=str(renewal.previous.public_id),
    )


def renewal_confirm(
    *,
    application: Application,
    actor: User | None,
    association: Association | None = None,
    request: HttpRequest | None = None,
) -> Renewal | None:
    """The household, or its assister, submitted a renewal's draft (`application_submit`, in its transaction): the
    renewal is `confirmed`, and the portal will not renew it on its own. None when the application is no renewal
    waiting for the household."""
    renewal = (
        Renewal.objects.select_for_update(of=("self",))
        .select_related("previous")
        .filter(application=application, status=RenewalStatus.PREPARED)
        .first()
    )
    if renewal is None:
        return None
    renewal.status, renewal.confirmed_at = RenewalStatus.CONFIRMED, timezone.now()
    renewal.save(update_fields=["status", "confirmed_at"])
    _renewal_audit(renewal, application, actor=actor, association=association, request=request, status=renewal.status)
    return renewal


def _renewal_withdrawn(application: Application, *, actor, association, request) -> None:
    """A renewal's draft withdrawn: the household does not renew (the notice of withdrawal tells them)."""
    renewal = (
        Renewal.objects.select_for_update(of=("self",))
        .select_related("previous")
        .filter(application=application, status__in=(RenewalStatus.PREPARED, RenewalStatus.CONFIRMED))
        .first()
    )
    if renewal is None:
        return
    renewal.status, renewal.end_reason = RenewalStatus.ENDED, "withdrawn"
    renewal.save(update_fields=["status", "end_reason"])
    _renewal_audit(renewal, application, actor=actor, association=association, request=request, status="withdrawn")
