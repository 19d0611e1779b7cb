"""The consumer's pages: who they are, choosing, confirming, changing and ending their assisters of record."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from associations import services
from associations.models import Association, AssociationStatus, Consent, ConsentEvent, EndReason
from associations.permissions_sync import permissions_drift
from associations.tests.factories import ask_to_help, associate, profile_form
from certification import services as certification_services
from certification.models import AssisterKind
from certification.tests.factories import complete_application, make_assister, staff_checks, staff_user
from clients.models import Client, EmployerDetails
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice

PROFILE = reverse("associations:profile")
MY_ASSISTERS = reverse("associations:my_assisters")
CHOOSE = reverse("associations:choose")


def checkbox(html: str, code: str) -> str:
    """The <input> tag of one power's checkbox."""
    match = re.search(rf'<input[^>]*value="{code}"[^>]*>', html.split('name="powers" value="view_client">', 1)[-1])
    assert match, f"no checkbox for {code}"
    return match.group(0)


def fresh(user):
    """The same user without Django's cached permissions."""
    return get_user_model().objects.get(pk=user.pk)


def signed_in_consumer(client, **kwargs):
    person = make_client(**kwargs)
    sign_in(client, person.user, follow=False)
    return person


def navigator_with_disclosure(text: str):
    assister = make_assister(AssisterKind.NAVIGATOR, state="draft")
    certification = complete_application(assister.certifications.get())
    certification_services.certification_save_application(
        certification=certification,
        actor=assister.user,
        assister_fields={},
        certification_fields={"coi_financial_ties": text},
    )
    certification_services.certification_submit(certification=certification, actor=assister.user)
    staff_checks(certification)
    certification_services.certification_decide(
        certification=certification, action="approve", actor=staff_user(), reason="All requirements met."
    )
    assister.refresh_from_db()
    return assister


def profile_data(**overrides):
    return profile_form(**overrides)


# --- Who I am ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_consumer_tells_us_who_they_are_and_sees_only_the_last_four_of_their_ssn(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert "encrypted" in page.text and "Social Security number" in page.text
    assert "English" in page.text
    response = client.post(PROFILE, profile_data())
    assert response.status_code == 302 and response["Location"] == MY_ASSISTERS
    record = Client.objects.get(user=new_consumer)
    assert (record.first_name, record.date_of_birth, record.ssn_last4) == ("María", date(1984, 2, 29), "6789")
    assert record.email == new_consumer.email
    shown = client.get(PROFILE).text
    assert "•••-••-6789" in shown
    assert "123-45-6789" not in shown and "123456789" not in shown
    assert "María Hernández" in shown


