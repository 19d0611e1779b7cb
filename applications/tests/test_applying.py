"""Applying for coverage, by the consumer and on their behalf (issue 12): the guided form through its pages,
review and confirmation before an assister submits, the determination and its notice, revisions, optimistic
locking, withdrawal, and what the dashboard shows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, ApplicationRevision, ApplicationStatus, ReviewStatus
from applications.tests.factories import born, fill, started
from associations.tests.factories import associate
from audit.models import AuditEvent
from clients.tests.factories import make_client
from conftest import sign_in
from notices.models import Notice

pytestmark = pytest.mark.django_db


def _post_step(http, application, slug, data):
    return http.post(
        reverse("applications:step", args=[application.public_id, slug]), {"version": application.version, **data}
    )


def test_a_consumer_applies_through_every_page_and_gets_a_determination_and_its_notice(client, consumer, catalog_2027):
    sign_in(client, consumer)
    response = client.post(reverse("applications:start", args=[consumer.client.public_id]), {"coverage_year": "2027"})
    application = Application.objects.get(client=consumer.client)
    assert response["Location"] == reverse("applications:step", args=[application.public_id, "address"])
    me = application.data["members"][0]["key"]

    response = _post_step(
        client, application, "address", {"street": "1 Main St", "city": "Duluth", "zip_code": "55802"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.county.name == "St. Louis" and application.rating_area.number == 2
    assert _post_step(client, application, "members", {}).status_code == 302
    application.refresh_from_db()
    response = _post_step(client, application, "tax", {f"m-{me}-files_taxes": "yes", f"m-{me}-filing_status": "single"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert _post_step(client, application, "status", {f"m-{me}-citizenship": "citizen"}).status_code == 302
    application.refresh_from_db()
    response = client.post(
        reverse("applications:income_add", args=[application.public_id]),
        {"version": application.version, "member": me, "kind": "wages", "amount": "3000", "frequency": "monthly"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert _post_step(client, application, "income", {}).status_code == 302
    application.refresh_from_db()
    assert _post_step(client, application, "coverage", {f"m-{me}-other_coverage": "none"}).status_code == 302
    application.refresh_from_db()

    page = client.get(reverse("applications:review", args=[application.public_id]))
    assert page.status_code == 200
    assert "$36,000.00" in page.content.decode()  # 3,000 a month, projected over the year
    response = client.post(
        reverse("applications:review", args=[application.public_id]),
        {
            "version": application.version,
            "accurate": "on",
            "penalties": "on",
            "verify": "on",
            "report_changes": "on",
            "signed_name": consumer.client.full_name.upper(),
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    determination = application.determination
    assert determination.programs == "qhp_with_credit"
    assert determination.max_monthly_credit > 0
    assert list(application.events.order_by("pk").values_list("to_status", flat=True)) == ["submitted", "determined"]
    notice = Notice.objects.get(client=consumer.client, kind="application_determination")
    assert notice.data["body"]["determination"]["members"][0]["program"] == "qhp_with_credit"
    detail = client.get(reverse("applications:detail", args=[application.public_id])).content.decode()
    assert "Eligibility results" in detail and "premium tax credit" in detail


def test_a_single_adult_at_36000_in_2027_gets_the_interpolated_percentage_and_the_sample_benchmark(
    consumer, catalog_2027
):
    application = fill(started(consumer.client), actor=consumer)
    application = services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(services.ATTESTATIONS, True),
        signed_name=consumer.client.full_name,
        actor=consumer,
    )
    household = application.determination.data["tax_households"][0]
    assert household["percent"] == 225  # 36,000 ÷ 15,960 (the 2026 guidelines, for plan year 2027)
    assert Decimal(household["applicable_percentage"]) == Decimal("7.72")  # 6.78 + 25/50 × (8.66 − 6.78)
    assert Decimal(household["monthly_contribution"]) == Decimal("231.60")  # 36,000 × 7.72% ÷ 12
    benchmark = Decimal(household["benchmark_premium"])
    assert benchmark > 0
    assert application.determination.max_monthly_credit == max(benchmark - Decimal("231.60"), Decimal(0))


def test_an_assister_cannot_submit_until_the_consumer_confirms_in_their_account(client, consumer, broker, catalog_2027):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    assert Notice.objects.filter(client=consumer.client, kind="application_started_for_you").exists()
    sign_in(client, broker)
    submit = {
        "version": application.version,
        "accurate": "on",
        "penalties": "on",
        "verify": "on",
        "report_changes": "on",
        "signed_name": broker.get_full_name(),
    }
    response = client.post(reverse("applications:review", args=[application.public_id]), submit)
    assert response.status_code == 400
    assert "has not confirmed" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT

    assert client.post(reverse("applications:request_review", args=[application.public_id])).status_code == 302
    assert Notice.objects.filter(client=consumer.client, kind="application_review_requested").exists()

    consumer_http = type(client)()
    sign_in(consumer_http, consumer)
    assert "Please confirm your 2027 application" in consumer_http.get(reverse("applications:mine")).content.decode()
    review = application.reviews.get()
    response = consumer_http.post(
        reverse("applications:confirm", args=[application.public_id]), {"answer": "confirm", "review": review.public_id}
    )
    assert response.status_code == 302
    assert application.reviews.get().status == ReviewStatus.CONFIRMED

    response = client.post(reverse("applications:review", args=[application.public_id]), submit)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    submitted = application.revisions.get(what="submitted")
    assert submitted.on_behalf and submitted.association == association and submitted.actor == broker
    # Everything the broker did shows in the consumer's "Who viewed my information".
    trail = consumer_http.get(reverse("associations:who_viewed")).content.decode()
    assert "Application status changed" in trail and "Application answers saved" in trail


def test_a_change_after_the_consumer_confirmed_needs_a_new_confirmation(consumer, broker, catalog_2027):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    review = services.application_request_review(application=application, actor=broker, association=association)
    services.application_answer_review(review=review, confirmed=True, actor=consumer)
    application.refresh_from_db()
    assert services.confirmed_review(application) is not None
    application = services.application_save(
        application=application,
        version=application.version,
        what="address",
        update=lambda data: data["address"].update(street="2 Other St"),
        actor=broker,
        association=association,
    )
    assert services.confirmed_review(application) is None


def test_a_consumer_answering_a_replaced_request_confirms_nothing(client, consumer, broker, catalog_2027):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    first = services.application_request_review(application=application, actor=broker, association=association)
    application.refresh_from_db()
    application = services.application_save(
        application=application,
        version=application.version,
        what="address",
        update=lambda data: data["address"].update(street="9 Changed St"),
        actor=broker,
        association=association,
    )
    second = services.application_request_review(application=application, actor=broker, association=association)
    sign_in(client, consumer)
    response = client.post(
        reverse("applications:confirm", args=[application.public_id]), {"answer": "confirm", "review": first.public_id}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == ReviewStatus.PENDING
    application.refresh_from_db()
    assert services.confirmed_review(application) is None


def test_an_assister_records_a_review_held_by_phone(client, consumer, broker, catalog_2027):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    sign_in(client, broker)
    url = reverse("applications:record_review", args=[application.public_id])
    refused = client.post(
        url, {"version": application.version, "method": "phone", "reviewed_on": timezone.localdate().isoformat()}
    )
    assert refused.status_code == 400 and "Confirm that you explained the attestations" in refused.content.decode()
    response = client.post(
        url,
        {
            "version": application.version,
            "method": "phone",
            "reviewed_on": "2026-12-07",
            "attestations_explained": "on",
        },
    )
    assert response.status_code == 302
    review = application.reviews.get()
    assert review.method == "phone" and review.status == ReviewStatus.CONFIRMED and review.assister_user == broker


def test_two_tabs_saving_the_same_draft_do_not_lose_a_change_silently(client, consumer, catalog_2027):
    application = started(consumer.client)
    sign_in(client, consumer)
    stale_version = application.version
    first = _post_step(client, application, "address", {"city": "Duluth", "zip_code": "55802"})
    assert first.status_code == 302
    second = client.post(
        reverse("applications:step", args=[application.public_id, "address"]),
        {"version": stale_version, "city": "Rochester", "zip_code": "55901"},
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert "after you opened this page" in body and "Rochester" in body  # their typing is still on the page
    application.refresh_from_db()
    assert application.data["address"]["city"] == "Duluth"
    # The page shown again carries the current version: saving it once more is a deliberate overwrite.
    assert f'name="version" value="{application.version}"' in body
    retry = client.post(
        reverse("applications:step", args=[application.public_id, "address"]),
        {"version": application.version, "city": "Rochester", "zip_code": "55901"},
    )
    assert retry.status_code == 302
    application.refresh_from_db()
    assert application.data["address"]["city"] == "Rochester"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_of_birth": "2099-01-01"}, "cannot be in the future"),
        ({"date_of_birth": "1901-01-01"}, "over 120 years old"),
        ({"relationship": "self"}, "Choose a relationship from the list"),
    ],
)
def test_a_person_with_impossible_details_is_refused_with_a_specific_message(client, consumer, fields, message):
    application = started(consumer.client)
    sign_in(client, consumer)
    data = {
        "version": application.version,
        "first_name": "Ana",
        "last_name": "Lopez",
        "date_of_birth": "2010-05-01",
        "relationship": "child",
        "applying": "on",
        **fields,
    }
    response = client.post(reverse("applications:member_add", args=[application.public_id]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    application.refresh_from_db()
    assert len(application.data["members"]) == 1 and application.version == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "-500"}, "Enter an amount above $0"),
        ({"amount": "abc"}, "Enter an amount in dollars"),
        ({"amount": "9000000", "frequency": "monthly"}, "more than $10,000,000 a year"),
        ({"member": "nobody"}, "Choose a person in this household"),
    ],
)
def test_a_negative_or_absurd_income_is_refused_and_changes_nothing(client, consumer, fields, message):
    application = started(consumer.client)
    sign_in(client, consumer)
    data = {
        "version": application.version,
        "member": application.data["members"][0]["key"],
        "kind": "wages",
        "amount": "100",
        "frequency": "weekly",
        **fields,
    }
    response = client.post(reverse("applications:income_add", args=[application.public_id]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    application.refresh_from_db()
    assert application.version == 1


def test_a_zip_code_outside_minnesota_is_refused(client, consumer):
    application = started(consumer.client)
    sign_in(client, consumer)
    response = _post_step(client, application, "address", {"city": "Hudson", "zip_code": "54016"})
    assert response.status_code == 400
    assert "54016 is not a Minnesota ZIP code" in response.content.decode()


def test_a_member_claimed_by_two_filers_and_a_household_with_no_one_applying_cannot_be_submitted(
    consumer, catalog_2027
):
    household = [
        {"files_taxes": True, "filing_status": "single", "applying": False, "date_of_birth": born(40)},
        {
            "first_name": "Bo",
            "last_name": "Lee",
            "relationship": "sibling",
            "date_of_birth": born(35),
            "files_taxes": True,
            "filing_status": "single",
            "applying": False,
        },
        {"first_name": "Kid", "last_name": "Lee", "relationship": "child", "date_of_birth": born(8), "applying": False},
    ]
    application = fill(started(consumer.client), actor=consumer, household=household)
    kid = application.data["members"][2]["key"]

    def claim_twice(data):
        data["members"][0]["dependents"] = [kid]
        data["members"][1]["dependents"] = [kid]

    application = services.application_save(
        application=application, version=application.version, what="tax", update=claim_twice, actor=consumer
    )
    with pytest.raises(ValidationError) as refused:
        services.application_submit(
            application=application,
            version=application.version,
            attestations=dict.fromkeys(services.ATTESTATIONS, True),
            signed_name=consumer.client.full_name,
            actor=consumer,
        )
    messages = " ".join(refused.value.messages)
    assert "Kid Lee is claimed as a dependent by" in messages
    assert "No one in the household is asking for coverage" in messages
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_the_applicant_cannot_be_removed_so_the_household_is_never_empty(client, consumer):
    application = started(consumer.client)
    sign_in(client, consumer)
    me = application.data["members"][0]["key"]
    response = client.post(
        reverse("applications:member_remove", args=[application.public_id, me]),
        {"version": application.version},
        follow=True,
    )
    assert "The person applying stays on the application" in response.content.decode()
    application.refresh_from_db()
    assert len(application.data["members"]) == 1


def test_withdrawing_asks_first_then_allows_a_new_application_for_the_year(client, consumer):
    application = started(consumer.client)
    sign_in(client, consumer)
    url = reverse("applications:withdraw", args=[application.public_id])
    assert "Withdrawing ends this application" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    stale = client.post(url, {"version": application.version - 1 or 99, "understood": "on"})
    assert stale.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT  # a page older than the application withdraws nothing
    response = client.post(url, {"version": application.version, "understood": "on", "reason": "Found job coverage"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert Notice.objects.filter(client=consumer.client, kind="application_withdrawn").exists()
    again = started(consumer.client)
    assert again.status == ApplicationStatus.DRAFT


def test_the_database_keeps_one_current_application_per_client_and_year(consumer):
    first = started(consumer.client)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(client=consumer.client, coverage_year=2027, created_by=consumer)
    with pytest.raises(ValidationError, match="already a 2027 application"):
        started(consumer.client)
    assert Application.objects.filter(client=consumer.client).count() == 1 and first.pk


def test_every_save_that_changes_an_answer_is_a_revision_and_the_history_shows_what_changed(client, consumer):
    application = started(consumer.client)
    application = services.application_save(
        application=application,
        version=1,
        what="address",
        update=lambda d: d["address"].update(city="Duluth", zip_code="55802", county_fips="27137"),
        actor=consumer,
    )
    unchanged = services.application_save(
        application=application, version=2, what="address", update=lambda d: None, actor=consumer
    )
    assert unchanged.version == 2 and ApplicationRevision.objects.filter(application=application).count() == 2
    sign_in(client, consumer)
    page = client.get(reverse("applications:history", args=[application.public_id]) + "?from=1&to=2").content.decode()
    assert "What changed from version 1 to version 2" in page
    assert "Address — City" in page and "Duluth" in page
    # Hostile comparison parameters show the last two versions instead.
    fallback = client.get(reverse("applications:history", args=[application.public_id]) + "?from=x&to=999")
    assert fallback.status_code == 200
    assert "What changed from version 1 to version 2" in fallback.content.decode()


def test_support_staff_see_the_status_but_cannot_change_the_application(client, consumer, broker, support_staff):
    association = associate(consumer.client, broker.assister)
    application = started(consumer.client, actor=broker, association=association)
    sign_in(client, support_staff)
    detail = client.get(reverse("applications:detail", args=[application.public_id]))
    assert detail.status_code == 200
    assert "the client has not allowed you to change it" in detail.content.decode()
    response = _post_step(client, application, "address", {"city": "Duluth", "zip_code": "55802"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.version == 1
    viewed = AuditEvent.objects.filter(client=consumer.client, actor=support_staff).values_list("details", flat=True)
    assert any(d["what"].startswith("viewed application") for d in viewed)
    assert not any(d.get("permission") == "apply_for_client" for d in viewed)  # the refused POST audits nothing


HOSTILE = ["", "0", "-1", "9" * 40, "\u202e", "<script>", "1e9999", "NaN", "2026-02-30", "a" * 5000]


@pytest.mark.parametrize("slug", ["address", "members", "tax", "status", "income", "coverage"])
def test_hostile_values_posted_to_every_step_never_give_a_500(client, consumer, slug):
    application = started(consumer.client)
    me = application.data["members"][0]["key"]
    sign_in(client, consumer)
    fields = [
        "street",
        "city",
        "zip_code",
        "files_taxes",
        "filing_status",
        "dependents",
        "citizenship",
        "immigration_document",
        "job_offer",
        "job_offer_monthly_premium",
        "other_coverage",
    ]
    for value in HOSTILE:
        data = {"version": value, **dict.fromkeys(fields, value), **{f"m-{me}-{name}": value for name in fields}}
        response = client.post(reverse("applications:step", args=[application.public_id, slug]), data)
        assert response.status_code in (302, 400, 409), (slug, value, response.status_code)
    for url in (
        reverse("applications:member_add", args=[application.public_id]),
        reverse("applications:income_add", args=[application.public_id]),
    ):
        for value in HOSTILE:
            response = client.post(
                url,
                dict.fromkeys(
                    [
                        "version",
                        "first_name",
                        "last_name",
                        "date_of_birth",
                        "relationship",
                        "sex",
                        "member",
                        "kind",
                        "amount",
                        "frequency",
                    ],
                    value,
                ),
            )
            assert response.status_code == 400, (url, value, response.status_code)


def test_another_consumer_and_an_outsider_get_404_and_an_assister_cannot_answer_for_the_consumer(
    client, consumer, broker, outsider_assister, catalog_2027
):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    review = services.application_request_review(application=application, actor=broker, association=association)
    other = make_client()
    urls = [
        reverse("applications:detail", args=[application.public_id]),
        reverse("applications:step", args=[application.public_id, "address"]),
        reverse("applications:confirm", args=[application.public_id]),
    ]
    for person in (other.user, outsider_assister):
        http = type(client)()
        sign_in(http, person)
        for url in urls:
            assert http.get(url).status_code == 404, (person, url)
            if url != urls[0]:  # the application's page takes no POST from anyone (405 before the object)
                assert http.post(url, {"answer": "confirm", "review": review.public_id}).status_code == 404
    sign_in(client, broker)
    assert client.post(urls[2], {"answer": "confirm", "review": review.public_id}).status_code == 404
    with pytest.raises(ValidationError, match="Only the consumer answers"):
        services.application_answer_review(review=review, confirmed=True, actor=broker)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_a_review_cannot_be_recorded_for_a_day_before_the_answers_last_changed(consumer, broker, catalog_2027):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    with pytest.raises(ValidationError) as refused:
        services.application_record_review(
            application=application,
            version=application.version,
            method="phone",
            reviewed_on=timezone.localdate() - timedelta(days=1),
            attestations_explained=True,
            note="",
            actor=broker,
            association=association,
        )
    assert "the review cannot be before that day" in " ".join(refused.value.messages)
    assert not application.reviews.exists()


def test_submitting_ends_a_request_to_confirm_still_waiting(consumer, broker, catalog_2027):
    association = associate(consumer.client, broker.assister)
    application = fill(
        started(consumer.client, actor=broker, association=association), actor=broker, association=association
    )
    review = services.application_request_review(application=application, actor=broker, association=association)
    application.refresh_from_db()
    services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(services.ATTESTATIONS, True),
        signed_name=consumer.client.full_name,
        actor=consumer,
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUPERSEDED


def test_changing_a_determined_application_from_an_old_page_is_refused(client, consumer, catalog_2027):
    application = fill(started(consumer.client), actor=consumer)
    application = services.application_submit(
        application=application,
        version=application.version,
        attestations=dict.fromkeys(services.ATTESTATIONS, True),
        signed_name=consumer.client.full_name,
        actor=consumer,
    )
    sign_in(client, consumer)
    url = reverse("applications:change", args=[application.public_id])
    page = client.post(url, {"version": application.version - 1}, follow=True)
    assert "after you opened this page" in page.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DETERMINED
    client.post(url, {"version": application.version})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT and application.determination is not None


def test_adding_an_income_after_the_income_was_complete_asks_for_it_again(client, consumer):
    application = fill(started(consumer.client), actor=consumer)
    assert application.data["income_confirmed"] is True
    sign_in(client, consumer)
    me = application.data["members"][0]["key"]
    client.post(
        reverse("applications:income_add", args=[application.public_id]),
        {"version": application.version, "member": me, "kind": "rental", "amount": "200", "frequency": "monthly"},
    )
    application.refresh_from_db()
    assert application.data["income_confirmed"] is False
    problems = client.get(reverse("applications:detail", args=[application.public_id])).content.decode()
    assert "Finish the step “Income”" in problems


def test_someone_who_may_only_view_sees_no_form_on_a_step(client, consumer, broker, support_staff):
    association = associate(consumer.client, broker.assister)
    application = started(consumer.client, actor=broker, association=association)
    sign_in(client, support_staff)
    page = client.get(reverse("applications:step", args=[application.public_id, "tax"])).content.decode()
    assert "the client has not allowed you to change it" in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main and "Save and continue" not in main


def test_an_income_with_errors_without_javascript_keeps_the_step_heading(client, consumer):
    application = started(consumer.client)
    sign_in(client, consumer)
    response = client.post(reverse("applications:income_add", args=[application.public_id]), {"version": "1"})
    assert response.status_code == 400
    assert "<h1>Income</h1>" in response.content.decode()
