"""Directory listings built through the certification services, as assisters and agencies make them
(`certification.builders`, which the demo's listings across Minnesota use too)."""

from certification import builders
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from core.tests import factories as core


def list_assister(kind=AssisterKind.BROKER, *, assister=None, languages=("en",), counties=(), **fields):
    """A certified assister who opted in to the directory, with the given profile fields."""
    assister = assister or make_assister(kind)
    return builders.list_assister(
        assister,
        languages=core.languages(*languages),
        counties=core.counties(*counties),
        **fields,
    )


def list_agency(agency, **fields):
    return builders.list_agency(agency, **fields)


def office(zip_code: str, city: str = "Town") -> dict:
    """Profile fields that put an assister's office at a ZIP code."""
    return {"office_street": "1 Office Way", "office_city": city, "office_zip": zip_code}
