"""What a change report can say, and what it does to an application's answers (issue 15): pure functions.

Each kind asks only what it needs (`FIELDS`); `apply` turns a processed report into an update of the application's
answers (the shape of `applications.answers`), which the applications service saves as a new revision and
redetermines. Which events open a special enrollment period is configuration (`SPECIAL_ENROLLMENT_EVENTS`,
`SPECIAL_ENROLLMENT_DAYS`; 45 CFR 155.420; reference "Enrollment periods and deadlines").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications import answers


class Kind(models.TextChoices):
    ADDRESS = "address", _("I moved (a new address)")
    INCOME = "income", _("Income went up or down")
    HOUSEHOLD = "household", _("Someone joined or left the household")
    COVERAGE = "coverage", _("Other health coverage started or ended")
    INCARCERATION = "incarceration", _("Jail or prison (going in or released)")
    IMMIGRATION = "immigration", _("Citizenship or immigration status")
    TRIBAL = "tribal", _("American Indian or Alaska Native membership")
    OTHER = "other", _("Something else")


class Event(models.TextChoices):
    MOVED = "moved", _("Moved")
    INCOME_CHANGED = "income_changed", _("Income changed")
    BIRTH = "birth", _("A baby was born")
    ADOPTION = "adoption", _("A child was adopted or placed for adoption or foster care")
    MARRIAGE = "marriage", _("Got married")
    MOVED_IN = "moved_in", _("Someone moved in")
    DIVORCE = "divorce", _("Divorced or legally separated")
    DEATH = "death", _("Someone died")
    MOVED_OUT = "moved_out", _("Someone moved out")
    GAINED_COVERAGE = "gained_coverage", _("Got other coverage (a job's plan, Medicare, Medical Assistance)")
    LOST_COVERAGE = "lost_coverage", _("Lost other coverage")
    INCARCERATED = "incarcerated", _("Went to jail or prison")
    RELEASED = "released", _("Released from jail or prison")
    STATUS_CHANGED = "status_changed", _("Became a citizen, or got or changed an immigration status")
    TRIBAL_CHANGED = "tribal_changed", _("Became or stopped being a member of a tribe")
    OTHER = "other", _("Something else")


EVENTS: dict[str, tuple[str, ...]] = {
    Kind.ADDRESS: (Event.MOVED,),
    Kind.INCOME: (Event.INCOME_CHANGED,),
    Kind.HOUSEHOLD: (
        Event.BIRTH,
        Event.ADOPTION,
        Event.MARRIAGE,
        Event.MOVED_IN,
        Event.DIVORCE,
        Event.DEATH,
        Event.MOVED_OUT,
    ),
    Kind.COVERAGE: (Event.GAINED_COVERAGE, Event.LOST_COVERAGE),
    Kind.INCARCERATION: (Event.INCARCERATED, Event.RELEASED),
    Kind.IMMIGRATION: (Event.STATUS_CHANGED,),
    Kind.TRIBAL: (Event.TRIBAL_CHANGED,),
    Kind.OTHER: (Event.OTHER,),
}
JOINS = frozenset({Event.BIRTH, Event.ADOPTION, Event.MARRIAGE, Event.MOVED_IN})  # a new member's details
LEAVES = frozenset({Event.DIVORCE, Event.DEATH, Event.MOVED_OUT})  # which member left
# Which answers each event needs besides the effective date (the form shows only these).
FIELDS: dict[str, tuple[str, ...]] = {
    Event.MOVED: ("street", "city", "zip_code"),
    Event.INCOME_CHANGED: ("member", "income_kind", "amount", "frequency"),
    **dict.fromkeys(JOINS, ("first_name", "last_name", "date_of_birth", "relationship", "citizenship")),
    **dict.fromkeys(LEAVES, ("member",)),
    Event.GAINED_COVERAGE: ("member", "coverage"),
    Event.LOST_COVERAGE: ("member",),
    Event.INCARCERATED: ("member",),
    Event.RELEASED: ("member",),
    Event.STATUS_CHANGED: ("member", "citizenship"),
    Event.TRIBAL_CHANGED: ("member", "american_indian"),
    Event.OTHER: ("description",),
}


def kind_of(event: str) -> str:
    return next(kind for kind, events in EVENTS.items() if event in events)


# --- Special enrollment periods -------------------------------------------------------------------------------


GAINED_STATUS = frozenset({answers.Citizenship.CITIZEN, answers.Citizenship.LAWFULLY_PRESENT})


def opens_special_enrollment(event: str, *, moved_to_new_area: bool = False, details: dict | None = None) -> bool:
    """Whether this event qualifies for a special enrollment period (settings.SPECIAL_ENROLLMENT_EVENTS). A move
    qualifies only into a new rating area, where the plans are others; a new status only when it is citizenship or
    lawful presence (45 CFR 155.420(d)(3))."""
    if event not in settings.SPECIAL_ENROLLMENT_EVENTS:
        return False
    if event == Event.MOVED:
        return moved_to_new_area
    if event == Event.STATUS_CHANGED:
        return (details or {}).get("citizenship") in GAINED_STATUS
    return True


CHOICES = {
    "income_kind": set(answers.IncomeKind.values),
    "frequency": set(answers.Frequency.values),
    "relationship": set(answers.Relationship.values) - {answers.Relationship.SELF},
    "citizenship": set(answers.Citizenship.values),
    "coverage": set(answers.OtherCoverage.values) - {answers.OtherCoverage.NONE},
}


def problems(event: str, details: dict) -> dict[str, str]:
    """What is wrong with a report's details (the service checks them whoever calls it, not only the form)."""
    found: dict[str, str] = {}
    for name in FIELDS[event]:
        value = details.get(name, "")
        if name in CHOICES and value not in CHOICES[name]:
            found[name] = gettext("Choose one of the answers offered.")
        elif (
            name in ("first_name", "last_name", "street", "city", "description", "member", "zip_code")
            and not str(value).strip()
        ):
            found[name] = gettext("Answer this question.")
        elif name == "date_of_birth":
            try:
                date.fromisoformat(str(value))
            except ValueError:
                found[name] = gettext("Enter the date of birth.")
        elif name == "amount":
            try:
                amount = Decimal(str(value))
            except ArithmeticError:
                amount = None
            if amount is None or not amount.is_finite() or amount < 0:
                found[name] = gettext("Enter an amount in dollars, like 2500.00.")
            elif details.get("frequency") in answers.PERIODS_A_YEAR and (
                amount * answers.PERIODS_A_YEAR[details["frequency"]] > answers.MAX_YEARLY_INCOME
            ):
                found[name] = gettext("Check the amount: it is more than $10,000,000 a year.")
        elif name == "american_indian" and not isinstance(value, bool):
            found[name] = gettext("Choose one of the answers offered.")
    return found


