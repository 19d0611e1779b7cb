"""The eligibility determination: pure functions over the facts of a household and the published rules.

No database and no models: the applications app maps its rows onto `HouseholdFacts`, calls `determine()` and stores
`Determination.to_dict()`. The rules (reference/eligibility-and-plans.md) are in two parts: the tables are data in
`applications/rules/` (one file per coverage year plus the poverty guidelines, each value with its source), and the
way they are applied is the small named functions below, one per rule.

The portal does not decide Medical Assistance or MinnesotaCare: it screens and refers, the way the exchange does.
Where the screening is simpler than the programs' own rules, it says so here:

- Medical Assistance and MinnesotaCare use the tax household (size and income) rather than Medicaid's own household
  rules, except that a pregnant person counts the expected baby (one) for Medical Assistance (42 CFR 435.603(b)).
- "Lawfully present" is screened like a citizen for Medical Assistance (the facts do not say whether the five-year
  bar or a non-qualified status applies); the reasons say that MinnesotaCare covers them if the county finds that
  Medical Assistance does not. People 65 and older are not screened for Medical Assistance here (their basis is
  age, not MAGI); a person serving a sentence is still screened for it.
- Affordability looks only at the member's own offer (employee-only premium), not at a family member's offer.
- Enrollment in job-based coverage ("job"), Medicare or Medical Assistance stops the credit and MinnesotaCare;
  "other" coverage stops neither.
"""

import functools
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"
ZERO = Decimal(0)
CENTS = Decimal("0.01")

RELATIONSHIPS = frozenset({"self", "spouse", "child", "stepchild", "parent", "sibling", "other"})
FILING_STATUSES = frozenset({"single", "married_joint", "married_separate", "head_of_household"})
CITIZENSHIP = frozenset({"citizen", "lawfully_present", "not_lawfully_present"})
OTHER_COVERAGE = frozenset({"none", "medicare", "medical_assistance", "job", "other"})


# --- The facts --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFacts:
    key: str  # stable id within the application
    first_name: str
    date_of_birth: date
    relationship: str  # to the applicant: one of RELATIONSHIPS
    applying: bool  # asks for coverage
    pregnant: bool = False
    files_taxes: bool = False  # will file a federal return for the coverage year
    filing_status: str = ""  # for filers: one of FILING_STATUSES
    spouse_key: str | None = None  # the member they are married to, if in the household (joint filers: both sides)
    claimed_by: str | None = None  # key of the filer who claims them as a dependent
    citizenship: str = "citizen"  # one of CITIZENSHIP
    incarcerated: bool = False  # serving a sentence (not pending disposition of charges)
    american_indian: bool = False  # American Indian / Alaska Native
    tobacco: bool = False
    job_offer_monthly_premium: Decimal | None = None  # employee-only premium of an offer of job-based coverage
    other_coverage: str = "none"  # current: one of OTHER_COVERAGE ("job" = enrolled in job-based coverage)
    annual_income: Decimal = ZERO  # the member's projected MAGI for the coverage year (may be 0)
    # What could not be verified by the due date and has no data source to stand in ("ssn", "residency": issue 14).
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class HouseholdFacts:
    coverage_year: int
    coverage_start: date  # ages are counted as of this date
    members: tuple[MemberFacts, ...]


# --- The rules tables (applications/rules/) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PovertyGuidelines:
    year: int  # the year HHS published them
    dhs_effective: date  # Medical Assistance and MinnesotaCare use them for a year from this date
    sizes: tuple[Decimal, ...]  # households of 1 to 8
    each_additional: Decimal

    def line(self, size: int) -> Decimal:
        """The poverty line for a household of `size`: the table up to 8, then the amount for each person more."""
        if size < 1:
            raise ValueError(f"A household has at least one person, not {size}.")
        extra = max(0, size - len(self.sizes))
        return self.sizes[min(size, len(self.sizes)) - 1] + extra * self.each_additional


@dataclass(frozen=True)
class Band:
    start: int  # percent of the poverty line, included
    end: int  # not included, except in the last band
    initial: Decimal  # applicable percentage at `start`
    final: Decimal  # applicable percentage at `end`


@dataclass(frozen=True)
class YearRules:
    coverage_year: int
    guidelines: PovertyGuidelines  # for the tax credit: those published in the year before
    credit_floor: int
    credit_ceiling: int
    lawfully_present_under_floor: bool
    required_contribution: Decimal
    bands: tuple[Band, ...]
    ma_limits: tuple[tuple[str, int], ...]  # category → limit, percent of the poverty line
    ma_adult_max_age: int
    ma_disregard: int
    ma_disregard_categories: frozenset[str]
    minnesotacare_limit: int
    undocumented_under_age: int
    csr_silver: tuple[tuple[int, str], ...]  # (up to percent, variant), lowest first
    american_indian_zero_up_to: int

    def ma_limit(self, category: str) -> int:
        return dict(self.ma_limits)[category]


def _read_toml(path: Path) -> dict:
    with path.open("rb") as file:
        return tomllib.load(file, parse_float=Decimal)


