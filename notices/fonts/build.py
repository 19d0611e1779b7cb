"""Rebuild everything in notices/fonts/ from the Noto fonts Debian installs and notices/data/taglines.csv.

    .venv/bin/python notices/fonts/build.py

It writes the subset fonts, OFL.txt and SOURCES.md next to this script. It needs the Debian packages
fonts-noto-core and fonts-noto-cjk and fontTools (in the project's virtualenv). It is a build tool:
the portal never imports it, it only reads what it wrote.

The script subsets fonts (the Latin family keeps whole Unicode blocks; every other script keeps exactly the
characters the taglines use, plus space, digits and basic punctuation) and renames every family from "Noto ..."
to "Notice ...": see SOURCES.md for why. It refuses to write anything if a tagline character would be left
without a glyph.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
TAGLINES_CSV = HERE.parent / "data" / "taglines.csv"
CORE_DIR = Path("/usr/share/fonts/truetype/noto")
CJK_DIR = Path("/usr/share/fonts/opentype/noto")
LICENSE_PACKAGE = "fonts-noto-cjk"  # its copyright file has the OFL in the license's own line layout
OTHER_LICENSE_PACKAGE = "fonts-noto-core"  # same license, reflowed one phrase a line; checked to be word-identical

# Unicode blocks, as (first, last) code points.
LATIN_BLOCKS = {
    "Basic Latin (printable)": (0x0020, 0x007E),
    "Latin-1 Supplement (printable)": (0x00A0, 0x00FF),
    "Latin Extended-A": (0x0100, 0x017F),
    "Latin Extended-B": (0x0180, 0x024F),
    "Spacing Modifier Letters": (0x02B0, 0x02FF),
    "Combining Diacritical Marks": (0x0300, 0x036F),
    "Greek and Coptic": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "Cyrillic Supplement": (0x0500, 0x052F),
    "Latin Extended Additional (Vietnamese)": (0x1E00, 0x1EFF),
    "General Punctuation": (0x2000, 0x206F),
    "Currency Symbols": (0x20A0, 0x20CF),
    "Letterlike Symbols": (0x2100, 0x214F),
}
ETHIOPIC = ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F))
ARABIC = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
MYANMAR = ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F))
KHMER = ((0x1780, 0x17FF), (0x19E0, 0x19FF))
LAO = ((0x0E80, 0x0EFF),)
HAN = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),  # full-width forms
)
HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))

# Added to every script font (when the original has them): what any line of text needs around its words.
# Zero-width (non-)joiners matter to shaping in Arabic and the Brahmic scripts; the direction marks to bidi.
COMMON = " \u00a00123456789.,:;!?'\"()-/\u200c\u200d\u200e\u200f"

RESERVED_NAME_IDS = (1, 2, 3, 4, 6, 16, 17, 18, 21, 22, 25)


@dataclass(frozen=True)
class Spec:
    filename: str
    source: Path
    source_family: str  # name ID 1 of the original face (picks the face out of a .ttc)
    family: str  # the shipped family name
    style: str
    weight: int
    script: str
    blocks: tuple[tuple[int, int], ...]
    whole_blocks: bool = False  # keep every character of the blocks, not only the taglines'


SPECS = (
    Spec(
        "NoticeSans-Regular.ttf",
        CORE_DIR / "NotoSans-Regular.ttf",
        "Noto Sans",
        "Notice Sans",
        "Regular",
        400,
        "Latin, Greek, Cyrillic",
        tuple(LATIN_BLOCKS.values()),
        whole_blocks=True,
    ),
    Spec(
        "NoticeSans-Bold.ttf",
        CORE_DIR / "NotoSans-Bold.ttf",
        "Noto Sans",
        "Notice Sans",
        "Bold",
        700,
        "Latin, Greek, Cyrillic",
        tuple(LATIN_BLOCKS.values()),
        whole_blocks=True,
    ),
    Spec(
        "NoticeSansEthiopic-Regular.ttf",
        CORE_DIR / "NotoSansEthiopic-Regular.ttf",
        "Noto Sans Ethiopic",
        "Notice Sans Ethiopic",
        "Regular",
        400,
        "Ethiopic (Amharic)",
        ETHIOPIC,
    ),
    Spec(
        "NoticeSansArabic-Regular.ttf",
        CORE_DIR / "NotoSansArabic-Regular.ttf",
        "Noto Sans Arabic",
        "Notice Sans Arabic",
        "Regular",
        400,
        "Arabic",
        ARABIC,
    ),
    Spec(
        "NoticeSansMyanmar-Regular.ttf",
        CORE_DIR / "NotoSansMyanmar-Regular.ttf",
        "Noto Sans Myanmar",
        "Notice Sans Myanmar",
        "Regular",
        400,
        "Myanmar (Burmese, S'gaw Karen)",
        MYANMAR,
    ),
    Spec(
        "NoticeSansKhmer-Regular.ttf",
        CORE_DIR / "NotoSansKhmer-Regular.ttf",
        "Noto Sans Khmer",
        "Notice Sans Khmer",
        "Regular",
        400,
        "Khmer",
        KHMER,
    ),
    Spec(
        "NoticeSansLao-Regular.ttf",
        CORE_DIR / "NotoSansLao-Regular.ttf",
        "Noto Sans Lao",
        "Notice Sans Lao",
        "Regular",
        400,
        "Lao",
        LAO,
    ),
    Spec(
        "NoticeSansTC-Regular.otf",
        CJK_DIR / "NotoSansCJK-Regular.ttc",
        "Noto Sans CJK TC",
        "Notice Sans TC",
        "Regular",
        400,
        "Han, Traditional Chinese forms",
        HAN,
    ),
    Spec(
        "NoticeSansKR-Regular.otf",
        CJK_DIR / "NotoSansCJK-Regular.ttc",
        "Noto Sans CJK KR",
        "Notice Sans KR",
        "Regular",
        400,
        "Hangul (Korean)",
        HANGUL,
    ),
)


def read_taglines() -> list[dict[str, str]]:
    with TAGLINES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def in_blocks(char: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    return any(first <= ord(char) <= last for first, last in blocks)


def dpkg(*args: str) -> str:
    dpkg_query = shutil.which("dpkg-query")
    if dpkg_query is None:
        sys.exit("dpkg-query not found: this script builds from Debian's font packages")
    result = subprocess.run([dpkg_query, *args], check=True, capture_output=True, text=True)  # noqa: S603 (fixed arguments)
    return result.stdout.strip()


def package_of(path: Path) -> tuple[str, str]:
    package = dpkg("-S", str(path)).split(":", 1)[0]
    return package, dpkg("-W", "-f=${Version}", package)


def open_face(spec: Spec) -> TTFont:
    if spec.source.suffix == ".ttc":
        collection = TTCollection(spec.source, recalcTimestamp=False)
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == spec.source_family:
                return TTFont(spec.source, fontNumber=index, recalcTimestamp=False)
        sys.exit(f"{spec.source} has no face named {spec.source_family!r}")
    font = TTFont(spec.source, recalcTimestamp=False)
    if font["name"].getDebugName(1) != spec.source_family:
        sys.exit(f"{spec.source} is not {spec.source_family!r}")
    return font


def subset_options() -> subset.Options:
    options = subset.Options()
    options.layout_features = ["*"]  # every OpenType feature: shaping (init/medi/fina, pres/abvs/blws, ...) needs them
    options.layout_scripts = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # PDFs are vector output; hinting only made the files (and every PDF) bigger
    return options


def version_of(font: TTFont) -> str:
    match = re.search(r"\d+\.\d+", font["name"].getDebugName(5) or "")
    return match.group(0) if match else f"{font['head'].fontRevision:.3f}"


def rename(font: TTFont, spec: Spec, version: str, description: str) -> None:
    """Give the subset its own family name everywhere a font's primary name is stored."""
    postscript = f"{spec.family.replace(' ', '')}-{spec.style}"
    full = f"{spec.family} {spec.style}"
    table = font["name"]
    for name_id in (*RESERVED_NAME_IDS, 10):
        table.removeNames(nameID=name_id)
    for name_id, value in (
        (1, spec.family),
        (2, spec.style),
        (3, f"{version};MNsure notices subset;{postscript}"),
        (4, full),
        (6, postscript),
        (10, description),
    ):
        table.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        old = cff.fontNames[0]
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName = full
        top.FamilyName = spec.family
        for font_dict in getattr(top, "FDArray", []):
            if getattr(font_dict, "FontName", None):
                font_dict.FontName = font_dict.FontName.replace(old, postscript)