def special_enrollment_window(effective: date) -> tuple[date, date]:
    """(first, last) day a plan may be chosen: from the event, for SPECIAL_ENROLLMENT_DAYS days."""
    return effective, effective + timedelta(days=settings.SPECIAL_ENROLLMENT_DAYS)


def reported_late(effective: date, submitted: date) -> bool:
    """Changes are reported within CHANGE_REPORT_DAYS of happening (45 CFR 155.330(b)); a later one is still taken."""
    return (submitted - effective).days > settings.CHANGE_REPORT_DAYS


# --- What a processed report does to the answers -------------------------------------------------------------


class NotApplicable(ValidationError):
    """The report cannot be applied to the application as it is now (the person is no longer on it…): staff close it
    as recorded only, with what they found."""


def _member(data: dict, key: str) -> dict:
    for member in data["members"]:
        if member["key"] == key:
            return member
    raise NotApplicable(
        gettext("The person this report is about is no longer on the application: close it as recorded only."),
        code="no_member",
    )


def _add_member(data: dict, details: dict) -> None:
    relationship = details["relationship"]
    member = answers.new_member(
        first_name=details["first_name"],
        last_name=details["last_name"],
        date_of_birth=details["date_of_birth"],
        relationship=relationship,
        citizenship=details["citizenship"],
        other_coverage=answers.OtherCoverage.NONE,
    )
    data["members"].append(member)
    applicant = next((m for m in data["members"] if m["relationship"] == answers.Relationship.SELF), None)
    if applicant is None or not applicant.get("files_taxes"):
        return
    if relationship in (answers.Relationship.CHILD, answers.Relationship.STEPCHILD):
        # Claimed by the person applying, as the "Tax filing" step would have it.
        applicant["dependents"] = [*applicant.get("dependents", []), member["key"]]
    elif relationship == answers.Relationship.SPOUSE:
        # Married couples file jointly to get the premium tax credit (26 CFR 1.36B-2(b)(2)).
        applicant["filing_status"] = member["filing_status"] = "married_joint"
        member["files_taxes"] = True


