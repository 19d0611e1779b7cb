"""What the household told us: the application's JSON document, its choices, and what is read from it.

The document (kept whole in every revision):

    {"address": {"street", "city", "zip_code", "county_fips"},
     "members": [{"key", "first_name", "last_name", "date_of_birth" (ISO), "relationship", "sex",
                  "applying", "pregnant", "tobacco",
                  "files_taxes", "filing_status", "dependents" (keys of the members they claim),
                  "citizenship", "immigration_document", "incarcerated", "american_indian",
                  "job_offer", "job_offer_monthly_premium" (a decimal string or ""), "other_coverage",
                  "incomes": [{"key", "kind", "amount" (a decimal string), "frequency"}]}],
     "attestations": {"accurate", "penalties", "verify", "report_changes", "signed_name", "signed_at"}}

Each step's form checks its own fields (`applications.forms`); `problems` checks the whole document before
it can be submitted (someone claimed by two filers, a household of nobody applying, a step not done).
`facts` turns it into the eligibility rules' input; `lines` into labelled lines for "check your answers"
and for comparing two revisions.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import eligibility


class Relationship(models.TextChoices):
    SELF = "self", _("The person applying (you)")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    STEPCHILD = "stepchild", _("Stepchild")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other relative or someone else")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class FilingStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED_JOINT = "married_joint", _("Married filing jointly")
    MARRIED_SEPARATE = "married_separate", _("Married filing separately")
    HEAD_OF_HOUSEHOLD = "head_of_household", _("Head of household")


class Citizenship(models.TextChoices):
    CITIZEN = "citizen", _("U.S. citizen or U.S. national")
    LAWFULLY_PRESENT = "lawfully_present", _("Lawfully present immigrant")
    NOT_LAWFULLY_PRESENT = "not_lawfully_present", _("Neither of these")


class ImmigrationDocument(models.TextChoices):
    I551 = "I-551", _("Permanent resident card (I-551)")
    I94 = "I-94", _("Arrival/departure record (I-94)")
    I766 = "I-766", _("Employment authorization card (I-766)")
    I20 = "I-20", _("Certificate of eligibility for student status (I-20)")
    DS2019 = "DS-2019", _("Certificate of eligibility for exchange visitor status (DS-2019)")
    I327 = "I-327", _("Reentry permit (I-327)")
    I571 = "I-571", _("Refugee travel document (I-571)")
    OTHER = "other", _("Another document")


class OtherCoverage(models.TextChoices):
    NONE = "none", _("None")
    MEDICARE = "medicare", _("Medicare")
    MEDICAL_ASSISTANCE = "medical_assistance", _("Medical Assistance (Medicaid)")
    JOB = "job", _("Coverage through a job (enrolled)")
    OTHER = "other", _("Other coverage (TRICARE, VA, COBRA, a private plan)")


class IncomeKind(models.TextChoices):
    WAGES = "wages", _("Job (wages, salary, tips)")
    SELF_EMPLOYMENT = "self_employment", _("Self-employment (net)")
    UNEMPLOYMENT = "unemployment", _("Unemployment benefits")
    SOCIAL_SECURITY = "social_security", _("Social Security")
    RETIREMENT = "retirement", _("Pension or retirement account")
    RENTAL = "rental", _("Rental income (net)")
    INVESTMENT = "investment", _("Interest, dividends, capital gains")
    OTHER = "other", _("Other taxable income")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every two weeks")
    TWICE_MONTHLY = "twice_monthly", _("Twice a month")
    MONTHLY = "monthly", _("Every month")
    YEARLY = "yearly", _("Once a year (the whole year)")


PERIODS_A_YEAR = {"weekly": 52, "biweekly": 26, "twice_monthly": 24, "monthly": 12, "yearly": 1}
MAX_YEARLY_INCOME = Decimal("10000000")  # more than this is a typing mistake, not an income
MAX_MEMBERS = 20
MAX_INCOMES = 10  # per member
OLDEST_AGE = 120


def new_key() -> str:
    return secrets.token_hex(4)


def empty() -> dict:
    return {"address": {"street": "", "city": "", "zip_code": "", "county_fips": ""}, "members": []}


def new_member(**fields) -> dict:
    member = {
        "key": new_key(),
        "first_name": "",
        "last_name": "",
        "date_of_birth": "",
        "relationship": Relationship.OTHER,
        "sex": "",
        "applying": True,
        "pregnant": False,
        "tobacco": False,
        "files_taxes": False,
        "filing_status": "",
        "dependents": [],
        "citizenship": "",
        "immigration_document": "",
        "incarcerated": False,
        "american_indian": False,
        "job_offer": False,
        "job_offer_monthly_premium": "",
        "other_coverage": "",
        "incomes": [],
    }
    member.update(fields)
    return member


def member_name(member: dict) -> str:
    return f"{member.get('first_name', '')} {member.get('last_name', '')}".strip() or gettext("(no name yet)")


def member_by_key(data: dict, key: str) -> dict | None:
    return next((m for m in data.get("members", []) if m.get("key") == key), None)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _money(value) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return Decimal(0)


def yearly_income(member: dict) -> Decimal:
    """The member's income projected over the coverage year: each amount × how often it is paid."""
    total = sum(
        (_money(income.get("amount")) * PERIODS_A_YEAR.get(income.get("frequency"), 0) for income in member["incomes"]),
        Decimal(0),
    )
    return total.quantize(Decimal("0.01"))


