"""Assisters of record as the portal makes them, for the test factories and the demo (`demo/`) alike.

Each builder is what one page does, through `associations.services`: the client chooses an
assister ("Choose an assister"), an assister asks to help a client they found ("Find a
client"), an assister records consent the client gave on a recorded call.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from certification.models import Assister
from clients.models import Client

from . import services
from .models import Association, ConsentMethod


def associate(client: Client, assister: Assister, powers: list[str] | None = None) -> Association:
    """The client chooses the assister (consumer-initiated, active at once), with the kind's default powers."""
    powers = powers if powers is not None else services.DEFAULT_POWERS[assister.kind]
    return services.association_start_by_consumer(client=client, assister=assister, powers=powers, actor=client.user)


def ask_to_help(client: Client, assister: Assister, *, actor: User | None = None, **details) -> Association:
    """The assister finds the client by name, date of birth and email and asks to help (pending until the client
    confirms); `details` replace any of those (`email="", ssn_last4="4321"` finds by the SSN's last four)."""
    found = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth,
        "email": client.email,
    } | details
    return services.association_request(assister=assister, actor=actor or assister.user, **found)


def record_call_consent(
    association: Association, *, attestation: str = "I confirm.", reference: str = "CALL-2026-0042"
) -> Association:
    """The assister records the consent the client gave on a recorded call five minutes ago (active at once)."""
    call_at = timezone.now() - timedelta(minutes=5)
    return services.association_record_offline_consent(
        association=association,
        actor=association.assister.user,
        method=ConsentMethod.RECORDED_CALL,
        given_on=timezone.localtime(call_at).date(),
        call_reference=reference,
        call_at=call_at,
        call_participants="The client, me",
        attestation=attestation,
    )