@functools.cache
def poverty_guidelines() -> dict[int, PovertyGuidelines]:
    """Every table of poverty guidelines in the rules, by the year HHS published it."""
    data = _read_toml(RULES_DIR / "poverty_guidelines.toml")
    return {
        int(year): PovertyGuidelines(
            year=int(year),
            dhs_effective=table["dhs_effective"],
            sizes=tuple(Decimal(amount) for amount in table["sizes"]),
            each_additional=Decimal(table["each_additional"]),
        )
        for year, table in data.items()
    }


@functools.cache
def covered_years() -> tuple[int, ...]:
    """The coverage years the rules cover: one file per year, `applications/rules/<year>.toml`."""
    return tuple(sorted(int(path.stem) for path in RULES_DIR.glob("[0-9][0-9][0-9][0-9].toml")))


@functools.cache
def rules_for(coverage_year: int) -> YearRules:
    """The rules of a coverage year, read once per process. An unknown year is an error naming the years covered."""
    if coverage_year not in covered_years():
        years = ", ".join(str(year) for year in covered_years())
        raise ValueError(f"No eligibility rules for coverage year {coverage_year}: the rules cover {years}.")
    data = _read_toml(RULES_DIR / f"{coverage_year}.toml")
    if data["coverage_year"] != coverage_year:
        raise ValueError(f"applications/rules/{coverage_year}.toml says coverage_year = {data['coverage_year']}.")
    credit, ma, mncare, csr = (
        data["tax_credit"],
        data["medical_assistance"],
        data["minnesotacare"],
        data["cost_sharing_reduction"],
    )
    guidelines = poverty_guidelines().get(credit["poverty_guidelines"])
    if guidelines is None:
        raise ValueError(f"The {credit['poverty_guidelines']} poverty guidelines are not in the rules.")
    categories = ("pregnant", "infant", "child", "young_adult", "parent", "adult")
    return YearRules(
        coverage_year=coverage_year,
        guidelines=guidelines,
        credit_floor=credit["income_floor"],
        credit_ceiling=credit["income_ceiling"],
        lawfully_present_under_floor=credit["lawfully_present_under_floor"],
        required_contribution=credit["required_contribution"],
        bands=tuple(Band(b["from"], b["to"], b["initial"], b["final"]) for b in credit["applicable_percentage"]),
        ma_limits=tuple((category, ma[category]) for category in categories),
        ma_adult_max_age=ma["adult_max_age"],
        ma_disregard=ma["disregard"],
        ma_disregard_categories=frozenset(ma["disregard_categories"]),
        minnesotacare_limit=mncare["income_limit"],
        undocumented_under_age=mncare["undocumented_under_age"],
        csr_silver=tuple((band["up_to"], band["variant"]) for band in csr["silver"]),
        american_indian_zero_up_to=csr["american_indian_zero_up_to"],
    )


def guidelines_in_effect(day: date) -> PovertyGuidelines:
    """The guidelines Medical Assistance and MinnesotaCare use on `day`: each table for a year from DHS's July 1."""
    for guidelines in poverty_guidelines().values():
        start = guidelines.dhs_effective
        if start <= day < start.replace(year=start.year + 1):
            return guidelines
    known = ", ".join(f"{g.year} (from {g.dhs_effective.isoformat()})" for g in poverty_guidelines().values())
    raise ValueError(
        f"No poverty guidelines in the rules were in effect on {day.isoformat()}: the rules have {known}. "
        "Add the year's guidelines to applications/rules/poverty_guidelines.toml."
    )


# --- Small rules ------------------------------------------------------------------------------------------------------


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def money(amount: Decimal, *, yearly: bool = False) -> str:
    """Money as "$1,234.56"; yearly amounts drop ".00" when they are whole dollars ("$52,875")."""
    amount = Decimal(amount).quantize(CENTS, ROUND_HALF_UP)
    text = f"{abs(amount):,.2f}"
    if yearly and text.endswith(".00"):
        text = text[:-3]
    return f"{'-' if amount < 0 else ''}${text}"


def at_or_under(income: Decimal, line: Decimal, percent: int) -> bool:
    """Income within `percent` of the poverty line, tested on dollars (not on the rounded percent)."""
    return income * 100 <= line * percent


def percent_of_poverty(income: Decimal, line: Decimal) -> int:
    """Income as a whole percent of the poverty line, decimals dropped (Form 8962 instructions)."""
    return int((income * 100 / line).to_integral_value(rounding=ROUND_FLOOR))


def files_jointly(member: MemberFacts) -> bool:
    return member.files_taxes and member.filing_status == "married_joint"


def tax_households(members: Sequence[MemberFacts]) -> list[tuple[MemberFacts, ...]]:
    """Each filer with their spouse if they file jointly and the members they claim; anyone else alone.

    In the order of the members: a household comes where its first member is.
    """
    head: dict[str, str] = {}
    for member in members:
        if member.claimed_by is None:
            spouse = member.spouse_key if files_jointly(member) else None
            head[member.key] = head.get(spouse, member.key) if spouse else member.key
    for member in members:
        if member.claimed_by is not None:
            head[member.key] = head[member.claimed_by]
    groups: dict[str, list[MemberFacts]] = {}
    for member in members:
        groups.setdefault(head[member.key], []).append(member)
    return [tuple(group) for group in groups.values()]


