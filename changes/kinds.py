"""What a change report can say, and what it does to an application's answers (issue 15): pure functions.

Each kind asks only what it needs (`FIELDS`); `apply` turns a processed report into an update of the application's
answers (the shape of `applications.answers`), which the applications service saves as a new revision and
redetermines. Which events open a special enrollment period is configuration (`SPECIAL_ENROLLMENT_EVENTS`,
`SPECIAL_ENROLLMENT_DAYS`; 45 CFR 155.420; reference "Enrollment periods and deadlines").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import models
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


def opens_special_enrollment(event: str, *, moved_to_new_area: bool = False) -> bool:
    """Whether this event qualifies for a special enrollment period (settings.SPECIAL_ENROLLMENT_EVENTS). A move
    qualifies only into a new rating area, where the plans are others."""
    if event not in settings.SPECIAL_ENROLLMENT_EVENTS:
        return False
    return moved_to_new_area if event == Event.MOVED else True


def special_enrollment_window(effective: date) -> tuple[date, date]:
    """(first, last) day a plan may be chosen: from the event, for SPECIAL_ENROLLMENT_DAYS days."""
    return effective, effective + timedelta(days=settings.SPECIAL_ENROLLMENT_DAYS)


def reported_late(effective: date, submitted: date) -> bool:
    """Changes are reported within CHANGE_REPORT_DAYS of happening (45 CFR 155.330(b)); a later one is still taken."""
    return (submitted - effective).days > settings.CHANGE_REPORT_DAYS


# --- What a processed report does to the answers -------------------------------------------------------------


def _member(data: dict, key: str) -> dict:
    for member in data["members"]:
        if member["key"] == key:
            return member
    raise KeyError(key)


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
    data["members"] = [m for m in data["members"] if m["key"] != key]
    for member in data["members"]:
        member["dependents"] = [d for d in member.get("dependents", []) if d != key]


def _address(data: dict, details: dict) -> None:
    data["address"].update(
        street=details["street"], city=details["city"], zip_code=details["zip_code"], county_fips=details["county_fips"]
    )


def _income(data: dict, details: dict) -> None:
    _member(data, details["member"])["incomes"] = [
        {
            "key": answers.new_key(),
            "kind": details["income_kind"],
            "amount": details["amount"],
            "frequency": details["frequency"],
        }
    ]
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