@pytest.mark.django_db
def test_a_small_employer_gives_business_name_fein_and_employee_count(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    data = profile_data(
        kind="employer",
        ssn="",
        **{"employer-business_name": "Lakeside Bakery", "employer-fein": "411234567", "employer-employee_count": "12"},
    )
    response = client.post(PROFILE, data)
    assert response.status_code == 302
    details = EmployerDetails.objects.get(client__user=new_consumer)
    assert (details.business_name, details.fein, details.employee_count) == ("Lakeside Bakery", "41-1234567", 12)
    assert "Lakeside Bakery" in client.get(PROFILE).text


@pytest.mark.django_db
def test_bad_ssn_and_zip_give_errors_and_create_nothing(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    response = client.post(PROFILE, profile_data(ssn="12a-45-6789", zip_code="5540"))
    assert response.status_code == 400
    assert "Enter the SSN as nine digits" in response.text
    assert "Enter a 5-digit ZIP code" in response.text
    assert not Client.objects.filter(user=new_consumer).exists()


@pytest.mark.django_db
def test_a_wrong_fein_or_too_many_employees_gives_errors_and_creates_nothing(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    data = profile_data(
        kind="employer",
        **{"employer-business_name": "Lakeside Bakery", "employer-fein": "4112", "employer-employee_count": "51"},
    )
    response = client.post(PROFILE, data)
    assert response.status_code == 400
    assert "Enter the FEIN as two digits" in response.text
    assert "50 or fewer employees" in response.text
    assert not Client.objects.filter(user=new_consumer).exists()
    assert not EmployerDetails.objects.exists()


@pytest.mark.django_db
def test_a_future_birth_date_is_refused(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    response = client.post(PROFILE, profile_data(date_of_birth="2999-01-01"))
    assert response.status_code == 400
    assert "cannot be in the future" in response.text
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_consumer_pages_send_a_consumer_without_details_to_the_profile_and_back(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    assister = make_assister(AssisterKind.BROKER)
    target = f"{CHOOSE}?assister_id={assister.assister_id}"
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(PROFILE + "?next=")
    page = client.get(response["Location"])
    assert "First tell us who you are" in page.text
    response = client.post(PROFILE, {**profile_data(), "next": target})
    assert response["Location"] == target


@pytest.mark.django_db
def test_profile_ignores_a_next_that_leaves_the_site(client, new_consumer):
    sign_in(client, new_consumer, follow=False)
    response = client.post(PROFILE, {**profile_data(), "next": "https://evil.example.com/"})
    assert response["Location"] == MY_ASSISTERS


@pytest.mark.django_db
def test_other_roles_get_404_and_visitors_are_sent_to_sign_in_and_back(client, broker):
    assister = make_assister(AssisterKind.NAVIGATOR)
    target = f"{CHOOSE}?assister_id={assister.assister_id}"
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "assister_id%3D" + assister.assister_id in response["Location"]
    sign_in(client, assister.user, follow=False)
    for url in (PROFILE, MY_ASSISTERS, target, reverse("associations:who_viewed")):
        assert client.get(url).status_code == 404


# --- Choosing an assister ------------------------------------------------------------


@pytest.mark.django_db
def test_choosing_a_navigator_shows_the_consent_text_and_their_disclosures(client):
    signed_in_consumer(client)
    navigator = navigator_with_disclosure("My spouse owns shares in North Star Health.")
    typed = f" {navigator.assister_id[:3].lower()}-{navigator.assister_id[3:]} "
    page = client.get(CHOOSE, {"assister_id": typed})
    assert page.status_code == 200
    text = page.text
    assert navigator.full_name in text and str(navigator.agency) in text and navigator.assister_id in text
    assert "help you apply for and keep health coverage through MNsure" in text
    assert "Until you end it" in text and "My assisters" in text
    assert "Conflict-of-interest disclosures" in text
    assert "My spouse owns shares in North Star Health." in text
    assert text.count("None disclosed") == 3
    assert f"Consent text version {services.CONSENT_TEXT_VERSION}" in text
    assert "checked" in checkbox(text, "apply_for_client")
    assert "checked" not in checkbox(text, "select_plan_for_client")
    always = checkbox(text, "view_client")
    assert "checked" in always and "disabled" in always


@pytest.mark.django_db
def test_a_brokers_consent_page_ticks_plan_selection_and_has_no_disclosures(client):
    signed_in_consumer(client)
    broker = make_assister(AssisterKind.BROKER)
    text = client.get(CHOOSE, {"assister_id": broker.assister_id}).text
    assert "checked" in checkbox(text, "select_plan_for_client")
    assert "Conflict-of-interest" not in text


@pytest.mark.django_db
def test_agreeing_makes_the_assister_active_at_once_and_emails_them(client, django_capture_on_commit_callbacks):
    person = signed_in_consumer(client)
    navigator = make_assister(AssisterKind.NAVIGATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHOOSE,
            {
                "assister_id": navigator.assister_id,
                "powers": ["view_client", "report_change_for_client"],
                "agree": "on",
            },
        )
    assert response.status_code == 302 and response["Location"] == MY_ASSISTERS
    association = Association.objects.get(client=person, assister=navigator)
    assert association.status == AssociationStatus.ACTIVE
    assert association.powers == ["view_client", "report_change_for_client"]
    consent = association.consents.get()
    assert (consent.event, consent.given_by, consent.consent_text_version) == (
        ConsentEvent.GRANTED,
        person.user,
        services.CONSENT_TEXT_VERSION,
    )
    # The assister is told, and so is the client, with the one-click link to end it if it was not them.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([navigator.user.email, person.user.email])
    to_client = next(m for m in mail.outbox if m.to == [person.user.email])
    assert to_client.subject == "[MNsure Assister Portal] New notice: You have a new assister of record"
    assert "/associations/end/" in to_client.body and navigator.full_name not in to_client.body  # name only
    started = Notice.objects.get(client=person, kind="association_started")
    assert (started.data["body"]["assister_name"], started.data["body"]["role"]) == (navigator.full_name, "navigator")
    assert started.email_link == ""  # the one-click link is not kept once the email is sent
    assert fresh(navigator.user).has_perm("clients.report_change_for_client", person)
    assert not fresh(navigator.user).has_perm("clients.apply_for_client", person)
    page = client.get(MY_ASSISTERS).text
    assert navigator.full_name in page and navigator.assister_id in page
    assert "Report changes in your circumstances" in page
    assert "Start, change or withdraw applications for you" not in page
    assert permissions_drift() == []


@pytest.mark.django_db
def test_seeing_the_information_is_granted_even_when_the_form_leaves_it_out(client):
    person = signed_in_consumer(client)
    cac = make_assister(AssisterKind.CAC)
    client.post(CHOOSE, {"assister_id": cac.assister_id, "agree": "on"})
    assert Association.objects.get(client=person, assister=cac).powers == ["view_client"]


@pytest.mark.django_db
def test_without_ticking_i_agree_nothing_is_created(client):
    person = signed_in_consumer(client)
    broker = make_assister(AssisterKind.BROKER)
    response = client.post(CHOOSE, {"assister_id": broker.assister_id, "powers": ["view_client"]})
    assert response.status_code == 400
    assert "Tick “I agree”" in response.text
    assert not Association.objects.filter(client=person).exists()


@pytest.mark.django_db
def test_choosing_a_second_broker_replaces_the_first(client):
    person = signed_in_consumer(client)
    first, second = make_assister(AssisterKind.BROKER), make_assister(AssisterKind.BROKER)
    associate(person, first)
    page = client.get(CHOOSE, {"assister_id": second.assister_id}).text
    assert f"{first.full_name} is your broker now" in page
    response = client.post(
        CHOOSE, {"assister_id": second.assister_id, "powers": services.DEFAULT_POWERS["broker"], "agree": "on"}
    )
    assert response.status_code == 302
    old = Association.objects.get(client=person, assister=first)
    assert (old.status, old.end_reason) == (AssociationStatus.ENDED, EndReason.REPLACED)
    assert Association.objects.get(client=person, assister=second).status == AssociationStatus.ACTIVE
    page = client.get(MY_ASSISTERS, follow=True).text
    assert "Replaced by another assister of the same kind" in page
    assert not fresh(first.user).has_perm("clients.view_client", person)
    assert permissions_drift() == []


@pytest.mark.django_db
def test_unknown_malformed_or_uncertified_assister_ids_give_a_message(client):
    person = signed_in_consumer(client)
    suspended = make_assister(AssisterKind.NAVIGATOR)
    certification_services.certification_decide(
        certification=suspended.certifications.get(), action="suspend", actor=staff_user(), reason="Lapsed training."
    )
    for typed, message in (
        ("ACDEFHJKM", "could not find a certified assister"),
        (suspended.assister_id, "could not find a certified assister"),
        ("abc", "9 letters and numbers"),
        ("", "Enter the assister"),
        ("<script>", "9 letters and numbers"),
    ):
        response = client.get(CHOOSE, {"assister_id": typed})
        assert response.status_code == 200, typed
        assert message in response.text, typed
        assert "Add an assister by assister ID" in response.text
    response = client.post(CHOOSE, {"assister_id": suspended.assister_id, "agree": "on"})
    assert "could not find a certified assister" in response.text
    assert not Association.objects.filter(client=person).exists()


@pytest.mark.django_db
def test_choosing_your_current_assister_again_goes_to_their_powers(client):
    person = signed_in_consumer(client)
    broker = make_assister(AssisterKind.BROKER)
    association = associate(person, broker)
    response = client.get(CHOOSE, {"assister_id": broker.assister_id})
    assert response["Location"] == reverse("associations:change_powers", args=[association.public_id])


@pytest.mark.django_db
def test_choosing_an_assister_who_already_asked_goes_to_their_request(client):
    person = signed_in_consumer(client)
    cac = make_assister(AssisterKind.CAC)
    request = ask_to_help(person, cac)
    response = client.get(CHOOSE, {"assister_id": cac.assister_id})
    assert response["Location"] == reverse("associations:confirm", args=[request.public_id])


# --- An assister's request ----------------------------------------------------------


@pytest.mark.django_db
def test_the_consumer_confirms_a_request_with_the_powers_they_choose(client, django_capture_on_commit_callbacks):
    person = signed_in_consumer(client)
    navigator = make_assister(AssisterKind.NAVIGATOR)
    request = ask_to_help(person, navigator)
    listing = client.get(MY_ASSISTERS).text
    assert "Requests waiting for you" in listing
    url = reverse("associations:confirm", args=[request.public_id])
    assert url in listing
    page = client.get(url).text
    assert "What you are agreeing to" in page and "Conflict-of-interest disclosures" in page
    assert "checked" in checkbox(page, "apply_for_client")
    assert "checked" not in checkbox(page, "select_plan_for_client")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "confirm", "powers": ["view_client", "upload_for_client"], "agree": "on"}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AssociationStatus.ACTIVE
    assert request.powers == ["view_client", "upload_for_client"]
    assert navigator.user.email in [address for m in mail.outbox for address in m.to]
    assert fresh(navigator.user).has_perm("clients.upload_for_client", person)
    assert permissions_drift() == []


@pytest.mark.django_db
def test_confirming_without_agreeing_changes_nothing(client):
    person = signed_in_consumer(client)
    request = ask_to_help(person, make_assister(AssisterKind.BROKER))
    response = client.post(reverse("associations:confirm", args=[request.public_id]), {"action": "confirm"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == AssociationStatus.PENDING


@pytest.mark.django_db
def test_the_consumer_declines_a_request(client):
    person = signed_in_consumer(client)
    cac = make_assister(AssisterKind.CAC)
    request = ask_to_help(person, cac)
    response = client.post(reverse("associations:confirm", args=[request.public_id]), {"action": "decline"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AssociationStatus.DECLINED
    assert not fresh(cac.user).has_perm("clients.view_client", person)
    page = client.get(MY_ASSISTERS).text
    assert "Requests waiting for you" not in page
    assert "Declined" in page
    # Once answered, the request page is gone.
    assert client.get(reverse("associations:confirm", args=[request.public_id])).status_code == 404


# --- Change and end -------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_powers_changes_the_guardian_rows(client):
    person = signed_in_consumer(client)
    navigator = make_assister(AssisterKind.NAVIGATOR)
    association = associate(person, navigator)
    url = reverse("associations:change_powers", args=[association.public_id])
    page = client.get(url).text
    assert "checked" in checkbox(page, "apply_for_client")
    response = client.post(url, {"powers": ["report_change_for_client"]})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.powers == ["view_client", "report_change_for_client"]
    user = fresh(navigator.user)
    assert user.has_perm("clients.report_change_for_client", person)
    assert not user.has_perm("clients.apply_for_client", person)
    assert user.has_perm("clients.view_client", person)
    assert association.consents.order_by("id").last().event == ConsentEvent.CHANGED
    assert permissions_drift() == []


@pytest.mark.django_db
def test_an_unknown_power_is_a_form_error_and_changes_nothing(client):
    person = signed_in_consumer(client)
    association = associate(person, make_assister(AssisterKind.BROKER))
    before = association.powers
    response = client.post(
        reverse("associations:change_powers", args=[association.public_id]), {"powers": ["delete_everything"]}
    )
    assert response.status_code == 400
    association.refresh_from_db()
    assert association.powers == before
    assert Consent.objects.filter(association=association).count() == 1


@pytest.mark.django_db
def test_ending_asks_first_then_ends_access_at_once(client):
    person = signed_in_consumer(client)
    broker = make_assister(AssisterKind.BROKER)
    association = associate(person, broker)
    url = reverse("associations:end", args=[association.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert f"{broker.full_name} will no longer be able to see your information or act for you" in page.text
    association.refresh_from_db()
    assert association.status == AssociationStatus.ACTIVE
    response = client.post(url)
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.status, association.end_reason) == (AssociationStatus.ENDED, EndReason.RESCINDED)
    assert not fresh(broker.user).has_perm("clients.view_client", person)
    assert client.get(url).status_code == 404  # nothing left to end
    assert permissions_drift() == []


@pytest.mark.django_db
def test_a_suspended_assister_is_shown_as_suspended(client):
    person = signed_in_consumer(client)
    navigator = make_assister(AssisterKind.NAVIGATOR)
    associate(person, navigator)
    certification_services.certification_decide(
        certification=navigator.certifications.get(), action="suspend", actor=staff_user(), reason="Lapsed."
    )
    page = client.get(MY_ASSISTERS).text
    assert "suspended: they cannot act for you until their certification is restored" in page.lower()


@pytest.mark.django_db
def test_my_assisters_shows_each_current_assister_with_their_details(client):
    person = signed_in_consumer(client)
    broker = make_assister(AssisterKind.BROKER)
    association = associate(person, broker)
    page = client.get(MY_ASSISTERS).text
    assert broker.full_name in page and broker.assister_id in page and str(broker.agency) in page
    assert "Effective date" in page
    assert association.effective_date.strftime("%b") in page
    assert "Choose a health plan for you" in page
    assert reverse("associations:change_powers", args=[association.public_id]) in page
    assert reverse("associations:end", args=[association.public_id]) in page


@pytest.mark.django_db
def test_my_assisters_costs_the_same_queries_for_one_or_three_assisters(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = signed_in_consumer(client)
    associate(person, make_assister(AssisterKind.BROKER))
    client.get(MY_ASSISTERS)
    with CaptureQueriesContext(connection) as one:
        client.get(MY_ASSISTERS)
    associate(person, make_assister(AssisterKind.NAVIGATOR))
    associate(person, make_assister(AssisterKind.CAC))
    with CaptureQueriesContext(connection) as three:
        client.get(MY_ASSISTERS)
    assert len(one) == len(three)


# --- Someone else's association ---------------------------------------------------------


@pytest.mark.django_db
def test_another_consumer_gets_404_on_my_association_urls(client):
    mine = make_client()
    navigator = make_assister(AssisterKind.NAVIGATOR)
    active = associate(mine, navigator)
    pending = ask_to_help(mine, make_assister(AssisterKind.BROKER))
    signed_in_consumer(client)
    urls = [
        reverse("associations:confirm", args=[pending.public_id]),
        reverse("associations:change_powers", args=[active.public_id]),
        reverse("associations:end", args=[active.public_id]),
        reverse("associations:confirm", args=[active.public_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "decline", "powers": ["view_client"], "agree": "on"}).status_code == 404
    active.refresh_from_db()
    pending.refresh_from_db()
    assert (active.status, pending.status) == (AssociationStatus.ACTIVE, AssociationStatus.PENDING)
    assert active.powers == services.DEFAULT_POWERS["navigator"]


@pytest.mark.django_db
def test_a_consumer_without_a_client_record_cannot_reach_an_association(client):
    stranger = UserFactory(role=Role.CONSUMER, email="stranger@example.org")
    association = associate(make_client(), make_assister(AssisterKind.CAC))
    sign_in(client, stranger, follow=False)
    response = client.get(reverse("associations:end", args=[association.public_id]))
    assert response.status_code == 302 and response["Location"].startswith(PROFILE)
    client.post(PROFILE, profile_data())
    assert client.get(reverse("associations:end", args=[association.public_id])).status_code == 404