def household_income(household: Sequence[MemberFacts]) -> Decimal:
    """The filer's (or joint filers') income plus that of dependents who file (who are required to)."""
    return sum((m.annual_income for m in household if m.claimed_by is None or m.files_taxes), ZERO)


def household_files(household: Sequence[MemberFacts]) -> bool:
    return any(m.files_taxes for m in household if m.claimed_by is None)


def household_files_separately(household: Sequence[MemberFacts]) -> bool:
    return any(m.filing_status == "married_separate" for m in household if m.claimed_by is None and m.files_taxes)


def below_credit_floor(income: Decimal, line: Decimal, rules: YearRules) -> bool:
    """Under 100% of the poverty line, in dollars: income under 1 × the line."""
    return income * 100 < line * rules.credit_floor


def above_credit_ceiling(income: Decimal, line: Decimal, rules: YearRules) -> bool:
    """Over 400% of the poverty line, in dollars: exactly 4 × the line still gets the credit."""
    return not at_or_under(income, line, rules.credit_ceiling)


def applicable_percentage(percent: int, rules: YearRules) -> Decimal:
    """Interpolated linearly within the band of `percent`, rounded to 0.01 percentage point (half up)."""
    last = rules.bands[-1]
    for band in rules.bands:
        if band.start <= percent < band.end or (band is last and percent == band.end):
            share = Decimal(percent - band.start) / Decimal(band.end - band.start)
            return (band.initial + share * (band.final - band.initial)).quantize(CENTS, ROUND_HALF_UP)
    raise ValueError(
        f"{percent}% of the poverty line is outside the {rules.coverage_year} applicable percentage table."
    )


def yearly_contribution(income: Decimal, percentage: Decimal) -> Decimal:
    return (income * percentage / 100).quantize(CENTS, ROUND_HALF_UP)


def monthly_contribution(income: Decimal, percentage: Decimal) -> Decimal:
    return (income * percentage / 100 / 12).quantize(CENTS, ROUND_HALF_UP)


def max_monthly_credit(benchmark_premium: Decimal, contribution: Decimal) -> Decimal:
    """The benchmark premium less the monthly contribution, never below 0."""
    return max(ZERO, benchmark_premium - contribution).quantize(CENTS, ROUND_HALF_UP)


def credit_for_plan(max_credit: Decimal, premium_without_tobacco: Decimal) -> Decimal:
    """The credit on a chosen plan: never more than its premium, and never toward the tobacco surcharge."""
    return max(ZERO, min(max_credit, premium_without_tobacco)).quantize(CENTS, ROUND_HALF_UP)


def job_offer_is_affordable(monthly_premium: Decimal, income: Decimal, rules: YearRules) -> bool:
    """Employee-only premium × 12 at or under the required contribution percentage of household income."""
    return monthly_premium * 12 * 100 <= rules.required_contribution * income


def is_parent_or_caretaker(member: MemberFacts, members: Sequence[MemberFacts], ages: dict[str, int]) -> bool:
    """Lives with a child under 19 they care for: the applicant or spouse with their (step)child, a parent with theirs."""
    cared_for = {"self": {"child", "stepchild"}, "spouse": {"child", "stepchild"}, "parent": {"self", "sibling"}}
    relationships = cared_for.get(member.relationship, set())
    return any(o.relationship in relationships and ages[o.key] < 19 for o in members if o.key != member.key)


def medical_assistance_category(member: MemberFacts, age: int, parent: bool, rules: YearRules) -> str | None:
    """The most generous Medical Assistance group the person can be in (people 65 and older: not screened here)."""
    if member.pregnant:
        return "pregnant"
    if age < 2:
        return "infant"
    if age < 19:
        return "child"
    if age <= 20:
        return "young_adult"
    if age > rules.ma_adult_max_age:
        return None
    if parent:
        return "parent"
    return None if member.other_coverage == "medicare" else "adult"


@dataclass(frozen=True)
class Screening:
    """How income compares with a public program's limit: what the reasons show."""

    category: str
    limit: int
    size: int
    poverty_line: Decimal
    percent: int
    guidelines_year: int
    disregard: Decimal | None = None  # the amount disregarded, when it brought income within the limit


def medical_assistance_screening(
    member: MemberFacts,
    category: str | None,
    income: Decimal,
    size: int,
    guidelines: PovertyGuidelines,
    rules: YearRules,
) -> Screening | None:
    """Likely eligible for Medical Assistance: a citizen or lawfully present person within their group's limit.

    A pregnant person's household counts the expected baby (42 CFR 435.603(b)). The 5% disregard is applied only to
    the groups the rules name, and only when it is what brings income within the limit.
    """
    if category is None or member.citizenship not in ("citizen", "lawfully_present"):
        return None
    size = size + 1 if category == "pregnant" else size
    line, limit = guidelines.line(size), rules.ma_limit(category)
    screening = Screening(category, limit, size, line, percent_of_poverty(income, line), guidelines.year)
    if at_or_under(income, line, limit):
        return screening
    disregard = line * rules.ma_disregard / 100
    if category in rules.ma_disregard_categories and at_or_under(income - disregard, line, limit):
        percent = percent_of_poverty(income - disregard, line)
        return Screening(category, limit, size, line, percent, guidelines.year, disregard)
    return None


