"""Decide what an upload is by its content, enforce the limits, and rebuild it.

`sanitize_upload` is the only entry point; it returns a `SanitizedFile` (the rebuilt
bytes and what is known about them) or raises `UploadRefused` with a message for the
person who sent the file. Nothing is written anywhere here.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import images, pdf
from .base import FileKind, UploadRefused, refuse

# Bytes given to libmagic (its own read limit, bytes_max, is 1 MiB or more).
MAGIC_HEAD_BYTES = 1024 * 1024
_MAGIC_TYPES = {"application/pdf": FileKind.PDF, "image/jpeg": FileKind.JPEG, "image/png": FileKind.PNG}


@dataclass(frozen=True)
class SanitizedFile:
    """A rebuilt file, ready to be stored: never the bytes that were sent."""

    kind: FileKind
    content: bytes
    original_name: str
    sha256: str
    page_count: int | None = None  # PDFs
    width: int | None = None  # images, in pixels
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def sniff(head: bytes) -> FileKind:
    """The kind of a file from its first bytes; refuses anything but PDF, JPEG and PNG."""
    kind = _MAGIC_TYPES.get(magic.from_buffer(head[:MAGIC_HEAD_BYTES], mime=True))
    if kind is None or not head.startswith(kind.signature):
        raise refuse(_("This file is not a PDF, JPEG or PNG."), "not_allowed_type")
    return kind


def sanitize_upload(upload: File) -> SanitizedFile:
    """Check an uploaded file and return it rebuilt, or raise UploadRefused.

    `upload` is what a form gives (an UploadedFile), or any django File with a size,
    e.g. ContentFile(data, name="scan.pdf"). The size is checked before anything is read.
    """
    limit = settings.UPLOAD_MAX_BYTES
    size = upload.size
    if size is not None and size > limit:
        raise _too_large(size, limit)
    upload.seek(0)
    data = upload.read(limit + 1)  # never more than the limit, whatever the size claimed
    if len(data) > limit:
        raise _too_large(size or len(data), limit)
    if not data:
        raise refuse(_("This file is empty."), "empty")

    kind = sniff(data)
    if kind == FileKind.PDF:
        content, page_count = pdf.rewrite(data)
        width = height = None
    else:
        content, width, height = images.reencode(data, kind)
        page_count = None
    return SanitizedFile(
        kind=kind,
        content=content,
        original_name=clean_name(upload.name),
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=page_count,
        width=width,
        height=height,
    )


def _too_large(size: int, limit: int) -> UploadRefused:
    return refuse(
        _("This file is %(size)s; the limit is %(limit)s."),
        "too_large",
        size=filesizeformat(size),
        limit=filesizeformat(limit),
    )


def clean_name(name: str | None) -> str:
    """The name the file had on the sender's computer, for display only: no folders, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return base.strip()[:200]
