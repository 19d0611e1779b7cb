"""The files a security test uploaded as consent evidence, and their cousins: each one refused or defused.

Each test sends the file the way a form would (a named upload) through the same
steps a service takes (sanitize, store in quarantine); a refusal must leave nothing in
storage and no row.
"""

import io
import os
import tracemalloc

import magic
import pikepdf
import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory

from assister_portal.lib.uploads import FileKind, UploadRefused

from . import samples
from .uploading import store_upload, stored_files
from .uploads_app.models import Specimen

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def refused(upload, private_storage) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        store_upload(upload)
    assert stored_files(private_storage) == []
    assert not Specimen.objects.exists()
    return caught.value


def walk(pdf: pikepdf.Pdf):
    """Every dictionary (and stream) in a PDF, with its keys."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj


def test_pdf_header_followed_by_eicar_is_refused(private_storage):
    error = refused(samples.upload(b"%PDF-1.4\n" + samples.eicar(), "consent.pdf"), private_storage)
    assert error.code == "damaged_pdf"
    assert error.messages == [
        "This PDF is damaged, so it cannot be read. Please save or scan the document again and upload the new file."
    ]


def test_pdf_html_polyglot_comes_out_as_a_plain_pdf(private_storage):
    polyglot = samples.pdf_html_polyglot()
    assert samples.SCRIPT in polyglot and magic.from_buffer(polyglot, mime=True) == "application/pdf"

    specimen = store_upload(samples.upload(polyglot, "consent.pdf"))

    stored = specimen.file.read()
    assert b"<script" not in stored and b"<html" not in stored and b"<body" not in stored
    assert magic.from_buffer(stored, mime=True) == "application/pdf"
    assert stored.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1
    # What is left is the plain PDF the HTML was wrapped around, byte for byte.
    assert stored == store_upload(samples.upload(samples.plain_pdf(), "plain.pdf")).file.read()


def test_html_page_with_a_pdf_inside_is_refused_though_libmagic_calls_it_a_pdf(private_storage):
    upload = samples.html_then_pdf()
    assert magic.from_buffer(upload, mime=True) == "application/pdf"
    error = refused(samples.upload(upload, "consent.pdf"), private_storage)
    assert error.code == "not_allowed_type"
    assert error.messages == ["This file is not a PDF, JPEG or PNG."]


def test_pdf_with_javascript_open_action_loses_every_script_and_automatic_action(private_storage):
    specimen = store_upload(samples.upload(samples.pdf_with_javascript(), "consent.pdf"))

    stored = specimen.file.read()
    # Object streams are written out, so every dictionary is plain text in the file.
    for token in (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/SubmitForm", b"/ImportData"):
        assert token not in stored, token
    assert b"app.launchURL" not in stored and b"javascript:" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        for obj in walk(pdf):
            assert not {"/JavaScript", "/JS", "/OpenAction", "/AA"} & set(obj.keys())
            assert obj.get("/S") in (None, pikepdf.Name.GoTo, pikepdf.Name.URI)
        links = [annot for annot in pdf.pages[0].obj.Annots if annot.Subtype == pikepdf.Name.Link and "/A" in annot]
        # The plain web link and the GoTo (without its script) remain; the bookmark remains without its action.
        assert [str(link.A.S) for link in links] == ["/GoTo", "/URI"]
        assert str(links[1].A.URI) == "https://www.mnsure.org/"
        assert "/Next" not in links[0].A
        assert str(pdf.Root.Outlines.First.Title) == "Start" and "/A" not in pdf.Root.Outlines.First
    assert specimen.page_count == 2


def test_jpeg_magic_bytes_followed_by_a_script_is_refused(private_storage):
    upload = b"\xff\xd8\xff\xe0" + samples.SCRIPT
    error = refused(samples.upload(upload, "photo.jpg"), private_storage)
    assert error.code == "damaged_image"
    assert error.messages == [
        "This image is damaged or incomplete, so it cannot be opened. Please upload it again, or take a new picture."
    ]


def test_png_claiming_100000_by_100000_pixels_is_refused_from_its_header(private_storage):
    error = refused(samples.upload(samples.png_claiming(100_000, 100_000), "card.png"), private_storage)
    assert error.code == "too_many_pixels"
    assert error.messages == ["This image is 100000 × 100000 pixels; the limit is 40 million pixels."]


def test_png_bomb_small_file_huge_picture_is_refused_before_decoding(private_storage):
    bomb = samples.png_bomb(30_000)  # 900 million pixels: 900 MB once decoded
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        error = refused(samples.upload(bomb, "card.png"), private_storage)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.messages == ["This image is 30000 × 30000 pixels; the limit is 40 million pixels."]
    assert peak < 5 * MB


def test_image_over_our_limit_but_under_pillows_is_refused_with_our_message(private_storage, settings):
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    error = refused(samples.upload(samples.png(1001, 1000), "card.png"), private_storage)
    assert error.messages == ["This image is 1001 × 1000 pixels; the limit is 1 million pixels."]


@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_truncated_image_is_refused_even_when_a_library_told_pillow_to_accept_them(private_storage, kind):
    """WeasyPrint (notices) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import; the sanitizer must not care."""
    from PIL import ImageFile

    whole = getattr(samples, kind)(400, 300)
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        error = refused(samples.upload(whole[: len(whole) // 2], f"photo.{kind[:3]}"), private_storage)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    assert error.code == "damaged_image"


def test_rendering_notices_leaves_pillow_strict():
    from PIL import ImageFile

    import notices.rendering  # noqa: F401  (imports WeasyPrint)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_50_mb_file_is_refused_without_being_read(private_storage):
    upload = TemporaryUploadedFile("consent.pdf", "application/pdf", 50 * MB, None)
    upload.write(b"%PDF-1.7\n")
    upload.seek(50 * MB - 1)
    upload.write(b"\n")  # a sparse file on disk, as Django spools a large upload
    tracemalloc.start()
    try:
        error = refused(upload, private_storage)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    assert error.code == "too_large"
    assert error.messages == [
        "This file is 50.0\xa0MB; the limit is 10.0\xa0MB."
    ]  # filesizeformat keeps number and unit together
    assert peak < 1 * MB


def test_upload_whose_declared_size_lies_is_cut_off_at_the_limit(private_storage, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    data = samples.plain_pdf() + b"\n%" + b"x" * 5000
    upload = InMemoryUploadedFile(io.BytesIO(data), "file", "consent.pdf", "application/pdf", 10, None)
    error = refused(upload, private_storage)
    assert error.code == "too_large"


def test_pdf_with_an_embedded_file_loses_it(private_storage):
    payload = b"MZ\x90\x00 embedded executable payload 7f3c"
    specimen = store_upload(samples.upload(samples.pdf_with_embedded_file(payload), "consent.pdf"))

    stored = specimen.file.read()
    for token in (b"/EmbeddedFiles", b"/EmbeddedFile", b"/EF", b"/FileAttachment"):
        assert token not in stored, token
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.attachments) == 0
        assert "/Annots" not in pdf.pages[0].obj or len(pdf.pages[0].obj.Annots) == 0
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                assert payload not in obj.read_bytes()


def test_pdf_with_a_form_loses_it(private_storage):
    specimen = store_upload(samples.upload(samples.pdf_with_form(), "consent.pdf"))

    stored = specimen.file.read()
    for token in (b"/AcroForm", b"/Widget", b"/FT", b"/JavaScript", b"/AA"):
        assert token not in stored, token
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert "/AcroForm" not in pdf.Root


def test_pdf_with_a_stream_bomb_is_copied_not_inflated(private_storage):
    bomb = samples.pdf_with_runlength_bomb(2)  # 128 MB once decoded

    specimen = store_upload(samples.upload(bomb, "consent.pdf"))

    assert specimen.size < len(bomb) + 1024
    with pikepdf.open(io.BytesIO(specimen.file.read())) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        assert image.Filter == pikepdf.Name.RunLengthDecode
        assert len(image.read_raw_bytes()) == 2 * MB + 1


@pytest.mark.parametrize("user_password", ["", "hunter2hunter2"])
def test_encrypted_pdf_is_refused(private_storage, user_password):
    error = refused(samples.upload(samples.encrypted_pdf(user_password), "consent.pdf"), private_storage)
    assert error.code == "encrypted_pdf"
    assert error.messages == [
        "This PDF is protected by a password or encryption. Please upload a copy without a password."
    ]


def test_pdf_over_the_page_limit_is_refused(private_storage, settings):
    settings.UPLOAD_MAX_PAGES = 3
    error = refused(samples.upload(samples.plain_pdf(pages=4), "consent.pdf"), private_storage)
    assert error.messages == ["This PDF has 4 pages; the limit is 3."]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><body>" + samples.SCRIPT + b"</body></html>", "consent.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + samples.SCRIPT + b"</svg>", "photo.png"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.jpg"),
        (b"PK\x03\x04" + b"\0" * 60, "consent.pdf"),
        (b"MZ\x90\x00" + b"\0" * 60, "photo.png"),
    ],
    ids=["html-named-pdf", "svg-named-png", "gif-named-jpg", "zip-named-pdf", "exe-named-png"],
)
def test_file_that_is_not_a_pdf_jpeg_or_png_is_refused_whatever_its_name(private_storage, content, name):
    error = refused(samples.upload(content, name), private_storage)
    assert error.code == "not_allowed_type"
    assert error.messages == ["This file is not a PDF, JPEG or PNG."]


def test_empty_file_is_refused(private_storage):
    assert refused(samples.upload(b"", "consent.pdf"), private_storage).messages == ["This file is empty."]


def test_png_named_jpg_is_stored_as_the_png_it_is(private_storage):
    specimen = store_upload(samples.upload(samples.png(), "photo.jpg"))
    assert specimen.kind == FileKind.PNG and specimen.content_type == "image/png"
    assert specimen.file.name.endswith(".png") and specimen.download_name == "photo.png"


def test_a_huge_multipart_upload_never_puts_more_than_the_limit_on_disk(settings, private_storage):
    """Django's own parser with the project's handlers, on a 40 MB body as a client would send it."""
    settings.UPLOAD_MAX_BYTES = 1 * MB
    boundary = "----portal-test-boundary"
    payload = b"%PDF-1.7\n" + b"0" * (40 * MB)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = RequestFactory().post("/", data=body, content_type=f"multipart/form-data; boundary={boundary}")

    upload = request.FILES["evidence"]

    assert upload.size == len(payload)  # what was sent, so the refusal can say how big it was
    assert os.path.getsize(upload.temporary_file_path()) == 1 * MB + 1  # what was kept
    error = refused(upload, private_storage)
    assert error.code == "too_large" and "the limit is 1.0\xa0MB" in error.messages[0]
