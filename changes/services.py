"""Every write to a change report (CONVENTIONS: services): report it, staff review it, ask a question, answer it,
process it (which applies it to the client's current application through the applications service and
redetermines), and the special enrollment periods processed reports open (the applications hook).

Each step is audited against the client (their "Who viewed my information") and told to them by a notice in the
same transaction; status runs through `REPORT_MACHINE`, each step an event row.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.core import ObjectPermissionChecker

from accounts.models import User
from applications import selectors as application_selectors
from applications import services as application_services
from applications.models import Application
from applications.periods import SpecialEnrollment
from assister_portal.lib.state_machine import StateMachine, Step, Transition
from associations.models import Association, AssociationStatus
from audit.models import Action
from audit.services import audit_record
from clients.models import Client
from core.geo import locate_zip
from plans import selectors as plan_selectors

from . import kinds, notices
from .kinds import Event
from .models import ChangeReport, ChangeReportEvent, ReportStatus
from .permissions import REPORT

R = ReportStatus


class Move:
    REVIEW = "review"
    ASK = "ask"
    ANSWER = "answer"
    PROCESS = "process"
    CLOSE = "close"


def _audit_status(step: Step) -> None:
    report = step.instance
    association = step.options.get("association")
    audit_record(
        action=Action.CHANGE_STATUS,
        actor=step.actor,
        request=step.request,
        target=report,
        client=report.client,
        details={
            "report": str(report.public_id),
            "from": step.source,
            "to": step.target,
            "event": report.event,
            "association": str(association.public_id) if association else "",
        },
    )


def _require_acting_for(client: Client, actor: User, association: Association | None) -> bool:
    """True when `actor` acts for the client: then only through an active association of this client under which
    they hold `report_change_for_client` now (the guardian rows, which follow the associations). The views reach
    clients through `access_client`; the service checks again whoever calls it."""
    if client.user_id == actor.pk:
        return False
    if (
        association is None
        or association.client_id != client.pk
        or association.status != AssociationStatus.ACTIVE
        or not association.can_report_change
        or not ObjectPermissionChecker(actor).has_perm(REPORT, client)
    ):
        raise ValidationError(_("Only the client or their assister reports a change for them."), code="who")
    return True


REPORT_MACHINE = StateMachine(
    model=ChangeReport,
    events=(ChangeReportEvent, "report"),
    transitions=[
        Transition(Move.REVIEW, {R.SUBMITTED}, R.IN_REVIEW, who="staff"),
        Transition(Move.ASK, {R.SUBMITTED, R.IN_REVIEW}, R.NEEDS_INFO, who="staff", needs_reason=True),
        Transition(Move.ANSWER, {R.NEEDS_INFO}, R.SUBMITTED, who="household", needs_reason=True),
        Transition(Move.PROCESS, {R.SUBMITTED, R.IN_REVIEW}, R.PROCESSED, who="staff"),
        Transition(Move.CLOSE, {R.SUBMITTED, R.IN_REVIEW, R.NEEDS_INFO}, R.PROCESSED, who="staff", needs_reason=True),
    ],
    audit=_audit_status,
    refusal=gettext_lazy("This report has moved on since this page was opened: look at it again."),
    reason_message=gettext_lazy("Write the question or the answer."),
)


def _members(application: Application | None) -> dict[str, dict]:
    return {m["key"]: m for m in application.data.get("members", [])} if application else {}


def _check(event: str, effective: date, details: dict, client: Client, application: Application | None) -> None:
    """What cannot be true of a change; a specific message per field and nothing recorded."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if effective > today + timedelta(days=settings.CHANGE_REPORT_AHEAD_DAYS):
        errors["effective_date"] = _(
            "That is too far ahead: report a change when it is %(days)s days away or less."
        ) % {"days": settings.CHANGE_REPORT_AHEAD_DAYS}
    if event == Event.BIRTH and effective > today:
        errors["effective_date"] = _("A birth is reported once the baby is born: give the day they were born.")
    members = _members(application)
    member = members.get(details.get("member", ""))
    born = date.fromisoformat(member["date_of_birth"]) if member and member.get("date_of_birth") else None
    if born and effective < born:
        errors["effective_date"] = _("That is before %(name)s was born: check the date.") % {
            "name": member["first_name"]
        }
    elif effective < client.date_of_birth:
        errors["effective_date"] = _("That is before %(name)s was born: check the date.") % {"name": client.first_name}
    if "member" in kinds.FIELDS[event]:
        if application is None:
            errors["member"] = _(
                "There is no application with your household on it yet: report this as “Something else”."
            )
        elif member is None:
            errors["member"] = _("Choose someone from the household on your application.")
    if event in kinds.LEAVES and member is not None:
        if member.get("relationship") == "self":
            errors["member"] = _(
                "The person applying cannot leave their own application: report it as “Something else” and MNsure "
                "will contact you."
            )
        elif len(members) <= 1:
            errors["member"] = _("That would leave no one on the application.")
    if errors:
        raise ValidationError(errors)


