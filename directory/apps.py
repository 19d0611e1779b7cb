from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _refresh_listings(sender, using="default", **kwargs) -> None:
    """After migrations, recompute every listing's `listed_until`: a deployment that changes who is
    listed (or adds the column to rows saved before it existed) takes effect at once."""
    from certification.models import Agency

    from .services import listings_refresh

    if Agency.objects.using(using).exists():
        listings_refresh()


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Public directory"

    def ready(self) -> None:
        post_migrate.connect(_refresh_listings, sender=self, dispatch_uid="directory-refresh-listings")
