"""The eligibility rules (applications/eligibility.py), one test per rule, with the reference's worked examples.

Pure functions: no database. Dollar amounts are checked against the reference (eligibility-and-plans.md); band edges
are tested in dollars (exactly at the edge, and $1 or 1 cent past it).
"""

import json
import re
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.utils import translation

from applications import eligibility
from applications.eligibility import (
    REASONS,
    Determination,
    HouseholdFacts,
    MemberFacts,
    Program,
    Reason,
    applicable_percentage,
    credit_for_plan,
    determine,
    guidelines_in_effect,
    job_offer_is_affordable,
    max_monthly_credit,
    money,
    percent_of_poverty,
    problems,
    rules_for,
    tax_households,
)

D = Decimal
START_2026 = date(2026, 1, 1)
START_2027 = date(2027, 1, 1)
OPEN_ENROLLMENT_2026 = date(2025, 11, 15)  # the 2025 guidelines are in effect for public programs too
OPEN_ENROLLMENT_2027 = date(2026, 12, 7)

# Minnesota's age curve (reference, "Plan rating"): 0.890 for every age 0–20, then only the ages these tests use.
AGE_FACTORS = {30: D("1.135"), 38: D("1.246"), 40: D("1.278"), 64: D("3.000")}


def age_factor(age):
    return D("0.890") if age <= 20 else AGE_FACTORS[age]


def benchmark(ages):
    """The reference's benchmark: $400.00 a month at age 40, each person scaled by the age curve, summed."""
    return sum(((D("400.00") * age_factor(age) / D("1.278")).quantize(D("0.01"), ROUND_HALF_UP) for age in ages), D(0))


def born(age, on=START_2026):
    """A birthday (June 1) that makes the person `age` on the first day of coverage."""
    return date(on.year - age - 1, 6, 1)


def person(key="ana", age=40, income=0, *, start=START_2026, **facts):
    """One member; by default a single filer asking for coverage."""
    defaults = {
        "first_name": key.capitalize(),
        "relationship": "self",
        "applying": True,
        "files_taxes": True,
        "filing_status": "single",
    }
    return MemberFacts(key=key, date_of_birth=born(age, start), annual_income=D(income), **{**defaults, **facts})


def couple(income_a, income_b, age_a=40, age_b=38, **facts):
    joint = {"files_taxes": True, "filing_status": "married_joint"}
    return (
        person("ana", age_a, income_a, spouse_key="ben", **joint, **facts),
        person("ben", age_b, income_b, relationship="spouse", spouse_key="ana", **joint, **facts),
    )


def child(key, age, claimed_by="ana", income=0, **facts):
    """A dependent who does not file (unless told otherwise)."""
    facts = {"relationship": "child", "files_taxes": False, "filing_status": "", **facts}
    return person(key, age, income, claimed_by=claimed_by, **facts)


def run(*members, year=2026, screening_date=None, bench=benchmark):
    start = START_2026 if year == 2026 else date(year, 1, 1)
    screening_date = screening_date or (OPEN_ENROLLMENT_2026 if year == 2026 else OPEN_ENROLLMENT_2027)
    return determine(HouseholdFacts(year, start, tuple(members)), screening_date=screening_date, benchmark=bench)


def codes(result, key="ana"):
    return [r.code for r in result.member(key).reasons]


def texts(result, key="ana"):
    return [r.text() for r in result.member(key).reasons]


# --- Rules as data ------------------------------------------------------------------------------------------------


def test_the_rules_cover_plan_years_2026_and_2027():
    assert eligibility.covered_years() == (2026, 2027)
    assert rules_for(2026).required_contribution == D("9.96")
    assert rules_for(2027).required_contribution == D("10.22")


def test_an_unknown_coverage_year_raises_an_error_naming_the_years_the_rules_cover():
    with pytest.raises(ValueError, match=r"coverage year 2028: the rules cover 2026, 2027"):
        rules_for(2028)
    with pytest.raises(ValueError, match=r"coverage year 2025: the rules cover 2026, 2027"):
        run(person(income=36_000, start=date(2025, 1, 1)), year=2025, screening_date=date(2025, 8, 1))