def spouse_key(data: dict, member: dict) -> str | None:
    """The applicant and their spouse are married to each other (the only couple the form asks about)."""
    wanted = {"self": "spouse", "spouse": "self"}.get(member["relationship"])
    partner = next((m for m in data["members"] if wanted and m["relationship"] == wanted), None)
    return partner["key"] if partner else None


def claimers(data: dict) -> dict[str, list[str]]:
    """Each member claimed as a dependent → the keys of the filers who said they claim them."""
    claimed: dict[str, list[str]] = {}
    for member in data.get("members", []):
        if member.get("files_taxes"):
            for key in member.get("dependents", []):
                claimed.setdefault(key, []).append(member["key"])
    return claimed


# --- The steps ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    done: Callable[[dict], bool]  # data → bool: the step's questions are answered


def _address_done(data: dict) -> bool:
    return bool(data["address"].get("zip_code") and data["address"].get("county_fips"))


def _members_done(data: dict) -> bool:
    return bool(data["members"]) and any(m["relationship"] == Relationship.SELF for m in data["members"])


def _tax_done(data: dict) -> bool:
    return (
        bool(data["members"])
        and all(not m["files_taxes"] or m["filing_status"] for m in data["members"])
        and any(m["files_taxes"] for m in data["members"])
    )


def _status_done(data: dict) -> bool:
    return bool(data["members"]) and all(m["citizenship"] for m in data["members"])


def _income_done(data: dict) -> bool:
    return bool(data["members"]) and bool(data.get("income_confirmed"))


def _coverage_done(data: dict) -> bool:
    return bool(data["members"]) and all(m["other_coverage"] for m in data["members"])


STEPS = (
    Step("address", _("Where you live"), _address_done),
    Step("members", _("Who is in your household"), _members_done),
    Step("tax", _("Tax filing"), _tax_done),
    Step("status", _("Citizenship, immigration and other facts"), _status_done),
    Step("income", _("Income"), _income_done),
    Step("coverage", _("Other health coverage"), _coverage_done),
)
STEP_SLUGS = [step.slug for step in STEPS]


