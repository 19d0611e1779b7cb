"""Age-rated premiums in Minnesota: pure functions, no database.

A person's monthly premium for a plan is the plan's age-21 base rate × the Minnesota age factor of their
age (× the plan's tobacco factor for a tobacco user), rounded to the cent, half up; a household's premium
is the sum over its members, counting at most the three oldest children under 21 (45 CFR 147.102(c)).
The age curve is plans/data/age_curve.csv (its README gives the source), read once per process.
"""

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Plan

AGE_CURVE_CSV = Path(__file__).resolve().parent / "data" / "age_curve.csv"
CHILD_AGE_LIMIT = 21  # under 21: a child for the three-oldest-children rule (and 0.890 on Minnesota's curve)
CHILDREN_RATED = 3
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Enrollee:
    age: int
    tobacco: bool = False


@dataclass(frozen=True)
class HouseholdPremium:
    total: Decimal  # monthly, with any tobacco surcharge
    without_tobacco: Decimal  # what the same people pay with no surcharge (the tax credit never pays one)
    tobacco_surcharge: Decimal  # total − without_tobacco
    members: tuple[Decimal, ...]  # each enrollee's premium, in the order given; 0.00 for a child not counted
    members_without_tobacco: tuple[Decimal, ...] = ()  # the same with no surcharge


@cache
def age_curve() -> dict[int, Decimal]:
    """Age → factor for 0..64, where 64 stands for 64 and over."""
    with open(AGE_CURVE_CSV, encoding="utf-8") as f:
        curve = {int(row["age"]): Decimal(row["factor"]) for row in csv.DictReader(f)}
    oldest = max(curve)
    if sorted(curve) != list(range(oldest + 1)):
        raise ValueError(f"{AGE_CURVE_CSV.name} must give every age from 0 to {oldest}")
    return curve


def age_factor(age: int) -> Decimal:
    """Minnesota's factor for an age: 0.890 under 21, 1.000 at 21, 3.000 at 64 and over."""
    if age < 0:
        raise ValueError(f"age {age} is negative")
    curve = age_curve()
    return curve[min(age, max(curve))]


def rated(ages: Sequence[int]) -> tuple[bool, ...]:
    """Which of these people a family premium counts, in the order given.

    Everyone 21 or older counts; of those under 21, the three oldest count and the others are free. Between
    children of the same age, the one listed first counts.
    """
    children = sorted((i for i, age in enumerate(ages) if age < CHILD_AGE_LIMIT), key=lambda i: (-ages[i], i))
    free = set(children[CHILDREN_RATED:])
    return tuple(i not in free for i in range(len(ages)))


def member_premium(*, base_rate: Decimal, tobacco_factor: Decimal, enrollee: Enrollee) -> Decimal:
    """One person's monthly premium, rounded to the cent (half up)."""
    factor = age_factor(enrollee.age)
    if enrollee.tobacco:
        factor *= tobacco_factor
    return (base_rate * factor).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RatedHousehold:
    """A household's age factors, worked out once (who counts, each one's factor), to price many plans fast: the
    plan list prices every plan of an area for the same people."""

    factors: tuple[Decimal | None, ...]  # each enrollee's age factor, None for a child not counted
    tobacco: tuple[bool, ...]

    @classmethod
    def of(cls, enrollees: Sequence[Enrollee]) -> "RatedHousehold":
        counted = rated([enrollee.age for enrollee in enrollees])
        return cls(
            factors=tuple(age_factor(e.age) if counts else None for e, counts in zip(enrollees, counted, strict=True)),
            tobacco=tuple(e.tobacco for e in enrollees),
        )

    def premium(self, *, base_rate: Decimal, tobacco_factor: Decimal) -> HouseholdPremium:
        """The monthly premium of a plan for these people, with and without the tobacco surcharge; each person's
        premium rounded to the cent (half up), as `member_premium` does."""
        members = []
        without = []
        for factor, tobacco in zip(self.factors, self.tobacco, strict=True):
            if factor is None:
                members.append(ZERO)
                without.append(ZERO)
                continue
            plain = (base_rate * factor).quantize(CENT, rounding=ROUND_HALF_UP)
            without.append(plain)
            members.append(
                (base_rate * (factor * tobacco_factor)).quantize(CENT, rounding=ROUND_HALF_UP) if tobacco else plain
            )
        total = sum(members, ZERO)
        without_tobacco = sum(without, ZERO)
        return HouseholdPremium(
            total=total,
            without_tobacco=without_tobacco,
            tobacco_surcharge=total - without_tobacco,
            members=tuple(members),
            members_without_tobacco=tuple(without),
        )


def household_premium(
    *, base_rate: Decimal, tobacco_factor: Decimal, enrollees: Sequence[Enrollee]
) -> HouseholdPremium:
    """The monthly premium of a plan for these people, with and without the tobacco surcharge."""
    return RatedHousehold.of(enrollees).premium(base_rate=base_rate, tobacco_factor=tobacco_factor)


def plan_premium(plan: "Plan", enrollees: Sequence[Enrollee]) -> HouseholdPremium:
    """household_premium for a catalog plan (its base rate and tobacco factor)."""
    return household_premium(base_rate=plan.base_rate, tobacco_factor=plan.tobacco_factor, enrollees=enrollees)
