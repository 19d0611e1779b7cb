"""Associations follow certification through the hook it registers at start-up (DESIGN §2)."""

import pytest
from django.db import connection, transaction

from associations.models import Association, AssociationStatus
from associations.services import ENDING, RESTORING, SUSPENDING, associations_follow_assister
from associations.tests.factories import associate
from certification import hooks
from certification import services as certification_services
from certification.hooks import AccessChange
from certification.models import AssisterKind, Certification
from certification.tests.factories import make_assister, staff_user
from clients.tests.factories import make_client


def test_the_access_hook_is_registered_once_at_start_up():
    assert hooks.assister_access_changed.handlers == (associations_follow_assister,)


def test_every_access_change_has_exactly_one_rule():
    for change in AccessChange:
        assert [change in ENDING, change in SUSPENDING, change in RESTORING].count(True) == 1, change


def test_a_handler_with_another_signature_is_refused_when_it_registers():
    def follow(*, assister, reason, actor, request=None):  # "reason": the old, string-parsing parameter
        pass

    with pytest.raises(TypeError, match="does not match the hook"):
        hooks.assister_access_changed.register(follow)
    assert hooks.assister_access_changed.handlers == (associations_follow_assister,)


class RollBack(Exception):
    pass


@pytest.mark.django_db
def test_certification_calls_the_handlers_with_the_enum_in_its_transaction():
    """The handlers run inside the certification change's transaction: when it rolls back, so does what they
    did (the association it suspended is active again), and they ran before it ended (not after a commit)."""
    broker = make_assister(AssisterKind.BROKER)
    association = associate(make_client(), broker)
    certification = broker.certifications.get()
    seen = []

    def record(*, assister, change, actor, request=None):
        seen.append((assister, change, connection.in_atomic_block))

    hooks.assister_access_changed.register(record)
    try:
        with pytest.raises(RollBack), transaction.atomic():
            certification_services.certification_decide(
                certification=certification,
                action=certification_services.CertificationTransition.SUSPEND,
                actor=staff_user(),
                reason="Hook test.",
            )
            assert Association.objects.get(pk=association.pk).status == AssociationStatus.SUSPENDED
            raise RollBack
    finally:
        hooks.assister_access_changed.unregister(record)
    assert seen == [(broker, AccessChange.SUSPENDED, True)]
    assert Association.objects.get(pk=association.pk).status == AssociationStatus.ACTIVE  # rolled back with it
    assert Certification.objects.get(pk=certification.pk).status == certification.status