def check_names(font: TTFont, filename: str) -> None:
    for record in font["name"].names:
        if record.nameID in RESERVED_NAME_IDS and "noto" in record.toUnicode().lower():
            sys.exit(f"{filename}: name ID {record.nameID} still says {record.toUnicode()!r}")
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        names = [*cff.fontNames, top.FullName, top.FamilyName]
        names += [fd.FontName for fd in getattr(top, "FDArray", []) if getattr(fd, "FontName", None)]
        if any("noto" in str(name).lower() for name in names):
            sys.exit(f"{filename}: the CFF table still carries a Noto name: {names}")


def read_license(package: str) -> tuple[str, str]:
    """The OFL text from a Debian machine-readable copyright file: (license short name, text)."""
    lines = Path(f"/usr/share/doc/{package}/copyright").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        short_name = line.removeprefix("License:").strip()
        if line.startswith("License:") and short_name in ("OFL-1.1", "SIL-1.1"):
            body = []
            for continuation in lines[index + 1 :]:
                if not continuation.startswith(" "):
                    break
                text = continuation[1:]
                body.append("" if text == "." else text)
            if body:
                return short_name, "\n".join(body).strip() + "\n"
    sys.exit(f"no OFL-1.1 license text in /usr/share/doc/{package}/copyright")


