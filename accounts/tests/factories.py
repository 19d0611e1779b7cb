import factory

from accounts.builders import build_account
from accounts.models import Role, User


class UserFactory(factory.Factory):
    """Builds accounts through `accounts.builders` (the services), as the demo does."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    role = Role.CONSUMER
    password = "correct horse battery staple 42"
    mfa = False
    is_superuser = False
    groups = ()

    @classmethod
    def _create(cls, model_class, **kwargs):
        return build_account(**kwargs)

    _build = _create
