import pytest

from assister_portal.lib.state_machine import TransitionNotAllowed
from audit.models import Action, AuditEvent
from certification import services
from certification.models import AssisterKind
from certification.selectors import assister_may_act
from certification.tests.factories import make_agency, make_assister, staff_user


def decide(cert, action):
    return services.certification_decide(certification=cert, action=action, actor=staff_user(), reason=f"{action} test")


@pytest.mark.django_db
def test_suspension_stops_access_and_reinstatement_restores_it():
    assister = make_assister(AssisterKind.NAVIGATOR)
    cert = assister.certifications.get()
    decide(cert, "suspend")
    assert not assister_may_act(assister.user)
    decide(cert, "reinstate")
    assert assister_may_act(assister.user)
    reasons = list(
        AuditEvent.objects.filter(action=Action.ASSISTER_ACCESS_CHANGED)
        .exclude(details__reason="certified")
        .order_by("id")
        .values_list("details__reason", flat=True)
    )
    assert reasons == ["suspended", "reinstated"]


@pytest.mark.django_db
def test_decertification_ends_access_for_good():
    assister = make_assister(AssisterKind.BROKER)
    cert = decide(assister.certifications.get(), "decertify")
    assert not assister_may_act(assister.user)
    with pytest.raises(TransitionNotAllowed):
        decide(cert, "reinstate")
    with pytest.raises(Exception, match="decertified"):
        services.certification_apply_again(assister=assister, actor=assister.user)


@pytest.mark.django_db
def test_an_agency_suspension_suspends_every_member_and_its_reinstatement_restores_them():
    agency = make_agency()
    members = [make_assister(AssisterKind.BROKER, agency=agency) for _ in range(2)]
    assert all(assister_may_act(a.user) for a in members)
    agency_cert = agency.certifications.get()
    decide(agency_cert, "suspend")
    assert not any(assister_may_act(a.user) for a in members)
    reasons = set(
        AuditEvent.objects.filter(action=Action.ASSISTER_ACCESS_CHANGED)
        .exclude(details__reason="certified")
        .values_list("details__reason", flat=True)
    )
    assert reasons == {"agency_suspended"}
    decide(agency_cert, "reinstate")
    assert all(assister_may_act(a.user) for a in members)


@pytest.mark.django_db
def test_uncertified_and_non_assister_users_may_not_act(consumer):
    draft = make_assister(AssisterKind.CAC, state="draft")
    submitted = make_assister(AssisterKind.CAC, state="submitted")
    assert not assister_may_act(draft.user)
    assert not assister_may_act(submitted.user)
    assert not assister_may_act(consumer)


@pytest.mark.django_db
def test_assister_may_act_is_one_query(django_assert_num_queries):
    user = make_assister(AssisterKind.BROKER).user
    with django_assert_num_queries(1):
        assert assister_may_act(user)