def minnesotacare_status_allows(member: MemberFacts, age: int, rules: YearRules) -> bool:
    """Citizens and lawfully present people; people without lawful status only under the age the rules set."""
    return member.citizenship != "not_lawfully_present" or age < rules.undocumented_under_age


def minnesotacare_screening(
    member: MemberFacts, age: int, income: Decimal, size: int, guidelines: PovertyGuidelines, rules: YearRules
) -> Screening | None:
    """Likely eligible for MinnesotaCare (the caller has ruled out Medical Assistance): within 200%, no Medicare,
    Medical Assistance or job-based coverage, no affordable job offer, not serving a sentence, and a status it covers.

    There is no lower income limit: lawfully present people under 100% whom Medical Assistance does not cover because
    of their status are covered by MinnesotaCare.
    """
    line = guidelines.line(size)
    if (
        not at_or_under(income, line, rules.minnesotacare_limit)
        or member.other_coverage in ("medicare", "medical_assistance", "job")
        or member.incarcerated
        or not minnesotacare_status_allows(member, age, rules)
        or (
            member.job_offer_monthly_premium is not None
            and job_offer_is_affordable(member.job_offer_monthly_premium, income, rules)
        )
    ):
        return None
    return Screening(
        "minnesotacare", rules.minnesotacare_limit, size, line, percent_of_poverty(income, line), guidelines.year
    )


def cost_sharing_reduction(
    income: Decimal, line: Decimal, *, american_indian: bool, credit_eligible: bool, rules: YearRules
) -> str:
    """The cost-sharing reduction: silver variant "94", "87" or "73" for people eligible for the credit, by income;
    "zero" or "limited" for American Indians and Alaska Natives (45 CFR 155.350); otherwise ""."""
    if american_indian:
        zero = credit_eligible and at_or_under(income, line, rules.american_indian_zero_up_to)
        return "zero" if zero else "limited"
    if credit_eligible:
        for up_to, variant in rules.csr_silver:
            if at_or_under(income, line, up_to):
                return variant
    return ""


# --- The reasons ------------------------------------------------------------------------------------------------------

REASONS = {
    "household_income": _(
        "Household income of %(income)s is %(percent)s%% of the poverty line for a household of %(size)s (%(poverty_line)s)."
    ),
    "public_program_income": _(
        "For Medical Assistance and MinnesotaCare the poverty guidelines published in %(year)s apply: income is %(percent)s%% of the poverty line for a household of %(size)s (%(poverty_line)s)."
    ),
    "public_program_income_pregnant": _(
        "For Medical Assistance a pregnant person's household counts the expected baby, with the poverty guidelines published in %(year)s: income is %(percent)s%% of the poverty line for a household of %(size)s (%(poverty_line)s)."
    ),
    "not_applying": _("Not asking for coverage (counted in the household)."),
    "ma_pregnant": _("Pregnant: likely eligible for Medical Assistance (limit %(limit)s%%) — referred to the county."),
    "ma_infant": _("Under age 2: likely eligible for Medical Assistance (limit %(limit)s%%) — referred to the county."),
    "ma_child": _(
        "Age 2 through 18: likely eligible for Medical Assistance (limit %(limit)s%%) — referred to the county."
    ),
    "ma_young_adult": _(
        "Age 19 or 20: likely eligible for Medical Assistance (limit %(limit)s%%) — referred to the county."
    ),
    "ma_parent": _(
        "Parent or caretaker of a child: likely eligible for Medical Assistance (limit %(limit)s%%) — referred to the county."
    ),
    "ma_adult": _("Adult: likely eligible for Medical Assistance (limit %(limit)s%%) — referred to the county."),
    "ma_disregard": _(
        "Medical Assistance disregards income equal to %(disregard)s%% of the poverty line (%(amount)s), which brings income to %(percent)s%%, within the limit."
    ),
    "ma_status_minnesotacare": _(
        "Medical Assistance also depends on immigration status. If the county finds it does not apply, MinnesotaCare covers lawfully present immigrants at this income."
    ),
    "minnesotacare": _(
        "Likely eligible for MinnesotaCare (limit %(limit)s%%): referred to the Minnesota Department of Human Services."
    ),
    "minnesotacare_undocumented_adult": _(
        "MinnesotaCare does not cover people %(age)s and older without lawful immigration status."
    ),
    "no_credit_public_program": _(
        "No premium tax credit for someone likely eligible for Medical Assistance or MinnesotaCare."
    ),
    "incarcerated": _("Not eligible to buy a plan through MNsure while serving a sentence."),
    "not_lawfully_present": _(
        "Not eligible to buy a plan through MNsure: plans are for U.S. citizens and nationals and lawfully present immigrants."
    ),
    "unverified_ssn": _(
        "Not eligible to buy a plan through MNsure until the Social Security number is proved: no document was accepted by the due date."
    ),
    "unverified_residency": _(
        "Not eligible to buy a plan through MNsure until Minnesota residency is proved: no document was accepted by the due date."
    ),
    "qhp": _("Eligible to buy a plan through MNsure."),
    "no_credit_not_filing": _(
        "No premium tax credit: it needs a federal tax return for %(year)s, filed by the person or by someone who claims them as a dependent."
    ),
    "no_credit_married_separate": _("No premium tax credit for married people who file separate tax returns."),
    "no_credit_under_100": _("Under %(floor)s%% of the poverty line (%(limit)s): no premium tax credit."),
    "no_credit_lawfully_present_under_100": _(
        "Under %(floor)s%% of the poverty line (%(limit)s): from 2026 lawfully present immigrants with this income get no premium tax credit."
    ),
    "no_credit_over_400": _("Over %(ceiling)s%% of the poverty line (%(limit)s): no premium tax credit."),
    "no_credit_medicare": _("Has Medicare: no premium tax credit or MinnesotaCare."),
    "no_credit_medical_assistance": _(
        "Enrolled in Medical Assistance: no premium tax credit or MinnesotaCare while enrolled."
    ),
    "no_credit_job_coverage": _(
        "Enrolled in job-based coverage: no premium tax credit or MinnesotaCare while enrolled."
    ),
    "job_offer_affordable": _(
        "An offer of job-based coverage that costs %(premium)s a month for the employee is affordable (at or under %(percentage)s%% of household income), so no tax credit or MinnesotaCare."
    ),
    "job_offer_unaffordable": _(
        "An offer of job-based coverage that costs %(premium)s a month for the employee is over %(percentage)s%% of household income, so it does not stop the tax credit."
    ),
    "credit": _(
        "Premium tax credit of up to %(credit)s a month for the household: the benchmark silver plan costs %(benchmark)s a month, and the household is expected to pay %(percentage)s%% of its income, %(yearly)s a year (%(monthly)s a month)."
    ),
    "credit_zero": _(
        "No premium tax credit: the household's expected payment of %(monthly)s a month (%(percentage)s%% of its income) is more than the benchmark silver plan's %(benchmark)s."
    ),
    "no_benchmark": _(
        "No silver plan is offered where the household lives, so the premium tax credit cannot be worked out."
    ),
    "csr_silver": _(
        "Cost-sharing reduction: on a silver plan, lower deductibles and copays (the %(variant)s%% variant)."
    ),
    "csr_zero": _("American Indian or Alaska Native: no deductibles or copays on any plan (zero cost sharing)."),
    "csr_limited": _(
        "American Indian or Alaska Native: no deductibles or copays for care from Indian health care providers (limited cost sharing)."
    ),
}


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict  # JSON-safe: strings and integers

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))

    def text(self) -> str:
        """The plain-language sentence in the active language."""
        return str(REASONS[self.code]) % self.params


