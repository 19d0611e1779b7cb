"""`python -m bench documents`: verification documents (issue 14): the upload pipeline's time per file, with and
without a virus scanner, and the staff queue of requests to review at 10,000 submitted requests.

1. **The pipeline**, through the real code: `sanitize_upload` (sniff, limits, the JPEG decoded and encoded again, the
   PDF rewritten by qpdf) on a `ContentFile`, as the form does, then `verifications.services.document_upload` (the
   request's row lock, `quarantined_file_store` into private storage, the audit row, the SUBMIT transition and its
   event, the "document received" notice row, the commit) and, after the commit, the virus scan: with no broker the
   Celery task `scan_quarantined_file` runs in-process at the commit, so `document_upload` returns once the row is
   CLEAN (clamd) or NOT_SCANNED (no scanner). Each upload goes to a fresh outstanding request of the bench household,
   so every one submits its request, as a household's first upload does. Nothing is rendered: the run is inside
   `notices.services.sending_deferred()` (the notice row is written, its PDF left to the sweep). The samples: a phone
   photo of a pay stub, a JPEG of about 1 MB (2400 × 1800); five pay stubs scanned into one PDF by a scanner app
   (a 150 dpi greyscale JPEG and an invisible OCR text layer on each page, about 1.2 MB); and the baseline, a
   40 × 30 PNG with no scanner (the pipeline's floor: every step but the work a real file adds). Also timed: clamd
   alone (INSTREAM of the stored bytes of each, `scanner.scan_stream`). Uploads go to a temporary directory (deleted
   at the end); the requests, documents, events and notices the run wrote are deleted at its end (audit rows are
   append-only and stay).
2. **The staff queue**: `/admin/verifications/verificationrequest/` (its default filter: waiting for review, due date
   first, with each request's file count) signed in as a staff user of the "Document reviewers" group, against the
   anonymous home page as the baseline (as in `python -m bench`), in rounds with `bench.measure.time_pages`.

clamd: started by the run (`clamd()`), as the test suite's `clamd_address` fixture does: a configuration of its own
with only the EICAR test signature, on a free loopback port, stopped at the end; or the address given.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pikepdf
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.test import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw
from psycopg import sql

from accounts.builders import build_account
from accounts.models import Role, User
from accounts.services import user_create
from applications.models import Application, ApplicationStatus
from assister_portal.lib.uploads import ScanStatus, sanitize_upload
from assister_portal.lib.uploads.scanner import scan_stream
from assister_portal.tests.clamd import ClamdUnavailable, running_clamd
from clients.models import Client, search_key
from clients.services import client_create_for_self
from core.models import County, Language
from notices.models import Notice
from notices.services import sending_deferred
from verifications import services as verification_services
from verifications.documents import ACCEPTED, DocumentType, VerificationType
from verifications.models import Document, RequestStatus, VerificationEvent, VerificationRequest

from .build import FIRST_NAMES, LAST_NAMES, PASSWORD
from .measure import Page, PageResult, breakdown, format_table, text_table, time_pages

EMAIL_DOMAIN = "documents.bench.assister.example"
REVIEWER_EMAIL = f"reviewer@{EMAIL_DOMAIN}"  # staff, "Document reviewers"
UPLOADER_EMAIL = f"household@{EMAIL_DOMAIN}"  # the household whose uploads the pipeline times
QUEUE_URL = "/admin/verifications/verificationrequest/"
LIST_PER_PAGE = 100  # the admin's default
SEED = 20270014  # issue 14
COVERAGE_YEAR = 2027
MB = 1024 * 1024
# The queue's households: every other application has two requests (income and citizenship), so 10,000 requests
# come from 6,667 applications; each request has 1 to 4 files (2.5 on average).
TYPES = (VerificationType.INCOME, VerificationType.CITIZENSHIP)
FILES_PER_REQUEST = (1, 2, 3, 4)
PIPELINE_MEMBER_PREFIX = "bench-"  # the member keys of the requests the pipeline uploads to (deleted after)


# --- The staff queue's data set ------------------------------------------------------------------------------


def build_queue(requests: int, *, log: Callable[[str], None] = print) -> dict:
    """The reviewer, the pipeline's household, and `requests` submitted verification requests with their documents,
    written the fast way (bulk_create: one password hash; no audit rows, notices or determinations, which the
    queue does not read); inside the caller's transaction. The documents' files are not written: the queue reads
    none (their rows are CLEAN, as after the scan)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    reviewer = build_account(
        email=REVIEWER_EMAIL,
        password=PASSWORD,
        role=Role.STAFF,
        first_name="Dana",
        last_name="Reviewer",
        mfa=True,
        groups=("Document reviewers",),
    )
    uploader = _pipeline_household()

    n_applications = math.ceil(requests * 2 / 3)
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                email=f"household-{n:05d}@{EMAIL_DOMAIN}",
                role=Role.CONSUMER,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password=password,
            )
            for n in range(n_applications)
        ],
        batch_size=2_000,
    )
    counties = list(County.objects.values_list("pk", flat=True))
    clients = Client.objects.bulk_create(
        [
            Client(
                user=user,
                first_name=user.first_name,
                last_name=user.last_name,
                search_first=search_key(user.first_name),
                search_last=search_key(user.last_name),
                date_of_birth=today - timedelta(days=rng.randrange(19 * 365, 64 * 365)),
                email=user.email,
                street=f"{100 + n} Lake Street",
                city="Minneapolis",
                zip_code="55407",
                county_id=rng.choice(counties) if counties else None,
                created_at=now - timedelta(days=120),
                created_by=user,
            )
            for n, user in enumerate(users)
        ],
        batch_size=2_000,
    )
    applications = []
    for client in clients:
        submitted = now - timedelta(days=rng.randrange(5, 80), minutes=rng.randrange(1440))
        applications.append(
            Application(
                client=client,
                coverage_year=COVERAGE_YEAR,
                status=ApplicationStatus.PENDING_VERIFICATION,
                data={"members": [_member(client)]},
                created_at=submitted - timedelta(days=2),
                created_by=client.user,
                updated_at=submitted,
                submitted_at=submitted,
                status_changed_at=submitted,
            )
        )
    Application.objects.bulk_create(applications, batch_size=2_000)

    rows = []
    for n, application in enumerate(applications):
        for kind in TYPES[: 1 + n % 2]:
            if len(rows) == requests:
                break
            opened = application.submitted_at
            rows.append(
                VerificationRequest(
                    client=application.client,
                    application=application,
                    member_key="self",
                    member_name=application.client.full_name,
                    type=kind,
                    attested="$20,000 a year" if kind == VerificationType.INCOME else "U.S. citizen",
                    source_said="$40,000 a year" if kind == VerificationType.INCOME else "No record found",
                    status=RequestStatus.SUBMITTED,
                    due_date=timezone.localdate(opened) + timedelta(days=settings.VERIFICATION_DAYS),
                    opened_at=opened,
                    revision_number=1,
                )
            )
    VerificationRequest.objects.bulk_create(rows, batch_size=2_000)

    documents, events = [], []
    for n, row in enumerate(rows):
        sent = row.opened_at + timedelta(days=rng.randrange(1, 5), minutes=rng.randrange(1440))
        kinds = list(ACCEPTED[row.type])
        document_type = DocumentType(rng.choice(kinds[:3]))
        for k in range(FILES_PER_REQUEST[n % len(FILES_PER_REQUEST)]):
            documents.append(_document(rng, row, document_type, sent + timedelta(seconds=k)))
        events += [
            VerificationEvent(request=row, from_status="", to_status=RequestStatus.OUTSTANDING, at=row.opened_at),
            VerificationEvent(
                request=row,
                actor=row.client.user,
                from_status=RequestStatus.OUTSTANDING,
                to_status=RequestStatus.SUBMITTED,
                at=sent,
            ),
        ]
    Document.objects.bulk_create(documents, batch_size=2_000)
    VerificationEvent.objects.bulk_create(events, batch_size=2_000)
    seconds = time.perf_counter() - started
    log(
        f"  {len(rows):,} submitted requests ({n_applications:,} households), {len(documents):,} documents, "
        f"{len(events):,} events; the reviewer and the pipeline's household: {seconds:.1f} s"
    )
    return {
        "requests": len(rows),
        "applications": n_applications,
        "documents": len(documents),
        "events": len(events),
        "reviewer": reviewer.email,
        "uploader": uploader.email,
        "seconds": round(seconds, 1),
    }


