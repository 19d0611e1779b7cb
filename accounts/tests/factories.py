import factory
from allauth.mfa.totp.internal.auth import generate_totp_secret

from accounts.models import Role, User
from accounts.services import user_add_totp, user_create


class UserFactory(factory.Factory):
    """Builds accounts through `accounts.services`, the way the portal does."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    role = Role.CONSUMER
    password = "correct horse battery staple 42"
    mfa = False
    is_superuser = False

    @classmethod
    def _create(cls, model_class, *, email, role, password, mfa, is_superuser, **kwargs):
        user = user_create(
            email=email,
            password=password,
            role=role,
            actor=None,
            email_verified=True,
            is_superuser=is_superuser,
            **kwargs,
        )
        if mfa:
            user_add_totp(user=user, secret=generate_totp_secret())
        return user

    _build = _create
