"""Issue 9 §1, second and third layers: consent "given offline" can never displace the client's own choice,
and the evidence behind it has to mean something.

The attack as reported: a broker of another agency, holding a pending request, posted
`method=recorded_call, call_reference=none, attestation=on`; the association became active at once with every
default power, the consumer's own broker was ended as "replaced", and the client page showed her details.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from associations import services as association_services
from associations.models import AssociationStatus, Consent, ConsentEvent, ConsentMethod, EndReason
from associations.tests.factories import ask_and_record_call, ask_to_help, associate
from audit.models import Action, AuditEvent
from certification.models import AssisterKind
from certification.tests.factories import make_assister, staff_user
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice


def consent_url(association) -> str:
    return reverse("clients:record_consent", args=[association.public_id])


def call_form(**overrides) -> dict:
    """A recorded call with every detail it needs, an hour ago (or just after midnight today)."""
    at = max(timezone.localtime() - timedelta(hours=1), timezone.localtime().replace(hour=0, minute=1))
    return {
        "method": ConsentMethod.RECORDED_CALL,
        "call_reference": "CALL-2026-0042",
        "call_time": at.strftime("%H:%M"),
        "call_participants": "Ana García (client), me",
        "consent_date": at.date().isoformat(),
        "attestation": "on",
    } | overrides


@pytest.fixture
def outsider(client):
    """A certified broker of another agency than the client's own broker, signed in."""
    assister = make_assister(AssisterKind.BROKER)
    sign_in(client, assister.user)
    return assister


@pytest.fixture
def claimed_with_broker():
    """A consumer who has an account and chose her own broker."""
    person = make_client(first_name="Ana", last_name="García", date_of_birth=date(1990, 2, 3), ssn="987-65-4321")
    own = associate(person, make_assister(AssisterKind.BROKER))
    return person, own


@pytest.mark.django_db
def test_the_reported_takeover_fails_and_the_clients_own_broker_stays(client, outsider, claimed_with_broker):
    person, own = claimed_with_broker
    pending = ask_to_help(person, outsider)
    page = client.get(consent_url(pending)).content.decode()
    assert "confirm your request there themselves" in page
    assert 'name="method"' not in page  # no form to fill in

    response = client.post(
        consent_url(pending), {"method": "recorded_call", "call_reference": "none", "attestation": "on"}
    )

    assert response.status_code == 200
    pending.refresh_from_db()
    own.refresh_from_db()
    assert pending.status == AssociationStatus.PENDING
    assert own.status == AssociationStatus.ACTIVE and own.end_reason == ""
    assert not Consent.objects.filter(association=pending, event=ConsentEvent.GRANTED).exists()
    assert client.get(reverse("clients:detail", args=[person.public_id])).status_code == 404


@pytest.mark.django_db
def test_the_service_itself_refuses_offline_consent_for_a_client_with_an_account(claimed_with_broker):
    person, _own = claimed_with_broker
    navigator = make_assister(AssisterKind.NAVIGATOR)  # no navigator yet: the account alone is enough to refuse
    pending = ask_to_help(person, navigator)
    call_at = timezone.now() - timedelta(minutes=5)
    with pytest.raises(ValidationError) as refused:
        association_services.association_record_offline_consent(
            association=pending,
            actor=navigator.user,
            method=ConsentMethod.RECORDED_CALL,
            given_on=timezone.localtime(call_at).date(),
            call_reference="CALL-2026-0042",
            call_at=call_at,
            call_participants="The client, me",
            attestation="I confirm.",
        )
    assert "has an account in the portal" in " ".join(refused.value.messages)
    pending.refresh_from_db()
    assert pending.status == AssociationStatus.PENDING


@pytest.mark.django_db
def test_a_client_without_an_account_but_with_a_broker_cannot_be_taken_offline_either(client, outsider):
    person = make_client(claimed=False, first_name="Mai", last_name="Vang")
    creator = make_assister(AssisterKind.BROKER)
    own = ask_and_record_call(person, creator)
    pending = ask_to_help(person, outsider)

    html = client.get(consent_url(pending)).content.decode()
    assert "already has a broker, and only the client can replace them" in html
    response = client.post(consent_url(pending), call_form())

    assert response.status_code == 200
    own.refresh_from_db()
    pending.refresh_from_db()
    assert (own.status, pending.status) == (AssociationStatus.ACTIVE, AssociationStatus.PENDING)


