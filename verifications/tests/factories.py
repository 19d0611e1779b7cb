"""Verification requests built the way the portal builds them: a household's application submitted while the sample
data source says something else about them."""

import io
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image

from applications.tests.factories import fill, started, submitted
from assister_portal.lib.uploads import quarantined_file_scan, sanitize_upload
from verifications import services
from verifications.models import Document, VerificationRequest


def source_says(client, **facts):
    """The sample data source's record of the client (as on their application: name and date of birth)."""
    return services.reference_record_set(
        first_name=client.first_name, last_name=client.last_name, date_of_birth=client.date_of_birth, **facts
    )


def with_income_request(client, *, attested: str = "20000", source: str = "40000"):
    """The client's own 2027 application, submitted with `attested` a year while the source says `source`: one income
    request, the application waiting for documents."""
    source_says(client, yearly_income=Decimal(source))
    application = submitted(fill(started(client), actor=client.user, income=attested))
    return application, VerificationRequest.objects.get(application=application)


def png_file(name: str = "paystub.png", size=(40, 30)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 40)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


def pdf_file(name: str = "paystub.pdf", pages: int = 1) -> ContentFile:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (200, 260), (255, 255, 255)) for _ in range(pages)]
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return ContentFile(buffer.getvalue(), name=name)


def sanitized(*files):
    return [sanitize_upload(f) for f in files]


def upload(row, *, actor, association=None, document_type: str = "pay_stubs", files=None, scan: bool = True):
    """Upload through the service (on behalf: the assister confirms the client gave them the file); then, unless
    `scan` is False, the virus scan that runs after the commit (no scanner configured in tests: "not scanned")."""
    documents = services.document_upload(
        verification=row,
        document_type=document_type,
        files=sanitized(*(files or [png_file()])),
        actor=actor,
        association=association,
        client_gave_it=association is not None,
    )
    if scan:
        for document in documents:
            quarantined_file_scan(model=Document, pk=document.pk)
    return documents


def born_on(value: str) -> date:
    return date.fromisoformat(value)
