"""JPEG and PNG: size from the header, a full decode, and a fresh encode without metadata.

The pixel limit is checked on the dimensions the header declares, before a single pixel
is decoded; Pillow's own decompression-bomb check (Image.MAX_IMAGE_PIXELS) stays on for
the decode. The new file carries pixels only: no EXIF (GPS, camera, dates), no ICC
profile, no XMP, no comments or text chunks. The EXIF orientation is applied first, so a
phone photo still shows the right way up.
"""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, JpegImagePlugin, PngImagePlugin

from .base import FileKind, refuse

JPEG_QUALITY = 90
# Modes written as they are; anything else (CMYK, YCbCr, LAB…) becomes RGB for JPEG.
_JPEG_MODES = {"L", "RGB"}
# The one piece of PNG ancillary data that is part of the picture: which colour is transparent.
_PNG_KEPT_INFO = {"transparency"}
_HEADER_READERS = {FileKind.JPEG: JpegImagePlugin.JpegImageFile, FileKind.PNG: PngImagePlugin.PngImageFile}
_PILLOW_FORMATS = {FileKind.JPEG: "JPEG", FileKind.PNG: "PNG"}


def _damaged():
    return refuse(
        _(
            "This image is damaged or incomplete, so it cannot be opened. Please upload it again, or take a new picture."
        ),
        "damaged_image",
    )


def header_size(data: bytes, kind: FileKind) -> tuple[int, int]:
    """The width and height the file's header declares, without decoding any pixels.

    The format's reader is used directly because Image.open would run Pillow's bomb
    check first and refuse a huge image without telling us its dimensions.
    """
    try:
        with _HEADER_READERS[kind](io.BytesIO(data)) as header:
            width, height = header.size
    except MemoryError:
        raise
    except Exception as exc:  # a hostile header can make any reader fail in its own way
        raise _damaged() from exc
    if width <= 0 or height <= 0:
        raise _damaged()
    return width, height


def reencode(data: bytes, kind: FileKind) -> tuple[bytes, int, int]:
    """The image decoded in full and encoded again as the same kind; returns (bytes, width, height)."""
    width, height = header_size(data, kind)
    limit = settings.UPLOAD_MAX_PIXELS
    if width * height > limit:
        raise refuse(
            _("This image is %(width)s × %(height)s pixels; the limit is %(limit)s million pixels."),
            "too_many_pixels",
            width=width,
            height=height,
            limit=f"{limit / 1_000_000:g}",
        )
    # Pillow's switch for filling a truncated image with grey is process-wide, and importing WeasyPrint
    # turns it on (weasyprint/images.py). An upload must decode in full or be refused, whatever another
    # library chose: switch it off here, at the one place that decides.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as image:
            image.load()  # every pixel: a truncated or corrupt file fails here
            upright = ImageOps.exif_transpose(image)
    except MemoryError:
        raise
    except Exception as exc:  # OSError (truncated), SyntaxError, ValueError, DecompressionBombError…
        raise _damaged() from exc

    if kind == FileKind.JPEG and upright.mode not in _JPEG_MODES:
        upright = upright.convert("RGB")
    # Pillow writes some of `info` (comments, ICC profile, EXIF, XMP, dpi) by default: keep none of it.
    upright.info = {key: value for key, value in upright.info.items() if kind == FileKind.PNG and key in _PNG_KEPT_INFO}
    out = io.BytesIO()
    if kind == FileKind.JPEG:
        upright.save(out, format="JPEG", quality=JPEG_QUALITY)
    else:
        upright.save(out, format="PNG")
    return out.getvalue(), upright.width, upright.height