def reason(code: str, **params: str | int) -> Reason:
    if code not in REASONS:
        raise ValueError(f"Unknown reason code {code!r}.")
    return Reason(code, params)


def csr_reasons(csr: str) -> list[Reason]:
    """The reason that says a cost-sharing reduction, if there is one."""
    if not csr:
        return []
    return [
        {"zero": reason("csr_zero"), "limited": reason("csr_limited")}.get(csr) or reason("csr_silver", variant=csr)
    ]


# --- The determination ------------------------------------------------------------------------------------------------


class Program(StrEnum):
    MEDICAL_ASSISTANCE = "medical_assistance"
    MINNESOTACARE = "minnesotacare"
    QHP_WITH_CREDIT = "qhp_with_credit"
    QHP = "qhp"
    NOT_ELIGIBLE = "not_eligible"
    NOT_APPLYING = "not_applying"


@dataclass(frozen=True)
class MemberResult:
    key: str
    first_name: str
    age: int
    program: Program
    csr: str
    tax_household: int  # index into Determination.tax_households
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class TaxHouseholdResult:
    index: int
    member_keys: tuple[str, ...]
    size: int
    income: Decimal
    poverty_line: Decimal  # the guidelines of the tax credit (published the year before the coverage year)
    percent: int
    applicable_percentage: Decimal | None  # None when no one in the household is eligible for the credit
    monthly_contribution: Decimal | None
    benchmark_premium: Decimal | None
    max_monthly_credit: Decimal  # 0 when none
    credit_members: tuple[str, ...]


_DECIMALS = ("income", "poverty_line", "applicable_percentage", "monthly_contribution", "benchmark_premium")


