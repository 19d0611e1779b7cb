"""Age-rated premiums: Minnesota's age curve, the three-oldest-children rule, tobacco, and the reference's
worked example. Pure functions: no database."""

from decimal import Decimal

import pytest

from plans.models import Plan
from plans.pricing import Enrollee, age_curve, age_factor, household_premium, member_premium, plan_premium, rated

# The reference ("Plan rating in Minnesota"), as written there: 0.890 for 0-20, then the federal default.
REFERENCE_CURVE_FROM_21 = (
    "21-24 1.000, 25 1.004, 26 1.024, 27 1.048, 28 1.087, 29 1.119, 30 1.135, 31 1.159, 32 1.183, 33 1.198, "
    "34 1.214, 35 1.222, 36 1.230, 37 1.238, 38 1.246, 39 1.262, 40 1.278, 41 1.302, 42 1.325, 43 1.357, "
    "44 1.397, 45 1.444, 46 1.500, 47 1.563, 48 1.635, 49 1.706, 50 1.786, 51 1.865, 52 1.952, 53 2.040, "
    "54 2.135, 55 2.230, 56 2.333, 57 2.437, 58 2.548, 59 2.603, 60 2.714, 61 2.810, 62 2.873, 63 2.952, "
    "64 3.000"
)
# The worked example's benchmark: $400.00 a month at age 40, so its age-21 rate is 400 / 1.278, unrounded.
WORKED_EXAMPLE_BASE_RATE = Decimal("400") / Decimal("1.278")


def reference_curve() -> dict[int, Decimal]:
    curve = {age: Decimal("0.890") for age in range(21)}
    for part in REFERENCE_CURVE_FROM_21.split(", "):
        ages, factor = part.split()
        first, _, last = ages.partition("-")
        for age in range(int(first), int(last or first) + 1):
            curve[age] = Decimal(factor)
    return curve


def test_the_age_curve_file_is_the_references_curve_for_every_age_0_to_64():
    assert age_curve() == reference_curve()
    assert len(age_curve()) == 65


@pytest.mark.parametrize(
    ("age", "factor"),
    [(0, "0.890"), (14, "0.890"), (20, "0.890"), (21, "1.000"), (24, "1.000"), (25, "1.004"), (40, "1.278")],
)
def test_age_factor_follows_minnesotas_curve(age, factor):
    assert age_factor(age) == Decimal(factor)


@pytest.mark.parametrize("age", [64, 65, 80, 120])
def test_every_age_from_64_up_is_rated_3_to_1(age):
    assert age_factor(age) == Decimal("3.000")


def test_a_negative_age_is_refused():
    with pytest.raises(ValueError, match="negative"):
        age_factor(-1)


def test_the_age_curve_is_read_once_per_process():
    assert age_curve() is age_curve()


def test_of_four_children_under_21_the_three_oldest_count_and_the_youngest_is_free():
    assert rated([45, 43, 3, 17, 12, 9]) == (True, True, False, True, True, True)


def test_a_child_of_21_always_counts_and_is_not_one_of_the_three():
    assert rated([50, 21, 19, 15, 12, 8]) == (True, True, True, True, True, False)


def test_every_member_21_or_older_counts_however_many():
    assert rated([64, 62, 30, 28, 22]) == (True,) * 5


def test_between_children_of_the_same_age_the_one_listed_first_counts():
    assert rated([40, 10, 10, 10, 10]) == (True, True, True, True, False)


def test_a_family_with_four_children_pays_for_three():
    premium = household_premium(
        base_rate=Decimal("300.00"),
        tobacco_factor=Decimal("1.000"),
        enrollees=[Enrollee(40), Enrollee(38), Enrollee(12), Enrollee(10), Enrollee(7), Enrollee(2)],
    )
    child = Decimal("267.00")  # 300.00 × 0.890
    assert premium.members == (Decimal("383.40"), Decimal("373.80"), child, child, child, Decimal("0.00"))
    assert premium.total == Decimal("383.40") + Decimal("373.80") + 3 * child


