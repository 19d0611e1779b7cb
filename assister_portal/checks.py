from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def field_encryption_key_check(app_configs, **kwargs):
    """Production must bring its own field-encryption key, never the one derived for development."""
    if settings.FIELD_ENCRYPTION_DEV_KEY in settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: tax identifiers would be encrypted with a development key.",
                hint="Set FIELD_ENCRYPTION_KEYS to a key from cryptography.fernet.Fernet.generate_key().",
                id="assister_portal.E001",
            )
        ]
    return []