def words_after_preamble(text: str) -> list[str]:
    return text[text.index("PREAMBLE") :].split()


def build() -> None:
    rows = read_taglines()
    tagline_chars = sorted({char for row in rows for char in row["text"] + row["autonym"]})
    shipped: dict[str, set[int]] = {}
    built: list[tuple[Spec, bytes, dict[str, object]]] = []
    for spec in SPECS:
        original = open_face(spec)
        version = version_of(original)
        package, package_version = package_of(spec.source)
        available = set(original.getBestCmap())
        if spec.whole_blocks:
            wanted = {code for first, last in spec.blocks for code in range(first, last + 1)}
            script_chars = ""
        else:
            script_chars = "".join(char for char in tagline_chars if in_blocks(char, spec.blocks))
            missing = [f"U+{ord(char):04X}" for char in script_chars if ord(char) not in available]
            if missing:
                sys.exit(f"{spec.source.name} lacks tagline characters {missing}")
            wanted = {ord(char) for char in script_chars + COMMON}
        unicodes = sorted(wanted & available)
        font = open_face(spec)
        subsetter = subset.Subsetter(subset_options())
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        description = (
            f"Subset of {spec.source_family} {spec.style} {version} "
            f"(Debian {package} {package_version}), renamed {spec.family} for MNsure notices. See SOURCES.md."
        )
        rename(font, spec, version, description)
        check_names(font, spec.filename)
        buffer = io.BytesIO()
        font.save(buffer)
        shipped[spec.filename] = set(TTFont(io.BytesIO(buffer.getvalue()))["cmap"].getBestCmap())
        copyright_notice = original["name"].getDebugName(0)
        trademark = original["name"].getDebugName(7)
        built.append(
            (
                spec,
                buffer.getvalue(),
                {
                    "package": package,
                    "package_version": package_version,
                    "version": version,
                    "script_chars": script_chars,
                    "codepoints": len(shipped[spec.filename]),
                    "glyphs": len(font.getGlyphOrder()),
                    "copyright": copyright_notice,
                    "trademark": trademark,
                },
            )
        )

    covered = set().union(*shipped.values())
    uncovered = [f"U+{ord(char):04X} {char}" for char in tagline_chars if ord(char) not in covered]
    if uncovered:
        sys.exit(f"tagline characters without a glyph in any shipped font: {uncovered}")

    short_name, license_text = read_license(LICENSE_PACKAGE)
    _, other_text = read_license(OTHER_LICENSE_PACKAGE)
    if words_after_preamble(license_text) != words_after_preamble(other_text):
        sys.exit(f"{LICENSE_PACKAGE} and {OTHER_LICENSE_PACKAGE} ship different OFL texts; check them by hand")

    for stale in HERE.iterdir():
        if stale.suffix in (".ttf", ".otf") and stale.name not in {spec.filename for spec in SPECS}:
            stale.unlink()
    for spec, data, _info in built:
        (HERE / spec.filename).write_bytes(data)
    (HERE / "OFL.txt").write_text(ofl_text(built, license_text), encoding="utf-8")
    (HERE / "SOURCES.md").write_text(sources_text(built, short_name), encoding="utf-8")
    total = sum(path.stat().st_size for path in HERE.iterdir() if path.is_file())
    for spec, data, info in built:
        print(f"{spec.filename:34} {len(data):>9,} bytes  {info['glyphs']:>5} glyphs  {spec.family} {spec.style}")
    print(f"{'folder total':34} {total:>9,} bytes")


