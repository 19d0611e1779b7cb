"""The one way a consumer reaches their own client record (DESIGN §5).

Everyone else reaches a client through an association: `associations.permissions.access_client`.
"""

from .models import Client


def own_client(user) -> Client | None:
    """The signed-in consumer's own client record, if they have one."""
    if not user.is_authenticated:
        return None
    return Client.objects.select_related("county", "preferred_language").filter(user=user).first()
