"""The shared kernel's token helper and role decorator (issue 10): links already sent keep working."""

import hashlib

import pytest
from django.core import signing
from django.urls import reverse

from assister_portal.lib.tokens import new_token, signed_token, signed_value, token_hash
from associations.services import END_LINK_SALT, association_for_end_link
from associations.tests.factories import associate
from certification.models import AssisterKind
from certification.tests.factories import make_assister
from clients.tests.factories import make_client
from conftest import sign_in


def test_a_new_token_is_stored_as_the_same_sha256_hash_as_before():
    token, hashed = new_token()
    assert len(token) >= 43 and hashed == token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert new_token()[0] != token


def test_a_signed_token_is_refused_with_another_salt_or_when_altered_or_too_old():
    token = signed_token("abc", "one.purpose")
    assert signed_value(token, "one.purpose") == "abc"
    assert signed_value(token, "another.purpose") is None
    assert signed_value(token[:-1] + ("A" if token[-1] != "A" else "B"), "one.purpose") is None
    assert signed_value(token, "one.purpose", max_age=-1) is None


@pytest.mark.django_db
def test_an_end_link_emailed_before_the_kernel_still_opens_its_association():
    association = associate(make_client(), make_assister(AssisterKind.BROKER))
    old_link = signing.dumps(str(association.public_id), salt=END_LINK_SALT)  # how the links were made
    assert association_for_end_link(old_link) == association


@pytest.mark.django_db
def test_a_consumer_page_is_a_404_for_an_assister_and_an_assister_page_a_404_for_a_consumer(client, consumer, broker):
    sign_in(client, broker)
    assert client.get(reverse("associations:my_assisters")).status_code == 404
    client.post(reverse("account_logout"))
    sign_in(client, consumer)
    assert client.get(reverse("clients:dashboard")).status_code == 404
    assert client.get(reverse("clients:find")).status_code == 404
