"""Demo consumers with each combination of assisters of record, built through `associations.builders`."""

from datetime import date

from django.db import transaction

from accounts.models import Role
from associations import services
from associations.builders import ask_to_help, associate
from certification.models import Assister
from clients import services as client_services
from clients.models import Client
from core.models import County, Language

from .staff import demo_email, demo_user

CONSUMERS = [
    # local part, first, last, date of birth, county, language, assisters (kinds), extra
    ("consumer", "Maria", "Lopez", date(1988, 3, 14), "Ramsey", "es", ["broker"], ""),
    ("two-assisters", "Mai", "Xiong", date(1979, 9, 2), "Ramsey", "hmn", ["broker", "navigator"], ""),
    ("all-three", "Abdi", "Hassan", date(1992, 12, 20), "Hennepin", "so", ["broker", "navigator", "cac"], ""),
    ("pending-request", "Karin", "Johansson", date(1965, 6, 30), "St. Louis", "en", [], "pending"),
    ("rescinded", "Jorge", "Ramírez", date(1985, 1, 9), "Hennepin", "es", [], "rescinded"),
]


def _assister(local: str) -> Assister:
    """One of the demo's login assisters (`agencies.py`)."""
    return Assister.objects.select_related("user").get(user__email=demo_email(local))


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    logins = []
    for local, first, last, dob, county, language, kinds, extra in CONSUMERS:
        email = demo_email(local)
        user = demo_user(email, Role.CONSUMER, first, last)
        logins.append((f"Consumer: {first} {last} ({', '.join(kinds) or extra})", email))
        if Client.objects.filter(user=user).exists():
            continue
        client = client_services.client_create_for_self(
            user=user,
            fields={
                "first_name": first,
                "last_name": last,
                "date_of_birth": dob,
                "email": email,
                "ssn": f"555-{dob.month:02d}-{dob.year}",
                "county": County.objects.get(name=county),
                "preferred_language": Language.objects.get(code=language),
                "city": "Saint Paul",
                "zip_code": "55102",
            },
        )
        for kind in kinds:
            associate(client, _assister(kind))
        if extra == "pending":
            ask_to_help(client, _assister("navigator"))
        if extra == "rescinded":
            association = associate(client, _assister("cac"), powers=["view_client"])
            services.association_end(association=association, actor=user, reason="rescinded")
    return logins
