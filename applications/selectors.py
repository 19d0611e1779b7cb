"""Reads of applications: a client's applications, the determination as pages show it, the history and the
comparison of two revisions, and the application columns of the assister's dashboard."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from assister_portal.lib.followups import of_clients
from assister_portal.lib.followups import rows as followup_rows
from clients.models import Client
from plans import selectors as plan_selectors

from . import answers, eligibility
from .models import (
    Application,
    ApplicationEvent,
    ApplicationReview,
    ApplicationRevision,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
    Renewal,
    RenewalStatus,
    ReviewStatus,
)

WORKFLOW = [
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.PENDING_VERIFICATION,
    ApplicationStatus.DETERMINED,
    ApplicationStatus.ENROLLED,
]

# What the household or their assister does next, by status (the dashboard's "Next step" column).
NEXT_STEPS = {
    ApplicationStatus.DRAFT: "finish",
    ApplicationStatus.SUBMITTED: "wait",
    ApplicationStatus.PENDING_VERIFICATION: "documents",
    ApplicationStatus.DETERMINED: "choose_plan",
    ApplicationStatus.ENROLLED: "none",
    ApplicationStatus.WITHDRAWN: "none",
}


def client_applications(client: Client) -> list[Application]:
    return list(
        Application.objects.filter(client=client)
        .select_related("determination")
        .order_by("-coverage_year", "-created_at")
    )


def years_open(client: Client, applications: list[Application]) -> list[int]:
    """The coverage years the client may start an application for: those without a current one."""
    taken = {a.coverage_year for a in applications if a.status != ApplicationStatus.WITHDRAWN}
    return [year for year in settings.APPLICATION_COVERAGE_YEARS if year not in taken]


def pending_reviews(client: Client) -> QuerySet[ApplicationReview]:
    return ApplicationReview.objects.filter(application__client=client, status=ReviewStatus.PENDING).select_related(
        "application", "assister_user"
    )


def latest_review(application: Application) -> ApplicationReview | None:
    return application.reviews.select_related("assister_user").order_by("-requested_at", "-pk").first()


def determination_view(determination) -> eligibility.Determination | None:
    return eligibility.Determination.from_dict(determination.data) if determination is not None else None


def summary(application: Application) -> dict:
    """'Check your answers': the address and each member's answers as labelled lines."""
    data = application.data
    return {
        "address": answers.address_lines(data, application.county.name if application.county else ""),
        "members": [(member, answers.member_lines(data, member)) for member in data["members"]],
    }


def revisions(application: Application) -> list[ApplicationRevision]:
    """The list of versions (not their documents: `compare` reads the two it shows)."""
    return list(application.revisions.select_related("actor").defer("data").order_by("-number"))


def events(application: Application) -> list[ApplicationEvent]:
    return list(application.events.select_related("actor").order_by("-at", "-pk"))


def _number(value, numbers: list[int]) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in numbers else None


def compare(application: Application, before, after, numbers: list[int]) -> dict | None:
    """What changed between two revisions (the given ones, or the last two): None with fewer than two."""
    if len(numbers) < 2:
        return None
    first, second = _number(before, numbers), _number(after, numbers)
    if first is None or second is None or first == second:
        second, first = numbers[0], numbers[1]
    first, second = min(first, second), max(first, second)
    rows = {r.number: r for r in application.revisions.filter(number__in=[first, second])}
    return {
        "from": first,
        "to": second,
        "changes": answers.changes(rows[first].data, rows[second].data),
        "choices": numbers,
    }


# --- The dashboard's application columns ------------------------------------------------------------------


def current_application_q() -> Q:
    return ~Q(status=ApplicationStatus.WITHDRAWN)


def current_application(client: Client) -> Application | None:
    """The client's current application: the latest coverage year's that is not withdrawn (as the dashboard shows)."""
    return (
        Application.objects.filter(current_application_q(), client=client)
        .order_by("-coverage_year", "-created_at")
        .first()
    )


def with_current_application(associations: QuerySet, *, status: str = "", sort: str = "") -> QuerySet:
    """The book of clients (`associations.selectors.client_book`) with each client's current application (the
    latest coverage year's, not withdrawn): its public id, year, status, programs and monthly credit, as
    annotations of the same statement (the page's query count does not grow with its rows); filtered by
    application status ("none": no application) and sorted by it when asked."""
    latest = Application.objects.filter(current_application_q(), client_id=OuterRef("client_id")).order_by(
        "-coverage_year"
    )
    associations = associations.annotate(
        application_id=Subquery(latest.values("public_id")[:1]),
        application_year=Subquery(latest.values("coverage_year")[:1]),
        application_status=Subquery(latest.values("status")[:1]),
        application_programs=Subquery(latest.values("determination__programs")[:1]),
        application_credit=Subquery(latest.values("determination__max_monthly_credit")[:1]),
    )
    if status == "none":
        associations = associations.filter(application_status__isnull=True)
    elif status:
        associations = associations.filter(application_status=status)
    if sort in ("application", "-application"):
        # Workflow order (no application first), not the codes' alphabetical order.
        rank = Case(
            *[When(application_status=value, then=Value(i)) for i, value in enumerate(WORKFLOW, start=1)],
            default=Value(0),
        )
        associations = associations.order_by(
            rank.desc() if sort.startswith("-") else rank.asc(), "client__search_last", "client__search_first", "pk"
        )
    return associations