@pytest.mark.django_db
def test_no_path_but_the_client_can_replace_a_current_assister(claimed_with_broker):
    """The guard sits where an association becomes active: whatever calls it, only the client replaces."""
    person, own = claimed_with_broker
    other = make_assister(AssisterKind.BROKER)
    with pytest.raises(ValidationError, match="Only the client can replace them"):
        association_services.association_start_by_consumer(
            client=person, assister=other, powers=["view_client"], actor=other.user
        )
    own.refresh_from_db()
    assert own.status == AssociationStatus.ACTIVE
    # The client herself may.
    association_services.association_start_by_consumer(
        client=person, assister=other, powers=["view_client"], actor=person.user
    )
    own.refresh_from_db()
    assert (own.status, own.end_reason) == (AssociationStatus.ENDED, EndReason.REPLACED)


@pytest.mark.django_db
def test_a_request_the_client_confirms_replaces_her_broker_and_both_brokers_and_she_are_told(
    claimed_with_broker, django_capture_on_commit_callbacks
):
    person, own = claimed_with_broker
    other = make_assister(AssisterKind.BROKER)
    pending = ask_to_help(person, other)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        association_services.association_confirm(association=pending, powers=["view_client"], actor=person.user)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert person.user.email in recipients  # the new assister, with the one-click end link
    assert own.assister.user.email in recipients and other.user.email in recipients  # the old one, the new one
    started = Notice.objects.get(client=person, kind="association_started", data__body__assister_name=other.full_name)
    new_notice = next(m for m in mail.outbox if m.to == [person.user.email] and started.number in m.body)
    assert "/associations/end/" in new_notice.body
    ended = Notice.objects.get(client=person, kind="association_ended")
    assert ended.data["body"]["assister_name"] == own.assister.full_name


# --- Evidence that means something --------------------------------------------------------------


@pytest.fixture
def unclaimed_pending(client, outsider):
    person = make_client(claimed=False, first_name="Mai", last_name="Vang")
    return ask_to_help(person, outsider)


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["none", "n/a", "12345", "CALL 2026 0042", "x" * 41, "ABC-12"])
def test_a_call_reference_must_look_like_one(client, unclaimed_pending, reference):
    html = client.post(consent_url(unclaimed_pending), call_form(call_reference=reference)).content.decode()
    # The error, not the hint (the hint states the format too).
    assert (
        "Give the reference of the recorded call as your phone system shows it" in html
        or "Ensure this value has at most 40 characters" in html
    )
    assert (
        'id="id_call_reference-error"' in html or "usa-error-message" in html.split('id="id_call_reference"')[0][-600:]
    )
    unclaimed_pending.refresh_from_db()
    assert unclaimed_pending.status == AssociationStatus.PENDING


@pytest.mark.django_db
def test_a_call_needs_its_time_and_who_was_on_it(client, unclaimed_pending):
    html = client.post(consent_url(unclaimed_pending), call_form(call_time="", call_participants="")).content.decode()
    assert "Enter the time of the call, like 2:30 PM." in html
    assert "Name everyone who was on the call" in html
    html = client.post(consent_url(unclaimed_pending), call_form(call_time="25:99")).content.decode()
    assert "Enter the time like 2:30 PM or 14:30." in html
    unclaimed_pending.refresh_from_db()
    assert unclaimed_pending.status == AssociationStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0001-01-01", "must have been given in the last 60 days"),
        ("9999-12-31", "The date cannot be in the future."),
        ((timezone.localdate() - timedelta(days=90)).isoformat(), "must have been given in the last 60 days"),
    ],
)
def test_impossible_or_stale_consent_dates_are_refused(client, unclaimed_pending, day, message):
    html = client.post(consent_url(unclaimed_pending), call_form(consent_date=day)).content.decode()
    assert message in html
    unclaimed_pending.refresh_from_db()
    assert unclaimed_pending.status == AssociationStatus.PENDING