def ofl_text(built: list[tuple[Spec, bytes, dict[str, object]]], license_text: str) -> str:
    notices: list[str] = []
    for _spec, _data, info in built:
        for line in (info["copyright"], info["trademark"]):
            if line and line not in notices:
                notices.append(str(line))
    header = [
        "The fonts in this folder are modified versions (subsets, renamed) of the Noto fonts.",
        "Copyright notices of the original fonts, as stored in their name tables:",
        "",
        *(f"  {line}" for line in notices),
        "",
        "They are licensed under the SIL Open Font License, Version 1.1, reproduced below as Debian ships it",
        f"in /usr/share/doc/{LICENSE_PACKAGE}/copyright (the same text is in /usr/share/doc/{OTHER_LICENSE_PACKAGE}/copyright).",
        "This license is also available with a FAQ at: https://openfontlicense.org",
        "",
    ]
    return "\n".join(header) + "\n" + license_text


def describe_blocks() -> str:
    return ", ".join(f"{name} U+{first:04X}–U+{last:04X}" for name, (first, last) in LATIN_BLOCKS.items())


def sources_text(built: list[tuple[Spec, bytes, dict[str, object]]], short_name: str) -> str:
    packages = sorted({(str(info["package"]), str(info["package_version"])) for _s, _d, info in built})
    lines = [
        "# Fonts for PDF notices",
        "",
        "Generated by `build.py` (run `.venv/bin/python notices/fonts/build.py` from the project root); do not edit by hand.",
        "The PDF notices embed only these files (see `notices/fonts.py`), never the fonts of the machine that renders them.",
        "",
        "Built from the Debian packages: " + ", ".join(f"`{name}` {version}" for name, version in packages) + ".",
        "",
        "## License and names",
        "",
        f"All files are modified versions of the Noto fonts, under the SIL Open Font License 1.1 (`OFL.txt`, taken from the Debian copyright file, where it is called `{short_name}`).",
        "",
        "Reserved Font Name: neither Debian copyright file (`/usr/share/doc/fonts-noto-core/copyright`, `/usr/share/doc/fonts-noto-cjk/copyright`)",
        "nor the fonts' own copyright strings declare a Reserved Font Name, so OFL condition 3 would not forbid keeping the name.",
        "The subsets are renamed anyway, from “Noto …” to “Notice …”, in every primary name (name IDs 1–4 and 6, and the CFF names of the CJK faces):",
        "“Noto” is a trademark of Google (name ID 7, kept as a notice); the CJK faces are Adobe's Source Han design, and Adobe's own release",
        "of it reserves “Source” (nothing on this machine says whether that carries over to Noto CJK; the new names use neither word); and a",
        "distinct name means a renderer can never confuse these subsets with a full Noto font installed on the machine: the tests rely on",
        "that to prove that no system font is used. Copyright, trademark, designer and license name records are kept; name ID 10 says what",
        "the file is a subset of.",
        "",
        "## What was kept",
        "",
        "All OpenType layout features and scripts (fontTools.subset with layout features `*`), so Arabic joining, Myanmar, Khmer and Lao",
        "reordering and mark positioning work; the glyphs those features reach are kept with the characters. Hinting instructions were dropped",
        "(PDF output is vector; they only made each embedded font bigger).",
        "",
        f"Latin family: {describe_blocks()}: every character of these blocks that the original has.",
        "",
        "Other scripts: exactly the characters that `notices/data/taglines.csv` uses in that script (texts and autonyms), plus",
        "space, no-break space, digits, basic punctuation and the zero-width (non-)joiners where the original has them.",
        "Any other character of those scripts has no glyph: add the text to `taglines.csv` (or widen the blocks here) and rebuild.",
        "",
        "## Files",
        "",
    ]
    for spec, data, info in built:
        lines += [
            f"### {spec.filename}",
            "",
            f"- Family: **{spec.family}**, {spec.style} (weight {spec.weight}); script: {spec.script}.",
            f"- Built from: {spec.source_family} {spec.style}, version {info['version']}, `{spec.source}`"
            + (
                f" (the {spec.source_family.split()[-1]} face of the collection)"
                if spec.source.suffix == ".ttc"
                else ""
            )
            + ".",
            f"- Debian package: `{info['package']}` {info['package_version']}.",
            f"- Copyright: {info['copyright']} {info['trademark'] or ''}".rstrip(),
        ]
        if spec.whole_blocks:
            lines.append("- Kept: the Latin, Greek and Cyrillic blocks listed above.")
        else:
            chars = str(info["script_chars"])
            lines.append(f"- Kept: {len(chars)} tagline characters ({chars}) plus the common characters above.")
        lines += [f"- Size: {len(data):,} bytes; {info['codepoints']} characters, {info['glyphs']} glyphs.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    build()