def _remove_member(data: dict, key: str) -> None:
    leaving = _member(data, key)
    data["members"] = [m for m in data["members"] if m["key"] != key]
    for member in data["members"]:
        member["dependents"] = [d for d in member.get("dependents", []) if d != key]
        # No longer married on the household's return: a divorce or a death ends joint filing for it.
        if (
            leaving["relationship"] == answers.Relationship.SPOUSE
            and member["relationship"] == answers.Relationship.SELF
            and member.get("filing_status", "").startswith("married")
        ):
            member["filing_status"] = "single"


def _address(data: dict, details: dict) -> None:
    data["address"].update(
        street=details["street"], city=details["city"], zip_code=details["zip_code"], county_fips=details["county_fips"]
    )


def _income(data: dict, details: dict) -> None:
    """The member's income of this kind is now the amount reported (0: it stopped); their other kinds stay."""
    member = _member(data, details["member"])
    kept = [income for income in member.get("incomes", []) if income.get("kind") != details["income_kind"]]
    if Decimal(str(details["amount"])) > 0:
        kept.append(
            {
                "key": answers.new_key(),
                "kind": details["income_kind"],
                "amount": details["amount"],
                "frequency": details["frequency"],
            }
        )
    member["incomes"] = kept
    data["income_confirmed"] = True


APPLY: dict[str, Callable[[dict, dict], None]] = {
    Event.MOVED: _address,
    Event.INCOME_CHANGED: _income,
    **dict.fromkeys(JOINS, _add_member),
    **{event: (lambda data, d: _remove_member(data, d["member"])) for event in LEAVES},
    Event.GAINED_COVERAGE: lambda data, d: _member(data, d["member"]).update(other_coverage=d["coverage"]),
    Event.LOST_COVERAGE: lambda data, d: _member(data, d["member"]).update(other_coverage=answers.OtherCoverage.NONE),
    Event.INCARCERATED: lambda data, d: _member(data, d["member"]).update(incarcerated=True),
    Event.RELEASED: lambda data, d: _member(data, d["member"]).update(incarcerated=False),
    Event.STATUS_CHANGED: lambda data, d: _member(data, d["member"]).update(citizenship=d["citizenship"]),
    Event.TRIBAL_CHANGED: lambda data, d: _member(data, d["member"]).update(american_indian=d["american_indian"]),
}


def changes_answers(event: str) -> bool:
    """Whether processing this event changes the application's answers ("something else" is only recorded)."""
    return event in APPLY


def apply(event: str, details: dict) -> Callable[[dict], None]:
    """The update (in place, as `applications.services.application_save` takes it) that a processed report makes."""

    def update(data: dict) -> None:
        APPLY[event](data, {**details, "event": event})

    return update
