"""Writing sanitized uploads into quarantine, inside the transaction of the service that takes them.

Storage is not part of the database transaction, so a file written by a transaction
that does not commit would be left behind with no row pointing at it. The outermost
service therefore opens `uploads_atomic()` instead of `transaction.atomic()`: it
remembers every file `quarantined_file_store` writes inside it and deletes them unless
the transaction commits with their rows.
"""

import contextlib
import functools
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction

from .models import QuarantinedFile, ScanStatus
from .sanitize import SanitizedFile
from .tasks import scan_quarantined_file

logger = logging.getLogger(__name__)


@dataclass
class _Stored:
    model: type[QuarantinedFile]
    storage: Storage
    name: str  # random and unique (quarantined_upload_to)
    pk: object = None  # the row's, once inserted: the check after the transaction looks it up by key, not by name


_stored_in_transaction: ContextVar[list[_Stored] | None] = ContextVar("uploads_stored", default=None)


@contextlib.contextmanager
def uploads_atomic(using: str | None = None) -> Iterator[None]:
    """`transaction.atomic(durable=True)` that removes the files stored inside it unless they are committed.

    Use it as the outermost transaction of a service that stores uploads; inside another uploads_atomic it is
    a savepoint of that one (and a plain transaction.atomic around it is refused). A file is
    deleted when the block raises, when it is marked for rollback
    (`transaction.set_rollback(True)`), when the commit itself fails, or when its row
    did not survive (stored in a savepoint that was rolled back).
    """
    if _stored_in_transaction.get() is not None:
        # Inside another uploads_atomic (a service calling a service): a savepoint; the outer block keeps
        # track of the files and removes them unless they are committed with their rows.
        with transaction.atomic(using=using):
            yield
        return
    stored: list[_Stored] = []
    token = _stored_in_transaction.set(stored)
    committed = False
    try:
        with transaction.atomic(using=using, durable=True):
            yield
            rolling_back = transaction.get_rollback(using=using)
        committed = not rolling_back
    finally:
        _stored_in_transaction.reset(token)
        for item in stored:
            if (
                not committed
                or item.pk is None
                or not item.model._base_manager.filter(pk=item.pk, file=item.name).exists()
            ):
                _delete_quietly(item.storage, item.name)


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the caller's own exception (if any) matters more; the name is in the log
        logger.exception("Could not delete the uncommitted upload %s", name)


def quarantined_file_store(*, instance: QuarantinedFile, sanitized: SanitizedFile) -> QuarantinedFile:
    """Write `sanitized` into private storage, fill `instance`'s file fields, validate and insert the row.

    `instance` is a new, unsaved row of a concrete QuarantinedFile model whose own fields
    (the consent, the document request…) the caller has already set. Must run inside
    `uploads_atomic()`. The virus scan is scheduled for after the commit; until it says
    clean (or that no scanner is configured) the file is never served.
    """
    stored = _stored_in_transaction.get()
    if stored is None:
        raise RuntimeError("quarantined_file_store() must run inside uploads_atomic().")
    if not instance._state.adding:
        raise ValueError("quarantined_file_store() writes new rows only.")

    instance.kind = sanitized.kind
    instance.content_type = sanitized.content_type
    instance.size = sanitized.size
    instance.sha256 = sanitized.sha256
    instance.page_count = sanitized.page_count
    instance.width = sanitized.width
    instance.height = sanitized.height
    instance.original_name = sanitized.original_name
    instance.scan_status = ScanStatus.QUARANTINED
    instance.scan_detail = ""
    instance.scan_attempts = 0
    instance.scanned_at = None
    instance.file.save(sanitized.kind.extension, ContentFile(sanitized.content), save=False)
    record = _Stored(type(instance), instance.file.storage, instance.file.name)
    stored.append(record)
    instance.full_clean()
    instance.save(force_insert=True)
    record.pk = instance.pk

    meta = instance._meta
    transaction.on_commit(
        functools.partial(scan_quarantined_file.delay, meta.app_label, meta.model_name, instance.pk), robust=True
    )
    return instance