def test_every_value_in_the_rules_files_names_its_source_in_a_comment():
    for path in sorted(Path(eligibility.RULES_DIR).glob("*.toml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"^\s*[\w{]", line) and "=" in line:
                assert "#" in line, f"{path.name}:{number} has no source: {line}"


def test_the_tax_credit_for_coverage_year_y_uses_the_guidelines_published_in_y_minus_1():
    assert rules_for(2026).guidelines.year == 2025
    assert rules_for(2026).guidelines.line(1) == D(15_650)
    assert rules_for(2027).guidelines.year == 2026
    assert rules_for(2027).guidelines.line(1) == D(15_960)


def test_poverty_lines_for_households_over_8_add_the_amount_for_each_person_more():
    assert rules_for(2026).guidelines.line(8) == D(54_150)
    assert rules_for(2026).guidelines.line(10) == D(54_150 + 2 * 5_500)
    assert rules_for(2027).guidelines.line(9) == D(55_720 + 5_680)
    assert rules_for(2027).guidelines.line(12) == D(55_720 + 4 * 5_680)


def test_public_programs_use_the_guidelines_dhs_has_in_effect_on_the_screening_date():
    assert guidelines_in_effect(date(2026, 12, 7)).year == 2026
    assert guidelines_in_effect(date(2026, 7, 1)).year == 2026
    assert guidelines_in_effect(date(2026, 6, 30)).year == 2025
    assert guidelines_in_effect(date(2026, 5, 1)).year == 2025


def test_a_screening_date_with_no_guidelines_in_the_rules_is_an_error():
    with pytest.raises(ValueError, match="No poverty guidelines in the rules were in effect on 2027-07-01"):
        guidelines_in_effect(date(2027, 7, 1))
    with pytest.raises(ValueError, match="2025-06-30"):
        guidelines_in_effect(date(2025, 6, 30))


# --- Tax households -----------------------------------------------------------------------------------------------


def test_a_joint_filer_their_spouse_and_the_children_they_claim_are_one_tax_household():
    members = (*couple(30_000, 22_875), child("cal", 10), child("dee", 12, claimed_by="ben"))
    result = run(*members)
    (household,) = result.tax_households
    assert household.member_keys == ("ana", "ben", "cal", "dee")
    assert household.size == 4
    assert household.poverty_line == D(32_150)
    assert {m.tax_household for m in result.members} == {0}


def test_a_member_neither_filing_nor_claimed_is_a_tax_household_of_one():
    grandma = person("gus", 40, 12_000, relationship="parent", files_taxes=False, filing_status="")
    result = run(person(income=36_000), grandma)
    assert [h.member_keys for h in result.tax_households] == [("ana",), ("gus",)]
    assert [h.size for h in result.tax_households] == [1, 1]
    assert result.member("gus").tax_household == 1


def test_household_income_adds_dependents_who_file_but_not_dependents_who_do_not():
    members = (
        person(income=40_000, filing_status="head_of_household"),
        child("cal", 17, income=6_000, files_taxes=True, filing_status="single"),
        child("dee", 15, income=2_000),
    )
    (household,) = run(*members).tax_households
    assert household.income == D(46_000)
    assert household.size == 3


def test_married_people_filing_separately_are_two_tax_households_and_get_no_credit():
    separate = {"files_taxes": True, "filing_status": "married_separate"}
    ana = person("ana", 40, 40_000, spouse_key="ben", **separate)
    ben = person("ben", 38, 40_000, relationship="spouse", spouse_key="ana", **separate)
    result = run(ana, ben)
    assert [h.member_keys for h in result.tax_households] == [("ana",), ("ben",)]
    assert result.member("ana").program == Program.QHP
    assert "no_credit_married_separate" in codes(result, "ana")
    assert texts(result, "ben")[-1] == "No premium tax credit for married people who file separate tax returns."
    assert result.max_monthly_credit == 0


def test_a_household_of_10_uses_the_line_for_8_plus_2_more_people():
    kids = [child(f"kid{n}", 10, income=0) for n in range(8)]
    result = run(*couple(100_000, 0), *kids)
    (household,) = result.tax_households
    assert household.size == 10
    assert household.poverty_line == D(65_150)
    assert household.percent == 153  # 100,000 ÷ 65,150 = 153.49%
    assert all(result.member(k.key).program == Program.MEDICAL_ASSISTANCE for k in kids)


def test_tax_households_keep_the_order_of_the_members():
    members = (child("cal", 10), person(income=36_000), person("zed", 30, 50_000, relationship="sibling"))
    assert [[m.key for m in group] for group in tax_households(members)] == [["cal", "ana"], ["zed"]]


# --- Income as a percent of the poverty line ----------------------------------------------------------------------


def test_income_as_a_percent_of_the_poverty_line_drops_the_decimals():
    assert percent_of_poverty(D(36_000), D(15_650)) == 230  # 230.03%
    assert percent_of_poverty(D("31299.99"), D(15_650)) == 199
    assert percent_of_poverty(D(0), D(15_650)) == 0


def test_household_income_at_exactly_400_percent_in_dollars_gets_the_credit():
    result = run(person(age=64, income=62_600))  # 4 × $15,650
    assert result.member("ana").program == Program.QHP_WITH_CREDIT
    (household,) = result.tax_households
    assert household.percent == 400
    assert household.applicable_percentage == D("9.96")
    assert household.monthly_contribution == D("519.58")  # 62,600 × 9.96% ÷ 12
    assert household.benchmark_premium == D("938.97")  # 400 × 3.000 ÷ 1.278
    assert household.max_monthly_credit == D("419.39")


def test_household_income_one_dollar_over_400_percent_gets_no_credit():
    result = run(person(age=64, income=62_601))
    assert result.member("ana").program == Program.QHP
    assert result.tax_households[0].percent == 400  # the rounded percent is still 400: the edge is in dollars
    assert result.max_monthly_credit == 0
    assert result.tax_households[0].applicable_percentage is None
    assert texts(result)[-1] == "Over 400% of the poverty line ($62,600): no premium tax credit."


def test_income_of_exactly_the_poverty_line_is_in_the_credit_range_and_one_cent_less_is_not():
    rules = rules_for(2026)
    assert not eligibility.below_credit_floor(D(15_650), D(15_650), rules)
    assert eligibility.below_credit_floor(D("15649.99"), D(15_650), rules)
    assert not eligibility.above_credit_ceiling(D(62_600), D(15_650), rules)
    assert eligibility.above_credit_ceiling(D("62600.01"), D(15_650), rules)


# --- Applicable percentage and the credit -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (100, "2.10"),
        (132, "2.10"),
        (133, "3.14"),
        (140, "3.57"),  # 3.14 + 7/17 × 1.05 = 3.572
        (150, "4.19"),
        (175, "5.40"),  # 4.19 + 25/50 × 2.41 = 5.395: half up
        (200, "6.60"),
        (230, "7.70"),
        (250, "8.44"),
        (283, "9.44"),
        (299, "9.93"),
        (300, "9.96"),
        (400, "9.96"),
    ],
)
def test_applicable_percentage_for_2026_interpolates_within_its_band_and_rounds_half_up(percent, expected):
    assert applicable_percentage(percent, rules_for(2026)) == D(expected)


def test_applicable_percentage_for_2027_uses_the_2027_bands():
    rules = rules_for(2027)
    assert applicable_percentage(120, rules) == D("2.15")
    assert applicable_percentage(230, rules) == D("7.91")  # 6.78 + 30/50 × 1.88 = 7.908
    assert applicable_percentage(400, rules) == D("10.22")


def test_applicable_percentage_over_400_percent_is_an_error():
    with pytest.raises(ValueError, match="401% of the poverty line is outside"):
        applicable_percentage(401, rules_for(2026))


def test_the_credit_is_the_benchmark_less_the_contribution_and_never_below_zero():
    assert max_monthly_credit(D("400.00"), D("231.00")) == D("169.00")
    assert max_monthly_credit(D("355.24"), D("488.02")) == D("0.00")


def test_the_credit_on_a_plan_is_never_more_than_its_premium_without_the_tobacco_surcharge():
    assert credit_for_plan(D("418.09"), D("350.00")) == D("350.00")
    assert credit_for_plan(D("418.09"), D("500.00")) == D("418.09")
    assert credit_for_plan(D("0.00"), D("500.00")) == D("0.00")


def test_worked_example_1_a_married_couple_at_250_percent_gets_418_09_a_month():
    result = run(*couple(30_000, 22_875))  # $52,875, ages 40 and 38
    (household,) = result.tax_households
    assert household.percent == 250
    assert household.applicable_percentage == D("8.44")
    assert eligibility.yearly_contribution(household.income, household.applicable_percentage) == D("4462.65")
    assert household.monthly_contribution == D("371.89")
    assert household.benchmark_premium == D("789.98")
    assert household.max_monthly_credit == D("418.09")
    assert household.credit_members == ("ana", "ben")
    assert result.max_monthly_credit == D("418.09")
    assert texts(result)[:3] == [
        "Household income of $52,875 is 250% of the poverty line for a household of 2 ($21,150).",
        "Eligible to buy a plan through MNsure.",
        "Premium tax credit of up to $418.09 a month for the household: the benchmark silver plan costs $789.98 a "
        "month, and the household is expected to pay 8.44% of its income, $4,462.65 a year ($371.89 a month).",
    ]


def test_worked_example_1_on_a_350_bronze_plan_the_credit_is_350_and_the_net_premium_0():
    credit = credit_for_plan(D("418.09"), D("350.00"))
    assert (credit, D("350.00") - credit) == (D("350.00"), D("0.00"))


def test_worked_example_2_a_single_person_at_36000_gets_169_a_month():
    result = run(person(age=40, income=36_000))
    (household,) = result.tax_households
    assert household.percent == 230
    assert household.applicable_percentage == D("7.70")
    assert household.monthly_contribution == D("231.00")
    assert household.benchmark_premium == D("400.00")
    assert household.max_monthly_credit == D("169.00")
    assert result.member("ana").program == Program.QHP_WITH_CREDIT
    assert result.member("ana").csr == "73"


def test_worked_example_2_the_same_person_at_28500_is_screened_for_minnesotacare_and_gets_no_credit():
    calls = []
    result = run(person(age=40, income=28_500), bench=lambda ages: calls.append(ages) or benchmark(ages))
    assert result.member("ana").program == Program.MINNESOTACARE
    assert result.max_monthly_credit == 0
    assert calls == []
    assert texts(result)[1:] == [
        "Likely eligible for MinnesotaCare (limit 200%): referred to the Minnesota Department of Human Services.",
        "No premium tax credit for someone likely eligible for Medical Assistance or MinnesotaCare.",
    ]


def test_the_2027_credit_uses_the_2026_guidelines_and_the_2027_percentages():
    result = run(person(age=40, income=36_000, start=START_2027), year=2027)
    (household,) = result.tax_households
    assert household.poverty_line == D(15_960)
    assert household.percent == 225
    assert household.applicable_percentage == D("7.72")  # 6.78 + 25/50 × 1.88
    assert household.monthly_contribution == D("231.60")
    assert household.max_monthly_credit == D("168.40")
    assert result.rules_version == "2027 rules, 2026 poverty guidelines"


def test_the_benchmark_is_asked_once_per_tax_household_with_the_ages_of_its_coverage_family():
    calls = []
    members = (
        *couple(40_000, 26_625),
        child("cal", 10),  # Medical Assistance (under 275%): not in the coverage family
        person("gus", 64, 20_000, relationship="parent", applying=False),  # not applying
        person("zed", 30, 50_000, relationship="sibling"),
    )
    run(*members, bench=lambda ages: calls.append(ages) or benchmark(ages))
    assert calls == [(40, 38), (30,)]


def test_a_household_with_no_one_eligible_for_the_credit_does_not_ask_for_a_benchmark():
    result = run(person(income=80_000), bench=lambda ages: pytest.fail("asked for a benchmark"))
    household = result.tax_households[0]
    assert (household.benchmark_premium, household.max_monthly_credit, household.credit_members) == (None, 0, ())


def test_with_no_silver_plan_in_the_area_the_credit_cannot_be_worked_out():
    result = run(person(income=36_000), bench=lambda ages: None)
    household = result.tax_households[0]
    assert household.applicable_percentage == D("7.70")
    assert (household.benchmark_premium, household.max_monthly_credit) == (None, 0)
    assert result.member("ana").program == Program.QHP
    assert "no_benchmark" in codes(result)


def test_a_contribution_above_the_benchmark_means_no_credit_and_says_why():
    result = run(person(age=30, income=58_000))  # 370%: 9.96% → $481.40 a month; benchmark $355.24
    assert result.member("ana").program == Program.QHP
    assert result.tax_households[0].max_monthly_credit == D("0.00")
    assert texts(result)[-1] == (
        "No premium tax credit: the household's expected payment of $481.40 a month (9.96% of its income) is more "
        "than the benchmark silver plan's $355.24."
    )


def test_a_member_not_applying_counts_in_the_household_but_gets_no_program():
    ana, ben = couple(30_000, 22_875)
    result = run(ana, replace(ben, applying=False))
    assert result.tax_households[0].size == 2
    assert result.member("ben").program == Program.NOT_APPLYING
    assert result.member("ben").csr == ""
    assert result.tax_households[0].credit_members == ("ana",)
    assert result.tax_households[0].benchmark_premium == D("400.00")


# --- Medical Assistance -------------------------------------------------------------------------------------------


def test_a_pregnant_person_at_278_percent_counting_the_expected_baby_is_referred_to_medical_assistance():
    result = run(person(age=30, income=58_797, pregnant=True))  # 278% of $21,150 (a household of 2)
    assert result.member("ana").program == Program.MEDICAL_ASSISTANCE
    assert texts(result)[1:3] == [
        "For Medical Assistance a pregnant person's household counts the expected baby, with the poverty guidelines "
        "published in 2025: income is 278% of the poverty line for a household of 2 ($21,150).",
        "Pregnant: likely eligible for Medical Assistance (limit 278%) — referred to the county.",
    ]


def test_a_pregnant_person_one_dollar_over_278_percent_is_not_referred_to_medical_assistance():
    result = run(person(age=30, income=58_798, pregnant=True))
    assert result.member("ana").program == Program.QHP
    assert "ma_pregnant" not in codes(result)


def test_an_infant_under_2_at_283_percent_is_referred_to_medical_assistance_and_one_dollar_more_is_not():
    at_limit = run(*couple(75_419, D("0.50"), 40, 40), child("ivy", 1))  # 283% of $26,650 = $75,419.50
    assert at_limit.member("ivy").program == Program.MEDICAL_ASSISTANCE
    assert "ma_infant" in codes(at_limit, "ivy")
    over = run(*couple(75_420, D("0.50"), 40, 40), child("ivy", 1))
    assert over.member("ivy").program == Program.QHP_WITH_CREDIT
    assert over.tax_households[0].credit_members == ("ana", "ben", "ivy")


def test_a_child_2_to_18_at_275_percent_is_referred_to_medical_assistance_and_one_dollar_more_is_not():
    at_limit = run(*couple(73_287, D("0.50"), 40, 40), child("cal", 18))  # 275% of $26,650 = $73,287.50
    assert at_limit.member("cal").program == Program.MEDICAL_ASSISTANCE
    assert texts(at_limit, "cal")[1] == (
        "Age 2 through 18: likely eligible for Medical Assistance (limit 275%) — referred to the county."
    )
    over = run(*couple(73_288, D("0.50"), 40, 40), child("cal", 10))
    assert over.member("cal").program == Program.QHP_WITH_CREDIT


def test_an_adult_at_133_percent_is_referred_to_medical_assistance_without_the_disregard():
    result = run(person(age=30, income=D("20814.50")))  # 133% of $15,650
    assert result.member("ana").program == Program.MEDICAL_ASSISTANCE
    assert codes(result) == ["household_income", "ma_adult", "no_credit_public_program"]


def test_an_adult_over_133_percent_is_within_the_limit_with_the_5_percent_disregard_up_to_138_percent():
    just_over = run(person(age=30, income=D("20814.51")))
    assert codes(just_over) == ["household_income", "ma_adult", "ma_disregard", "no_credit_public_program"]
    at_138 = run(person(age=30, income=21_597))  # 138% of $15,650
    assert at_138.member("ana").program == Program.MEDICAL_ASSISTANCE
    assert texts(at_138)[2] == (
        "Medical Assistance disregards income equal to 5% of the poverty line ($782.50), which brings income to "
        "133%, within the limit."
    )


def test_an_adult_one_dollar_over_138_percent_is_screened_for_minnesotacare_instead():
    result = run(person(age=30, income=21_598))
    assert result.member("ana").program == Program.MINNESOTACARE


def test_the_5_percent_disregard_is_not_applied_to_children():
    result = run(*couple(73_288, D("0.50"), 40, 40), child("cal", 10))  # 275.003%: the disregard would bring it under
    assert result.member("cal").program != Program.MEDICAL_ASSISTANCE


def test_people_19_and_20_are_screened_at_133_percent_with_the_disregard():
    result = run(person(age=20, income=21_000))  # 134%
    assert codes(result)[1:3] == ["ma_young_adult", "ma_disregard"]


def test_a_parent_living_with_a_child_under_19_is_screened_as_a_parent_or_caretaker():
    members = (person(income=D("28129.50"), filing_status="head_of_household"), child("cal", 5))  # 133% of $21,150
    result = run(*members)
    assert result.member("ana").program == Program.MEDICAL_ASSISTANCE
    assert "ma_parent" in codes(result)
    assert "ma_child" in codes(result, "cal")


def test_an_adult_with_medicare_is_not_screened_for_medical_assistance_minnesotacare_or_the_credit():
    result = run(person(age=50, income=15_000, other_coverage="medicare"))
    assert result.member("ana").program == Program.QHP
    assert "ma_adult" not in codes(result)
    assert texts(result)[-1] == "Has Medicare: no premium tax credit or MinnesotaCare."


def test_a_lawfully_present_adult_referred_to_medical_assistance_is_told_minnesotacare_covers_them_otherwise():
    result = run(person(age=30, income=14_000, citizenship="lawfully_present"))
    assert result.member("ana").program == Program.MEDICAL_ASSISTANCE
    assert "ma_status_minnesotacare" in codes(result)
    citizen = run(person(age=30, income=14_000))
    assert "ma_status_minnesotacare" not in codes(citizen)


def test_an_undocumented_adult_is_not_referred_to_public_programs_and_cannot_buy_a_plan():
    result = run(person(age=30, income=15_000, citizenship="not_lawfully_present"))
    assert result.member("ana").program == Program.NOT_ELIGIBLE
    assert texts(result)[1:] == [
        "Not eligible to buy a plan through MNsure: plans are for U.S. citizens and nationals and lawfully present "
        "immigrants.",
        "MinnesotaCare does not cover people 18 and older without lawful immigration status.",
    ]


def test_a_person_serving_a_sentence_is_still_screened_for_medical_assistance():
    result = run(person(age=30, income=15_000, incarcerated=True))
    assert result.member("ana").program == Program.MEDICAL_ASSISTANCE


def test_people_65_and_older_are_not_screened_for_medical_assistance_here_but_for_minnesotacare_without_medicare():
    result = run(person("gus", 66, 15_000, relationship="self"))
    assert result.member("gus").program == Program.MINNESOTACARE
    assert not any(code.startswith("ma_") for code in codes(result, "gus"))


# --- MinnesotaCare ------------------------------------------------------------------------------------------------


def test_income_at_exactly_200_percent_is_screened_for_minnesotacare():
    result = run(person(income=31_300))  # 2 × $15,650
    assert result.member("ana").program == Program.MINNESOTACARE


def test_income_one_dollar_over_200_percent_gets_the_credit_instead_of_minnesotacare():
    result = run(person(income=31_301))
    assert result.member("ana").program == Program.QHP_WITH_CREDIT
    household = result.tax_households[0]
    assert (household.applicable_percentage, household.monthly_contribution) == (D("6.60"), D("172.16"))
    assert household.max_monthly_credit == D("227.84")


def test_an_undocumented_child_under_18_is_screened_for_minnesotacare_but_not_at_18():
    members = (*couple(39_975, 0), child("cal", 17, citizenship="not_lawfully_present"))  # 150% of $26,650
    assert run(*members).member("cal").program == Program.MINNESOTACARE
    members = (*couple(39_975, 0), child("cal", 18, citizenship="not_lawfully_present"))
    assert run(*members).member("cal").program == Program.NOT_ELIGIBLE


def test_an_affordable_job_offer_rules_out_minnesotacare_and_the_credit():
    result = run(person(income=28_500, job_offer_monthly_premium=D("120.00")))
    assert result.member("ana").program == Program.QHP
    assert texts(result)[-1] == (
        "An offer of job-based coverage that costs $120.00 a month for the employee is affordable (at or under 9.96% "
        "of household income), so no tax credit or MinnesotaCare."
    )


def test_a_job_offer_is_affordable_at_exactly_the_required_contribution_and_not_a_cent_more():
    rules = rules_for(2026)
    assert job_offer_is_affordable(D("298.80"), D(36_000), rules)  # 9.96% × 36,000 ÷ 12
    assert not job_offer_is_affordable(D("298.81"), D(36_000), rules)


def test_an_unaffordable_job_offer_does_not_stop_the_credit():
    result = run(person(income=36_000, job_offer_monthly_premium=D("300.00")))
    assert result.member("ana").program == Program.QHP_WITH_CREDIT
    assert result.max_monthly_credit == D("169.00")
    assert "job_offer_unaffordable" in codes(result)


def test_a_screening_after_july_1_uses_the_new_guidelines_for_public_programs_only():
    result = run(person(income=28_500), screening_date=date(2026, 8, 1))
    assert result.rules_version == (
        "2026 rules, 2025 poverty guidelines for the tax credit, 2026 for Medical Assistance and MinnesotaCare"
    )
    assert result.tax_households[0].poverty_line == D(15_650)
    assert texts(result)[1] == (
        "For Medical Assistance and MinnesotaCare the poverty guidelines published in 2026 apply: income is 178% of "
        "the poverty line for a household of 1 ($15,960)."
    )


# --- Buying a plan and the credit's other conditions --------------------------------------------------------------


def test_a_person_serving_a_sentence_cannot_buy_a_plan():
    result = run(person(income=50_000, incarcerated=True))
    assert result.member("ana").program == Program.NOT_ELIGIBLE
    assert texts(result)[-1] == "Not eligible to buy a plan through MNsure while serving a sentence."


def test_a_household_that_does_not_file_a_tax_return_gets_no_credit():
    result = run(person(income=46_950, files_taxes=False, filing_status=""))
    assert result.member("ana").program == Program.QHP
    assert texts(result)[-1] == (
        "No premium tax credit: it needs a federal tax return for 2026, filed by the person or by someone who claims "
        "them as a dependent."
    )


def test_a_lawfully_present_person_under_100_percent_gets_no_credit_from_2026():
    result = run(person(income=10_000, citizenship="lawfully_present", other_coverage="medicare"))
    assert result.member("ana").program == Program.QHP
    assert codes(result)[2:] == ["no_credit_lawfully_present_under_100", "no_credit_medicare"]
    assert texts(result)[2] == (
        "Under 100% of the poverty line ($15,650): from 2026 lawfully present immigrants with this income get no "
        "premium tax credit."
    )


def test_enrollment_in_medical_assistance_or_job_based_coverage_rules_out_the_credit():
    on_ma = run(person(income=46_950, other_coverage="medical_assistance"))
    assert on_ma.member("ana").program == Program.QHP
    assert "no_credit_medical_assistance" in codes(on_ma)
    on_job = run(person(income=46_950, other_coverage="job"))
    assert "no_credit_job_coverage" in codes(on_job)


# --- Cost-sharing reductions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "expected"),
    [(15_650, "94"), (23_475, "94"), (23_476, "87"), (31_300, "87"), (31_301, "73"), (39_125, "73"), (39_126, "")],
)
def test_silver_cost_sharing_reductions_by_income_at_150_200_and_250_percent(income, expected):
    csr = eligibility.cost_sharing_reduction(
        D(income), D(15_650), american_indian=False, credit_eligible=True, rules=rules_for(2026)
    )
    assert csr == expected


