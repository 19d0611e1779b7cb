"""The typed e-signature of the assister agreement: an invalid one is refused with a message, never dropped.

Before, the application form was saved and a signature that failed its form (10,000 characters, a NUL
byte) was silently skipped: the page said "saved", and the agreement stayed unsigned.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from certification import services
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from conftest import sign_in

APPLICATION = "/certification/application/"


@pytest.fixture
def navigator(client):
    assister = make_assister(AssisterKind.NAVIGATOR, state="draft", first_name="Hodan", last_name="Ali")
    sign_in(client, assister.user)
    return assister


def application(typed_name: str) -> dict:
    return {
        "legal_first_name": "Hodan",
        "legal_last_name": "Ali",
        "date_of_birth": "1985-04-12",
        "training_completed_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "training_certificate_number": "TRN-42",
        "agreement-typed_name": typed_name,
    }


def nothing_saved(assister) -> bool:
    certification = assister.certifications.get()
    return certification.training_certificate_number == "" and certification.agreement_signed_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed_name", "message"),
    [
        ("Hodan Ali" + " " * 10 + "x" * 10_000, "at most 200 characters"),
        ("x" * 10_000, "at most 200 characters"),
        ("Hodan\u202eilA", "cannot be typed or seen"),
        ("Hodan\x07Ali", "cannot be typed or seen"),
        ("Hodan\nAli", "cannot be typed or seen"),
    ],
)
def test_an_invalid_signature_is_refused_with_a_message_and_nothing_is_saved(client, navigator, typed_name, message):
    response = client.post(APPLICATION, application(typed_name))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Your application was saved" not in response.content.decode()
    assert nothing_saved(navigator)


@pytest.mark.django_db
def test_a_signature_with_a_nul_byte_is_the_400_page_and_nothing_is_saved(client, navigator):
    response = client.post(APPLICATION, application("Hodan\x00Ali"))
    assert response.status_code == 400
    assert nothing_saved(navigator)


@pytest.mark.django_db
def test_a_wrong_name_is_refused_and_the_answers_are_not_saved_either(client, navigator):
    response = client.post(APPLICATION, application("Someone Else"))
    assert "exactly as above" in response.content.decode()
    assert nothing_saved(navigator)


@pytest.mark.django_db
def test_a_blank_signature_saves_the_answers_unsigned_and_the_right_one_signs(client, navigator):
    assert client.post(APPLICATION, application("")).status_code == 302
    certification = navigator.certifications.get()
    assert certification.training_certificate_number == "TRN-42" and certification.agreement_signed_at is None
    assert client.post(APPLICATION, application("  hodan   ALI ")).status_code == 302
    certification.refresh_from_db()
    assert certification.agreement_signed_at is not None and certification.agreement_signed_name == "hodan   ALI"


@pytest.mark.django_db
@pytest.mark.parametrize("typed_name", ["x" * 10_000, "Hodan\x00Ali", "Hodan\u202eAli"])
def test_the_service_refuses_an_invalid_signature_whoever_calls_it(navigator, typed_name):
    certification = navigator.certifications.get()
    with pytest.raises(Exception, match="at most 200 characters"):
        services.certification_sign_agreement(certification=certification, actor=navigator.user, typed_name=typed_name)
    assert nothing_saved(navigator)