def with_current_plan(associations: QuerySet) -> QuerySet:
    """Rows of `with_current_application` with the plan chosen for that application (its current enrollment): the
    plan's name and metal level as recorded when it was chosen, as annotations of the same statement (the export
    of the book, issue 17); None where no plan is chosen."""
    chosen = Enrollment.objects.filter(
        application__public_id=OuterRef("application_id"), status=EnrollmentStatus.ACTIVE
    )
    return associations.annotate(
        plan_name=Subquery(chosen.values("plan_name")[:1]),
        plan_metal_level=Subquery(chosen.values("metal_level")[:1]),
        plan_sample=Subquery(chosen.values("sample_catalog")[:1]),
    )


# --- Choosing a plan (issue 13) --------------------------------------------------------------------------------


def area_plans(application: Application) -> list:
    """Every individual-market plan of the application's year and rating area, with issuer and catalog: one
    query whatever the catalog's size (filters and sorts work on the priced list, in Python)."""
    if application.rating_area_id is None:
        return []
    return list(
        plan_selectors.plans_in_area(year=application.coverage_year, rating_area_id=application.rating_area_id).only(
            *PLAN_LIST_FIELDS
        )
    )


# What the plan pages show of a plan, its issuer and its catalog: a list of 200 plans builds 200 rows of these only.
PLAN_LIST_FIELDS = (
    "plan_id",
    "name",
    "metal_level",
    "network_type",
    "deductible",
    "oop_max",
    "base_rate",
    "tobacco_factor",
    "issuer__hios_id",
    "issuer__name",
    "catalog__is_sample",
)


def client_enrollments(client: Client) -> list[Enrollment]:
    """The client's enrollments, newest year and latest choice first, with their disputes; two queries."""
    return list(
        Enrollment.objects.filter(client=client)
        .select_related("application", "selected_by", "ended_by", "writing_agent", "association__assister__agency")
        .defer("application__data")
        .prefetch_related("disputes")
        .order_by("-coverage_year", "-selected_at")
    )


def covers_now_or_later(enrollment: Enrollment) -> bool:
    """The plan is the household's current one: chosen and not replaced, or ended on a day not yet past."""
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return True
    return (
        enrollment.status == EnrollmentStatus.TERMINATED
        and not enrollment.never_started
        and enrollment.coverage_end >= timezone.localdate()
    )


def current_enrollment(application: Application) -> Enrollment | None:
    return application.enrollments.filter(status=EnrollmentStatus.ACTIVE).first()


def agency_enrollments(agency_id: int) -> QuerySet[Enrollment]:
    """Enrollments made through the agency's associations (what the agency's brokers wrote), newest first."""
    return (
        Enrollment.objects.filter(association__agency_id=agency_id)
        .select_related("client", "writing_agent__user", "selected_by", "association__assister")
        .order_by("-selected_at")
    )


# --- The worklist's follow-ups (issue 17) -----------------------------------------------------------------------

CONFIRMATION_WAITING = "confirmation_waiting"
STALE_DRAFT = "stale_draft"
NO_PLAN = "no_plan"
COVERAGE_ENDING = "coverage_ending"
RENEWAL_AT_RISK = "renewal_at_risk"
# Why a renewal is at risk (the worst first): its plan is not offered next year, the projected credit dropped by more
# than settings.RENEWAL_CREDIT_DROP_AT_RISK percent, or the household has not confirmed it yet.
NOT_OFFERED, CREDIT_DROP, UNCONFIRMED = "not_offered", "credit_drop", "unconfirmed"


def followups_confirmations(client_ids) -> QuerySet:
    """Applications an assister prepared that wait for the consumer to review and confirm them in their account."""
    return followup_rows(
        ApplicationReview.objects.filter(of_clients(client_ids, "application__client_id"), status=ReviewStatus.PENDING),
        kind=CONFIRMATION_WAITING,
        client="application__client",
        deadline=None,
        since=F("requested_at"),
        ref=F("application__public_id"),
    )


