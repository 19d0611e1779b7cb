from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from associations import services
from associations.models import Association, AssociationStatus, Consent, ConsentEvent, EndReason
from associations.permissions_sync import permissions_drift
from associations.tests.factories import ask_to_help, associate
from certification import services as certification_services
from certification.models import AssisterKind
from certification.tests.factories import make_agency, make_assister, staff_user
from clients.tests.factories import make_client


@pytest.mark.django_db
def test_a_client_can_have_one_of_each_kind_and_a_new_one_replaces_the_old(django_capture_on_commit_callbacks):
    client = make_client()
    broker, navigator, cac = (make_assister(kind) for kind in AssisterKind)
    for assister in (broker, navigator, cac):
        associate(client, assister)
    assert Association.objects.filter(client=client, status=AssociationStatus.ACTIVE).count() == 3
    other_broker = make_assister(AssisterKind.BROKER)
    associate(client, other_broker)
    old = Association.objects.get(client=client, assister=broker)
    assert (old.status, old.end_reason) == (AssociationStatus.ENDED, EndReason.REPLACED)
    assert client.user.has_perm("clients.view_client", client) is False  # consumers never hold grants
    assert broker.user.has_perm("clients.view_client", client) is False
    assert other_broker.user.has_perm("clients.view_client", client)
    assert permissions_drift() == []


@pytest.mark.django_db
def test_the_database_allows_only_one_current_association_per_kind():
    client = make_client()
    first, second = make_assister(AssisterKind.BROKER), make_assister(AssisterKind.BROKER)
    associate(client, first)
    with pytest.raises(IntegrityError, match="assoc_one_current_per_client_kind"), transaction.atomic():
        Association.objects.create(
            client=client,
            assister=second,
            agency_id=second.agency_id,
            kind="broker",
            status="active",
            initiated_by="consumer",
        )


@pytest.mark.django_db
def test_powers_become_exactly_the_guardian_rows_and_change_with_consent():
    client = make_client()
    navigator = make_assister(AssisterKind.NAVIGATOR)
    association = associate(client, navigator, powers=["view_client", "report_change_for_client"])
    user = navigator.user
    assert user.has_perm("clients.report_change_for_client", client)
    assert not user.has_perm("clients.apply_for_client", client)
    services.association_change_powers(association=association, powers=["view_client"], actor=client.user)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user.pk)  # fresh permission cache
    assert not user.has_perm("clients.report_change_for_client", client)
    assert [c.event for c in association.consents.order_by("id")] == [ConsentEvent.GRANTED, ConsentEvent.CHANGED]
    assert permissions_drift() == []


@pytest.mark.django_db
def test_agency_admin_sees_the_book_and_support_staff_may_also_report_changes():
    from certification.models import MembershipRole
    from certification.tests.factories import invite_and_accept

    agency = make_agency()
    broker = make_assister(AssisterKind.BROKER, agency=agency)
    support = invite_and_accept(agency, role=MembershipRole.SUPPORT)
    client = make_client()
    associate(client, broker)
    admin = agency.admin_user
    assert admin.has_perm("clients.view_client", client)
    assert not admin.has_perm("clients.report_change_for_client", client)
    assert support.has_perm("clients.view_client", client)
    assert support.has_perm("clients.report_change_for_client", client)
    assert not support.has_perm("clients.select_plan_for_client", client)
    assert permissions_drift() == []


@pytest.mark.django_db
def test_suspension_suspends_and_reinstatement_restores_decertification_ends():
    client = make_client()
    broker = make_assister(AssisterKind.BROKER)
    association = associate(client, broker)
    cert = broker.certifications.get()
    certification_services.certification_decide(certification=cert, action="suspend", actor=staff_user(), reason="x")
    association.refresh_from_db()
    assert association.status == AssociationStatus.SUSPENDED
    assert permissions_drift() == []
    certification_services.certification_decide(certification=cert, action="reinstate", actor=staff_user(), reason="x")
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE
    certification_services.certification_decide(certification=cert, action="decertify", actor=staff_user(), reason="x")
    association.refresh_from_db()
    assert (association.status, association.end_reason) == (AssociationStatus.ENDED, EndReason.DECERTIFIED)
    events = list(association.consents.order_by("id").values_list("event", flat=True))
    assert events == ["granted", "suspended", "restored", "revoked"]
    assert permissions_drift() == []


@pytest.mark.django_db
def test_assister_request_matches_only_with_the_right_details_and_gives_no_hint():
    client = make_client(first_name="José", last_name="Hernández", date_of_birth=date(1990, 1, 2), ssn="123-45-6789")
    navigator = make_assister(AssisterKind.NAVIGATOR)
    for kwargs in (
        {"ssn_last4": "0000"},
        {"email": "wrong@example.org"},
        {"ssn_last4": "6789", "date_of_birth": date(1990, 1, 3)},
    ):
        details = {"first_name": "Jose", "last_name": "HERNANDEZ", "date_of_birth": date(1990, 1, 2)} | kwargs
        with pytest.raises(ValidationError, match="could not match those details"):
            services.association_request(assister=navigator, actor=navigator.user, **details)
    association = services.association_request(
        assister=navigator,
        actor=navigator.user,
        first_name="jose",
        last_name="hernandez",
        date_of_birth=date(1990, 1, 2),
        ssn_last4="6789",
    )
    assert association.status == AssociationStatus.PENDING
    services.association_confirm(association=association, powers=["view_client"], actor=client.user)
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE and association.powers == ["view_client"]


@pytest.mark.django_db
def test_consent_history_is_append_only():
    association = associate(make_client(), make_assister(AssisterKind.CAC))
    consent = association.consents.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(method="paper_form")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        consent.delete()


@pytest.mark.django_db
def test_broker_effective_date_is_the_first_of_the_next_month():
    assert services.broker_effective_date(date(2026, 11, 27)) == date(2026, 12, 1)
    assert services.broker_effective_date(date(2026, 12, 1)) == date(2027, 1, 1)


@pytest.mark.django_db
def test_pending_requests_expire_after_30_days():
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from associations.tasks import expire_association_requests

    client = make_client(ssn="111-22-3333")
    navigator = make_assister(AssisterKind.NAVIGATOR)
    association = ask_to_help(client, navigator, email="", ssn_last4="3333")
    assert expire_association_requests() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert expire_association_requests() == 1
        assert expire_association_requests() == 0
    association.refresh_from_db()
    assert association.status == AssociationStatus.EXPIRED
    assert association.consents.order_by("id").last().event == ConsentEvent.EXPIRED