def test_no_cost_sharing_reduction_without_the_credit():
    csr = eligibility.cost_sharing_reduction(
        D(20_000), D(15_650), american_indian=False, credit_eligible=False, rules=rules_for(2026)
    )
    assert csr == ""


def test_american_indians_get_zero_cost_sharing_up_to_300_percent_and_limited_at_any_income():
    def csr(income, credit_eligible=True):
        return eligibility.cost_sharing_reduction(
            D(income), D(15_650), american_indian=True, credit_eligible=credit_eligible, rules=rules_for(2026)
        )

    assert csr(46_950) == "zero"  # 3 × $15,650
    assert csr(46_951) == "limited"
    assert csr(20_000, credit_eligible=False) == "limited"


def test_an_american_indian_member_is_told_about_the_cost_sharing_reduction():
    with_credit = run(person(income=36_000, american_indian=True))
    assert with_credit.member("ana").csr == "zero"
    assert texts(with_credit)[-1] == (
        "American Indian or Alaska Native: no deductibles or copays on any plan (zero cost sharing)."
    )
    over_400 = run(person(income=70_000, american_indian=True))
    assert (over_400.member("ana").program, over_400.member("ana").csr) == (Program.QHP, "limited")
    on_mncare = run(person(income=28_500, american_indian=True))
    assert on_mncare.member("ana").csr == ""


