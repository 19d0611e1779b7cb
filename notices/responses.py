"""Serving a notice's PDF to someone a view has already let through (and audited)."""

from django.http import FileResponse, Http404, HttpResponseRedirect

from assister_portal.lib.uploads.responses import DOWNLOAD_HEADERS

from .models import Notice, NoticeStatus


def pdf_is_ready(notice: Notice) -> bool:
    """Whether the notice has a PDF to serve: views check this before they record a download."""
    return notice.status == NoticeStatus.READY and bool(notice.pdf)


def notice_pdf_response(notice: Notice):
    """The PDF as an attachment (`application/pdf`, `nosniff`), never through a public URL. With S3, a
    redirect to a presigned URL that lives 60 seconds (settings: `querystring_expire`) and makes the
    browser save it as an attachment. Http404 while the notice is not ready."""
    if not pdf_is_ready(notice):
        raise Http404("This notice is not ready yet.")
    storage = notice.pdf.storage
    if hasattr(storage, "bucket_name"):  # django-storages' S3 storage
        url = storage.url(
            notice.pdf.name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{notice.download_name}"',
                "ResponseContentType": "application/pdf",
            },
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(
        notice.pdf.open("rb"), as_attachment=True, filename=notice.download_name, content_type="application/pdf"
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