def _member(client: Client) -> dict:
    return {
        "key": "self",
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "relationship": "self",
    }


def _document(rng: random.Random, row: VerificationRequest, document_type: str, at) -> Document:
    kind = rng.choice(("pdf", "jpeg", "jpeg", "png"))
    image = kind != "pdf"
    return Document(
        request=row,
        document_type=document_type,
        uploaded_by=row.client.user,
        file=f"verifications/document/{uuid.UUID(int=rng.getrandbits(128), version=4).hex}.{'jpg' if kind == 'jpeg' else kind}",
        original_name=f"{document_type.replace('_', '-')}-{rng.randrange(1, 99)}.{kind[:3]}",
        kind=kind,
        content_type={"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[kind],
        size=rng.randrange(40_000, 2_500_000),
        sha256=f"{rng.getrandbits(256):064x}",
        page_count=None if image else rng.randrange(1, 6),
        width=2400 if image else None,
        height=1800 if image else None,
        scan_status=ScanStatus.CLEAN,
        scan_attempts=1,
        scanned_at=at + timedelta(seconds=2),
        uploaded_at=at,
    )


def _pipeline_household() -> User:
    """The household whose uploads the pipeline times: an account and a client record through the services, and a
    2027 application waiting for documents (written directly: the requests the run uploads to hang off it)."""
    english = Language.objects.get(code="en")
    user = user_create(
        email=UPLOADER_EMAIL,
        password=PASSWORD,
        role=Role.CONSUMER,
        actor=None,
        first_name="Ifrah",
        last_name="Hassan",
        email_verified=True,
        preferred_language=english,
    )
    with sending_deferred():
        client = client_create_for_self(
            user=user,
            fields={
                "first_name": "Ifrah",
                "last_name": "Hassan",
                "date_of_birth": timezone.localdate() - timedelta(days=34 * 365),
                "email": UPLOADER_EMAIL,
                "county": County.objects.get(name="Hennepin"),
                "preferred_language": english,
                "street": "2929 Chicago Avenue",
                "city": "Minneapolis",
                "zip_code": "55407",
            },
        )
    now = timezone.now()
    Application.objects.create(
        client=client,
        coverage_year=COVERAGE_YEAR,
        status=ApplicationStatus.PENDING_VERIFICATION,
        data={"members": [_member(client)]},
        created_by=user,
        submitted_at=now,
        status_changed_at=now,
    )
    return user


def vacuum_analyze(using: str = "default") -> None:
    """Fresh statistics for the queue's tables, as a long-running database has. Outside a transaction."""
    models = [VerificationRequest, Document, VerificationEvent, Application, Client, User]
    with connections[using].cursor() as cursor:
        for model in models:
            cursor.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(model._meta.db_table)))


