"""Reads of the plan catalog, each a fixed number of queries whatever the catalog's size."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet

from .models import Catalog, Market, MetalLevel, Plan, RatingArea
from .pricing import Enrollee, household_premium


@dataclass(frozen=True)
class Benchmark:
    plan: Plan
    premium: Decimal  # monthly, for the ages given, with no tobacco surcharge (the tax credit never pays one)


@dataclass(frozen=True)
class CatalogCounts:
    issuers: int
    plans: int  # distinct plan ids
    rows: int  # plan × rating area
    rating_areas: int
    by_metal_level: dict[str, int]  # rows per metal level
    fewest_silver_in_an_area: int  # over the nine areas (0 when an area has none)


def rating_area_for_county(county_id: int) -> RatingArea | None:
    """The rating area of a core.County (by its primary key); one query."""
    return RatingArea.objects.filter(county_links__county_id=county_id).first()


def catalog(*, year: int, market: str = Market.INDIVIDUAL) -> Catalog | None:
    """The year's catalog for a market (`catalog.is_sample` decides the "sample plans" label)."""
    return Catalog.objects.filter(year=year, market=market).first()


def plans_in_area(*, year: int, rating_area_id: int, market: str = Market.INDIVIDUAL) -> QuerySet[Plan]:
    """The plans offered in an area in a year, with their issuers, cheapest first within each metal level."""
    return (
        Plan.objects.filter(year=year, market=market, rating_area_id=rating_area_id)
        .select_related("issuer", "catalog")
        .order_by("metal_level", "base_rate", "plan_id")
    )


def benchmark(
    *, year: int, rating_area_id: int, ages: Sequence[int], market: str = Market.INDIVIDUAL
) -> Benchmark | None:
    """The second-lowest-cost silver plan of the year and area (26 CFR 1.36B-3(f)) and its premium for `ages`.

    The only silver plan when there is one; None when there is none. Every plan in an area prices ages with
    the same curve, so ordering by base rate is ordering by the household's premium: one query, which the
    benchmark index serves in order. Equal rates are ordered by plan id.
    """
    cheapest = list(
        Plan.objects.filter(year=year, market=market, rating_area_id=rating_area_id, metal_level=MetalLevel.SILVER)
        .select_related("issuer", "catalog")
        .order_by("base_rate", "plan_id")[:2]
    )
    if not cheapest:
        return None
    plan = cheapest[-1]
    premium = household_premium(
        base_rate=plan.base_rate,
        tobacco_factor=plan.tobacco_factor,
        enrollees=[Enrollee(age=age) for age in ages],
    )
    return Benchmark(plan=plan, premium=premium.total)


def catalog_counts(*, catalog: Catalog) -> CatalogCounts:
    """What a catalog holds, for the importer's report; three queries."""
    plans = Plan.objects.filter(catalog=catalog)
    totals = plans.aggregate(
        rows=Count("id"),
        plans=Count("plan_id", distinct=True),
        issuers=Count("issuer", distinct=True),
        rating_areas=Count("rating_area", distinct=True),
    )
    by_metal = dict(plans.order_by().values_list("metal_level").annotate(n=Count("id")))
    silver_plans = Q(plans__catalog=catalog, plans__metal_level=MetalLevel.SILVER)
    silver = RatingArea.objects.annotate(n=Count("plans", filter=silver_plans)).aggregate(fewest=Min("n"))
    return CatalogCounts(
        issuers=totals["issuers"],
        plans=totals["plans"],
        rows=totals["rows"],
        rating_areas=totals["rating_areas"],
        by_metal_level={level: by_metal.get(level, 0) for level in MetalLevel.values},
        fewest_silver_in_an_area=silver["fewest"] or 0,
    )


def rating_area_for_county_fips(fips: str) -> RatingArea | None:
    """The rating area of a county by its FIPS code; one query."""
    return RatingArea.objects.filter(county_links__county__fips=fips).first()


def next_year_plan(plan: Plan, *, rating_area_id: int | None, year: int | None = None) -> Plan | None:
    """The plan `plan`'s enrollees are renewed into for the next plan year (`year`, default the plan's year + 1) in a
    rating area (45 CFR 155.335(j)): the same plan id when it is offered there again, else the issuer's crosswalk plan
    (`crosswalk_plan_id`) when that is offered there, else None (not offered). One query."""
    year = year or plan.year + 1
    if rating_area_id is None:
        return None
    wanted = [plan.plan_id, *([plan.crosswalk_plan_id] if plan.crosswalk_plan_id else [])]
    found = {
        found.plan_id: found
        for found in Plan.objects.filter(
            year=year, market=plan.market, rating_area_id=rating_area_id, plan_id__in=wanted
        ).select_related("issuer", "catalog")
    }
    return next((found[plan_id] for plan_id in wanted if plan_id in found), None)