def _sep(event: str, effective: date, details: dict, application: Application | None) -> tuple[date, date] | None:
    moved_to_new_area = False
    if event == Event.MOVED and application is not None and details.get("county_fips"):
        from_area = application.rating_area_id
        to_area = plan_selectors.rating_area_for_county_fips(details["county_fips"])
        moved_to_new_area = to_area is not None and to_area.pk != from_area
    if not kinds.opens_special_enrollment(event, moved_to_new_area=moved_to_new_area, details=details):
        return None
    return kinds.special_enrollment_window(effective)


def change_report_submit(
    *,
    client: Client,
    event: str,
    effective_date: date,
    details: dict,
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
) -> ChangeReport:
    """Record what the household reports (the consumer, or someone with `report_change_for_client` relying on
    `association`). The report names the window of a special enrollment period it opens, if any."""
    on_behalf = _require_acting_for(client, actor, association)
    if event not in kinds.FIELDS:
        raise ValidationError({"event": _("Choose what changed.")})
    details = {**{name: details.get(name, "") for name in kinds.FIELDS[event]}, "note": details.get("note", "")}
    if event == Event.BIRTH:
        details["date_of_birth"] = effective_date.isoformat()  # the day of the event is the day of birth
    found = kinds.problems(event, details)
    if found:
        raise ValidationError(found)
    outside = False
    if event == Event.MOVED:
        place = locate_zip(details["zip_code"])
        outside = place is None
        details["county_fips"] = place.county_fips if place else ""
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        application = application_selectors.current_application(client)
        _check(event, effective_date, details, client, application)
        window = _sep(event, effective_date, details, application)
        now = timezone.now()
        report = ChangeReport(
            client=client,
            application=application,
            kind=kinds.kind_of(event),
            event=event,
            effective_date=effective_date,
            details=details,
            submitted_at=now,
            submitted_by=actor,
            on_behalf=on_behalf,
            association=association,
            reported_late=kinds.reported_late(effective_date, timezone.localdate()),
            outside_minnesota=outside,
            sep_opens=window[0] if window else None,
            sep_closes=window[1] if window else None,
        )
        report.full_clean(exclude=["client", "application", "submitted_by", "association"])
        report.save(force_insert=True)
        audit_record(
            action=Action.CHANGE_REPORTED,
            actor=actor,
            request=request,
            target=report,
            client=client,
            details={
                "report": str(report.public_id),
                "event": event,
                "effective": effective_date.isoformat(),
                "association": str(association.public_id) if association else "",
            },
        )
        notices.report_notice(notices.RECEIVED, report)
    return report


def _require_staff(actor: User) -> None:
    if not (actor.is_staff and actor.has_perm("changes.change_changereport")):
        raise ValidationError(_("Only exchange staff with the change reviewers' duty do this."), code="who")


def change_report_review(*, report: ChangeReport, actor: User, request: HttpRequest | None = None) -> ChangeReport:
    """Staff take a report in hand (so others see it is being worked on)."""
    _require_staff(actor)
    with transaction.atomic():
        report = REPORT_MACHINE.run(report, Move.REVIEW, actor=actor, request=request)
        notices.report_notice(notices.IN_REVIEW, report)
    return report


