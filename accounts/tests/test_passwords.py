import pytest

from accounts.models import User

SIGNUP = "/accounts/signup/"


def signup(client, password):
    return client.post(SIGNUP, {"email": "pw@example.org", "password1": password, "password2": password})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short1pass!", "too short"),
        ("password1234", "too common"),
        ("x" * 129, "too long"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, message):
    response = signup(client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("length", [12, 64, 128])
def test_long_passphrases_are_accepted(client, length):
    password = ("river stone lamp " * 10)[:length]
    response = signup(client, password)
    assert response.status_code == 302
    assert User.objects.get().check_password(password)


def test_no_forced_rotation_setting_exists(settings):
    assert not hasattr(settings, "PASSWORD_EXPIRY_DAYS")
    assert "PasswordExpiry" not in str(settings.MIDDLEWARE)
