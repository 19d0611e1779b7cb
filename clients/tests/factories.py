"""Clients, built through the services (their assisters of record: `associations.tests.factories`)."""

import itertools
from datetime import date

from accounts.models import Role
from accounts.tests.factories import UserFactory
from clients import services
from core.tests import factories as core

_seq = itertools.count(1)


def make_client(
    *,
    first_name=None,
    last_name=None,
    date_of_birth=date(1980, 5, 17),
    ssn=None,
    email=None,
    claimed=True,
    county="Hennepin",
    language="en",
):
    """A consumer with their client record (claimed=True), or a record nobody has claimed yet."""
    n = next(_seq)
    email = email or f"client{n}@example.org"
    fields = {
        "first_name": first_name or "Client",
        "last_name": last_name or f"Number{n}",
        "date_of_birth": date_of_birth,
        # Always a number the SSA could issue (area 100–599, serial 0001–9999): an invalid one is a data-matching
        # inconsistency (verifications), which a test asks for on purpose.
        "ssn": ssn if ssn is not None else f"{n % 500 + 100:03d}-45-{n % 9999 + 1:04d}",
        "email": email,
        "county": core.county(county),
        "preferred_language": core.language(language),
    }
    if claimed:
        user = UserFactory(role=Role.CONSUMER, email=email)
        return services.client_create_for_self(user=user, fields=fields)
    return services.client_create_unclaimed(actor=None, fields=fields, employer=None)