# --- The files --------------------------------------------------------------------------------------------------


def _printed_page(rng: random.Random, width: int, height: int, *, noise: float) -> Image.Image:
    """Grey paper with rows of dark print and sensor noise (seeded): what a camera or a scanner sees of a pay stub."""
    paper = Image.new("L", (width, height), 232)
    draw = ImageDraw.Draw(paper)
    margin = width // 24
    y = margin
    while y < height - margin:
        x = margin
        while x < width - 2 * margin:
            length = rng.randrange(20, 120)
            draw.rectangle([x, y, x + length, y + rng.randrange(14, 22)], fill=rng.randrange(20, 80))
            x += length + rng.randrange(12, 30)
        y += rng.randrange(40, 60)
    return Image.blend(paper, Image.frombytes("L", (width, height), rng.randbytes(width * height)), noise)


def phone_photo(width: int = 2400, height: int = 1800) -> bytes:
    """A phone's photo of a pay stub, about 1 MB (JPEG, colour)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible pixels
    out = io.BytesIO()
    _printed_page(rng, width, height, noise=0.08).convert("RGB").save(out, "JPEG", quality=86)
    return out.getvalue()


def scanned_pdf(pages: int = 5) -> bytes:
    """Five pay stubs as a scanner app writes them: each page a greyscale scan at 150 dpi (1275 × 1650, JPEG) with
    an invisible text layer from its OCR (Helvetica, render mode 3), and the document information."""
    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible pixels
    pdf = pikepdf.new()
    name = pikepdf.Name
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=name.Font, Subtype=name.Type1, BaseFont=name.Helvetica, Encoding=name.WinAnsiEncoding)
    )
    for page_number in range(1, pages + 1):
        scan = io.BytesIO()
        _printed_page(rng, 1275, 1650, noise=0.05).save(scan, "JPEG", quality=75)
        image = pdf.make_stream(
            scan.getvalue(),
            Type=name.XObject,
            Subtype=name.Image,
            Width=1275,
            Height=1650,
            ColorSpace=name.DeviceGray,
            BitsPerComponent=8,
            Filter=name.DCTDecode,
        )
        lines = [f"North Star Staffing LLC - Earnings statement - page {page_number} of {pages}"]
        for week in range(50):
            hours = 32 + (week * 7 + page_number) % 9
            lines.append(
                f"Week {week + 1:02d}  regular hours {hours}.00 at $18.50 = ${hours * 18.5:,.2f}  "
                f"FICA ${hours * 18.5 * 0.0765:,.2f}  MN withholding ${hours * 18.5 * 0.0535:,.2f}"
            )
        text = "".join(f"({line}) '\n" for line in lines)
        content = f"q 612 0 0 792 0 0 cm /Scan Do Q\nBT 3 Tr /F1 9 Tf 36 760 Td 14.5 TL\n{text}ET\n"
        pdf.add_blank_page(page_size=(612, 792))
        page = pdf.pages[-1].obj
        page.Contents = pdf.make_stream(content.encode("cp1252"))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Scan=image))
    pdf.docinfo["/Author"] = "Ifrah Hassan"
    pdf.docinfo["/Producer"] = "ScanApp 7.2 (OCR)"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 40)).save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class SampleFile:
    name: str
    data: bytes
    pages: int | None = None


# --- clamd ----------------------------------------------------------------------------------------------------


ClamdMissing = ClamdUnavailable


@contextlib.contextmanager
def clamd(address: str | None = None) -> Iterator[str]:
    """A clamd to scan with: `address` when given (the tests' fixture), else one of our own started here (only the
    EICAR test signature, a free loopback port: assister_portal/tests/clamd.py, as the tests' `clamd_address`)."""
    if address:
        yield address
        return
    with tempfile.TemporaryDirectory(prefix="bench-clamd-") as folder, running_clamd(Path(folder)) as started:
        yield started


# --- Results ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as bench/measure.py."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


PHASES = ("sanitize", "store", "total")


@dataclass
class Sample:
    key: str
    label: str
    file: SampleFile
    scanner: bool  # clamd configured
    scan_only: bool = False  # clamd's INSTREAM of the stored bytes alone
    times: dict[str, list[float]] = field(default_factory=lambda: {phase: [] for phase in PHASES})  # ms
    sent_bytes: int = 0
    stored_bytes: int = 0

    def p50(self, phase: str = "total") -> float:
        return statistics.median(self.times[phase])

    def p95(self, phase: str = "total") -> float:
        return percentile(self.times[phase], 95)

    def as_dict(self) -> dict:
        data = {"key": self.key, "label": self.label, "n": len(self.times["total"]), "sent_bytes": self.sent_bytes}
        data["stored_bytes"] = self.stored_bytes
        for phase in PHASES:
            if self.times[phase]:
                data[f"{phase}_p50_ms"] = round(self.p50(phase), 2)
                data[f"{phase}_p95_ms"] = round(self.p95(phase), 2)
        return data


@dataclass
class Results:
    media_root: str
    samples: list[Sample]
    pages: list[PageResult]
    queue: dict
    problems: list[str]
    request_ids: list[int] = field(default_factory=list)  # the pipeline's requests (deleted at the end)

    def sample(self, key: str) -> Sample:
        return next(s for s in self.samples if s.key == key)


# --- Running it -------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def temporary_media() -> Iterator[Path]:
    """The default storage in a new temporary directory, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as folder:
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": folder, "file_permissions_mode": 0o600},
            },
        }
        with override_settings(MEDIA_ROOT=folder, STORAGES=storages):
            yield Path(folder)


def uploader() -> User:
    return User.objects.select_related("client").get(email=UPLOADER_EMAIL)


def pipeline_requests(user: User, n: int) -> list[VerificationRequest]:
    """`n` outstanding income requests of the pipeline's household, one per upload (each member key its own)."""
    application = Application.objects.get(client=user.client, coverage_year=COVERAGE_YEAR)
    today = timezone.localdate()
    rows = [
        VerificationRequest(
            client=user.client,
            application=application,
            member_key=f"{PIPELINE_MEMBER_PREFIX}{k:05d}",
            member_name=user.client.full_name,
            type=VerificationType.INCOME,
            attested="$20,000 a year",
            source_said="$40,000 a year",
            due_date=today + timedelta(days=settings.VERIFICATION_DAYS),
            revision_number=1,
        )
        for k in range(n)
    ]
    VerificationRequest.objects.bulk_create(rows)
    VerificationEvent.objects.bulk_create(
        [VerificationEvent(request=row, from_status="", to_status=RequestStatus.OUTSTANDING) for row in rows]
    )
    return rows


def delete_pipeline_rows() -> int:
    """What the pipeline's uploads wrote (an interrupted run's too): its requests, their documents and events, the
    household's notices. Audit rows stay (append-only). Returns how many requests were deleted."""
    rows = VerificationRequest.objects.filter(
        client__user__email=UPLOADER_EMAIL, member_key__startswith=PIPELINE_MEMBER_PREFIX
    )
    with transaction.atomic():
        VerificationEvent.objects.filter(request__in=rows).delete()
        Document.objects.filter(request__in=rows).delete()
        Notice.objects.filter(client__user__email=UPLOADER_EMAIL).delete()
        count, _ = rows.delete()
    return count


def _upload(sample: Sample, row: VerificationRequest, user: User, address: str) -> tuple[Document, float, float]:
    """One file through the pipeline; (the document, sanitize ms, store-and-scan ms)."""
    with override_settings(CLAMD_ADDRESS=address if sample.scanner else ""):
        started = time.perf_counter()
        sanitized = sanitize_upload(ContentFile(sample.file.data, name=sample.file.name))
        sanitized_at = time.perf_counter()
        (document,) = verification_services.document_upload(
            verification=row, document_type="pay_stubs", files=[sanitized], actor=user
        )
        done = time.perf_counter()
    return document, (sanitized_at - started) * 1000, (done - sanitized_at) * 1000


def measure_pipeline(
    samples: list[Sample], *, repeat: int, warmup: int, address: str, problems: list[str], request_ids: list[int]
) -> None:
    """Rounds of one upload of each sample (and one INSTREAM of each stored file), warm-up rounds first."""
    user = uploader()
    uploads = [s for s in samples if not s.scan_only]
    rows = iter(pipeline_requests(user, (warmup + repeat) * len(uploads)))
    stored: dict[str, bytes] = {}
    with sending_deferred():
        for k in range(warmup + repeat):
            timed = k >= warmup
            for sample in samples:
                if sample.scan_only:
                    content = stored[sample.file.name]
                    with override_settings(CLAMD_ADDRESS=address):
                        started = time.perf_counter()
                        verdict = scan_stream(io.BytesIO(content))
                        elapsed = (time.perf_counter() - started) * 1000
                    if verdict.infected:
                        problems.append(f"{sample.label}: clamd found {verdict.signature}")
                    sample.sent_bytes = sample.stored_bytes = len(content)
                    if timed:
                        sample.times["total"].append(elapsed)
                    continue
                row = next(rows)
                request_ids.append(row.pk)
                document, sanitize_ms, store_ms = _upload(sample, row, user, address)
                document.refresh_from_db()
                _check_upload(sample, document, row, problems)
                with document.file.open("rb") as fh:
                    stored[sample.file.name] = fh.read()
                sample.sent_bytes, sample.stored_bytes = len(sample.file.data), document.size
                if timed:
                    sample.times["sanitize"].append(sanitize_ms)
                    sample.times["store"].append(store_ms)
                    sample.times["total"].append(sanitize_ms + store_ms)


def _check_upload(sample: Sample, document: Document, row: VerificationRequest, problems: list[str]) -> None:
    expected = ScanStatus.CLEAN if sample.scanner else ScanStatus.NOT_SCANNED
    if document.scan_status != expected and len(problems) < 20:
        problems.append(f"{sample.label}: document {document.pk} is {document.scan_status} ({document.scan_detail})")
    if sample.file.pages and document.page_count != sample.file.pages and len(problems) < 20:
        problems.append(f"{sample.label}: stored with {document.page_count} pages, not {sample.file.pages}")
    row.refresh_from_db(fields=["status"])
    if row.status != RequestStatus.SUBMITTED and len(problems) < 20:
        problems.append(f"{sample.label}: the request is {row.status} after the upload, not submitted")


def queue_pages(info: dict) -> list[Page]:
    return [
        Page("baseline", "baseline: anonymous home page", "/", None),
        Page(
            "queue",
            f"staff queue: waiting for review ({info['requests']:,} submitted), first page",
            QUEUE_URL,
            REVIEWER_EMAIL,
        ),
        Page(
            "queue_income_due",
            "staff queue: income, due within 30 days",
            f"{QUEUE_URL}?type=income&due=30",
            REVIEWER_EMAIL,
        ),
    ]


def queue_problems(info: dict, results: list[PageResult]) -> list[str]:
    """The queue lists every request built, 100 to a page (one more request, untimed, read as the reviewer reads
    it: the paginator's count and the rows' links)."""
    queue = next((r for r in results if r.page.key == "queue"), None)
    if queue is None or queue.http is None:
        return []
    response = queue.http.get(QUEUE_URL)
    if response.status_code != 200:
        return [f"the staff queue answered {response.status_code}"]
    text = response.content.decode()
    problems = []
    counted = re.search(r'<p class="paginator">.*?(\d+) verification requests?', text, re.S)
    if counted is None or int(counted.group(1)) != info["requests"]:
        found = counted.group(1) if counted else "no"
        problems.append(f"the staff queue counts {found} requests, not the {info['requests']:,} built")
    rows = set(re.findall(r'href="/admin/verifications/verificationrequest/(\d+)/change/', text))
    if len(rows) != min(LIST_PER_PAGE, info["requests"]):
        problems.append(
            f"the queue's first page lists {len(rows)} requests, not {min(LIST_PER_PAGE, info['requests'])}"
        )
    return problems


def measure_documents(
    info: dict,
    *,
    repeat: int = 30,
    warmup: int = 3,
    clamd_address: str | None = None,
    log: Callable[[str], None] = print,
) -> Results:
    """The queue's pages, then the pipeline with and without clamd; what the pipeline wrote is deleted at the end."""
    problems: list[str] = []
    request_ids: list[int] = []
    left = delete_pipeline_rows()
    if left:
        log(f"  deleted {left} pipeline requests an interrupted run left")
    pages = queue_pages(info)
    log(f"  timing {len(pages)} pages: {warmup} warm-up requests each, then {repeat} rounds…")
    page_results = time_pages(pages, repeat=repeat, warmup=warmup)
    problems += queue_problems(info, page_results)

    photo, statement = phone_photo(), scanned_pdf()
    files = {
        "png": SampleFile("tiny.png", tiny_png()),
        "jpeg": SampleFile("paystub-photo.jpg", photo),
        "pdf": SampleFile("paystubs-scan.pdf", statement, pages=5),
    }
    samples = [
        Sample("baseline", "baseline: 40 × 30 PNG, no scanner (the pipeline's floor)", files["png"], False),
        Sample("jpeg", f"JPEG photo {len(photo) / MB:.2f} MB, 2400 × 1800, no scanner", files["jpeg"], False),
        Sample("jpeg_clamd", f"JPEG photo {len(photo) / MB:.2f} MB, clamd", files["jpeg"], True),
        Sample("pdf", f"5-page scanned PDF {len(statement) / MB:.2f} MB, no scanner", files["pdf"], False),
        Sample("pdf_clamd", f"5-page scanned PDF {len(statement) / MB:.2f} MB, clamd", files["pdf"], True),
        Sample("jpeg_instream", "clamd alone: INSTREAM of the stored JPEG", files["jpeg"], True, scan_only=True),
        Sample("pdf_instream", "clamd alone: INSTREAM of the stored PDF", files["pdf"], True, scan_only=True),
    ]
    with temporary_media() as media, clamd(clamd_address) as address:
        try:
            log(f"  files stored in {media} (a temporary directory, deleted at the end); clamd at {address}")
            log(f"  {warmup} warm-up and {repeat} timed uploads of each file, in rounds…")
            measure_pipeline(
                samples, repeat=repeat, warmup=warmup, address=address, problems=problems, request_ids=request_ids
            )
            first = Document.objects.filter(request_id__in=request_ids).order_by("pk").first()
            if first is not None and not Path(first.file.path).resolve().is_relative_to(media.resolve()):
                problems.append(f"a document was stored at {first.file.path}, outside {media}")
        finally:
            delete_pipeline_rows()
    return Results(str(media), samples, page_results, info, problems, request_ids)


# --- Printing ---------------------------------------------------------------------------------------------------


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f}"


