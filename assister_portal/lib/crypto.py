"""Field-level encryption for tax identifiers and SSNs (DESIGN §8).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under keys from the
environment (`FIELD_ENCRYPTION_KEYS`, newest first, so keys can be rotated), and
looked up by exact match through a keyed hash (`lookup_hash`) that reveals nothing
without the key. Neither the plaintext nor the key is ever logged.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be Fernet keys (Fernet.generate_key()).") from exc


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("An encrypted field could not be decrypted with the configured keys.") from exc


def lookup_hash(value: str) -> str:
    """A keyed hash for exact-match search; HMAC-SHA256 under a key derived from the newest field key."""
    key = hashlib.sha256(b"lookup:" + base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[0])).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """Stores ciphertext; Python code sees the plaintext. Not searchable: pair it with a lookup hash field."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
