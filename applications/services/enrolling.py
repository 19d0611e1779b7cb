"""Choosing a plan, changing it, ending coverage, and the consumer's "I did not ask for this" (issue 13).

A selection creates an `Enrollment` recording what the issuer file would carry: the members and their premiums,
the plan, the credit the household chose to take (at most the maximum, never more than the plan's premium without
the tobacco surcharge), the net premium, the coverage start of the enrollment period chosen in, who chose it for
whom relying on which association, and for a broker the writing agent's NPN. Navigators and counselors take no
issuer compensation (45 CFR 155.210(d), 155.225(g)): no writing agent is recorded for them.

Everything done for a client is audited (their "Who viewed my information") and confirmed to them by a notice
that says how to tell the exchange "I did not ask for this" within `ENROLLMENT_DISPUTE_DAYS`. Such a report opens
an `EnrollmentDispute` for staff (Django admin) and, until staff dismiss it, the assister who made the change may
not choose plans for that client (`applications.permissions.plan_selection_suspended`).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assister_portal.lib.state_machine import StateMachine, Step, Transition
from associations.models import Association
from audit.models import Action
from audit.services import audit_record
from certification.models import AssisterKind
from plans.models import Market, Plan

from .. import hooks, notices, shopping
from ..eligibility import Determination as DeterminationView
from ..models import (
    Application,
    ApplicationStatus,
    DisputeStatus,
    Enrollment,
    EnrollmentDispute,
    EnrollmentEvent,
    EnrollmentPeriodKind,
    EnrollmentStatus,
)
from ..periods import (
    EnrollmentPeriod,
    NoEnrollmentPeriod,
    dispute_deadline,
    enrollment_period,
    first_of_next_month,
    termination_dates,
)
from ..permissions import plan_selection_suspended
from .applying import APPLICATION_MACHINE, Move, _lock, _on_behalf, _require_version, _revision

__all__ = [
    "ENROLLMENT_MACHINE",
    "SUSPENDED_MESSAGE",
    "EnrollmentMove",
    "dispute_deadline",
    "enrollment_dispute",
    "enrollment_dispute_decide",
    "enrollment_follow_determination",
    "enrollment_select",
    "enrollment_terminate",
    "may_dispute",
    "period_for",
]

# A plan may be chosen once eligibility is determined, also while documents are awaited: until a request is resolved the
# determination on the household's attestation stands (45 CFR 155.315(f)(4)).
SHOPPABLE = frozenset(
    {ApplicationStatus.DETERMINED, ApplicationStatus.PENDING_VERIFICATION, ApplicationStatus.ENROLLED}
)

E = EnrollmentStatus
SUSPENDED_MESSAGE = gettext_lazy(
    "You may not choose or end plans for this client for now: they told MNsure they did not ask for a plan change "
    "made for them, and exchange staff are reviewing it."
)


class EnrollmentMove:
    REPLACE = "replace"
    TERMINATE = "terminate"


def _end(step: Step) -> None:
    row = step.instance
    row.coverage_end = step.options["end"]
    row.ended_at = step.at
    row.ended_by = step.actor
    row.ended_on_behalf = step.options["on_behalf"]
    row.ended_association = step.options["association"]
    row.end_reason = step.reason
    step.fields.extend(["coverage_end", "ended_at", "ended_by", "ended_on_behalf", "ended_association", "end_reason"])


def _audit_status(step: Step) -> None:
    row = step.instance
    audit_record(
        action=Action.ENROLLMENT_STATUS,
        actor=step.actor,
        request=step.request,
        target=row,
        client=row.client,
        details={
            "from": step.source,
            "to": step.target,
            "coverage_end": row.coverage_end.isoformat(),
            "enrollment": str(row.public_id),
            "association": str(row.ended_association.public_id) if row.ended_association_id else "",
        },
    )


ENROLLMENT_MACHINE = StateMachine(
    model=Enrollment,
    events=(EnrollmentEvent, "enrollment"),
    transitions=[
        Transition(EnrollmentMove.REPLACE, {E.ACTIVE}, E.REPLACED, who="household", apply=_end),
        Transition(EnrollmentMove.TERMINATE, {E.ACTIVE}, E.TERMINATED, who="household", apply=_end),
    ],
    audit=_audit_status,
    refusal=gettext_lazy("This plan is %(status)s: it can no longer be changed or ended."),
    reason_message=gettext_lazy("Say why."),
)


def _require_may_act(application: Application, actor: User, association: Association | None) -> bool:
    """True when acting for someone else; refuses anyone who is neither the client nor relying on an association,
    and an assister whose plan choices for this client are suspended by a dispute."""
    on_behalf = _on_behalf(application, actor)
    if on_behalf and association is None:
        raise ValidationError(_("Only the client or their assister chooses a plan for them."), code="who")
    if on_behalf and plan_selection_suspended(application.client_id, actor.pk):
        raise ValidationError(SUSPENDED_MESSAGE, code="suspended")
    return on_behalf


def _writing_agent(association: Association | None, on_behalf: bool):
    """(assister, NPN) for a broker choosing for their client; nobody for navigators, counselors or the client."""
    if not on_behalf or association is None or association.kind != AssisterKind.BROKER:
        return None, ""
    assister = association.assister
    if not assister.npn:
        raise ValidationError(
            _(
                "Your NPN is not on file, and an enrollment a broker makes carries the writing agent’s NPN. Ask MNsure "
                "to add it to your certification."
            ),
            code="npn",
        )
    return assister, assister.npn


def _members(who: shopping.Household, priced: shopping.Priced) -> list[dict]:
    return [
        {"key": m.key, "first_name": m.first_name, "age": m.age, "tobacco": m.tobacco, "premium": str(amount)}
        for m, amount in zip(who.members, priced.member_premiums, strict=True)
    ]


def _audit(action: Action, enrollment: Enrollment, *, actor, request, association, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=enrollment,
        client=enrollment.client,
        details={
            "year": enrollment.coverage_year,
            "enrollment": str(enrollment.public_id),
            "association": str(association.public_id) if association else "",
            **details,
        },
    )


def period_for(application: Application, today: date | None = None) -> EnrollmentPeriod:
    """The enrollment period the household may choose a plan in today: open enrollment, or a special enrollment
    period the changes app reports through the hook. Raises NoEnrollmentPeriod (its message says why and when the
    next open enrollment starts). The pages and the service ask the same question."""
    specials = [found for result in hooks.special_enrollments.send(application=application) for found in result or ()]
    return enrollment_period(application.coverage_year, today, specials=specials)


def _after_coverage_already_running(application: Application, period: EnrollmentPeriod) -> EnrollmentPeriod:
    """Coverage that was ended but still runs (to the end of this month or next) is not paid for twice: a plan
    chosen meanwhile starts the day after it ends (the first of a month), within the coverage year."""
    running_to = (
        application.enrollments.filter(status=E.TERMINATED, coverage_end__gte=period.coverage_start)
        .order_by("-coverage_end")
        .values_list("coverage_end", flat=True)
        .first()
    )
    if running_to is None:
        return period
    start = running_to + timedelta(days=1)
    if start.year != application.coverage_year:
        raise ValidationError(
            _(
                "Your %(year)s coverage runs to %(day)s, the end of the year: there is nothing left to choose a plan for."
            )
            % {"year": application.coverage_year, "day": date_format(running_to, "F j, Y")},
            code="running",
        )
    return dataclasses.replace(period, coverage_start=start)


def _bump(application: Application, *, what: str, actor, association) -> None:
    """A plan chosen or coverage ended is a new version of the application (the answers are the same): a page
    opened before it can no longer act as if it had not happened, and the history shows it."""
    application.version += 1
    application.updated_at = timezone.now()
    application.save(update_fields=["version", "updated_at"])
    _revision(application, what=what, actor=actor, association=association, at=application.updated_at)


def enrollment_select(
    *,
    application: Application,
    version: int,
    plan_id: str,
    credit: Decimal | None,
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Enrollment:
    """Choose `plan_id` (the HIOS plan id) for the members of a determined application who may enroll, taking
    `credit` a month of the premium tax credit (None: all of it). An application already enrolled changes plans:
    the current enrollment ends the day before the new one starts."""
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _lock(application)
        on_behalf = _require_may_act(row, actor, association)  # after the lock: a report made meanwhile counts
        _require_version(
            row, version, _("The application changed after you opened this page: look at the plans again, then choose.")
        )
        if row.status not in SHOPPABLE or row.determination is None:
            raise ValidationError(
                _("A plan can be chosen once eligibility is determined; this application is %(status)s.")
                % {"status": row.get_status_display().lower()},
                code="not_determined",
            )
        who = shopping.household(row.data, DeterminationView.from_dict(row.determination.data))
        if not who.members:
            raise ValidationError(
                _("No one on this application is eligible for a plan through MNsure (see the eligibility results)."),
                code="nobody",
            )
        try:
            period = period_for(row, today)
        except NoEnrollmentPeriod as exc:
            raise ValidationError(exc.message, code="no_period") from None
        period = _after_coverage_already_running(row, period)
        plan = (
            Plan.objects.select_related("issuer", "catalog")
            .filter(
                year=row.coverage_year, market=Market.INDIVIDUAL, rating_area_id=row.rating_area_id, plan_id=plan_id
            )
            .first()
        )
        if plan is None or row.rating_area_id is None:
            raise ValidationError(
                _("That plan is not offered where this household lives in %(year)s.") % {"year": row.coverage_year},
                code="plan",
            )
        writer, npn = _writing_agent(association, on_behalf)
        enrollment = _enroll(
            row,
            who=who,
            plan=plan,
            credit=credit,
            period=period,
            actor=actor,
            selected_by=actor,
            on_behalf=on_behalf,
            association=association,
            writer=writer,
            npn=npn,
            request=request,
        )
        notices.enrollment_notice(notices.PLAN_SELECTED, enrollment, actor=actor, association=association)
    return enrollment


def _enroll(
    row: Application,
    *,
    who: shopping.Household,
    plan: Plan,
    credit: Decimal | None,
    period: EnrollmentPeriod,
    actor: User | None,
    selected_by: User,
    on_behalf: bool,
    association: Association | None,
    writer=None,
    npn: str = "",
    request: HttpRequest | None = None,
    what: str = "plan_chosen",
    period_label: str = "",
) -> Enrollment:
    """Enroll `who` in `plan` from the period's coverage start to December 31 (the locked, determined application's
    current plan, if any, ends the day before), priced with `credit` (None: all of it); the application is enrolled,
    a new version (`what`) and audited. The callers check who may do it and write the notice: `enrollment_select`,
    and a renewal the portal makes for the household when open enrollment ends (`actor` None; `selected_by` is then
    who chose the plan it renews, which is not changed)."""
    priced = shopping.price(plan, who, shopping.credit_wanted(credit, who.max_credit))
    current = (
        Enrollment.objects.select_for_update().filter(application=row, status=E.ACTIVE).select_related("client").first()
    )
    if current is not None:
        end = max(period.coverage_start, current.coverage_start) - timedelta(days=1)
        current = ENROLLMENT_MACHINE.run(
            current,
            EnrollmentMove.REPLACE,
            actor=actor,
            request=request,
            reason=_("Replaced by %(plan)s") % {"plan": plan.name},
            end=end,
            on_behalf=on_behalf,
            association=association,
        )
    now = timezone.now()
    enrollment = Enrollment(
        application=row,
        client=row.client,
        coverage_year=row.coverage_year,
        plan=plan,
        hios_plan_id=plan.plan_id,
        plan_name=plan.name,
        issuer_name=plan.issuer.name,
        metal_level=plan.metal_level,
        csr_variant=priced.csr,
        sample_catalog=plan.catalog.is_sample,
        members=_members(who, priced),
        premium=priced.premium,
        max_credit=priced.credit_limit,
        credit_applied=priced.credit,
        net_premium=priced.net,
        period_kind=EnrollmentPeriodKind.OPEN if period.kind == "open" else EnrollmentPeriodKind.SPECIAL,
        period_label=period_label or (period.special.label if period.special else ""),
        coverage_start=period.coverage_start,
        coverage_end=date(row.coverage_year, 12, 31),
        selected_at=now,
        selected_by=selected_by,
        on_behalf=on_behalf,
        association=association,
        writing_agent=writer,
        writing_agent_npn=npn,
        replaces=current,
    )
    enrollment.full_clean(validate_constraints=False)  # the database checks its constraints on insert
    enrollment.save(force_insert=True)
    if row.status in (ApplicationStatus.DETERMINED, ApplicationStatus.PENDING_VERIFICATION):
        row = APPLICATION_MACHINE.run(row, Move.ENROLL, actor=actor, request=request)
    _bump(row, what=what, actor=actor, association=association)
    _audit(
        Action.ENROLLMENT_SELECTED,
        enrollment,
        actor=actor,
        request=request,
        association=association,
        plan=plan.plan_id,
        premium=str(enrollment.premium),
        credit=str(enrollment.credit_applied),
        net=str(enrollment.net_premium),
        coverage_start=enrollment.coverage_start.isoformat(),
        writing_agent_npn=npn,
        replaces=str(current.public_id) if current else "",
    )
    return enrollment


def enrollment_terminate(
    *,
    enrollment: Enrollment,
    version: int,
    end: date,
    reason: str = "",
    actor: User,
    association: Association | None = None,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Enrollment:
    """End coverage on `end` (the end of this month or of next month). Before coverage has started, it never
    starts. The application goes back to `determined`: a plan may be chosen again in an enrollment period."""
    application = enrollment.application
    today = today or timezone.localdate()
    if enrollment.coverage_end < today:
        raise ValidationError(
            _("This coverage already ended on %(day)s.") % {"day": date_format(enrollment.coverage_end, "F j, Y")},
            code="ended",
        )
    allowed = termination_dates(today, coverage_year=enrollment.coverage_year)
    if end not in allowed:
        raise ValidationError(
            {"end": _("Choose one of the dates offered: the end of this month or the end of next month.")}
        )
    with transaction.atomic():
        row = _lock(application)
        on_behalf = _require_may_act(row, actor, association)
        _require_version(
            row, version, _("The application changed after you opened this page: look at the coverage again.")
        )
        end = max(end, enrollment.coverage_start - timedelta(days=1))
        enrollment = ENROLLMENT_MACHINE.run(
            enrollment,
            EnrollmentMove.TERMINATE,
            actor=actor,
            request=request,
            reason=reason.strip()[:500],
            end=end,
            on_behalf=on_behalf,
            association=association,
        )
        if row.status == ApplicationStatus.ENROLLED:
            row = APPLICATION_MACHINE.run(row, Move.UNENROLL, actor=actor, request=request, reason=_("Coverage ended"))
        _bump(row, what="coverage_ended", actor=actor, association=association)
        notices.enrollment_notice(notices.COVERAGE_ENDED, enrollment, actor=actor, association=association)
    return enrollment


# --- A new determination while enrolled (issue 15) --------------------------------------------------------------


def enrollment_follow_determination(
    *, application: Application, actor: User, request: HttpRequest | None = None, today: date | None = None
) -> Enrollment | None:
    """After a processed change determined the application again: the current plan's credit (and cost-sharing
    level) follows the new determination from the first of next month — never more than the new limit for the people on the plan (the
    credit is paid only for whom it is allowed), and the full new credit when the household had taken all of it.
    Returns the new enrollment, or None when the credit stays (or no month of the year is left). The plan and its
    members stay; choosing another plan is the household's, in the special enrollment period a change may open."""
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _lock(application)
        current = Enrollment.objects.select_for_update().filter(application=row, status=E.ACTIVE).first()
        if current is None or row.determination is None:
            return None
        result = DeterminationView.from_dict(row.determination.data)
        who = shopping.household(row.data, result)
        by_key = {m.key: m for m in who.members}
        on_plan = [
            shopping.Member(
                key=m["key"],
                first_name=m["first_name"],
                age=m["age"],
                tobacco=m["tobacco"],
                credit=by_key[m["key"]].credit if m["key"] in by_key else False,
                tax_household=by_key[m["key"]].tax_household if m["key"] in by_key else -1,
            )
            for m in current.members
        ]
        plan_household = shopping.Household(
            members=tuple(on_plan), max_credit=who.max_credit, csr=current.csr_variant, credits=who.credits
        )
        premium = plan_household.rated.premium(
            base_rate=current.plan.base_rate, tobacco_factor=current.plan.tobacco_factor
        )
        limit = shopping.credit_limit(plan_household, premium.members_without_tobacco)
        took_all = current.credit_applied >= current.max_credit
        credit = limit if took_all else min(current.credit_applied, limit)
        csr = shopping.csr_for_plan(who.csr, current.metal_level)
        if credit == current.credit_applied and csr == current.csr_variant:
            return None
        start = max(first_of_next_month(today), current.coverage_start)
        if start.year != row.coverage_year or start > current.coverage_end:
            return None
        ENROLLMENT_MACHINE.run(
            current,
            EnrollmentMove.REPLACE,
            actor=actor,
            request=request,
            reason=_("The premium tax credit changed with a new determination"),
            end=start - timedelta(days=1),
            on_behalf=True,
            association=None,
        )
        fields = {
            f.name: getattr(current, f.name)
            for f in Enrollment._meta.concrete_fields
            if f.name
            not in {
                "id",
                "public_id",
                "status",
                "replaces",
                "ended_at",
                "ended_by",
                "ended_on_behalf",
                "ended_association",
                "end_reason",
                "coverage_end",
            }
        }
        enrollment = Enrollment(
            **{
                **fields,
                "premium": premium.total,
                "max_credit": limit,
                "credit_applied": credit,
                "csr_variant": csr,
                "net_premium": premium.total - credit,
                "coverage_start": start,
                "coverage_end": date(row.coverage_year, 12, 31),
                "selected_at": timezone.now(),
                # Who acted: the staff member; a change MNsure's daily sweep made (no person: a verification request
                # expired) keeps who chose the plan, which did not change.
                "selected_by": actor or current.selected_by,
                "on_behalf": True,
                "association": None,
                "period_label": _("Credit changed after a new determination"),
                "replaces": current,
            }
        )
        enrollment.full_clean(validate_constraints=False)
        enrollment.save(force_insert=True)
        _bump(row, what="credit_changed", actor=actor, association=None)
        _audit(
            Action.ENROLLMENT_SELECTED,
            enrollment,
            actor=actor,
            request=request,
            association=None,
            plan=enrollment.hios_plan_id,
            credit=str(enrollment.credit_applied),
            previous_credit=str(current.credit_applied),
            coverage_start=start.isoformat(),
            reason="credit_changed",
        )
        notices.credit_changed_notice(enrollment, previous=current)
    return enrollment


