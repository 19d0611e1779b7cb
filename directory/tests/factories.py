"""Directory listings built through the certification services, as assisters and agencies make them."""

from certification import services
from certification.models import AssisterKind, MembershipRole
from certification.tests.factories import make_assister
from core.models import County, Language


def list_assister(kind=AssisterKind.BROKER, *, assister=None, languages=("en",), counties=(), **fields):
    """A certified assister who opted in to the directory, with the given profile fields."""
    assister = assister or make_assister(kind)
    profile = {
        "directory_opt_in": True,
        "languages": list(Language.objects.filter(code__in=languages)),
        "counties": list(County.objects.filter(name__in=counties)),
        **fields,
    }
    return services.assister_update_profile(assister=assister, actor=assister.user, fields=profile)


def list_agency(agency, **fields):
    profile = {"directory_opt_in": True, **fields}
    admin = agency.memberships.filter(role=MembershipRole.ADMIN).first().user
    return services.agency_update(agency=agency, actor=admin, fields=profile)


def office(zip_code: str, city: str = "Town") -> dict:
    """Profile fields that put an assister's office at a ZIP code."""
    return {"office_street": "1 Office Way", "office_city": city, "office_zip": zip_code}