# --- What the rules cannot work with ------------------------------------------------------------------------------


def facts(*members):
    return HouseholdFacts(2026, START_2026, tuple(members))


def test_facts_the_rules_can_work_with_have_no_problems():
    assert problems(facts(*couple(30_000, 22_875), child("cal", 10))) == []


def test_a_household_with_no_members_or_no_one_applying_is_a_problem():
    assert problems(facts()) == ["The household has no members: add the person applying."]
    assert problems(facts(person(applying=False))) == ["No one in the household is asking for coverage."]


def test_a_member_claimed_by_someone_not_in_the_household_or_not_filing_is_a_problem():
    assert problems(facts(person(), child("cal", 10, claimed_by="zed"))) == [
        "Cal is claimed as a dependent by someone who is not in the household."
    ]
    assert problems(facts(person(files_taxes=False, filing_status=""), child("cal", 10))) == [
        "Cal is claimed as a dependent by Ana, who does not file a tax return."
    ]


def test_a_member_claimed_as_a_dependent_who_files_jointly_or_claims_others_is_a_problem():
    ana, ben = couple(30_000, 0)
    claimed_ben = replace(ben, claimed_by="gus")
    gus = person("gus", 64, 20_000, relationship="parent")
    assert "Ben is claimed as a dependent and also files a joint return." in problems(facts(ana, claimed_ben, gus))
    found = problems(
        facts(person(), child("cal", 17, files_taxes=True, filing_status="single"), child("dee", 1, claimed_by="cal"))
    )
    assert found == ["Dee is claimed by Cal, who is a dependent: dependents cannot claim dependents."]


