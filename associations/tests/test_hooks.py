"""Associations follow certification through the hook it registers at start-up (DESIGN §2)."""

import pytest

from associations.services import ENDING, RESTORING, SUSPENDING, associations_follow_assister
from certification import hooks
from certification.hooks import AccessChange
from certification.models import AssisterKind
from certification.services import assister_access_changed
from certification.tests.factories import make_assister


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


@pytest.mark.django_db
def test_certification_calls_the_handlers_with_the_enum_in_its_transaction():
    broker = make_assister(AssisterKind.BROKER)
    seen = []

    def record(*, assister, change, actor, request=None):
        seen.append((assister, change))

    hooks.assister_access_changed.register(record)
    try:
        assister_access_changed(assister=broker, change=AccessChange.SUSPENDED, actor=None)
    finally:
        hooks.assister_access_changed.unregister(record)
    assert seen == [(broker, AccessChange.SUSPENDED)]
