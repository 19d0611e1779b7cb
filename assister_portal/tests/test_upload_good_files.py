"""Ordinary PDFs, phone photos and scans are accepted, rebuilt, and stripped of what they say about their sender."""

import hashlib
import io

import pikepdf
import pytest
from PIL import Image

from assister_portal.lib.uploads import FileKind, ScanStatus

from . import samples
from .uploading import store_upload, stored_files

pytestmark = pytest.mark.django_db


def test_phone_photo_is_accepted_upright_with_gps_and_every_other_metadata_gone(private_storage):
    photo = samples.phone_photo(120, 80)
    assert b"Exif" in photo and b"PhoneMaker" in photo and b"Jane's ID card" in photo

    specimen = store_upload(samples.upload(photo, "IMG_2041.JPG"))

    stored = specimen.file.read()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored and b"Jane's ID card" not in stored
    assert b"ICC_PROFILE" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}  # GPS
        assert "icc_profile" not in image.info and "comment" not in image.info and "exif" not in image.info
        # Orientation 6 applied: 120 × 80 sideways pixels are now an 80 × 120 picture, black band on top.
        assert image.size == (80, 120)
        assert image.convert("L").getpixel((40, 5)) < 60 and image.convert("L").getpixel((40, 115)) > 200
    assert (specimen.kind, specimen.content_type, specimen.width, specimen.height) == (
        FileKind.JPEG,
        "image/jpeg",
        80,
        120,
    )
    assert specimen.page_count is None


def test_png_is_accepted_with_text_icc_and_exif_chunks_gone(private_storage):
    scan = samples.png_with_metadata(64, 48)
    assert {b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf"} <= set(samples.png_chunks(scan))

    specimen = store_upload(samples.upload(scan, "card.png"))

    stored = specimen.file.read()
    assert samples.png_chunks(stored) == [b"IHDR", b"IDAT", b"IEND"]
    assert b"Jane" not in stored
    with Image.open(io.BytesIO(stored)) as image, Image.open(io.BytesIO(scan)) as original:
        assert image.size == (64, 48)
        assert image.convert("RGB").tobytes() == original.convert("RGB").tobytes()  # same pixels


def test_pdf_is_accepted_with_its_pages_and_without_its_metadata(private_storage):
    original = samples.plain_pdf(pages=3)
    assert b"Jane Q. Client" in original

    specimen = store_upload(samples.upload(original, "Signed consent (scan).pdf"))

    stored = specimen.file.read()
    assert b"Jane Q. Client" not in stored and b"Scanner Suite" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf, pikepdf.open(io.BytesIO(original)) as before:
        assert len(pdf.pages) == 3
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert pdf.pages[0].Contents.read_bytes() == before.pages[0].Contents.read_bytes()
    assert specimen.kind == FileKind.PDF and specimen.page_count == 3
    assert specimen.width is None and specimen.height is None


def test_stored_file_is_the_sanitized_one_recorded_exactly(private_storage):
    specimen = store_upload(samples.upload(samples.jpeg(), "../../etc/passwd.jpg"), note="front of ID")

    [path] = stored_files(private_storage)
    stored = path.read_bytes()
    assert path.relative_to(private_storage).parts[:2] == ("uploads_tests", "specimen")
    assert path.name == specimen.file.name.rsplit("/", 1)[1] and len(path.stem) == 32  # random hex, no user text
    assert path.stat().st_mode & 0o777 == 0o600
    assert specimen.size == len(stored) and specimen.sha256 == hashlib.sha256(stored).hexdigest()
    assert specimen.original_name == "passwd.jpg" and specimen.download_name == "passwd.jpg"
    assert specimen.scan_status == ScanStatus.QUARANTINED and specimen.scanned_at is None
    assert specimen.note == "front of ID"
