"""Assisters of record, built through the services (clients come from `clients.tests.factories`).

The builders are `associations.builders`, which the demo uses too: `associate` (the client chooses),
`ask_to_help` (the assister's request from "Find a client"), `record_call_consent` (consent given on
a recorded call); `ask_and_record_call` is the last two in a row.
"""

from associations.builders import ask_to_help, associate, record_call_consent

__all__ = ["ask_and_record_call", "ask_to_help", "associate", "record_call_consent"]


def ask_and_record_call(client, assister, **consent):
    """A client with no account, whose consent the assister asked for and recorded from a call: active."""
    return record_call_consent(ask_to_help(client, assister), **consent)