@dataclass(frozen=True)
class Determination:
    coverage_year: int
    screening_date: date
    members: tuple[MemberResult, ...]
    tax_households: tuple[TaxHouseholdResult, ...]
    rules_version: str

    @property
    def max_monthly_credit(self) -> Decimal:
        return sum((h.max_monthly_credit for h in self.tax_households), Decimal("0.00"))

    @property
    def programs(self) -> dict[Program, tuple[str, ...]]:
        """Each program someone is in, with their keys, in the order of the members."""
        summary: dict[Program, tuple[str, ...]] = {}
        for member in self.members:
            summary[member.program] = (*summary.get(member.program, ()), member.key)
        return summary

    def member(self, key: str) -> MemberResult:
        return next(m for m in self.members if m.key == key)

    def to_dict(self) -> dict:
        """JSON-safe: Decimals as strings, dates in ISO format."""
        return {
            "coverage_year": self.coverage_year,
            "screening_date": self.screening_date.isoformat(),
            "rules_version": self.rules_version,
            "members": [
                {
                    "key": m.key,
                    "first_name": m.first_name,
                    "age": m.age,
                    "program": m.program.value,
                    "csr": m.csr,
                    "tax_household": m.tax_household,
                    "reasons": [{"code": r.code, "params": dict(r.params)} for r in m.reasons],
                }
                for m in self.members
            ],
            "tax_households": [
                {
                    "index": h.index,
                    "member_keys": list(h.member_keys),
                    "size": h.size,
                    "percent": h.percent,
                    **{name: None if getattr(h, name) is None else str(getattr(h, name)) for name in _DECIMALS},
                    "max_monthly_credit": str(h.max_monthly_credit),
                    "credit_members": list(h.credit_members),
                }
                for h in self.tax_households
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Determination":
        return cls(
            coverage_year=data["coverage_year"],
            screening_date=date.fromisoformat(data["screening_date"]),
            rules_version=data["rules_version"],
            members=tuple(
                MemberResult(
                    key=m["key"],
                    first_name=m["first_name"],
                    age=m["age"],
                    program=Program(m["program"]),
                    csr=m["csr"],
                    tax_household=m["tax_household"],
                    reasons=tuple(Reason(r["code"], dict(r["params"])) for r in m["reasons"]),
                )
                for m in data["members"]
            ),
            tax_households=tuple(
                TaxHouseholdResult(
                    index=h["index"],
                    member_keys=tuple(h["member_keys"]),
                    size=h["size"],
                    percent=h["percent"],
                    **{name: None if h[name] is None else Decimal(h[name]) for name in _DECIMALS},
                    max_monthly_credit=Decimal(h["max_monthly_credit"]),
                    credit_members=tuple(h["credit_members"]),
                )
                for h in data["tax_households"]
            ),
        )


def problems(facts: HouseholdFacts) -> list[str]:
    """What the rules cannot work with, in plain language; empty when the facts can be determined."""
    if not facts.members:
        return [gettext("The household has no members: add the person applying.")]
    found = []
    by_key: dict[str, MemberFacts] = {}
    for member in facts.members:
        if member.key in by_key:
            found.append(gettext("Two members have the same key %(key)s.") % {"key": member.key})
        by_key[member.key] = member
    if not any(m.applying for m in facts.members):
        found.append(gettext("No one in the household is asking for coverage."))
    if sum(m.relationship == "self" for m in facts.members) > 1:
        found.append(gettext("Only one member can be the person applying (“self”)."))
    if facts.coverage_start.year != facts.coverage_year:
        found.append(gettext("Coverage for %(year)s must start in %(year)s.") % {"year": facts.coverage_year})
    for m in facts.members:
        found.extend(_member_problems(m, by_key, facts.coverage_start))
    return found


def _member_problems(m: MemberFacts, by_key: dict[str, MemberFacts], coverage_start: date) -> list[str]:
    name = {"name": m.first_name or m.key}
    found = []
    for value, allowed in (
        (m.relationship, RELATIONSHIPS),
        (m.citizenship, CITIZENSHIP),
        (m.other_coverage, OTHER_COVERAGE),
    ):
        if value not in allowed:
            found.append(gettext("%(name)s: “%(value)s” is not an answer the rules know.") % {**name, "value": value})
    if m.date_of_birth > coverage_start:
        found.append(gettext("%(name)s is born after coverage starts.") % name)
    if m.files_taxes and m.filing_status not in FILING_STATUSES:
        found.append(
            gettext("%(name)s files a tax return: say how (single, jointly, separately, head of household).") % name
        )
    if m.job_offer_monthly_premium is not None and m.job_offer_monthly_premium < 0:
        found.append(gettext("%(name)s: the job offer's premium cannot be negative.") % name)
    spouse = by_key.get(m.spouse_key) if m.spouse_key is not None else None
    if m.spouse_key is not None and (spouse is None or spouse is m):
        found.append(gettext("%(name)s is married to someone who is not in the household.") % name)
    if files_jointly(m) and spouse is None:
        found.append(gettext("%(name)s files jointly: the spouse must be in the household.") % name)
    elif files_jointly(m) and (not files_jointly(spouse) or spouse.spouse_key != m.key):
        found.append(
            gettext("%(name)s files jointly with %(spouse)s, but %(spouse)s does not file jointly with %(name)s.")
            % {**name, "spouse": spouse.first_name or spouse.key}
        )
    if m.claimed_by is not None:
        claimer = by_key.get(m.claimed_by)
        if claimer is None or claimer is m:
            found.append(gettext("%(name)s is claimed as a dependent by someone who is not in the household.") % name)
        elif not claimer.files_taxes:
            found.append(
                gettext("%(name)s is claimed as a dependent by %(filer)s, who does not file a tax return.")
                % {**name, "filer": claimer.first_name}
            )
        elif claimer.claimed_by is not None:
            found.append(
                gettext("%(name)s is claimed by %(filer)s, who is a dependent: dependents cannot claim dependents.")
                % {**name, "filer": claimer.first_name}
            )
        if m.claimed_by == m.spouse_key:
            found.append(gettext("%(name)s cannot be the dependent of their own spouse.") % name)
        if files_jointly(m):
            found.append(gettext("%(name)s is claimed as a dependent and also files a joint return.") % name)
    return found


@dataclass(frozen=True)
class TaxHousehold:
    """The working facts of one tax household, as the rules use them."""

    index: int
    members: tuple[MemberFacts, ...]
    size: int
    income: Decimal
    line: Decimal  # the tax credit's
    percent: int
    public_line: Decimal  # the public programs' (the guidelines in effect on the screening date)
    files: bool
    files_separately: bool


def credit_barriers(member: MemberFacts, household: TaxHousehold, rules: YearRules) -> list[Reason]:
    """Everything that stops the premium tax credit for a person who can buy a plan (each is a reason)."""
    found = []
    if not household.files:
        found.append(reason("no_credit_not_filing", year=rules.coverage_year))
    elif household.files_separately:
        found.append(reason("no_credit_married_separate"))
    if below_credit_floor(household.income, household.line, rules):
        lawfully_present = member.citizenship == "lawfully_present"
        if not (lawfully_present and rules.lawfully_present_under_floor):
            code = "no_credit_lawfully_present_under_100" if lawfully_present else "no_credit_under_100"
            floor = money(household.line * rules.credit_floor / 100, yearly=True)
            found.append(reason(code, floor=rules.credit_floor, limit=floor))
    if above_credit_ceiling(household.income, household.line, rules):
        limit = money(household.line * rules.credit_ceiling / 100, yearly=True)
        found.append(reason("no_credit_over_400", ceiling=rules.credit_ceiling, limit=limit))
    coverage = {"medicare": "no_credit_medicare", "medical_assistance": "no_credit_medical_assistance"}
    if member.other_coverage in (*coverage, "job"):
        found.append(reason(coverage.get(member.other_coverage, "no_credit_job_coverage")))
    offer = job_offer_reason(member, household.income, rules)
    if offer is not None and offer.code == "job_offer_affordable":
        found.append(offer)
    return found


def job_offer_reason(member: MemberFacts, income: Decimal, rules: YearRules) -> Reason | None:
    premium = member.job_offer_monthly_premium
    if premium is None:
        return None
    code = "job_offer_affordable" if job_offer_is_affordable(premium, income, rules) else "job_offer_unaffordable"
    return reason(code, premium=money(premium), percentage=str(rules.required_contribution))


def _public_income_reason(screening: Screening, household: TaxHousehold, pregnant: bool) -> list[Reason]:
    """The income the public programs used, when it is not the household's line (other guidelines or size)."""
    if (screening.size, screening.poverty_line) == (household.size, household.line):
        return []
    code = "public_program_income_pregnant" if pregnant else "public_program_income"
    return [
        reason(
            code,
            year=screening.guidelines_year,
            percent=percent_of_poverty(household.income, screening.poverty_line),
            size=screening.size,
            poverty_line=money(screening.poverty_line, yearly=True),
        )
    ]


def _screen_member(
    m: MemberFacts, age: int, parent: bool, household: TaxHousehold, public: PovertyGuidelines, rules: YearRules
) -> tuple[Program | None, list[Reason]]:
    """Medical Assistance, then MinnesotaCare, then whether the person can buy a plan and get the credit.

    Returns the program and its reasons, or None as the program when the person is eligible for the credit (the
    household's amount decides the rest).
    """
    reasons = [
        reason(
            "household_income",
            income=money(household.income, yearly=True),
            percent=household.percent,
            size=household.size,
            poverty_line=money(household.line, yearly=True),
        )
    ]
    category = medical_assistance_category(m, age, parent, rules)
    ma = medical_assistance_screening(m, category, household.income, household.size, public, rules)
    if ma is not None:
        reasons += _public_income_reason(ma, household, category == "pregnant")
        reasons.append(reason(f"ma_{ma.category}", limit=ma.limit))
        if ma.disregard is not None:
            amount = money(ma.disregard, yearly=True)
            reasons.append(reason("ma_disregard", disregard=rules.ma_disregard, amount=amount, percent=ma.percent))
        if m.citizenship == "lawfully_present" and minnesotacare_screening(
            m, age, household.income, household.size, public, rules
        ):
            reasons.append(reason("ma_status_minnesotacare"))
        return Program.MEDICAL_ASSISTANCE, [*reasons, reason("no_credit_public_program")]
    mncare = minnesotacare_screening(m, age, household.income, household.size, public, rules)
    if mncare is not None:
        reasons += _public_income_reason(mncare, household, pregnant=False)
        reasons.append(reason("minnesotacare", limit=mncare.limit))
        return Program.MINNESOTACARE, [*reasons, reason("no_credit_public_program")]
    barriers = [reason("incarcerated")] if m.incarcerated else []
    barriers += [reason(f"unverified_{what}") for what in m.unverified if f"unverified_{what}" in REASONS]
    if m.citizenship == "not_lawfully_present":
        barriers.append(reason("not_lawfully_present"))
        if age >= rules.undocumented_under_age and at_or_under(
            household.income, household.public_line, rules.minnesotacare_limit
        ):
            barriers.append(reason("minnesotacare_undocumented_adult", age=rules.undocumented_under_age))
    if barriers:
        return Program.NOT_ELIGIBLE, reasons + barriers
    reasons.append(reason("qhp"))
    barriers = credit_barriers(m, household, rules)
    if barriers:
        return Program.QHP, reasons + barriers
    return None, reasons


def _rules_version(rules: YearRules, public: PovertyGuidelines) -> str:
    version = f"{rules.coverage_year} rules, {rules.guidelines.year} poverty guidelines"
    if public.year == rules.guidelines.year:
        return version
    return f"{version} for the tax credit, {public.year} for Medical Assistance and MinnesotaCare"


def determine(
    facts: HouseholdFacts, *, screening_date: date, benchmark: Callable[[tuple[int, ...]], Decimal | None]
) -> Determination:
    """Screen every member and work out each tax household's credit.

    `benchmark(ages)` is the monthly premium of the benchmark silver plan for a coverage family of those ages (None
    if the area has no silver plan); it is called once per tax household that has anyone eligible for the credit.
    """
    found = problems(facts)
    if found:
        raise ValueError("The household's facts cannot be determined: " + " ".join(found))
    rules = rules_for(facts.coverage_year)
    public = guidelines_in_effect(screening_date)
    ages = {m.key: age_on(m.date_of_birth, facts.coverage_start) for m in facts.members}
    outcomes: dict[str, tuple[int, Program, str, list[Reason]]] = {}
    households = []
    for index, group in enumerate(tax_households(facts.members)):
        income = household_income(group)
        line = rules.guidelines.line(len(group))
        household = TaxHousehold(
            index=index,
            members=group,
            size=len(group),
            income=income,
            line=line,
            percent=percent_of_poverty(income, line),
            public_line=public.line(len(group)),
            files=household_files(group),
            files_separately=household_files_separately(group),
        )
        family = []
        for m in group:
            if not m.applying:
                outcomes[m.key] = (index, Program.NOT_APPLYING, "", [reason("not_applying")])
                continue
            parent = is_parent_or_caretaker(m, facts.members, ages)
            program, reasons = _screen_member(m, ages[m.key], parent, household, public, rules)
            if program is None:
                family.append(m)
                outcomes[m.key] = (index, Program.QHP, "", reasons)
            else:
                csr = "limited" if program is Program.QHP and m.american_indian else ""
                outcomes[m.key] = (index, program, csr, reasons + csr_reasons(csr))
        households.append(_household_credit(household, family, ages, outcomes, benchmark, rules))
    members = tuple(
        MemberResult(m.key, m.first_name, ages[m.key], program, csr, index, tuple(reasons))
        for m in facts.members
        for index, program, csr, reasons in [outcomes[m.key]]
    )
    return Determination(facts.coverage_year, screening_date, members, tuple(households), _rules_version(rules, public))


def _household_credit(
    household: TaxHousehold,
    family: list[MemberFacts],
    ages: dict[str, int],
    outcomes: dict[str, tuple[int, Program, str, list[Reason]]],
    benchmark: Callable[[tuple[int, ...]], Decimal | None],
    rules: YearRules,
) -> TaxHouseholdResult:
    """The credit of one tax household for its coverage family (the members eligible for it)."""
    percentage = contribution = premium = None
    credit = Decimal("0.00")
    if family:
        percentage = applicable_percentage(household.percent, rules)
        contribution = monthly_contribution(household.income, percentage)
        premium = benchmark(tuple(ages[m.key] for m in family))
        premium = None if premium is None else Decimal(premium).quantize(CENTS, ROUND_HALF_UP)
        credit = ZERO.quantize(CENTS) if premium is None else max_monthly_credit(premium, contribution)
    for m in family:
        index, _program, _csr, reasons = outcomes[m.key]
        if premium is None:
            reasons.append(reason("no_benchmark"))
        elif credit > 0:
            yearly = money(yearly_contribution(household.income, percentage))
            reasons.append(
                reason(
                    "credit",
                    credit=money(credit),
                    benchmark=money(premium),
                    percentage=str(percentage),
                    yearly=yearly,
                    monthly=money(contribution),
                )
            )
        else:
            reasons.append(
                reason("credit_zero", monthly=money(contribution), percentage=str(percentage), benchmark=money(premium))
            )
        offer = job_offer_reason(m, household.income, rules)
        if offer is not None:
            reasons.append(offer)
        csr = cost_sharing_reduction(
            household.income, household.line, american_indian=m.american_indian, credit_eligible=True, rules=rules
        )
        program = Program.QHP_WITH_CREDIT if premium is not None and credit > 0 else Program.QHP
        outcomes[m.key] = (index, program, csr, reasons + csr_reasons(csr))
    return TaxHouseholdResult(
        index=household.index,
        member_keys=tuple(m.key for m in household.members),
        size=household.size,
        income=household.income,
        poverty_line=household.line,
        percent=household.percent,
        applicable_percentage=percentage,
        monthly_contribution=contribution,
        benchmark_premium=premium,
        max_monthly_credit=credit,
        credit_members=tuple(m.key for m in family) if credit > 0 else (),
    )
