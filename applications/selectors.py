"""Reads of applications: a client's applications, the determination as pages show it, the history and the
comparison of two revisions, and the application columns of the assister's dashboard."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

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