def next_step(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None


def problems(data: dict, *, coverage_start: date) -> list[str]:
    """Why this application cannot be submitted yet, in plain words; [] when it can."""
    found = [gettext("Finish the step “%(step)s”.") % {"step": step.title} for step in STEPS if not step.done(data)]
    members = data.get("members", [])
    if not any(m.get("applying") for m in members):
        found.append(gettext("No one in the household is asking for coverage: choose at least one person."))
    if sum(1 for m in members if m.get("relationship") == Relationship.SELF) > 1:
        found.append(gettext("Only one person can be the person applying."))
    if sum(1 for m in members if m.get("relationship") == Relationship.SPOUSE) > 1:
        found.append(gettext("Only one person can be the spouse of the person applying."))
    names = {m["key"]: member_name(m) for m in members}
    claimed = claimers(data)
    for key, filers in claimed.items():
        if key not in names:
            found.append(gettext("A dependent was claimed who is no longer in the household: check “Tax filing”."))
        elif len(filers) > 1:
            found.append(
                gettext("%(name)s is claimed as a dependent by %(filers)s: only one person can claim them.")
                % {"name": names[key], "filers": gettext(" and ").join(names.get(f, "?") for f in filers)}
            )
    for member in members:
        if member.get("dependents") and member["key"] in claimed:
            found.append(
                gettext("%(name)s is claimed as a dependent, so they cannot claim dependents of their own.")
                % {"name": member_name(member)}
            )
        born = _date(member.get("date_of_birth", ""))
        if born is None:
            found.append(gettext("Add %(name)s’s date of birth.") % {"name": member_name(member)})
        elif born > coverage_start or eligibility.age_on(born, coverage_start) > OLDEST_AGE:
            found.append(gettext("Check %(name)s’s date of birth.") % {"name": member_name(member)})
    if not found:  # the rules' own check of what they cannot work with
        found = eligibility.problems(facts(data, coverage_year=coverage_start.year, coverage_start=coverage_start))
    return list(dict.fromkeys(found))


def facts(data: dict, *, coverage_year: int, coverage_start: date) -> eligibility.HouseholdFacts:
    """The eligibility rules' input (call only when `problems` finds none)."""
    claimed = claimers(data)
    members = []
    for m in data["members"]:
        premium = m.get("job_offer_monthly_premium") or ""
        members.append(
            eligibility.MemberFacts(
                key=m["key"],
                first_name=m["first_name"],
                date_of_birth=date.fromisoformat(m["date_of_birth"]),
                relationship=m["relationship"],
                applying=bool(m["applying"]),
                pregnant=bool(m["pregnant"]),
                files_taxes=bool(m["files_taxes"]),
                filing_status=m["filing_status"] if m["files_taxes"] else "",
                spouse_key=spouse_key(data, m),
                claimed_by=(claimed.get(m["key"]) or [None])[0],
                citizenship=m["citizenship"],
                incarcerated=bool(m["incarcerated"]),
                american_indian=bool(m["american_indian"]),
                tobacco=bool(m["tobacco"]),
                job_offer_monthly_premium=_money(premium) if m.get("job_offer") and premium != "" else None,
                other_coverage=m["other_coverage"] or "none",
                annual_income=yearly_income(m),
                unverified=tuple(m.get("unverified") or ()),
            )
        )
    return eligibility.HouseholdFacts(
        coverage_year=coverage_year, coverage_start=coverage_start, members=tuple(members)
    )


# --- Labelled lines: "check your answers" and the comparison of two revisions ----------------------------

_YES, _NO = _("Yes"), _("No")


def _yes_no(value) -> str:
    return str(_YES if value else _NO)


def _choice(choices, value) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def member_lines(data: dict, member: dict) -> list[tuple[str, str]]:
    names = {m["key"]: member_name(m) for m in data["members"]}
    lines = [
        (gettext("Name"), member_name(member)),
        (gettext("Date of birth"), member.get("date_of_birth") or "—"),
        (gettext("Relationship"), _choice(Relationship, member["relationship"])),
        (gettext("Sex"), _choice(Sex, member.get("sex")) if member.get("sex") else "—"),
        (gettext("Asking for coverage"), _yes_no(member["applying"])),
        (gettext("Pregnant"), _yes_no(member["pregnant"])),
        (gettext("Uses tobacco"), _yes_no(member["tobacco"])),
        (gettext("Files a federal tax return"), _yes_no(member["files_taxes"])),
    ]
    if member["files_taxes"]:
        lines.append((gettext("Filing status"), _choice(FilingStatus, member["filing_status"])))
        lines.append(
            (
                gettext("Claims as dependents"),
                ", ".join(names.get(k, "?") for k in member["dependents"]) or gettext("No one"),
            )
        )
    lines += [
        (gettext("Citizenship or immigration status"), _choice(Citizenship, member["citizenship"])),
    ]
    if member["citizenship"] == Citizenship.LAWFULLY_PRESENT:
        lines.append((gettext("Immigration document"), _choice(ImmigrationDocument, member["immigration_document"])))
    lines += [
        (gettext("Serving a sentence in jail or prison"), _yes_no(member["incarcerated"])),
        (gettext("American Indian or Alaska Native"), _yes_no(member["american_indian"])),
        (gettext("Offered health coverage through a job"), _yes_no(member["job_offer"])),
    ]
    if member["job_offer"]:
        lines.append(
            (
                gettext("Employee-only premium of that offer, a month"),
                f"${_money(member['job_offer_monthly_premium']):,.2f}",
            )
        )
    lines.append((gettext("Other coverage now"), _choice(OtherCoverage, member["other_coverage"])))
    for income in member["incomes"]:
        lines.append(
            (
                gettext("Income: %(kind)s") % {"kind": _choice(IncomeKind, income["kind"])},
                f"${_money(income['amount']):,.2f} {_choice(Frequency, income['frequency']).lower()}",
            )
        )
    lines.append((gettext("Yearly income (projected)"), f"${yearly_income(member):,.2f}"))
    return lines


def address_lines(data: dict, county_name: str = "") -> list[tuple[str, str]]:
    address = data["address"]
    return [
        (gettext("Street address"), address.get("street") or "—"),
        (gettext("City"), address.get("city") or "—"),
        (gettext("ZIP code"), address.get("zip_code") or "—"),
        (gettext("County"), county_name or address.get("county_fips") or "—"),
    ]


def lines(data: dict) -> dict[str, str]:
    """Every answer as "<section> — <question>" → answer, for comparing two revisions."""
    found = {f"{gettext('Address')} — {label}": value for label, value in address_lines(data)}
    for member in data.get("members", []):
        for label, value in member_lines(data, member):
            found[f"{member_name(member)} — {label}"] = value
    return found


def changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(question, answer before, answer after) for every answer that differs; "—" where there was none."""
    old, new = lines(before), lines(after)
    keys = list(dict.fromkeys([*old, *new]))
    return [(key, old.get(key, "—"), new.get(key, "—")) for key in keys if old.get(key) != new.get(key)]