def test_a_joint_filer_whose_spouse_is_missing_or_does_not_file_jointly_is_a_problem():
    alone = person(filing_status="married_joint")
    assert problems(facts(alone)) == ["Ana files jointly: the spouse must be in the household."]
    ana, ben = couple(30_000, 0)
    ben_single = replace(ben, filing_status="single")
    assert problems(facts(ana, ben_single)) == ["Ana files jointly with Ben, but Ben does not file jointly with Ana."]


def test_a_filer_without_a_filing_status_or_a_member_born_after_coverage_starts_is_a_problem():
    assert problems(facts(person(filing_status=""))) == [
        "Ana files a tax return: say how (single, jointly, separately, head of household)."
    ]
    baby = MemberFacts("ivy", "Ivy", date(2026, 3, 1), "child", True)
    assert problems(facts(person(), baby)) == ["Ivy is born after coverage starts."]


def test_two_members_with_one_key_or_an_answer_the_rules_do_not_know_is_a_problem():
    assert problems(facts(person(), person(relationship="sibling"))) == ["Two members have the same key ana."]
    assert problems(facts(person(citizenship="visitor"))) == ["Ana: “visitor” is not an answer the rules know."]


def test_determine_refuses_facts_with_problems():
    with pytest.raises(ValueError, match="No one in the household is asking for coverage"):
        run(person(applying=False))


