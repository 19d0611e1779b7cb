"""What a change in an assister's standing does to their clients, end to end."""

from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from associations.models import AssociationStatus, EndReason
from associations.permissions_sync import permissions_drift
from associations.tests.factories import associate
from certification import services as certification_services
from certification.models import AgencyMembership, AssisterKind
from certification.tasks import certification_daily_sweep
from certification.tests.factories import make_assister, staff_user
from clients.tests.factories import make_client
from notices.models import Notice

CHICAGO = timezone.get_fixed_timezone(-360)


@pytest.mark.django_db
def test_removal_from_the_agency_ends_the_assisters_associations_and_tells_the_client(
    django_capture_on_commit_callbacks,
):
    broker = make_assister(AssisterKind.BROKER)
    person = make_client()
    association = associate(person, broker)
    admin = AgencyMembership.objects.get(agency=broker.agency, role="admin").user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        certification_services.membership_end(membership=AgencyMembership.objects.get(user=broker.user), actor=admin)
    association.refresh_from_db()
    assert (association.status, association.end_reason) == (AssociationStatus.ENDED, EndReason.REMOVED)
    ended = Notice.objects.get(client=person, kind="association_ended")
    assert ended.data["body"]["assister_name"] == broker.full_name
    assert any(m.to == [person.user.email] and ended.number in m.body for m in mail.outbox)
    assert permissions_drift() == []


@pytest.mark.django_db
def test_a_lapsed_certification_suspends_the_association_and_a_new_one_restores_it(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(datetime(2026, 11, 27, 12, tzinfo=CHICAGO)):
        navigator = make_assister(AssisterKind.NAVIGATOR)
        person = make_client()
        association = associate(person, navigator)
    with time_machine.travel(datetime(2027, 11, 1, 6, tzinfo=CHICAGO)):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            certification_daily_sweep()
        association.refresh_from_db()
        assert association.status == AssociationStatus.SUSPENDED
        suspended = Notice.objects.get(client=person, kind="association_suspended")
        assert any(m.to == [person.user.email] and suspended.number in m.body for m in mail.outbox)
        assert permissions_drift() == []
        # The agency lapsed too: it asks for a new review and is approved again, then the navigator.
        agency_cert = certification_services.agency_renew(
            agency=navigator.agency, actor=navigator.agency.memberships.get(role="admin").user
        )
        certification_services.certification_decide(
            certification=agency_cert, action="approve", actor=staff_user(), reason="ok"
        )
        association.refresh_from_db()
        assert association.status == AssociationStatus.SUSPENDED  # the navigator is still not certified
        fresh = certification_services.certification_apply_again(assister=navigator, actor=navigator.user)
        from certification.tests.factories import complete_application, staff_checks

        complete_application(fresh)
        certification_services.certification_submit(certification=fresh, actor=navigator.user)
        staff_checks(fresh)
        certification_services.certification_decide(
            certification=fresh, action="approve", actor=staff_user(), reason="ok"
        )
        association.refresh_from_db()
        assert association.status == AssociationStatus.ACTIVE
        assert permissions_drift() == []
