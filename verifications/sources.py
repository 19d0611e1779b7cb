"""Checking what a household attested against trusted data sources (issue 14; 45 CFR 155.315, 155.320).

One interface, `DataSources.lookup(people) -> {person key: SourceAnswer}`: what the sources know about each person (a
real connection asks SSA, DHS SAVE, the IRS, the state's incarceration and coverage records through the federal data
services hub). `ReferenceSources`, the default (`VERIFICATION_SOURCES`), answers from the `ReferenceRecord` table that
`seed_demo` and the tests fill: the real services are not reachable from here. A person the table does not know, and
a point on which it has no data, is taken as attested (as the hub's "no data" is not an inconsistency by itself).

`inconsistencies(...)` compares, for the portal: pure, the same whatever answers. The SSN is checked against the
SSA's rules of a number it issues (no 000, 666 or 900–999 area, no 00 group, no 0000 serial), without a source.
`substitute(...)` is what the rules use when no document is accepted by the due date: the source's figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from applications import answers
from clients.models import search_key

from .documents import VerificationType
from .models import ReferenceRecord

T = VerificationType


@dataclass(frozen=True)
class Person:
    key: str
    first_name: str
    last_name: str
    date_of_birth: date


@dataclass(frozen=True)
class SourceAnswer:
    """What the sources know; None or "" where they have no data."""

    citizenship: str = ""  # applications.answers.Citizenship
    yearly_income: Decimal | None = None
    incarcerated: bool | None = None
    other_coverage: str = ""  # applications.answers.OtherCoverage
    minnesota_resident: bool | None = None
    source: str = ""


@dataclass(frozen=True)
class Inconsistency:
    member_key: str
    member_name: str
    type: str
    attested: str  # in English (staff's queue, the audit); pages and notices use `describe(type, facts)`
    source_said: str
    source_value: dict  # what the rules use if the request expires (`substitute`)
    facts: dict  # the codes and figures both sentences are made from


class DataSources(Protocol):
    def lookup(self, people: list[Person]) -> dict[str, SourceAnswer]: ...


class ReferenceSources:
    """The sample data source: the ReferenceRecord table (one query for the household)."""

    def lookup(self, people: list[Person]) -> dict[str, SourceAnswer]:
        wanted = {(search_key(f"{p.first_name} {p.last_name}"), p.date_of_birth): p.key for p in people}
        if not wanted:
            return {}
        records = ReferenceRecord.objects.filter(
            match_key__in={key for key, _born in wanted}, date_of_birth__in={born for _key, born in wanted}
        )
        found = {}
        for record in records:
            person = wanted.get((record.match_key, record.date_of_birth))
            if person is not None:
                found[person] = SourceAnswer(
                    citizenship=record.citizenship,
                    yearly_income=record.yearly_income,
                    incarcerated=record.incarcerated,
                    other_coverage=record.other_coverage,
                    minnesota_resident=record.minnesota_resident,
                    source=record.source,
                )
        return found


def data_sources() -> DataSources:
    return import_string(settings.VERIFICATION_SOURCES)()


# --- The SSA's rules of a number it issues ----------------------------------------------------------------------

_SSN = re.compile(r"^(\d{3})-?(\d{2})-?(\d{4})$")


def ssn_problem(ssn: str) -> str | None:
    """Why the SSA never issues this number (in words), or None when it could be one."""
    match = _SSN.match(ssn.strip())
    if not match:
        return _("not nine digits")
    area, group, serial = match.groups()
    if area == "000" or area == "666" or area >= "900":
        return _("the SSA issues no number starting with %(area)s") % {"area": area}
    if group == "00":
        return _("the SSA issues no number with 00 in the middle")
    if serial == "0000":
        return _("the SSA issues no number ending in 0000")
    return None


# --- Comparing ------------------------------------------------------------------------------------------------------


def _name(member: dict) -> str:
    return f"{member.get('first_name', '')} {member.get('last_name', '')}".strip()


def people(data: dict) -> list[Person]:
    found = []
    for member in data.get("members", []):
        try:
            born = date.fromisoformat(member.get("date_of_birth") or "")
        except ValueError:
            continue
        found.append(Person(member["key"], member.get("first_name", ""), member.get("last_name", ""), born))
    return found


def _citizenship_label(value: str) -> str:
    return str(answers.Citizenship(value).label) if value in answers.Citizenship.values else value


def _coverage_label(value: str) -> str:
    return str(answers.OtherCoverage(value).label) if value in answers.OtherCoverage.values else value


def _dollars(amount: Decimal) -> str:
    return f"${amount:,.0f}"


def describe(kind: str, facts: dict) -> tuple[str, str]:
    """(what was attested, what the source said), in words of the active language, from a request's facts (kept as
    codes and figures, so each reader gets their own language)."""
    if kind == T.SSN:
        return (
            _("SSN ending %(last4)s") % {"last4": facts.get("last4", "")},
            _("Not a number the Social Security Administration issues"),
        )
    if kind in (T.CITIZENSHIP, T.IMMIGRATION):
        return _citizenship_label(facts.get("attested", "")), _citizenship_label(facts.get("source", ""))
    if kind == T.INCOME:
        return tuple(
            _("%(amount)s a year") % {"amount": _dollars(Decimal(facts.get(side) or 0))}
            for side in ("attested", "source")
        )
    if kind == T.INCARCERATION:
        return _("Not serving a sentence"), _("Serving a sentence")
    if kind == T.OTHER_COVERAGE:
        return _coverage_label(facts.get("attested", "")), _coverage_label(facts.get("source", ""))
    if kind == T.RESIDENCY:
        return (
            _("Lives at %(city)s %(zip)s") % {"city": facts.get("city", ""), "zip": facts.get("zip", "")},
            _("No record of living in Minnesota"),
        )
    return "", ""


def _found(key: str, name: str, kind: str, facts: dict, source_value: dict) -> Inconsistency:
    with translation.override("en"):  # the stored sentences are staff's and the audit's; pages use `describe`
        attested, source_said = describe(kind, facts)
    return Inconsistency(key, name, kind, attested, source_said, source_value, facts)


def inconsistencies(data: dict, *, client_ssn: str, found: dict[str, SourceAnswer]) -> list[Inconsistency]:
    """Each point where the household's answers and the sources disagree in a way that matters (a figure that would
    give more help than the source's). `client_ssn` is the number of the member who applies for themself."""
    tolerance = Decimal(settings.VERIFICATION_INCOME_TOLERANCE) / 100
    result: list[Inconsistency] = []
    for member in data.get("members", []):
        key, name, applying = member["key"], _name(member), bool(member.get("applying"))
        answer = found.get(key) or SourceAnswer()
        if member.get("relationship") == answers.Relationship.SELF and client_ssn and ssn_problem(client_ssn):
            # Never which part is wrong: with the last four it would give away most of the number (DESIGN §8).
            last4 = re.sub(r"\D", "", client_ssn)[-4:]
            result.append(_found(key, name, T.SSN, {"last4": last4}, {"unverified": T.SSN}))
        citizenship = member.get("citizenship") or ""
        if applying and answer.citizenship and citizenship and answer.citizenship != citizenship:
            kind = {
                answers.Citizenship.CITIZEN: T.CITIZENSHIP,
                answers.Citizenship.LAWFULLY_PRESENT: T.IMMIGRATION,
            }.get(citizenship)
            if kind:
                result.append(
                    _found(
                        key,
                        name,
                        kind,
                        {"attested": citizenship, "source": answer.citizenship},
                        {"citizenship": answer.citizenship, "attested_citizenship": citizenship},
                    )
                )
        attested_income = answers.yearly_income(member)
        if answer.yearly_income is not None and attested_income < answer.yearly_income * (1 - tolerance):
            result.append(
                _found(
                    key,
                    name,
                    T.INCOME,
                    {"attested": str(attested_income), "source": str(answer.yearly_income)},
                    {"yearly_income": str(answer.yearly_income), "attested_income": str(attested_income)},
                )
            )
        if applying and answer.incarcerated and not member.get("incarcerated"):
            result.append(_found(key, name, T.INCARCERATION, {}, {"incarcerated": True}))
        coverage = member.get("other_coverage") or answers.OtherCoverage.NONE
        if (
            applying
            and answer.other_coverage
            and answer.other_coverage != answers.OtherCoverage.NONE
            and coverage == answers.OtherCoverage.NONE
        ):
            result.append(
                _found(
                    key,
                    name,
                    T.OTHER_COVERAGE,
                    {"attested": coverage, "source": answer.other_coverage},
                    {"other_coverage": answer.other_coverage},
                )
            )
        if member.get("relationship") == answers.Relationship.SELF and answer.minnesota_resident is False:
            address = data.get("address", {})
            facts = {"city": address.get("city", ""), "zip": address.get("zip_code", "")}
            result.append(_found(key, name, T.RESIDENCY, facts, {"unverified": T.RESIDENCY}))
    return result


