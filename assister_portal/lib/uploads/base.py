"""What every part of the upload pipeline shares: the accepted kinds and the refusal."""

from django.core.exceptions import ValidationError
from django.db import models


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self]

    @property
    def signature(self) -> bytes:
        """The format's own magic bytes, which must open the file (offset 0)."""
        return SIGNATURES[self]


CONTENT_TYPES = {FileKind.PDF: "application/pdf", FileKind.JPEG: "image/jpeg", FileKind.PNG: "image/png"}
EXTENSIONS = {FileKind.PDF: "pdf", FileKind.JPEG: "jpg", FileKind.PNG: "png"}
SIGNATURES = {FileKind.PDF: b"%PDF-", FileKind.JPEG: b"\xff\xd8\xff", FileKind.PNG: b"\x89PNG\r\n\x1a\n"}


class UploadRefused(ValidationError):
    """The upload is not accepted; `messages` says why, in words for the person who sent it.

    A ValidationError, so a form's clean_<field> can let it through to the field's errors;
    `code` names the reason for code that needs to tell them apart.
    """


def refuse(message, code: str, **params) -> UploadRefused:
    return UploadRefused(message, code=code, params=params or None)
