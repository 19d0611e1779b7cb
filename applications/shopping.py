"""Pricing the plans of a household's area for the household that enrolls (issue 13): pure functions, no database.

Who enrolls: the members a determination found eligible for a plan through the exchange (with or without the
premium tax credit); those screened for Medical Assistance or MinnesotaCare, or not applying, are not on the plan.
Each plan is priced for them by the age curve (`plans.pricing`); the credit applied is the amount the household
chose (at most the determination's maximum), never more than the part of the premium that is for the members
eligible for the credit, without any tobacco surcharge (26 CFR 1.36B-3(c), (e); reference "Premium tax credit").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from plans.models import MetalLevel, Plan
from plans.pricing import Enrollee, RatedHousehold

from .eligibility import Determination, Program

ZERO = Decimal("0.00")
ENROLLS = frozenset({Program.QHP_WITH_CREDIT, Program.QHP})
SILVER_VARIANTS = ("73", "87", "94")  # least generous first
SORTS = ("net", "deductible", "yearly")


@dataclass(frozen=True)
class Member:
    key: str
    first_name: str
    age: int
    tobacco: bool
    credit: bool  # eligible for the premium tax credit
    tax_household: int = 0  # index of the member's tax household in the determination


@dataclass(frozen=True)
class Household:  # not slotted: `rated` is cached on the instance
    members: tuple[Member, ...]
    max_credit: Decimal  # monthly, from the determination: the sum of the tax households' below
    csr: str  # the cost-sharing variant the whole enrolling group qualifies for ("" for none)
    # (tax household, its monthly credit): each pays only its own members' premiums (26 CFR 1.36B-3(h))
    credits: tuple[tuple[int, Decimal], ...] = ()

    @cached_property
    def rated(self) -> RatedHousehold:
        """Who counts and each one's age factor, worked out once for every plan priced."""
        return RatedHousehold.of([Enrollee(age=m.age, tobacco=m.tobacco) for m in self.members])


@dataclass(frozen=True)
class Priced:
    plan: Plan
    premium: Decimal  # monthly, every member, tobacco surcharge included
    tobacco_surcharge: Decimal
    credit_limit: Decimal  # the most credit this plan can take for this household
    credit: Decimal  # applied: what the household chose, within the limit
    net: Decimal
    member_premiums: tuple[Decimal, ...]
    csr: str  # the variant that applies to this plan ("" when none)

    @property
    def yearly_estimate(self) -> Decimal:
        """A worst case for the year: 12 months of the premium after the credit, plus the whole deductible."""
        return self.net * 12 + self.plan.deductible


def group_csr(codes: Sequence[str]) -> str:
    """The cost-sharing reduction the whole enrolling group qualifies for: a group shares one plan, so it is the
    least generous of theirs, and none when anyone has none (45 CFR 155.305(g), 155.350)."""
    codes = list(codes)
    if not codes or "" in codes:
        return ""
    if all(code == "zero" for code in codes):
        return "zero"
    if all(code in {"zero", "limited"} for code in codes):
        return "limited"
    silver = [code for code in codes if code in SILVER_VARIANTS]
    if len(silver) == len(codes):
        return min(silver, key=SILVER_VARIANTS.index)
    return ""


def household(data: dict, determination: Determination) -> Household:
    """Who enrolls, from an application's answers and its determination."""
    tobacco = {m["key"]: bool(m.get("tobacco")) for m in data.get("members", [])}
    credit_members = {key for h in determination.tax_households for key in h.credit_members}
    members = tuple(
        Member(m.key, m.first_name, m.age, tobacco.get(m.key, False), m.key in credit_members, m.tax_household)
        for m in determination.members
        if m.program in ENROLLS
    )
    credits = tuple(
        (h.index, h.max_monthly_credit)
        for h in determination.tax_households
        if h.max_monthly_credit > 0 and any(m.credit and m.tax_household == h.index for m in members)
    )
    return Household(
        members=members,
        max_credit=sum((amount for _index, amount in credits), ZERO),
        csr=group_csr([m.csr for m in determination.members if m.program in ENROLLS]),
        credits=credits,
    )


def csr_for_plan(csr: str, metal_level: str) -> str:
    """A silver variant applies to silver plans only; zero and limited cost sharing to every metal level."""
    if csr in SILVER_VARIANTS:
        return csr if metal_level == MetalLevel.SILVER else ""
    return csr


def credit_wanted(raw: Decimal | None, max_credit: Decimal) -> Decimal:
    """The monthly credit the household asked to take: all of it when they did not say, never above the maximum."""
    if raw is None:
        return max_credit
    return min(max(raw, ZERO), max_credit).quantize(Decimal("0.01"))


def credit_limit(who: Household, plain_premiums: Sequence[Decimal]) -> Decimal:
    """The most credit a plan can take: each tax household's credit, up to its own credit-eligible members'
    premiums without any tobacco surcharge, added up (one household's credit never pays another's premium)."""
    total = ZERO
    for index, amount in who.credits:
        share = sum(
            (
                premium
                for premium, m in zip(plain_premiums, who.members, strict=True)
                if m.credit and m.tax_household == index
            ),
            ZERO,
        )
        total += min(amount, share)
    return total


def price(plan: Plan, who: Household, wanted: Decimal) -> Priced:
    premium = who.rated.premium(base_rate=plan.base_rate, tobacco_factor=plan.tobacco_factor)
    limit = credit_limit(who, premium.members_without_tobacco)
    credit = min(wanted, limit)
    return Priced(
        plan=plan,
        premium=premium.total,
        tobacco_surcharge=premium.tobacco_surcharge,
        credit_limit=limit,
        credit=credit,
        net=premium.total - credit,
        member_premiums=premium.members,
        csr=csr_for_plan(who.csr, plan.metal_level),
    )


@dataclass(frozen=True)
class Filters:
    metal_levels: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()  # HIOS issuer ids
    networks: frozenset[str] = frozenset()
    max_premium: Decimal | None = None  # after the credit
    max_deductible: int | None = None
    sort: str = "net"


def shop(options: Iterable[Priced], filters: Filters) -> list[Priced]:
    """The plans that pass the filters, in the order asked for (ties by premium after credit, then plan id)."""
    kept = [
        o
        for o in options
        if (not filters.metal_levels or o.plan.metal_level in filters.metal_levels)
        and (not filters.issuers or o.plan.issuer.hios_id in filters.issuers)
        and (not filters.networks or o.plan.network_type in filters.networks)
        and (filters.max_premium is None or o.net <= filters.max_premium)
        and (filters.max_deductible is None or o.plan.deductible <= filters.max_deductible)
    ]
    key = {
        "net": lambda o: (o.net, o.plan.deductible, o.plan.plan_id),
        "deductible": lambda o: (o.plan.deductible, o.net, o.plan.plan_id),
        "yearly": lambda o: (o.yearly_estimate, o.net, o.plan.plan_id),
    }[filters.sort if filters.sort in SORTS else "net"]
    return sorted(kept, key=key)