# --- "I did not ask for this" --------------------------------------------------------------------------------------


def _disputable(enrollment: Enrollment) -> list[tuple[str, object, object, object]]:
    """(action, when, by whom, association) of what was done on behalf for this enrollment."""
    found = []
    if enrollment.on_behalf and enrollment.association_id:  # an assister's choice (not staff's credit adjustment)
        found.append(("selected", enrollment.selected_at, enrollment.selected_by_id, enrollment.association))
    if enrollment.ended_on_behalf and enrollment.ended_association_id and enrollment.status == E.TERMINATED:
        found.append(("terminated", enrollment.ended_at, enrollment.ended_by_id, enrollment.ended_association))
    return found


def may_dispute(enrollment: Enrollment, today: date | None = None) -> list[str]:
    """What the consumer may still say they did not ask for ("selected", "terminated"): within the deadline, and
    not already reported (a report staff dismissed may not be made again either: call MNsure)."""
    today = today or timezone.localdate()
    reported = {dispute.action for dispute in enrollment.disputes.all()}
    return [
        action
        for action, at, _by, _assoc in _disputable(enrollment)
        if today <= dispute_deadline(at) and action not in reported
    ]


def enrollment_dispute(
    *,
    enrollment: Enrollment,
    action: str,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> EnrollmentDispute:
    """The consumer tells the exchange they did not ask for a plan change made for them."""
    if enrollment.client.user_id != actor.pk:
        raise ValidationError(_("Only the consumer reports a plan change they did not ask for."), code="who")
    with transaction.atomic():
        _lock(enrollment.application)  # the order selection and ending take: a report and a choice are serialized
        enrollment = Enrollment.objects.select_for_update().select_related("client").get(pk=enrollment.pk)
        done = {found[0]: found for found in _disputable(enrollment)}
        if action not in done:
            raise ValidationError(_("Nobody else made that change for you: there is nothing to report."), code="own")
        if enrollment.disputes.filter(action=action).exists():
            raise ValidationError(
                _("You already told us about this change; exchange staff decide, or have decided, on it."),
                code="twice",
            )
        if action not in may_dispute(enrollment, today):
            raise ValidationError(
                _("It is more than %(days)s days since that change. Call MNsure to report it.")
                % {"days": settings.ENROLLMENT_DISPUTE_DAYS},
                code="late",
            )
        _action, _at, by_id, association = done[action]
        dispute = EnrollmentDispute.objects.create(
            enrollment=enrollment,
            client=enrollment.client,
            action=action,
            assister_user_id=by_id,
            association=association,
            raised_by=actor,
            consumer_note=note.strip()[:2000],
        )
        _audit(
            Action.ENROLLMENT_DISPUTED,
            enrollment,
            actor=actor,
            request=request,
            association=association,
            disputed=action,
            dispute=str(dispute.public_id),
        )
        notices.dispute_notices(dispute)
    return dispute


def enrollment_dispute_decide(
    *, dispute: EnrollmentDispute, upheld: bool, note: str, actor: User, request: HttpRequest | None = None
) -> EnrollmentDispute:
    """Exchange staff decide: upheld keeps the assister from choosing plans for this client; dismissed lifts it."""
    if not actor.is_staff:
        raise ValidationError(_("Only exchange staff decide these."), code="who")
    if not note.strip():
        raise ValidationError({"note": _("Say what you found: the consumer and the assister read it.")})
    with transaction.atomic():
        dispute = (
            EnrollmentDispute.objects.select_for_update(of=("self",))
            .select_related("enrollment__client", "association")
            .get(pk=dispute.pk)
        )
        if dispute.status != DisputeStatus.OPEN:
            raise ValidationError(_("This report was already decided."), code="decided")
        dispute.status = DisputeStatus.UPHELD if upheld else DisputeStatus.DISMISSED
        dispute.decided_by, dispute.decided_at, dispute.decision_note = actor, timezone.now(), note.strip()[:2000]
        dispute.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _audit(
            Action.ENROLLMENT_DISPUTE_DECIDED,
            dispute.enrollment,
            actor=actor,
            request=request,
            association=dispute.association,
            dispute=str(dispute.public_id),
            decision=dispute.status,
        )
        notices.dispute_notices(dispute)
    return dispute
