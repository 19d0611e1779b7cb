"""Staff see a document as pictures made from the cleaned file (issue 14): never the raw upload, never the PDF itself
in the browser. A PDF page is rasterized by PDFium (pypdfium2, without forms: the rewritten file has none anyway); an
image is decoded and encoded again as PNG at review size. Pillow's decompression-bomb limit and the pipeline's page and
pixel limits bound the work."""

from __future__ import annotations

import io

import pypdfium2
from django.conf import settings
from PIL import Image

from assister_portal.lib.uploads import FileKind

from .models import Document

WIDTH = 1100  # pixels: readable on a review screen beside the attested facts


class NoPreview(Exception):
    """The page does not exist, or the file cannot be drawn."""


def page_count(document: Document) -> int:
    if document.kind == FileKind.PDF:
        return min(document.page_count or 1, settings.UPLOAD_MAX_PAGES)  # every page the pipeline let in
    return 1


def render_page(document: Document, number: int) -> bytes:
    """Page `number` (1-based) of the document's cleaned file, as PNG bytes."""
    if not 1 <= number <= page_count(document):
        raise NoPreview(f"No page {number}.")
    with document.file.open("rb") as stream:
        data = stream.read()
    try:
        if document.kind == FileKind.PDF:
            image = _pdf_page(data, number)
        else:
            image = Image.open(io.BytesIO(data))
            image.load()
            if image.width > WIDTH:
                image.thumbnail((WIDTH, WIDTH * 10))
    except (pypdfium2.PdfiumError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NoPreview(str(exc)) from exc
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=False)
    return out.getvalue()


def _pdf_page(data: bytes, number: int) -> Image.Image:
    pdf = pypdfium2.PdfDocument(data)
    try:
        page = pdf[number - 1]
        width = page.get_width() or 612
        bitmap = page.render(scale=min(WIDTH / width, 3), may_draw_forms=False)
        image = bitmap.to_pil()
        page.close()
        return image
    finally:
        pdf.close()