def followups_stale_drafts(client_ids, today: date) -> QuerySet:
    """Drafts nobody has saved for settings.WORKLIST_STALE_DRAFT_DAYS days (a draft waiting for the consumer's
    confirmation is that item instead)."""
    days = timedelta(days=settings.WORKLIST_STALE_DRAFT_DAYS)
    stale_from = timezone.make_aware(datetime.combine(today, time.min)) - days
    return followup_rows(
        Application.objects.filter(
            of_clients(client_ids),
            status=ApplicationStatus.DRAFT,
            updated_at__lt=stale_from,
        )
        .exclude(Exists(ApplicationReview.objects.filter(application=OuterRef("pk"), status=ReviewStatus.PENDING)))
        # A renewal waiting for the household is that item instead ("renewal at risk").
        .exclude(Exists(Renewal.objects.filter(application=OuterRef("pk"), status=RenewalStatus.PREPARED))),
        kind=STALE_DRAFT,
        client="client",
        deadline=None,
        since=F("updated_at") + days,
        ref=F("public_id"),
    )


def _open_enrollment_deadlines(today: date) -> dict[int, date]:
    """The coverage years whose open enrollment is on today, and the last day to choose a plan in it: the cut-off
    for coverage from January 1 while it is ahead, then the last day."""
    return {
        year: cutoff if today <= cutoff else end
        for year, (start, cutoff, end) in settings.OPEN_ENROLLMENT_PERIODS.items()
        if start <= today <= end
    }


def followups_no_plan(client_ids, today: date) -> QuerySet:
    """Applications with no plan chosen while their year's open enrollment is on: determined, or waiting for documents
    (a plan may be chosen meanwhile, 45 CFR 155.315(f)(4))."""
    deadlines = _open_enrollment_deadlines(today)
    return followup_rows(
        Application.objects.filter(
            of_clients(client_ids),
            status__in=[ApplicationStatus.DETERMINED, ApplicationStatus.PENDING_VERIFICATION],
            coverage_year__in=list(deadlines),
        ),
        kind=NO_PLAN,
        client="client",
        deadline=Case(*[When(coverage_year=year, then=Value(day)) for year, day in deadlines.items()], default=None)
        if deadlines
        else None,
        since=F("status_changed_at"),
        ref=F("public_id"),
    )


def followups_coverage_ending(client_ids, today: date) -> QuerySet:
    """Coverage ending within settings.WORKLIST_COVERAGE_ENDING_DAYS with nothing after it: no later plan chosen."""
    # A later plan that counts: not replaced, not cancelled before it started (its end before its start).
    later = Enrollment.objects.filter(
        client_id=OuterRef("client_id"),
        coverage_start__gt=OuterRef("coverage_end"),
        coverage_end__gte=F("coverage_start"),
    ).exclude(status=EnrollmentStatus.REPLACED)
    return followup_rows(
        Enrollment.objects.filter(
            of_clients(client_ids),
            status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.TERMINATED],
            coverage_end__range=(today, today + timedelta(days=settings.WORKLIST_COVERAGE_ENDING_DAYS)),
            coverage_end__gte=F("coverage_start"),  # not a plan replaced before it started
        )
        .exclude(Exists(later))
        .exclude(
            Exists(Renewal.objects.filter(previous=OuterRef("application_id")).exclude(status=RenewalStatus.ENDED))
        ),
        kind=COVERAGE_ENDING,
        client="client",
        deadline=F("coverage_end"),
        since=Coalesce(F("ended_at"), F("selected_at")),
        ref=F("public_id"),
    )


def followups_renewals(client_ids, today: date) -> QuerySet:
    """Renewals the household has not confirmed (every one is at risk until it is), with the worst reason: the plan
    not offered next year, the projected credit down by more than the configured share, or only unconfirmed. The
    deadline is the end of the next year's open enrollment, when the portal renews it on its own."""
    kept = Decimal(100 - settings.RENEWAL_CREDIT_DROP_AT_RISK) / 100
    ends = {year: end for year, (_start, _cutoff, end) in settings.OPEN_ENROLLMENT_PERIODS.items()}
    return followup_rows(
        Renewal.objects.filter(of_clients(client_ids, "application__client_id"), status=RenewalStatus.PREPARED),
        kind=RENEWAL_AT_RISK,
        client="application__client",
        deadline=Case(
            *[When(application__coverage_year=year, then=Value(day)) for year, day in ends.items()], default=None
        )
        if ends
        else None,
        since=F("prepared_at"),
        ref=F("application__public_id"),
        detail=Case(
            When(next_plan__isnull=True, then=Value(NOT_OFFERED)),
            When(projected_credit__lt=F("previous_credit") * kept, then=Value(CREDIT_DROP)),
            default=Value(UNCONFIRMED),
        ),
    )