@pytest.mark.django_db
def test_a_complete_recorded_call_is_kept_with_its_details_and_the_consequences_attested(client, unclaimed_pending):
    form = call_form()
    response = client.post(consent_url(unclaimed_pending), form)

    assert response.status_code == 302
    consent = Consent.objects.get(association=unclaimed_pending, event=ConsentEvent.GRANTED)
    assert consent.call_reference == "CALL-2026-0042"
    assert consent.call_participants == "Ana García (client), me"
    assert timezone.localtime(consent.call_at).strftime("%H:%M") == form["call_time"]
    assert consent.given_on.isoformat() == form["consent_date"]
    assert "45 CFR 155.285" in consent.attestation and "end my certification" in consent.attestation
    assert not consent.flagged


@pytest.mark.django_db
def test_more_offline_consents_in_a_day_than_staff_review_are_flagged_and_staff_alerted(
    client, outsider, settings, django_capture_on_commit_callbacks
):
    settings.OFFLINE_CONSENT_DAILY_FLAG = 1
    staff = staff_user()
    first = ask_to_help(make_client(claimed=False), outsider)
    second = ask_to_help(make_client(claimed=False), outsider)
    assert client.post(consent_url(first), call_form()).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(consent_url(second), call_form()).status_code == 302

    flags = dict(Consent.objects.filter(event=ConsentEvent.GRANTED).values_list("association_id", "flagged"))
    assert flags == {first.pk: False, second.pk: True}
    assert AuditEvent.objects.filter(action=Action.OFFLINE_CONSENT_FLAGGED, actor=outsider.user).count() == 1
    alert = next(m for m in mail.outbox if m.to == [staff.email])
    assert outsider.user.email in alert.subject and "flagged__exact=1" in alert.body

    client.post(reverse("account_logout"))
    sign_in(client, staff)
    listing = client.get(reverse("admin:associations_consent_changelist"), {"flagged__exact": "1"})
    assert listing.status_code == 200
    assert listing.content.decode().count('class="field-method"') == 1  # one row
    offline = client.get(reverse("admin:associations_consent_changelist"), {"offline": "yes"})
    assert offline.content.decode().count('class="field-method"') == 2  # both grants, not the two requests


@pytest.mark.django_db
def test_staff_reading_a_consent_or_its_form_is_in_the_clients_trail(
    client, outsider, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assister_portal.tests.samples import plain_pdf

    person = make_client(claimed=False, first_name="Mai", last_name="Vang")
    pending = ask_to_help(person, outsider)
    form = call_form(method=ConsentMethod.PAPER_FORM, call_reference="", call_time="", call_participants="")
    form["evidence"] = SimpleUploadedFile("signed.pdf", plain_pdf(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):  # the scan runs after the commit
        assert client.post(consent_url(pending), form).status_code == 302
    consent = Consent.objects.get(association=pending, event=ConsentEvent.GRANTED)
    # The assister's client page says the signed form is on file, with its scan status.
    page = client.get(reverse("clients:detail", args=[person.public_id])).content.decode()
    assert "Signed form on file (Not scanned: no virus scanner is configured)" in page

    staff = staff_user()
    client.post(reverse("account_logout"))
    sign_in(client, staff)
    before = AuditEvent.objects.filter(client=person, actor=staff).count()
    page = client.get(reverse("admin:associations_consent_change", args=[consent.pk]))
    assert page.status_code == 200 and "Mai Vang" in page.content.decode()
    download = client.get(reverse("admin:associations_consent_evidence", args=[consent.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    viewed = AuditEvent.objects.filter(client=person, actor=staff, action=Action.CLIENT_VIEWED)
    assert viewed.count() - before == 2
    assert sorted(e.details["what"] for e in viewed) == [
        "consent record (staff review)",
        "signed consent form (staff review)",
    ]
    assert client.get(reverse("admin:associations_consent_change", args=["²"])).status_code in (302, 404)
