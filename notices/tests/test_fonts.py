"""PDF notices use only the fonts shipped in notices/fonts/, and those fonts cover every tagline and any Latin name.

No database: these tests read files and render one PDF with WeasyPrint.
"""

import csv
import html
import io
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from weasyprint import HTML

from notices.fonts import FONT_DIR, FONT_FAMILIES, FONT_FAMILY, FONT_FILES, TAGLINES_CSV, font_face_css, taglines

PHONE = "1-855-366-7873"
EXPECTED_CODES = ["am", "ar", "my", "zh-Hant", "fr", "hmn", "ksw", "km", "ko", "lo", "om", "ru", "so", "es", "vi"]
# Names and addresses a notice may have to print, in the scripts the Latin family promises to cover.
SAMPLE = (
    "José Núñez Ibáñez, 1234 Main St. #5, Saint Paul, MN 55101-2345; ¿Dónde? ¡Aquí! "
    "Nguyễn Thị Hồng Nhung, Trần Văn Đức, Phạm Quỳnh Hương; "
    "Иванов Пётр Сергеевич, ул. Ленина, д. 7; Ελένη Παπαδοπούλου; "
    "François Lefèvre, Zoë Brontë, Łukasz Wójcik, Dvořák, Ørsted, Müller-Straße; "
    "“quotes” ‘single’ – — … € $ ¢ £ ¥ № ™ © ® ° ½ § ¶ @ % & * + = < > [ ] { } | ~ ^ `"
)
SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


def shipped_cmap() -> set[int]:
    covered: set[int] = set()
    for _family, filename, _weight in FONT_FILES:
        covered |= set(TTFont(FONT_DIR / filename)["cmap"].getBestCmap())
    return covered


def test_taglines_file_is_complete():
    text = TAGLINES_CSV.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("45 CFR 155.205(c)" in line for line in comments)
    assert any("Department of Human Services" in line for line in comments)
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert [row["code"] for row in rows] == EXPECTED_CODES
    loaded = taglines()
    assert [tagline.code for tagline in loaded] == EXPECTED_CODES
    for tagline in loaded:
        assert tagline.direction == ("rtl" if tagline.code == "ar" else "ltr"), tagline.code
        assert PHONE in tagline.text and "711" in tagline.text, tagline.code
        assert tagline.english_name and tagline.autonym, tagline.code


def test_shipped_files_match_the_font_list():
    on_disk = {path.name for path in FONT_DIR.iterdir() if path.suffix in (".ttf", ".otf")}
    assert on_disk == {filename for _family, filename, _weight in FONT_FILES}
    for family, filename, _weight in FONT_FILES:
        names = TTFont(FONT_DIR / filename)["name"]
        assert names.getDebugName(1) == family, filename
        assert "noto" not in names.getDebugName(6).lower(), filename
    assert (FONT_DIR / "OFL.txt").is_file()
    assert (FONT_DIR / "SOURCES.md").is_file()


def test_font_face_css_points_at_the_shipped_files():
    css = font_face_css()
    urls = re.findall(r'url\("([^"]+)"\)', css)
    assert len(urls) == len(FONT_FILES)
    for url in urls:
        assert url.startswith("file:///")
        assert Path(unquote(urlparse(url).path)).is_file(), url
    assert FONT_FAMILY.startswith('"Notice Sans", ') and FONT_FAMILY.endswith(", sans-serif")


def test_every_tagline_and_latin_sample_character_has_a_glyph():
    covered = shipped_cmap()
    wanted = {char for tagline in taglines() for char in tagline.text + tagline.autonym + tagline.english_name}
    wanted |= {char for char in SAMPLE if char.isprintable()}
    missing = sorted(f"U+{ord(char):04X} {char}" for char in wanted if ord(char) not in covered)
    assert not missing, missing


def test_font_folder_stays_small():
    total = sum(path.stat().st_size for path in FONT_DIR.rglob("*") if path.is_file())
    assert total < 3_000_000, total


def taglines_page() -> str:
    items = "".join(
        f"<section><h2><strong>{html.escape(tagline.english_name)}</strong> · "
        f'<strong lang="{tagline.code}">{html.escape(tagline.autonym)}</strong></h2>'
        f'<p lang="{tagline.code}" dir="{tagline.direction}">{html.escape(tagline.text)}</p></section>'
        for tagline in taglines()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Language help</title><style>'
        f"{font_face_css()} body {{ font-family: {FONT_FAMILY}; font-size: 10pt }}"
        "</style></head><body><h1>Language help</h1>"
        f"{items}<p>{html.escape(SAMPLE)}</p></body></html>"
    )


@pytest.fixture(scope="module")
def rendered() -> PdfReader:
    pdf = HTML(string=taglines_page()).write_pdf(pdf_variant="pdf/ua-1")
    return PdfReader(io.BytesIO(pdf))


def embedded_fonts(reader: PdfReader) -> list[dict]:
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                fonts[descendant["/BaseFont"]] = descendant
    return list(fonts.values())


def test_pdf_embeds_only_shipped_fonts(rendered):
    fonts = embedded_fonts(rendered)
    allowed = {family.replace(" ", "-") for family in FONT_FAMILIES}
    used = set()
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        base = SUBSET_TAG.sub("", str(font["/BaseFont"]).lstrip("/"))
        family = str(descriptor["/FontFamily"])
        assert family in FONT_FAMILIES, (base, family)
        assert base == family.replace(" ", "-") or base.removeprefix(family.replace(" ", "-") + "-") == "Bold", base
        program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        assert program is not None, f"{base} is not embedded"
        embedded = TTFont(io.BytesIO(program.get_object().get_data()))
        if "name" in embedded and embedded["name"].getDebugName(1):
            assert embedded["name"].getDebugName(1) in FONT_FAMILIES, (base, embedded["name"].getDebugName(1))
        used.add(family.replace(" ", "-"))
    # Every script family did its share: nothing fell through to another font for a script.
    assert used == allowed


def test_pdf_text_has_every_tagline(rendered):
    text = "\n".join(page.extract_text() for page in rendered.pages)
    position = 0
    starts = []
    for tagline in taglines():
        position = text.index(tagline.english_name, position)
        starts.append(position)
    for index, tagline in enumerate(taglines()):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        assert PHONE in text[starts[index] : end], tagline.english_name
