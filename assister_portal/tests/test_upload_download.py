"""A stored upload leaves the portal only as a download that no browser will render or run."""

import pytest

from assister_portal.lib.uploads import ScanStatus

from . import samples
from .uploading import store_upload
from .uploads_app.models import Specimen

pytestmark = [pytest.mark.django_db, pytest.mark.urls("assister_portal.tests.uploads_app.urls")]


def url(specimen: Specimen) -> str:
    return f"/specimens/{specimen.pk}/download/"


@pytest.mark.parametrize(
    ("content", "name", "content_type", "download_name"),
    [
        (samples.plain_pdf(), "Signed consent.pdf", "application/pdf", "Signed_consent.pdf"),
        (samples.jpeg(), "<img src=x onerror=alert(1)>.jpeg", "image/jpeg", "img_srcx_onerroralert1.jpg"),
        (samples.png(), "scan.png", "image/png", "scan.png"),
    ],
    ids=["pdf", "jpeg", "png"],
)
def test_scanned_file_is_served_as_an_attachment_that_cannot_run(
    client, django_capture_on_commit_callbacks, content, name, content_type, download_name
):
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(content, name))
    specimen.refresh_from_db()
    assert specimen.scan_status == ScanStatus.NOT_SCANNED

    response = client.get(url(specimen))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{download_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    body = b"".join(response.streaming_content)
    assert body == specimen.file.read() and int(response["Content-Length"]) == specimen.size


def test_quarantined_file_is_never_served(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the scan has not run yet
        specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    assert client.get(url(specimen)).status_code == 404


def test_file_whose_scan_failed_is_not_served(client, settings, django_capture_on_commit_callbacks):
    settings.CLAMD_ADDRESS = "unix:///nonexistent/clamd.ctl"
    with django_capture_on_commit_callbacks(execute=True):
        specimen = store_upload(samples.upload(samples.plain_pdf(), "consent.pdf"))
    assert Specimen.objects.filter(pk=specimen.pk, scan_status=ScanStatus.QUARANTINED).exists()
    assert client.get(url(specimen)).status_code == 404
