"""Serving a stored upload to someone an authorized view has already let through."""

from django.http import FileResponse, Http404

from .base import FileKind
from .models import QuarantinedFile

# The file is a download, never a page: no sniffing, no scripts, no plugins, no framing,
# no copy in any cache.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def quarantined_file_response(instance: QuarantinedFile) -> FileResponse:
    """The file as an attachment; Http404 while it is quarantined, and for an infected one.

    Call it last in a view that has checked the person may see this file (and written
    the audit row): it checks only the scan status. Clean and not-scanned files are served.
    """
    if not instance.is_servable:
        raise Http404("This file is not available.")
    response = FileResponse(
        instance.file.open("rb"),
        as_attachment=True,
        filename=instance.download_name,
        content_type=FileKind(instance.kind).content_type,
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
