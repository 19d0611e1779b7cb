"""Assisters of record, built through the services (clients come from `clients.tests.factories`)."""

from associations import services


def associate(client, assister, powers=None):
    """The client chooses the assister (consumer-initiated, active at once)."""
    powers = powers if powers is not None else services.DEFAULT_POWERS[assister.kind]
    return services.association_start_by_consumer(client=client, assister=assister, powers=powers, actor=client.user)
