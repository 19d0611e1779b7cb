"""PDF: parse with qpdf (pikepdf), take out everything active, write a fresh file.

What is removed, wherever it appears in the document:
- JavaScript: the document's JavaScript name tree, every /JS, JavaScript actions;
- automatic actions: /OpenAction, every /AA (document, page, annotation, field);
- embedded files: the EmbeddedFiles name tree, /EF and /AF file references,
  FileAttachment annotations;
- forms: /AcroForm (and XFA inside it), Widget annotations;
- multimedia annotations (Screen, Movie, Sound, RichMedia, 3D) and any annotation
  type not on the list of plain markup below;
- actions other than GoTo, URI (http, https, mailto) and the four page-turning Named
  actions: Launch, JavaScript, SubmitForm, ImportData, ResetForm, GoToR, GoToE,
  Rendition, Hide… are cut from links, bookmarks and action chains;
- the document information dictionary and the XMP metadata (author, software).

The new file holds only the objects the cleaned document still reaches, so anything
the sender put between objects (an HTML page in a PDF/HTML polyglot, a second
document in an incremental update that nothing points to) is not carried over.
Object streams are written out, so every dictionary in the result is plain text for
the virus scanner; streams that came uncompressed are compressed (clamd inflates
them to scan); compressed streams are copied, never decoded.
"""

import io

import pikepdf
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .base import refuse

Name = pikepdf.Name

# Keys removed from every dictionary in the document.
_REMOVED_KEYS = (
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/AcroForm",
    "/XFA",
    "/EmbeddedFiles",
    "/EF",
    "/AF",
    "/RichMediaContent",
)
# Keys whose value is an action (or a list of them): kept only when every action is safe.
_ACTION_KEYS = ("/A", "/Next", "/PA")
_SAFE_ACTIONS = {"/GoTo", "/URI", "/Named"}
_SAFE_NAMED_ACTIONS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
_SAFE_URI_SCHEMES = (b"http://", b"https://", b"mailto:")
# Annotations kept: links and plain markup. Everything else (Widget, FileAttachment, Screen,
# Movie, Sound, RichMedia, 3D, and types we do not know) is removed.
_KEPT_ANNOTATIONS = {
    "/Link",
    "/Text",
    "/FreeText",
    "/Line",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Highlight",
    "/Underline",
    "/Squiggly",
    "/StrikeOut",
    "/Caret",
    "/Stamp",
    "/Ink",
    "/Popup",
    "/Redact",
}


def rewrite(data: bytes) -> tuple[bytes, int]:
    """The PDF without active content, written anew; returns (bytes, page count)."""
    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise _encrypted() from exc
    except Exception as exc:  # PdfError and anything qpdf's recovery trips on
        raise _damaged() from exc
    with document:
        if document.is_encrypted:
            raise _encrypted()
        try:
            pages = len(document.pages)
        except Exception as exc:
            raise _damaged() from exc
        if pages == 0:
            raise refuse(_("This PDF has no pages."), "empty_pdf")
        if pages > settings.UPLOAD_MAX_PAGES:
            raise refuse(
                _("This PDF has %(pages)s pages; the limit is %(limit)s."),
                "too_many_pages",
                pages=pages,
                limit=settings.UPLOAD_MAX_PAGES,
            )
        out = io.BytesIO()
        try:
            strip_active_content(document)
            # Stream data is read only now, so a stream qpdf cannot read fails here. Streams stored
            # without a filter are compressed; none that could expand (Flate, LZW, RunLength) is
            # decoded, so a 10 MB RunLength bomb is written in 0.02 s as it came (measured).
            document.save(
                out,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                deterministic_id=True,
                preserve_pdfa=False,
            )
        except Exception as exc:
            raise _damaged() from exc
    return out.getvalue(), pages


def _damaged():
    return refuse(
        _("This PDF is damaged, so it cannot be read. Please save or scan the document again and upload the new file."),
        "damaged_pdf",
    )


def _encrypted():
    return refuse(
        _("This PDF is protected by a password or encryption. Please upload a copy without a password."),
        "encrypted_pdf",
    )


def strip_active_content(document: pikepdf.Pdf) -> None:
    """Remove everything listed in the module docstring, in place."""
    trailer = document.trailer
    if "/Info" in trailer:
        del trailer["/Info"]
    root = document.Root
    if "/Metadata" in root:
        del root["/Metadata"]

    # Every object the catalog reaches, once, without recursion (bookmark chains can be long).
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(item for item in obj if _is_container(item))
            continue
        _clean_dictionary(obj)
        stack.extend(value for _key, value in obj.items() if _is_container(value))


def _is_container(obj) -> bool:
    return isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream))


def _clean_dictionary(obj) -> None:
    """Clean one dictionary (or a stream's dictionary); its children are visited by the caller."""
    for key in _REMOVED_KEYS:
        if key in obj:
            del obj[key]
    for key in _ACTION_KEYS:
        if key in obj and not _actions_are_safe(obj[key]):
            del obj[key]
    if "/Annots" in obj and isinstance(obj.Annots, pikepdf.Array):
        kept = [annot for annot in obj.Annots if _annotation_is_kept(annot)]
        if len(kept) != len(obj.Annots):
            obj.Annots = pikepdf.Array(kept)


def _annotation_is_kept(annot) -> bool:
    return isinstance(annot, pikepdf.Dictionary) and str(annot.get("/Subtype", "")) in _KEPT_ANNOTATIONS


def _actions_are_safe(value) -> bool:
    if isinstance(value, pikepdf.Array):
        return all(_actions_are_safe(item) for item in value)
    if not isinstance(value, pikepdf.Dictionary):
        return False
    if "/S" not in value:
        # Not an action (a viewer runs nothing without /S): the next bookmark under /Next, a
        # structure element's attributes under /A. The walk cleans it like any dictionary.
        return True
    kind = str(value.S)
    if kind not in _SAFE_ACTIONS:
        return False
    if kind == "/URI":
        uri = bytes(value.get("/URI", b"")).strip().lower()
        if not uri.startswith(_SAFE_URI_SCHEMES):
            return False
    # A safe action's own /Next chain is checked when the walk reaches it.
    return kind != "/Named" or str(value.get("/N", "")) in _SAFE_NAMED_ACTIONS
