"""Annual renewal (45 CFR 155.335; reference "Annual renewal"; issue 17).

From `APPLICATION_RENEWALS_OPEN` of coverage year Y (MNsure's renewal season) until the open enrollment for Y + 1
ends, each household enrolled to December 31 of Y has its application for Y + 1 prepared from its Y one
(`renewal_prepare`): a new draft with the same answers (not last year's signature), linked to the old one by a
`Renewal`, with a projected determination on the Y + 1 rules and benchmark and the plan it would be renewed into: the
same plan id in Y + 1 in its rating area, else the issuer's crosswalk plan there (`plans.selectors.next_year_plan`),
else none. The renewal notice shows the data used, the projected eligibility and credit, that plan, and what to do by
when.

The household, or its assister, confirms or updates the draft through the ordinary application pages; submitting it
confirms the renewal (`applying.renewal_confirm`, called by `application_submit`), and they choose a plan as for any
application. A renewal still waiting for them when the open enrollment for Y + 1 ends is renewed by the portal
(`renewal_auto_renew`, no actor): the draft is submitted on the answers it holds and determined, and the members who
may enroll are enrolled in the plan it names, with coverage from January 1 of Y + 1 — or, when there is no such plan or
it cannot be done, the renewal ends and the household is told to choose a plan. `renewals_daily_sweep` (Celery beat,
`applications.tasks`) does both, one household at a time.

Everything the portal does here is audited against the client ("Who viewed my information": by "the portal,
automatically") and told to them by a notice in the same transaction.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from associations.models import AssociationStatus
from clients.models import Client
from plans import selectors as plan_selectors

from .. import answers, eligibility, notices, shopping
from ..models import (
    Application,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
    Renewal,
    RenewalStatus,
)
from ..periods import EnrollmentPeriod, open_enrollment
from .applying import _create, _eligibility, _lock, _renewal_audit, _submit
from .enrolling import _enroll

__all__ = [
    "END_REASONS",
    "renewal_auto_renew",
    "renewal_prepare",
    "renewal_window",
    "renewals_daily_sweep",
]

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
CHUNK = 200  # households read per query by the sweep

# Why a renewal ended without a plan (`Renewal.end_reason`).
END_REASONS = (
    "not_offered",  # neither the plan nor a crosswalk plan is offered next year where the household lives
    "nobody_eligible",  # the determination on the renewed answers found no one who may enroll in a plan
    "incomplete",  # the draft's answers were left in a state that cannot be submitted
    "coverage_ended",  # the current year's coverage ended before the renewal
    "withdrawn",  # the household withdrew the renewal's application
)


def renewal_window(year: int) -> tuple[date, date] | None:
    """(first day, last day) renewals of coverage year `year` into `year` + 1 are prepared: from APPLICATION_RENEWALS_OPEN
    of `year` to the last day of the open enrollment for `year` + 1, which is also the household's deadline. None when
    `year` + 1 has no applications, rules or configured open enrollment."""
    following = year + 1
    window = open_enrollment(following)
    if (
        following not in settings.APPLICATION_COVERAGE_YEARS
        or following not in eligibility.covered_years()
        or window is None
    ):
        return None
    month, day = settings.APPLICATION_RENEWALS_OPEN
    return date(year, month, day), window[2]


def _renewable_enrollment(previous: Application) -> Enrollment | None:
    """The current plan of an enrolled application, when it covers the household to December 31 of its year."""
    return (
        Enrollment.objects.filter(
            application=previous,
            status=EnrollmentStatus.ACTIVE,
            coverage_end=date(previous.coverage_year, 12, 31),
        )
        .select_related("plan__issuer", "plan__catalog", "selected_by", "association", "writing_agent")
        .first()
    )


def _renewal_data(data: dict) -> dict:
    """The previous application's answers for the new draft: everything the household told us, but not last year's
    signature and attestations (given again at submission) nor what was not verified last year (matched again)."""
    data = copy.deepcopy(data)
    data.pop("attestations", None)
    for member in data.get("members", []):
        member.pop("unverified", None)
    return data


def _credit_to_take(enrollment: Enrollment) -> Decimal | None:
    """The monthly credit to apply on the renewed plan: all of it (None) when the household took all of it this year,
    else what they took, at most the new maximum."""
    return None if enrollment.credit_applied >= enrollment.max_credit else enrollment.credit_applied


def _plan_facts(plan, priced: shopping.Priced | None = None) -> dict:
    facts = {
        "plan_id": plan.plan_id,
        "name": plan.name,
        "issuer": plan.issuer.name,
        "metal_level": plan.metal_level,
        "sample_catalog": plan.catalog.is_sample,
    }
    if priced is not None:
        facts.update(premium=str(priced.premium), credit=str(priced.credit), net=str(priced.net), csr=priced.csr)
    return facts


def _projection(
    application: Application, enrollment: Enrollment, next_plan, *, start: date, today: date
) -> tuple[dict, Decimal]:
    """(Renewal.projected, projected maximum monthly credit): the determination of the new draft on its year's rules
    and benchmark, with the data used, and the plans' prices for the household (the current one as enrolled)."""
    members = application.data.get("members", [])
    used = {
        "coverage_year": application.coverage_year,
        "coverage_start": start.isoformat(),
        "screening_date": today.isoformat(),
        "county": application.county.name if application.county_id else "",
        "county_fips": application.data.get("address", {}).get("county_fips", ""),
        "rating_area": application.rating_area.number if application.rating_area_id else None,
        "members": [
            {
                "key": m["key"],
                "first_name": m.get("first_name", ""),
                "age": None,  # on the coverage start, from the determination
                "applying": bool(m.get("applying")),
                "yearly_income": str(answers.yearly_income(m)),
            }
            for m in members
        ],
        "total_income": str(sum((answers.yearly_income(m) for m in members), ZERO)),
    }
    projected = {
        "data": used,
        "determination": None,
        "problems": [],
        "current_plan": {
            **_plan_facts(enrollment.plan),
            "premium": str(enrollment.premium),
            "credit": str(enrollment.credit_applied),
            "net": str(enrollment.net_premium),
        },
        "next_plan": _plan_facts(next_plan) if next_plan else None,
    }
    problems = answers.problems(application.data, coverage_start=start)
    if problems:
        projected["problems"] = [str(problem) for problem in problems]
        return projected, ZERO
    result = _eligibility(application, start=start, screening_date=today)
    projected["determination"] = result.to_dict()
    ages = {m.key: m.age for m in result.members}
    for member in used["members"]:
        member["age"] = ages.get(member["key"])
    used["rules_version"] = result.rules_version
    who = shopping.household(application.data, result)
    if next_plan is not None and who.members:
        priced = shopping.price(next_plan, who, shopping.credit_wanted(_credit_to_take(enrollment), who.max_credit))
        projected["next_plan"] = _plan_facts(next_plan, priced)
    return projected, result.max_monthly_credit


