"""Assisters of record, built through the services (clients come from `clients.tests.factories`).

The builders are `associations.builders`, which the demo uses too: `associate` (the client chooses),
`ask_to_help` (the assister's request from "Find a client"), `record_call_consent` (consent given on
a recorded call); `ask_and_record_call` is the last two in a row.
"""

from associations.builders import ask_to_help, associate, record_call_consent
from core.models import County, Language

__all__ = ["ask_and_record_call", "ask_to_help", "associate", "record_call_consent"]


def ask_and_record_call(client, assister, **consent):
    """A client with no account, whose consent the assister asked for and recorded from a call: active."""
    return record_call_consent(ask_to_help(client, assister), **consent)


def profile_form(**overrides) -> dict:
    """What a consumer posts to "Tell us who you are" (/my/profile/), complete and valid; change what a test needs."""
    return {
        "kind": "household",
        "first_name": "María",
        "last_name": "Hernández",
        "date_of_birth": "1984-02-29",
        "ssn": "123-45-6789",
        "phone": "651-555-0123",
        "street": "100 Cedar Ave",
        "city": "Minneapolis",
        "zip_code": "55404",
        "county": County.objects.get(name="Hennepin").pk,
        "preferred_language": Language.objects.get(code="en").pk,
    } | overrides
