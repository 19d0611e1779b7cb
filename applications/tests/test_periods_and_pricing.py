"""The rules behind choosing a plan, as pure functions (issue 13): enrollment periods and coverage start dates from
configuration, the end dates offered when ending coverage, the cost-sharing variant of an enrolling group, who
enrolls, and the credit's limits (never above the maximum, never a tobacco surcharge, never above the premium)."""

from datetime import date
from decimal import Decimal

import pytest

from applications import shopping
from applications.eligibility import Determination, MemberResult, Program, TaxHouseholdResult
from applications.periods import NoEnrollmentPeriod, SpecialEnrollment, enrollment_period, termination_dates
from plans.models import Issuer, Plan

PERIODS = {
    2026: (date(2025, 11, 1), date(2025, 12, 15), date(2026, 1, 15)),
    2027: (date(2026, 11, 1), date(2026, 12, 15), date(2027, 1, 15)),
}


@pytest.fixture(autouse=True)
def periods(settings):
    settings.OPEN_ENROLLMENT_PERIODS = PERIODS


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 11, 1), date(2027, 1, 1)),  # the first day
        (date(2026, 12, 15), date(2027, 1, 1)),  # the cut-off itself
        (date(2026, 12, 16), date(2027, 2, 1)),  # after the cut-off
        (date(2027, 1, 15), date(2027, 2, 1)),  # the last day
    ],
)
def test_open_enrollment_starts_coverage_january_first_by_the_cut_off_and_february_first_after(today, start):
    period = enrollment_period(2027, today)
    assert (period.kind, period.coverage_start, period.closes) == ("open", start, date(2027, 1, 15))


def test_before_open_enrollment_the_refusal_names_its_first_day():
    with pytest.raises(NoEnrollmentPeriod) as refused:
        enrollment_period(2027, date(2026, 10, 31))
    assert refused.value.next_open == date(2026, 11, 1)
    assert "Open enrollment for 2027 coverage starts on" in refused.value.message


def test_after_open_enrollment_the_refusal_names_the_next_one_or_says_none_is_scheduled():
    with pytest.raises(NoEnrollmentPeriod) as refused:
        enrollment_period(2026, date(2026, 3, 1))
    message = refused.value.message
    assert "Open enrollment for 2026 coverage ended on" in message
    assert "The next open enrollment, for 2027 coverage, starts on" in message
    assert refused.value.next_open == date(2026, 11, 1)
    with pytest.raises(NoEnrollmentPeriod) as refused:
        enrollment_period(2027, date(2027, 3, 1))
    assert "has not been scheduled yet" in refused.value.message and refused.value.next_open is None
    with pytest.raises(NoEnrollmentPeriod, match="There is no open enrollment for 2031 coverage"):
        enrollment_period(2031, date(2027, 3, 1))


def test_a_special_enrollment_period_starts_coverage_the_first_of_next_month_and_a_birth_on_the_day():
    moved = SpecialEnrollment("moved", date(2026, 3, 2), date(2026, 5, 1), "Moved to Duluth")
    period = enrollment_period(2026, date(2026, 3, 20), specials=[moved])
    assert (period.kind, period.coverage_start, period.special) == ("special", date(2026, 4, 1), moved)
    birth = SpecialEnrollment("birth", date(2026, 3, 3), date(2026, 5, 2), "Birth")
    assert enrollment_period(2026, date(2026, 3, 20), specials=[moved, birth]).coverage_start == date(2026, 3, 3)
    with pytest.raises(NoEnrollmentPeriod):  # the window closed
        enrollment_period(2026, date(2026, 5, 2), specials=[moved])
    with pytest.raises(NoEnrollmentPeriod):  # not open yet: the event has not happened
        enrollment_period(2026, date(2026, 3, 1), specials=[moved])


def test_a_special_enrollment_in_december_cannot_start_coverage_in_the_year():
    late = SpecialEnrollment("moved", date(2026, 12, 1), date(2027, 1, 30))
    with pytest.raises(NoEnrollmentPeriod):
        enrollment_period(2026, date(2026, 12, 5), specials=[late])


def test_coverage_can_end_at_the_end_of_this_month_or_next_never_after_december():
    assert termination_dates(date(2027, 3, 10), coverage_year=2027) == [date(2027, 3, 31), date(2027, 4, 30)]
    assert termination_dates(date(2027, 1, 31), coverage_year=2027) == [date(2027, 1, 31), date(2027, 2, 28)]
    assert termination_dates(date(2027, 12, 2), coverage_year=2027) == [date(2027, 12, 31)]
    assert termination_dates(date(2026, 12, 7), coverage_year=2027) == [date(2026, 12, 31), date(2027, 1, 31)]


@pytest.mark.parametrize(
    ("codes", "group"),
    [
        (["87", "87"], "87"),
        (["94", "73"], "73"),
        (["94", ""], ""),
        (["zero", "zero"], "zero"),
        (["zero", "limited"], "limited"),
        (["zero", "87"], ""),
        ([], ""),
    ],
)
def test_a_group_gets_the_least_generous_cost_sharing_reduction_of_its_members(codes, group):
    assert shopping.group_csr(codes) == group


