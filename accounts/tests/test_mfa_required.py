import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent
from conftest import PASSWORD, sign_in

NEEDS_MFA = [Role.ASSISTER, Role.AGENCY_ADMIN, Role.AGENCY_SUPPORT, Role.STAFF]


@pytest.mark.django_db
@pytest.mark.parametrize("role", NEEDS_MFA)
def test_non_consumers_without_mfa_reach_only_mfa_setup(client, role):
    user = UserFactory(role=role)
    sign_in(client, user, follow=False)
    for path in ["/", "/accounts/email/", "/accounts/password/change/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/", path
    assert client.get("/accounts/2fa/").status_code == 200
    # Adding a second factor asks for the password again, so an unattended session cannot add one.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


@pytest.mark.django_db
def test_setting_up_totp_unlocks_the_portal_and_creates_recovery_codes(client, django_capture_on_commit_callbacks):
    user = UserFactory(role=Role.ASSISTER)
    sign_in(client, user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'value="([A-Z2-7]{32})"', page).group(1)  # what the person copies into their app
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert AuditEvent.objects.filter(actor=user, action=Action.MFA_ADDED).exists()


@pytest.mark.django_db
def test_consumers_may_use_the_portal_without_mfa_and_may_turn_it_on(client, consumer):
    sign_in(client, consumer)
    assert client.get("/").status_code == 200
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


@pytest.mark.django_db
def test_webauthn_is_offered(client, broker):
    sign_in(client, broker)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/webauthn/add/").status_code == 200


@pytest.mark.django_db
def test_removing_mfa_is_audited(client, consumer, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from accounts.services import user_add_totp
    from conftest import totp_code

    user_add_totp(user=consumer, secret=generate_totp_secret())
    sign_in(client, consumer)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/", {"code": totp_code(consumer)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(actor=consumer, action=Action.MFA_REMOVED).exists()


@pytest.mark.django_db
def test_staff_reach_the_admin_through_the_portal_login_with_mfa(client, exchange_staff):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/login/?next=/admin/"
    sign_in(client, exchange_staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_signed_in_non_staff_get_403_from_the_admin_not_a_redirect_loop(client, consumer):
    sign_in(client, consumer)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
