"""Notices built through the services. A notice needs a registered kind; the kinds are registered by the
apps that send them, so these factories use user notices of a kind every installed portal has
(`assister_client_started`, registered by associations at start-up) and name it by its code only."""

from django.db import transaction

from accounts.tests.factories import UserFactory
from notices.services import notice_for_user

USER_KIND = "assister_client_started"


def make_user_notice(user=None, *, client_name="Ana Amador", **user_fields):
    """A committed notice to `user` (a new assister when None), rendering after the commit."""
    user = user or UserFactory(role="assister", **user_fields)
    with transaction.atomic():
        return notice_for_user(kind=USER_KIND, user=user, body={"client_name": client_name})