def substitute(data: dict, *, member_key: str, source_value: dict) -> None:
    """Use the source's figure for one member (a request expired with no document accepted), unless the member's answer
    is no longer the one the request was about. Where the sources give
    nothing the rules can use instead (SSN, residency), the member is marked unverified: not eligible to buy a plan
    through MNsure until it is proved (applications.eligibility)."""
    for member in data.get("members", []):
        if member["key"] != member_key:
            continue
        # An answer changed since the request was made (a reported change staff processed) is not overwritten.
        if "attested_income" in source_value and answers.yearly_income(member) != Decimal(
            source_value["attested_income"]
        ):
            return
        if "attested_citizenship" in source_value and member.get("citizenship") != source_value["attested_citizenship"]:
            return
        if "yearly_income" in source_value:
            member["incomes"] = [
                {
                    "key": answers.new_key(),
                    "kind": answers.IncomeKind.OTHER,
                    "amount": source_value["yearly_income"],
                    "frequency": answers.Frequency.YEARLY,
                }
            ]
        if "citizenship" in source_value:
            member["citizenship"] = source_value["citizenship"]
        if "incarcerated" in source_value:
            member["incarcerated"] = bool(source_value["incarcerated"])
        if "other_coverage" in source_value:
            member["other_coverage"] = source_value["other_coverage"]
        if "unverified" in source_value:
            member["unverified"] = sorted({*member.get("unverified", []), source_value["unverified"]})