def renewal_prepare(
    *,
    previous: Application,
    actor: User | None = None,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Renewal | None:
    """Prepare the household's application for the year after `previous`'s (see the module's docstring) and send the
    renewal notice. Returns the renewal — the one already prepared when there is one (preparing twice prepares once) —
    or None when `previous` is not renewed today: not enrolled to December 31, outside the renewal window, or the client
    already has a current application for the next year."""
    today = today or timezone.localdate()
    existing = Renewal.objects.filter(previous=previous).first()
    if existing is not None:
        return existing
    year = previous.coverage_year
    window = renewal_window(year)
    if window is None or not window[0] <= today <= window[1]:
        return None
    following = year + 1
    with transaction.atomic():
        # The client's row first, as application_start takes it: a renewal and a new application are not made at once.
        Client.objects.select_for_update().filter(pk=previous.client_id).first()
        existing = Renewal.objects.filter(previous=previous).first()  # prepared meanwhile
        if existing is not None:
            return existing
        row = _lock(previous)
        enrollment = _renewable_enrollment(row) if row.status == ApplicationStatus.ENROLLED else None
        if enrollment is None:
            return None
        taken = Application.objects.filter(client_id=row.client_id, coverage_year=following).exclude(
            status=ApplicationStatus.WITHDRAWN
        )
        if taken.exists():
            return None
        application = _create(
            client=row.client,
            coverage_year=following,
            data=_renewal_data(row.data),
            what="renewal_prepared",
            actor=actor,
            association=None,
            request=request,
            renewal_of=str(row.public_id),
        )
        start = date(following, 1, 1)
        next_plan = plan_selectors.next_year_plan(
            enrollment.plan, rating_area_id=application.rating_area_id, year=following
        )
        projected, credit = _projection(application, enrollment, next_plan, start=start, today=today)
        renewal = Renewal(
            application=application,
            previous=row,
            enrollment=enrollment,
            current_plan=enrollment.plan,
            next_plan=next_plan,
            previous_credit=row.determination.max_monthly_credit if row.determination_id else ZERO,
            projected_credit=credit,
            projected=projected,
            prepared_at=timezone.now(),
        )
        renewal.full_clean(exclude=["application", "previous", "enrollment", "current_plan", "next_plan"])
        renewal.save(force_insert=True)
        cutoff = open_enrollment(following)[1]
        notices.renewal_notice(renewal, deadline=window[1], cutoff=cutoff)
    return renewal


# --- Renewed by the portal when open enrollment ends -------------------------------------------------------------------


def _carried_agent(enrollment: Enrollment):
    """(writing agent, NPN) of the plan renewed: the broker who wrote it stays its agent while the association they
    wrote it under is active (Minn. Stat. 62V.051); otherwise none."""
    association = enrollment.association
    if enrollment.writing_agent_id and association is not None and association.status == AssociationStatus.ACTIVE:
        return enrollment.writing_agent, enrollment.writing_agent_npn
    return None, ""


def _end(renewal: Renewal, reason: str, *, deadline: date, notify: bool = True) -> Renewal:
    renewal.status, renewal.end_reason = RenewalStatus.ENDED, reason
    renewal.save(update_fields=["status", "end_reason", "enrollment", "current_plan", "next_plan"])
    _renewal_audit(renewal, renewal.application, actor=None, association=None, request=None, status=f"ended:{reason}")
    if notify:
        notices.renewal_ended_notice(renewal, deadline=deadline)
    return renewal


def renewal_auto_renew(*, renewal: Renewal, today: date | None = None) -> Renewal:
    """After the open enrollment for the renewal's year ended, a renewal still `prepared` (the household did nothing) is
    submitted by the portal on the answers its draft holds (the determination and its notice, the data sources matched
    as for any submission) and its members who may enroll are enrolled in `next_plan` — re-checked now, for the plan of
    today and the draft's rating area — from January 1, with the credit as the household took it this year: `renewed`.
    It is `ended` instead, and the household told to choose a plan, when there is no such plan, the answers cannot be
    submitted, no one may enroll, or this year's coverage ended meanwhile. Anything else is left as it is (also before
    open enrollment ends). Returns the renewal as it now stands."""
    today = today or timezone.localdate()
    year = Application.objects.filter(pk=renewal.application_id).values_list("coverage_year", flat=True).get()
    window = open_enrollment(year)
    if window is None or today <= window[2]:
        return renewal
    deadline = window[2]
    with transaction.atomic():
        row = _lock(renewal.application)
        renewal = (
            Renewal.objects.select_for_update(of=("self",))
            .select_related("previous", "current_plan")
            .get(pk=renewal.pk)
        )
        renewal.application = row
        if renewal.status != RenewalStatus.PREPARED:
            return renewal
        if row.status == ApplicationStatus.WITHDRAWN:
            return _end(renewal, "withdrawn", deadline=deadline, notify=False)
        if row.status != ApplicationStatus.DRAFT:  # submitted some other way: the household acted
            renewal.status, renewal.confirmed_at = RenewalStatus.CONFIRMED, timezone.now()
            renewal.save(update_fields=["status", "confirmed_at"])
            return renewal
        enrollment = _renewable_enrollment(renewal.previous)
        if enrollment is None:
            return _end(renewal, "coverage_ended", deadline=deadline)
        # The plan may have changed since the renewal was prepared (a new plan, a credit that followed a change).
        renewal.enrollment, renewal.current_plan = enrollment, enrollment.plan
        start = date(year, 1, 1)
        if answers.problems(row.data, coverage_start=start):
            return _end(renewal, "incomplete", deadline=deadline)
        renewal.next_plan = plan_selectors.next_year_plan(enrollment.plan, rating_area_id=row.rating_area_id, year=year)
        if renewal.next_plan is None:
            return _end(renewal, "not_offered", deadline=deadline)
        signature = {
            "signed_by": "portal",
            "signed_name": "",
            "signed_at": timezone.now().isoformat(),
            "review": "",
            # 45 CFR 155.335(g)-(h): renewed on the information the renewal notice showed the household.
            "renewal_of": str(renewal.previous.public_id),
        }
        row = _submit(
            row, attestations=signature, actor=None, association=None, request=None, start=start, screening_date=today
        )
        who = shopping.household(row.data, eligibility.Determination.from_dict(row.determination.data))
        if not who.members:
            return _end(renewal, "nobody_eligible", deadline=deadline)
        writer, npn = _carried_agent(enrollment)
        new = _enroll(
            row,
            who=who,
            plan=renewal.next_plan,
            credit=_credit_to_take(enrollment),
            period=EnrollmentPeriod("open", start, deadline),
            actor=None,
            selected_by=enrollment.selected_by,
            on_behalf=True,
            association=None,
            writer=writer,
            npn=npn,
            what="renewed",
            period_label=_("Renewed by MNsure when open enrollment ended"),
        )
        renewal.status, renewal.renewed_at = RenewalStatus.RENEWED, timezone.now()
        renewal.save(update_fields=["status", "renewed_at", "enrollment", "current_plan", "next_plan"])
        _renewal_audit(renewal, row, actor=None, association=None, request=None, status=renewal.status)
        notices.renewed_notice(renewal, new, deadline=deadline)
    return renewal


# --- The daily sweep ---------------------------------------------------------------------------------------------------


def _in_chunks(queryset: QuerySet, size: int = CHUNK) -> Iterator:
    """The rows of `queryset` in primary-key order, `size` per query (a row that fails is not read again)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def _to_prepare(year: int) -> QuerySet[Application]:
    """Enrolled applications of `year` covered to December 31, with no renewal and no current application next year."""
    return (
        Application.objects.filter(coverage_year=year, status=ApplicationStatus.ENROLLED)
        .filter(
            Exists(
                Enrollment.objects.filter(
                    application=OuterRef("pk"), status=EnrollmentStatus.ACTIVE, coverage_end=date(year, 12, 31)
                )
            )
        )
        .exclude(Exists(Renewal.objects.filter(previous=OuterRef("pk"))))
        .exclude(
            Exists(
                Application.objects.filter(client_id=OuterRef("client_id"), coverage_year=year + 1).exclude(
                    status=ApplicationStatus.WITHDRAWN
                )
            )
        )
        .select_related("client")
    )


def renewals_daily_sweep(*, today: date | None = None, deadline: float | None = None) -> dict:
    """Prepare the renewals due (for every year whose renewal window is open) and renew those still waiting after their
    open enrollment ended, one household per transaction. One household's failure is logged and left for the next
    day; the rest go on. Idempotent. Stops before `deadline` (a `time.monotonic()` value) with `more` set, for the
    task to run again."""
    today = today or timezone.localdate()
    done = {"prepared": 0, "renewed": 0, "ended": 0, "failed": 0, "more": False}
    for year in sorted(settings.APPLICATION_COVERAGE_YEARS):
        window = renewal_window(year)
        if window is None or not window[0] <= today <= window[1]:
            continue
        for previous in _in_chunks(_to_prepare(year)):
            if deadline is not None and time.monotonic() > deadline:
                done["more"] = True
                return done
            try:
                done["prepared"] += renewal_prepare(previous=previous, today=today) is not None
            except SoftTimeLimitExceeded:
                raise
            except Exception:  # one household's failure must not stop everyone else's renewal
                done["failed"] += 1
                logger.exception("Renewal of application %s not prepared; tried again tomorrow", previous.pk)
    for year in sorted(settings.APPLICATION_COVERAGE_YEARS):
        window = open_enrollment(year)
        if window is None or today <= window[2]:
            continue
        waiting = Renewal.objects.filter(status=RenewalStatus.PREPARED, application__coverage_year=year).select_related(
            "application", "previous"
        )
        for renewal in _in_chunks(waiting):
            if deadline is not None and time.monotonic() > deadline:
                done["more"] = True
                return done
            try:
                renewal = renewal_auto_renew(renewal=renewal, today=today)
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                done["failed"] += 1
                logger.exception("Renewal %s not renewed; tried again tomorrow", renewal.pk)
                continue
            if renewal.status == RenewalStatus.RENEWED:
                done["renewed"] += 1
            elif renewal.status == RenewalStatus.ENDED:
                done["ended"] += 1
    return done
