"""What an uploaded file is, from its bytes (never the client's word), and a safe name for it.

Accepted: PDF, PNG, JPEG, TIFF, Word and Excel (97-2003 and OOXML), OpenDocument text and
spreadsheet: the documents, scans and photos a dossier is made of.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

from flows.errors import InvalidInput


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: its media type, a label, its extensions and other names."""

    media_type: str
    label: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    def answers_to(self, declared: str) -> bool:
        """Whether a client's declared content type names this kind of file."""
        return declared == self.media_type or declared in self.aliases


# Some systems declare any ZIP-based or OLE2 office file by its container's type.
_ZIP = ("application/zip", "application/x-zip-compressed")
_OLE = ("application/vnd.ms-office", "application/x-ole-storage")
PDF = FileType("application/pdf", "PDF", (".pdf",), ("application/x-pdf", "application/acrobat"))
PNG = FileType("image/png", "PNG image", (".png",), ("image/x-png",))
JPEG = FileType(
    "image/jpeg", "JPEG image", (".jpg", ".jpeg", ".jpe", ".jfif"), ("image/jpg", "image/pjpeg")
)
TIFF = FileType("image/tiff", "TIFF image", (".tif", ".tiff"), ("image/x-tiff",))
DOC = FileType("application/msword", "Word 97-2003 document", (".doc",), _OLE)
XLS = FileType("application/vnd.ms-excel", "Excel 97-2003 workbook", (".xls",), _OLE)
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document",
    (".docx",),
    _ZIP,
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel workbook",
    (".xlsx",),
    _ZIP,
)
ODT = FileType("application/vnd.oasis.opendocument.text", "OpenDocument text", (".odt",), _ZIP)
ODS = FileType(
    "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", (".ods",), _ZIP
)
ACCEPTED: tuple[FileType, ...] = (PDF, PNG, JPEG, TIFF, DOC, DOCX, XLS, XLSX, ODT, ODS)
ALLOWED_TYPES = [t.media_type for t in ACCEPTED]

# Declared types that say nothing about the file: the bytes decide alone.
_UNINFORMATIVE = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
# Names a browser or a desktop would open as something active (a page, a program).
_ACTIVE_EXTENSIONS = {
    ".htm", ".html", ".xhtml", ".shtml", ".svg", ".xml", ".js", ".mjs", ".hta", ".exe", ".com",
    ".bat", ".cmd", ".scr", ".msi", ".ps1", ".vbs", ".vbe", ".wsf", ".jar", ".sh", ".lnk",
    ".dll", ".cpl", ".pif", ".reg", ".docm", ".xlsm", ".dotm", ".xltm",
}  # fmt: skip
_KNOWN_EXTENSIONS = {ext: t for t in ACCEPTED for ext in t.extensions}

# OOXML main parts, as [Content_Types].xml declares them (macro-enabled ones differ).
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ODF = {ODT.media_type.encode(): ODT, ODS.media_type.encode(): ODS}
# OLE2 streams that make a compound file a Word or an Excel file.
_OLE_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SMALL_PART = 1024 * 1024  # [Content_Types].xml and mimetype are a few KB: never inflate more

MAX_NAME = 200


def _zip_type(content: bytes) -> FileType | None:
    """DOCX or XLSX by [Content_Types].xml, ODT or ODS by `mimetype`; None otherwise."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    return _ODF.get(part.read(_SMALL_PART).strip())
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as part:
                    types = part.read(_SMALL_PART)
                return next((t for main, t in _OOXML_MAIN.items() if main in types), None)
    # What zipfile raises on an archive it cannot read (corrupt, encrypted, odd compression):
    # such a file is not accepted, whatever its name says.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ):
        return None
    return None


def _ole_type(content: bytes) -> FileType | None:
    """Word or Excel 97-2003: a directory entry (128-byte aligned, a stream) with its name."""
    for stream, kind in _OLE_STREAMS.items():
        name = stream.encode("utf-16-le") + b"\x00\x00"
        at = content.find(name, 512)
        while at != -1:
            entry = content[at : at + 128]
            if (
                at % 128 == 0
                and len(entry) == 128
                and int.from_bytes(entry[64:66], "little") == len(name)
                and entry[66] == 2  # a stream object
            ):
                return kind
            at = content.find(name, at + 1)
    return None


def sniff(content: bytes) -> FileType | None:
    """The accepted type the bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    if content.startswith(_OLE_MAGIC):
        return _ole_type(content)
    return None


def clean_name(raw: str, kind: FileType | None = None) -> str:
    """A display name only: base name, NFC, no control or format characters, at most 200."""
    name = unicodedata.normalize("NFC", raw)
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = f".{ext}" if dot and 0 < len(ext) <= 10 else ""
        name = (stem if keep else name)[: MAX_NAME - len(keep)].rstrip(". ") + keep
    if not name:
        name = "document" + (kind.extensions[0] if kind else "")
    return name


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


@dataclass(frozen=True)
class AcceptedFile:
    """An upload that passed: the name to show and the media type to store and serve."""

    name: str
    media_type: str


class UnacceptedFile(InvalidInput):
    """The upload is not one of the accepted types; the answer lists them (422)."""

    code = "unaccepted_file_type"

    def __init__(self, detail: str) -> None:
        labels = ", ".join(t.label for t in ACCEPTED)
        super().__init__(f"{detail}; accepted: {labels}")
        self.extra = {"allowed_types": ALLOWED_TYPES}


def accept(name: str, declared: str, content: bytes) -> AcceptedFile:
    """The upload's safe name and sniffed type; InvalidInput (with the allowed types) if the
    bytes are not an accepted type, or the declared type or the extension says otherwise."""
    kind = sniff(content)
    if kind is None:
        raise UnacceptedFile("the file is not an accepted type (judged by its content)")
    given = declared.split(";", 1)[0].strip().lower()
    if given not in _UNINFORMATIVE and not kind.answers_to(given):
        raise UnacceptedFile(f"the file was sent as {given[:100]} but its content is {kind.label}")
    shown = clean_name(name, kind)
    extension = _extension(shown)
    if extension in _ACTIVE_EXTENSIONS or (
        extension in _KNOWN_EXTENSIONS and extension not in kind.extensions
    ):
        raise UnacceptedFile(f"the file is named {extension} but its content is {kind.label}")
    return AcceptedFile(shown, kind.media_type)