# --- The stored result --------------------------------------------------------------------------------------------


def test_a_determination_round_trips_through_json_exactly():
    members = (
        *couple(40_000, 26_625),
        child("cal", 10),
        person("zed", 30, 10_000, relationship="sibling", citizenship="not_lawfully_present"),
    )
    result = run(*members)
    stored = json.loads(json.dumps(result.to_dict()))
    again = Determination.from_dict(stored)
    assert again == result
    assert again.to_dict() == stored
    assert stored["tax_households"][0]["max_monthly_credit"] == "321.38"
    assert stored["screening_date"] == "2025-11-15"
    assert stored["members"][2]["program"] == "medical_assistance"


def test_the_determination_sums_the_credit_and_lists_who_is_in_each_program():
    members = (*couple(40_000, 26_625), child("cal", 10), person("zed", 30, 36_000, relationship="sibling"))
    result = run(*members)
    # $66,625 is 250% for three: $789.98 − $468.60 for the couple; $355.24 − $231.00 for Zed
    assert result.max_monthly_credit == D("321.38") + D("124.24")
    assert result.programs == {Program.QHP_WITH_CREDIT: ("ana", "ben", "zed"), Program.MEDICAL_ASSISTANCE: ("cal",)}
    assert result.rules_version == "2026 rules, 2025 poverty guidelines"


