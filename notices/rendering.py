"""A notice as HTML (the page the recipient reads) and as a PDF (WeasyPrint, PDF/UA-1, the fonts shipped in
notices/fonts/). Both come from the same templates and the notice's snapshot, so they say the same thing,
and rendering the same notice again gives the same PDF byte for byte.

Which language: the body is in the recipient's language when the portal has it (English, Spanish); for any
other language it is in English, followed by a Spanish copy; every PDF ends with the taglines page (45 CFR
155.205(c)). WeasyPrint reads nothing but the shipped font files: any other URL a template might contain is
refused, so a notice can never make the renderer fetch from the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import kinds
from .emails import body_language
from .fonts import FONT_DIR, FONT_FAMILY, FONT_FILES, font_face_css, taglines
from .models import Notice

STYLESHEET = Path(__file__).parent / "pdf.css"

# Importing WeasyPrint tells Pillow, for the whole process, to accept truncated images and fill them with
# grey. Notices embed no images, and the upload sanitizer must refuse a truncated one: switch it back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False


def shipped_font_urls() -> frozenset[str]:
    """The exact URLs of the shipped font files, as `font_face_css` writes them."""
    return frozenset((FONT_DIR / filename).as_uri() for _family, filename, _weight in FONT_FILES)


class ShippedFilesOnly(URLFetcher):
    """Fetch only the shipped font files, by their exact URLs; anything else (http, data, another file, the same
    file spelled differently: `..`, percent-encoding, a host name) stops the rendering."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.allowed = shipped_font_urls()

    def fetch(self, url, headers=None):
        if url not in self.allowed:
            raise ValueError(f"A notice may only use the shipped fonts, not {url!r}.")
        return super().fetch(url, headers)


@lru_cache(maxsize=1)
def _renderer() -> tuple[FontConfiguration, CSS]:
    """One font configuration and stylesheet per process: loading the fonts is most of a first rendering."""
    fonts = FontConfiguration()
    css = font_face_css() + STYLESHEET.read_text().replace("NOTICE_FONT_FAMILY", FONT_FAMILY)
    return fonts, CSS(string=css, font_config=fonts, url_fetcher=ShippedFilesOnly())


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(value):
    """An ISO date string as a date; anything else (and a string that only looks like one, such as a staff
    reason "2026-02-30") as it is."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _dates(body: dict) -> dict:
    """The snapshot keeps dates as ISO strings (JSON); the templates format them as dates."""
    return {key: _as_date(value) for key, value in body.items()}


def letter_context(notice: Notice) -> dict:
    spec = kinds.for_notice(notice.kind)
    due = notice.data.get("due")
    return {
        "notice": notice,
        "kind": spec,
        "title": spec.title,
        "recipient": notice.data.get("recipient", {}),
        "helpers": notice.data.get("helpers", []),
        "body": _dates(notice.data.get("body", {})),
        "due": date.fromisoformat(due) if due else None,
        "dated": timezone.localdate(notice.created_at),
        "exchange": settings.NOTICE_SENDER,
        "body_template": spec.body_template,
    }


def letter_html(notice: Notice, language: str | None = None) -> SafeString:
    """The letter (letterhead to appeal rights) in `language` (default: the body language for the recipient)."""
    with translation.override(language or body_language(notice.language)):
        return mark_safe(render_to_string("notices/parts/letter.html", letter_context(notice)))


def document_html(notice: Notice) -> str:
    """The whole PDF's HTML: the letter, a Spanish copy where the body is in English for someone who reads
    another language, and the taglines page."""
    language = body_language(notice.language)
    copies = [(language, letter_html(notice, language))]
    if language == "en" and notice.language.split("-")[0].lower() != "en":
        copies.append(("es", letter_html(notice, "es")))
    with translation.override(language):
        return render_to_string(
            "notices/pdf/document.html",
            {
                "notice": notice,
                "title": kinds.for_notice(notice.kind).title,
                "language": language,
                "copies": copies,
                "taglines": taglines(),
                "exchange": settings.NOTICE_SENDER,
            },
        )


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def render_pdf(notice: Notice) -> Rendered:
    """The notice's PDF and its page count."""
    fonts, stylesheet = _renderer()
    document = HTML(string=document_html(notice), base_url=str(FONT_DIR), url_fetcher=ShippedFilesOnly()).render(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1"
    )
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=notice.public_id.hex.encode())
    return Rendered(pdf=pdf, pages=len(document.pages))
