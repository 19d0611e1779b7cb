from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate


def _refresh_listings(sender, using="default", **kwargs) -> None:
    """After migrations, recompute every listing's listed dates: a deployment that changes who is
    listed (or adds the columns to rows saved before they existed) takes effect at once."""
    from django.db import transaction

    from certification.models import Agency, Assister

    from .services import listings_refresh

    with connections[using].cursor() as cursor:
        columns = {
            c.name for c in connections[using].introspection.get_table_description(cursor, Assister._meta.db_table)
        }
    if "listed_from" not in columns:  # migrated back before the directory's columns
        return
    if Agency.objects.using(using).exists():
        with transaction.atomic(using=using):
            listings_refresh(using=using)


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Public directory"

    def ready(self) -> None:
        # post_migrate is sent only for apps with models; the listings' columns are certification's.
        post_migrate.connect(
            _refresh_listings, sender=apps.get_app_config("certification"), dispatch_uid="directory-refresh-listings"
        )
