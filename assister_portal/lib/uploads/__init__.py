"""The upload safety pipeline: every file a person uploads goes through here (DESIGN §8).

1. Check and rebuild, in the form (nothing is stored yet)::

       from assister_portal.lib.uploads import UploadRefused, sanitize_upload

       def clean_evidence(self):
           return sanitize_upload(self.cleaned_data["evidence"])  # SanitizedFile, or a field error

   `sanitize_upload(upload) -> SanitizedFile` takes an UploadedFile (or any django File
   with a size, e.g. `ContentFile(data, name="scan.pdf")`) and raises `UploadRefused`
   (a ValidationError; `.code` says why) with a message in plain words:

   - size over `UPLOAD_MAX_BYTES`, checked before reading (`too_large`), or empty (`empty`);
   - not a PDF, JPEG or PNG by content: libmagic and the format's magic bytes at offset 0
     must agree, whatever the name says (`not_allowed_type`);
   - images: width × height from the header over `UPLOAD_MAX_PIXELS`, before any decoding
     (`too_many_pixels`); truncated or corrupt (`damaged_image`). Accepted images are
     decoded in full, turned upright by their EXIF orientation and encoded again with no
     metadata at all (no EXIF/GPS, ICC, XMP, comments, text chunks);
   - PDFs: encrypted (`encrypted_pdf`), unreadable (`damaged_pdf`), no pages (`empty_pdf`),
     over `UPLOAD_MAX_PAGES` (`too_many_pages`). Accepted PDFs are written anew by qpdf
     without JavaScript, automatic actions, embedded files, forms, multimedia or unsafe
     link actions, and without their metadata (see `pdf.py`). A PDF/HTML polyglot comes
     out as a plain PDF (the HTML is not carried over); one that does not start with
     `%PDF-` is refused.

   The SanitizedFile holds the new bytes (`content`), `kind` (FileKind: pdf/jpeg/png),
   `content_type`, `size`, `sha256`, `page_count` or `width`/`height`, `original_name`.
   The bytes that were sent are never kept.

2. Store, in the service (the outermost transaction)::

       from assister_portal.lib.uploads import quarantined_file_store, uploads_atomic

       with uploads_atomic():                 # instead of transaction.atomic()
           evidence = ConsentEvidence(consent=consent, uploaded_by=actor)
           quarantined_file_store(instance=evidence, sanitized=sanitized)
           ...                                # audit row, notices

   `quarantined_file_store(*, instance, sanitized) -> instance` writes the file under a
   random name in private storage (STORAGES["default"]), fills the file fields, runs
   full_clean() and inserts the row with scan_status QUARANTINED, and schedules the
   virus scan for after the commit. `uploads_atomic()` is transaction.atomic(durable=True)
   that deletes the stored files again if the transaction does not commit them
   (exception, set_rollback, failed commit, row lost in a rolled-back savepoint).

3. Scan, after the commit (Celery task `scan_quarantined_file(app_label, model_name, pk)`,
   service `quarantined_file_scan(*, model, pk)`): QUARANTINED → CLEAN | INFECTED, or
   NOT_SCANNED when `CLAMD_ADDRESS` is empty. When clamd gives no verdict the row stays
   QUARANTINED with the error in scan_detail; the task retries, and the beat task
   `rescan_quarantined_files` (every 15 minutes) picks up anything still quarantined.
   Infected: the content is deleted, the row kept with the signature's name. Idempotent.

4. Serve, from an authorized view (after the access check and the audit row)::

       return quarantined_file_response(evidence)

   `quarantined_file_response(instance) -> FileResponse`: CLEAN and NOT_SCANNED files
   only (Http404 otherwise), as an attachment with the kind's content type,
   `X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src 'none'; sandbox`
   and `Cache-Control: no-store`.

The model: concrete models subclass the abstract `QuarantinedFile` (fields: file,
original_name, kind, content_type, size, sha256, page_count, width, height,
scan_status, scan_detail, scan_attempts, scanned_at, uploaded_at; properties
`is_servable`, `download_name`). A concrete model that declares its own Meta extends
`QuarantinedFile.Meta` so the check constraints come with it.
"""

from .base import FileKind, UploadRefused
from .models import QuarantinedFile, ScanStatus
from .responses import quarantined_file_response
from .sanitize import SanitizedFile, sanitize_upload
from .scanning import quarantined_file_scan
from .services import quarantined_file_store, uploads_atomic

__all__ = [
    "FileKind",
    "QuarantinedFile",
    "SanitizedFile",
    "ScanStatus",
    "UploadRefused",
    "quarantined_file_response",
    "quarantined_file_scan",
    "quarantined_file_store",
    "sanitize_upload",
    "uploads_atomic",
]