def _ms(sample: Sample, phase: str, p: int) -> str:
    if not sample.times[phase]:
        return "—"
    return f"{sample.p50(phase) if p == 50 else sample.p95(phase):.1f}"


def format_pipeline(samples: list[Sample]) -> str:
    baseline = next(s for s in samples if s.key == "baseline")
    header = (
        "file",
        "n",
        "sent KB",
        "stored KB",
        "sanitize p50",
        "p95",
        "store+scan p50",
        "p95",
        "total p50 ms",
        "p95 ms",
        "p50 ×base",
        "p95 ×base",
    )
    rows = [header]
    for s in samples:
        rows.append(
            (
                s.label,
                str(len(s.times["total"])),
                _kb(s.sent_bytes),
                _kb(s.stored_bytes),
                _ms(s, "sanitize", 50),
                _ms(s, "sanitize", 95),
                _ms(s, "store", 50),
                _ms(s, "store", 95),
                f"{s.p50():.1f}",
                f"{s.p95():.1f}",
                f"{s.p50() / baseline.p50():.1f}",
                f"{s.p95() / baseline.p95():.1f}",
            )
        )
    return text_table(rows)


def scan_costs(samples: list[Sample]) -> list[str]:
    """What clamd adds to an upload: the p50 with it less the p50 without, per file."""
    by_key = {s.key: s for s in samples}
    lines = []
    for key in ("jpeg", "pdf"):
        plain, scanned = by_key[key], by_key[f"{key}_clamd"]
        lines.append(
            f"clamd adds {scanned.p50() - plain.p50():+.1f} ms at p50 to the {key.upper()} "
            f"({scanned.p50('store') - plain.p50('store'):+.1f} ms to store+scan); INSTREAM alone "
            f"{by_key[f'{key}_instream'].p50():.1f} ms"
        )
    return lines


def format_queue(results: list[PageResult]) -> list[str]:
    lines = [format_table(results)]
    for r in results:
        if r.page.key.startswith("queue") and r.ok:
            kinds = ", ".join(f"{kind} ×{n}" if n > 1 else kind for kind, n in breakdown(r.usual_sql))
            lines.append(f"{r.page.label}: {r.usual_queries} queries: {kinds}")
    return lines