def test_a_reason_reads_in_english_and_gives_a_string_in_spanish():
    reason = Reason("household_income", {"income": "$52,875", "percent": 250, "size": 2, "poverty_line": "$21,150"})
    english = "Household income of $52,875 is 250% of the poverty line for a household of 2 ($21,150)."
    with translation.override("en"):
        assert reason.text() == english
    with translation.override("es"):
        spanish = reason.text()
    assert isinstance(spanish, str)
    assert "$52,875" in spanish
    assert "250" in spanish


def test_every_reason_code_formats_with_the_params_determine_gives_it():
    members = (
        *couple(30_000, 22_875, job_offer_monthly_premium=D("400.00")),
        child("cal", 10),
        person("zed", 30, 58_797, relationship="sibling", pregnant=True, citizenship="lawfully_present"),
        person("gus", 70, 9_000, relationship="parent", applying=False),
    )
    for result in (run(*members), run(*members, screening_date=date(2026, 8, 1))):
        for member in result.members:
            for reason in member.reasons:
                assert "%(" not in reason.text()
                assert isinstance(json.dumps(reason.params), str)
    assert set(REASONS) >= {"household_income", "credit", "minnesotacare", "ma_pregnant", "incarcerated"}


def test_money_is_written_with_a_dollar_sign_commas_and_cents():
    assert money(D("1234.5")) == "$1,234.50"
    assert money(D(52_875), yearly=True) == "$52,875"
    assert money(D("4462.65"), yearly=True) == "$4,462.65"
    assert money(D("-1000")) == "-$1,000.00"
