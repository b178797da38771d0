"""What an uploaded attachment is, told from its bytes, never from its name.

An allow list: PDF, DOCX, XLSX, ODT, JPEG and PNG. PDF, JPEG and PNG are recognised by their
signature (filetype); DOCX, XLSX and ODT are all ZIP archives, told apart by what is inside:
the main part declared in `[Content_Types].xml` (a macro-enabled .docm or .xlsm declares another
one and is refused) or ODT's `mimetype` entry. The name only has to agree: a file whose
extension says something else keeps its name with the extension of what it really is.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 255  # Attachment.original_name
_HEAD_BYTES = 8192
_MAX_MANIFEST_BYTES = 1024 * 1024  # [Content_Types].xml is a few kilobytes


@dataclass(frozen=True)
class FileKind:
    extension: str  # without the dot, as stored and offered for download
    content_type: str
    other_extensions: tuple[str, ...] = ()

    def matches(self, extension: str) -> bool:
        return extension in (self.extension, *self.other_extensions)


PDF = FileKind("pdf", "application/pdf")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text")
JPEG = FileKind("jpg", "image/jpeg", ("jpeg",))
PNG = FileKind("png", "image/png")
ALLOWED = (PDF, DOCX, XLSX, ODT, JPEG, PNG)
# For a file input's accept attribute: the chooser offers these first (a hint, not a check).
ACCEPT = ",".join(f".{e}" for kind in ALLOWED for e in (kind.extension, *kind.other_extensions))

# The main part each Office Open XML kind declares in [Content_Types].xml.
_OOXML_MAIN_PARTS = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_OOXML_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
# Programs, whatever their name says: Windows PE, ELF, Mach-O, scripts with a #! line.
_EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")


@dataclass(frozen=True)
class DetectedFile:
    kind: FileKind
    name: str  # the name to show and offer for download, with the detected extension

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def inspect_upload(stream: IO[bytes], *, name: str, size: int) -> DetectedFile:
    """An attachment is accepted only when its content is one of the allowed kinds and it is
    at most MAX_ATTACHMENT_BYTES; raises ValidationError saying why otherwise."""
    shown = _display_name(name)
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("Tệp đính kèm vượt quá 20 MB."), code="too_big")
    stream.seek(0)
    head = stream.read(_HEAD_BYTES)
    try:
        kind = _kind_of(stream, head)
    finally:
        stream.seek(0)
    if kind is None:
        if head.startswith(_EXECUTABLE_SIGNATURES):
            raise ValidationError(
                _(
                    "Tệp “%(name)s” là chương trình chạy được, không phải tài liệu: "
                    "không được đính kèm."
                ),
                code="executable",
                params={"name": shown},
            )
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải là tệp PDF, DOCX, XLSX, ODT, JPEG hoặc PNG "
                "(kiểm tra theo nội dung tệp, không theo tên)."
            ),
            code="file_type",
            params={"name": shown},
        )
    return DetectedFile(kind=kind, name=_with_extension(shown, kind))


def extension_for(content_type: str) -> str:
    """The stored extension of an allowed content type; 'bin' for anything else."""
    for kind in ALLOWED:
        if kind.content_type == content_type:
            return kind.extension
    return "bin"


def _kind_of(stream: IO[bytes], head: bytes) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    guessed = filetype.guess_mime(head)
    if guessed == JPEG.content_type and head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if guessed == PNG.content_type and head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(stream)
    return None


def _zip_kind(stream: IO[bytes]) -> FileKind | None:
    """DOCX, XLSX or ODT by their inner structure; None for any other or a broken archive."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).strip()
                return ODT if declared == ODT.content_type.encode() else None
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as entry:
                manifest = entry.read(_MAX_MANIFEST_BYTES).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    for kind, main_part in _OOXML_MAIN_PARTS.items():
        if f'ContentType="{main_part}"' in manifest and _OOXML_PARTS[kind] in names:
            return kind
    return None


def _display_name(name: str) -> str:
    """The person's file name, for display only: no folders, no control characters."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _CONTROL_CHARACTERS.sub("", base).strip().strip(".")
    return base or "tep-dinh-kem"


def _with_extension(name: str, kind: FileKind) -> str:
    """The name with the extension of the detected kind (kept, corrected or added), within
    MAX_NAME_LENGTH: 'bao-cao.pdf' holding a Word document becomes 'bao-cao.docx'."""
    stem, extension = name, kind.extension
    found = _EXTENSION.search(name)
    if found:
        stem = name[: found.start()]
        if kind.matches(found.group(1).lower()):
            extension = found.group(1)
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1] or "tep-dinh-kem"
    return f"{stem}.{extension}"