def test_a_silver_variant_applies_to_silver_plans_only_and_zero_cost_sharing_to_all():
    assert shopping.csr_for_plan("87", "silver") == "87"
    assert shopping.csr_for_plan("87", "gold") == ""
    assert shopping.csr_for_plan("zero", "bronze") == "zero"


def _determination(members, households) -> Determination:
    return Determination(2027, date(2026, 12, 1), tuple(members), tuple(households), "test")


def test_only_members_eligible_for_a_plan_enroll_and_the_credit_is_capped_by_their_share():
    members = [
        MemberResult("a", "Ana", 40, Program.QHP_WITH_CREDIT, "", 0, ()),
        MemberResult("b", "Ben", 10, Program.MEDICAL_ASSISTANCE, "", 0, ()),
        MemberResult("c", "Cy", 45, Program.QHP, "", 1, ()),
    ]
    households = [
        TaxHouseholdResult(
            0, ("a", "b"), 2, Decimal("40000"), Decimal("21150"), 189, None, None, None, Decimal("900.00"), ("a",)
        ),
        TaxHouseholdResult(
            1, ("c",), 1, Decimal("90000"), Decimal("15650"), 575, None, None, None, Decimal("0.00"), ()
        ),
    ]
    data = {"members": [{"key": "a", "tobacco": True}, {"key": "b"}, {"key": "c"}]}
    who = shopping.household(data, _determination(members, households))
    assert [(m.key, m.tobacco, m.credit) for m in who.members] == [("a", True, True), ("c", False, False)]
    assert who.max_credit == Decimal("900.00")
    plan = Plan(
        plan_id="90101MN0010001",
        metal_level="silver",
        base_rate=Decimal("400.00"),
        tobacco_factor=Decimal("1.200"),
        deductible=1000,
    )
    plan.issuer = Issuer(hios_id="90101", name="Test")
    priced = shopping.price(plan, who, who.max_credit)
    ana_plain = (Decimal("400.00") * Decimal("1.278")).quantize(Decimal("0.01"))
    ana_tobacco = (Decimal("400.00") * Decimal("1.278") * Decimal("1.2")).quantize(Decimal("0.01"))
    cy = (Decimal("400.00") * Decimal("1.444")).quantize(Decimal("0.01"))
    assert priced.premium == ana_tobacco + cy
    assert priced.credit_limit == ana_plain  # Ana's share without the surcharge: not Cy's, not the surcharge
    assert priced.credit == ana_plain and priced.net == priced.premium - ana_plain
    assert shopping.price(plan, who, Decimal("100.00")).credit == Decimal("100.00")
    assert priced.yearly_estimate == priced.net * 12 + 1000


def test_the_credit_wanted_is_clamped_between_zero_and_the_maximum():
    assert shopping.credit_wanted(None, Decimal("300.00")) == Decimal("300.00")
    assert shopping.credit_wanted(Decimal("-5"), Decimal("300.00")) == Decimal("0.00")
    assert shopping.credit_wanted(Decimal("400"), Decimal("300.00")) == Decimal("300.00")
    assert shopping.credit_wanted(Decimal("12.345"), Decimal("300.00")) == Decimal("12.34")


def test_one_tax_households_credit_never_pays_another_households_premium():
    """Ana's household may take $500 a month, but only against her own premium ($191.70 on a $150 plan); Bo's
    household's $100 pays part of his ($216.60). Together $291.70: Ana's unused credit never pays Bo's premium."""
    members = [
        MemberResult("a", "Ana", 40, Program.QHP_WITH_CREDIT, "", 0, ()),
        MemberResult("b", "Bo", 45, Program.QHP_WITH_CREDIT, "", 1, ()),
    ]
    households = [
        TaxHouseholdResult(
            0, ("a",), 1, Decimal("30000"), Decimal("15650"), 191, None, None, None, Decimal("500.00"), ("a",)
        ),
        TaxHouseholdResult(
            1, ("b",), 1, Decimal("50000"), Decimal("15650"), 319, None, None, None, Decimal("100.00"), ("b",)
        ),
    ]
    who = shopping.household({"members": []}, _determination(members, households))
    assert who.max_credit == Decimal("600.00")
    plan = Plan(
        plan_id="90101MN0010002",
        metal_level="bronze",
        base_rate=Decimal("150.00"),
        tobacco_factor=Decimal("1.000"),
        deductible=0,
    )
    plan.issuer = Issuer(hios_id="90101", name="Test")
    priced = shopping.price(plan, who, who.max_credit)
    ana = (Decimal("150.00") * Decimal("1.278")).quantize(Decimal("0.01"))
    assert priced.credit_limit == ana + Decimal("100.00")
    assert priced.credit == ana + Decimal("100.00") and priced.net == priced.premium - priced.credit