def change_report_ask(
    *, report: ChangeReport, question: str, actor: User, request: HttpRequest | None = None
) -> ChangeReport:
    """Staff ask the household a question; the report waits for the answer (the submitter sees it in the portal)."""
    _require_staff(actor)
    question = question.strip()[:2000]
    with transaction.atomic():
        report = REPORT_MACHINE.run(report, Move.ASK, actor=actor, reason=question, request=request)
        report.question, report.answer = question, ""
        report.save(update_fields=["question", "answer"])
        notices.report_notice(notices.QUESTION, report)
    return report


def change_report_answer(
    *,
    report: ChangeReport,
    answer: str,
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
) -> ChangeReport:
    """The household (or their assister) answers staff's question; the report goes back to MNsure."""
    _require_acting_for(report.client, actor, association)
    answer = answer.strip()[:4000]
    with transaction.atomic():
        report = REPORT_MACHINE.run(
            report, Move.ANSWER, actor=actor, reason=answer, request=request, association=association
        )
        report.answer = answer
        report.save(update_fields=["answer"])
        notices.report_notice(notices.ANSWERED, report)
    return report


def change_report_process(
    *, report: ChangeReport, actor: User, note: str = "", request: HttpRequest | None = None
) -> ChangeReport:
    """Apply the change to the client's current application as a new revision and determine it again (through the
    applications service); "something else" is only recorded. Two staff members processing the same report: the
    first wins, the second is refused (the machine locks the row and checks its status)."""
    _require_staff(actor)
    with transaction.atomic():
        report = REPORT_MACHINE.run(report, Move.PROCESS, actor=actor, reason=note.strip()[:2000], request=request)
        report = ChangeReport.objects.select_related("application", "client").get(pk=report.pk)
        outcome = note.strip()
        if kinds.changes_answers(report.event) and report.application is not None:
            application = application_services.application_apply_change(
                application=report.application,
                what=f"change_{report.kind}",
                update=kinds.apply(report.event, report.details),
                actor=actor,
                request=request,
            )
            report.processed_revision = application.version
            application_services.enrollment_follow_determination(application=application, actor=actor, request=request)
        report.processed_at, report.processed_by, report.outcome = timezone.now(), actor, outcome[:2000]
        report.save(update_fields=["processed_at", "processed_by", "processed_revision", "outcome"])
        notices.report_notice(notices.PROCESSED, report)
    return report


def change_report_close(
    *, report: ChangeReport, actor: User, note: str, request: HttpRequest | None = None
) -> ChangeReport:
    """Staff close a report as recorded only, without applying it (the person is no longer on the application, the
    application was withdrawn, a move out of Minnesota that MNsure handles outside the portal…): what they found is
    required, and the household reads it."""
    _require_staff(actor)
    note = note.strip()[:2000]
    if not note:
        raise ValidationError({"text": _("Say why the report is closed without changing the application.")})
    with transaction.atomic():
        report = REPORT_MACHINE.run(report, Move.CLOSE, actor=actor, reason=note, request=request)
        report.processed_at, report.processed_by, report.outcome = timezone.now(), actor, note
        report.save(update_fields=["processed_at", "processed_by", "outcome"])
        notices.report_notice(notices.PROCESSED, report)
    return report


def special_enrollments_of(*, application) -> list[SpecialEnrollment]:
    """The applications hook: the special enrollment periods the client's processed reports opened."""
    reports = ChangeReport.objects.filter(
        client_id=application.client_id, status=R.PROCESSED, sep_opens__isnull=False
    ).order_by("sep_opens")
    return [
        SpecialEnrollment(
            kind=report.event,
            event_date=report.sep_opens,
            closes=report.sep_closes,
            label=_("%(event)s on %(day)s")
            % {"event": report.get_event_display(), "day": date_format(report.effective_date, "F j, Y")},
        )
        for report in reports
    ]