def test_the_worked_example_benchmark_for_ages_40_and_38_is_789_98():
    """Reference, worked example 1: $400.00 + $400.00 × 1.246 ÷ 1.278 = $400.00 + $389.98 = $789.98."""
    premium = household_premium(
        base_rate=WORKED_EXAMPLE_BASE_RATE, tobacco_factor=Decimal("1.000"), enrollees=[Enrollee(40), Enrollee(38)]
    )
    assert premium.members == (Decimal("400.00"), Decimal("389.98"))
    assert premium.total == Decimal("789.98")
    assert premium.tobacco_surcharge == Decimal("0.00")


def test_a_catalog_rate_in_whole_cents_can_land_a_cent_off_the_worked_example():
    """Why the test above uses the unrounded rate: $312.99 (400 / 1.278 to the cent) gives $389.99 at 38."""
    premium = household_premium(
        base_rate=Decimal("312.99"), tobacco_factor=Decimal("1.000"), enrollees=[Enrollee(40), Enrollee(38)]
    )
    assert premium.members == (Decimal("400.00"), Decimal("389.99"))


def test_a_tobacco_user_pays_the_surcharge_and_the_premium_without_it_is_kept_apart():
    premium = household_premium(
        base_rate=Decimal("400.00"),
        tobacco_factor=Decimal("1.200"),
        enrollees=[Enrollee(40, tobacco=True), Enrollee(38)],
    )
    smoker = Decimal("613.44")  # 400.00 × 1.278 × 1.2
    assert premium.members == (smoker, Decimal("498.40"))
    assert premium.total == smoker + Decimal("498.40")
    assert premium.without_tobacco == Decimal("511.20") + Decimal("498.40")
    assert premium.tobacco_surcharge == Decimal("102.24")


def test_a_plan_without_tobacco_rating_charges_a_tobacco_user_nothing_more():
    premium = household_premium(
        base_rate=Decimal("400.00"), tobacco_factor=Decimal("1.000"), enrollees=[Enrollee(30, tobacco=True)]
    )
    assert premium.total == premium.without_tobacco == Decimal("454.00")
    assert premium.tobacco_surcharge == Decimal("0.00")


def test_a_free_child_who_uses_tobacco_still_pays_nothing():
    enrollees = [Enrollee(40), Enrollee(18), Enrollee(16), Enrollee(14), Enrollee(12, tobacco=True)]
    premium = household_premium(base_rate=Decimal("400.00"), tobacco_factor=Decimal("1.500"), enrollees=enrollees)
    assert premium.members[-1] == Decimal("0.00")
    assert premium.tobacco_surcharge == Decimal("0.00")


def test_each_member_is_rounded_to_the_cent_half_up_before_the_sum():
    child = member_premium(base_rate=Decimal("100.05"), tobacco_factor=Decimal("1.000"), enrollee=Enrollee(5))
    assert child == Decimal("89.04")  # 100.05 × 0.890 = 89.0445
    half_cent = member_premium(
        base_rate=Decimal("312.50"), tobacco_factor=Decimal("1.002"), enrollee=Enrollee(21, tobacco=True)
    )
    assert half_cent == Decimal("313.13")  # 312.50 × 1.000 × 1.002 = 313.125, half up
    premium = household_premium(
        base_rate=Decimal("100.05"), tobacco_factor=Decimal("1.000"), enrollees=[Enrollee(5), Enrollee(6)]
    )
    assert premium.total == Decimal("178.08")  # 89.04 + 89.04, not 178.089 rounded once


def test_plan_premium_prices_a_catalog_plan_with_its_own_rate_and_tobacco_factor():
    plan = Plan(base_rate=Decimal("350.00"), tobacco_factor=Decimal("1.100"))
    premium = plan_premium(plan, [Enrollee(21, tobacco=True)])
    assert premium.total == Decimal("385.00")
    assert premium.without_tobacco == Decimal("350.00")


def test_an_empty_household_costs_nothing():
    premium = household_premium(base_rate=Decimal("400.00"), tobacco_factor=Decimal("1.000"), enrollees=[])
    assert premium.total == Decimal("0.00")
    assert premium.members == ()
