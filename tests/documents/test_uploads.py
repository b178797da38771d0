"""Attachments are accepted by their content, stored under generated names and served back
with the detected type: documents.uploads, services.attachment_add, the download view."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents import services, uploads
from documents.models import Attachment, Document, Event, Unit
from tests.documents.pdf_helpers import pdf_bytes

STORED_NAME = re.compile(r"^attachments/\d+/[0-9a-f]{32}\.(pdf|docx|xlsx|odt|jpg|png)$")


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Phụ lục kinh phí")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, text, compress_type=compression)
    return buffer.getvalue()


def content_types(main_part: str, part_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{part_name}" ContentType="{main_part}"/></Types>'
    )


def xlsx_bytes() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    return zip_bytes(
        {
            "[Content_Types].xml": content_types(main, "xl/workbook.xml"),
            "xl/workbook.xml": "<workbook/>",
        }
    )


def docm_bytes() -> bytes:
    """A macro-enabled Word document: the same layout as a DOCX, another main part."""
    main = "application/vnd.ms-word.document.macroEnabled.main+xml"
    return zip_bytes(
        {
            "[Content_Types].xml": content_types(main, "word/document.xml"),
            "word/document.xml": "<document/>",
            "word/vbaProject.bin": "macro",
        }
    )


def odt_bytes() -> bytes:
    return zip_bytes(
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"}
    )


def image_bytes(format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=format)
    return buffer.getvalue()


ALLOWED = [
    ("phu-luc.pdf", pdf_bytes, "application/pdf"),
    ("du-toan.docx", docx_bytes, uploads.DOCX.content_type),
    ("bang-tinh.xlsx", xlsx_bytes, uploads.XLSX.content_type),
    ("van-ban.odt", odt_bytes, uploads.ODT.content_type),
    ("anh-chup.jpeg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("so-do.png", lambda: image_bytes("PNG"), "image/png"),
]
EXECUTABLES = [b"MZ\x90\x00\x03" + b"\x00" * 200, b"\x7fELF\x02\x01\x01" + b"\x00" * 200]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # the browser's claim


def inspect(name: str, data: bytes) -> uploads.DetectedFile:
    return uploads.inspect_upload(io.BytesIO(data), name=name, size=len(data))


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def state() -> dict:
    return {
        "attachments": Attachment.objects.count(),
        "events": Event.objects.count(),
        "documents": Document.objects.count(),
    }


# --- detection, by content ----------------------------------------------------------------


@pytest.mark.parametrize("name, make, content_type", ALLOWED)
def test_each_allowed_kind_is_told_from_its_bytes(name, make, content_type):
    detected = inspect(name, make())
    assert detected.content_type == content_type
    assert detected.name == name


@pytest.mark.parametrize("data", EXECUTABLES, ids=["windows-pe", "elf"])
def test_a_program_named_pdf_is_refused_as_a_program(data):
    with pytest.raises(ValidationError) as refused:
        inspect("bao-cao.pdf", data)
    assert refused.value.code == "executable"
    assert "là chương trình chạy được" in refused.value.messages[0]
    assert "bao-cao.pdf" in refused.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"%PDX-1.4", docm_bytes(), zip_bytes({"a.txt": "x"}), b"PK\x03\x04broken"],
    ids=["empty", "text", "almost-pdf", "docm", "plain-zip", "broken-zip"],
)
def test_anything_else_is_refused_whatever_its_name(data):
    with pytest.raises(ValidationError) as refused:
        inspect("phu-luc.docx", data)
    assert refused.value.code == "file_type"
    assert "không phải là tệp PDF, DOCX, XLSX, ODT, JPEG hoặc PNG" in refused.value.messages[0]


def test_a_docx_named_pdf_keeps_its_name_with_the_docx_extension():
    detected = inspect("Kế hoạch.pdf", docx_bytes())
    assert detected.content_type == uploads.DOCX.content_type
    assert detected.name == "Kế hoạch.docx"


def test_a_name_without_extension_gets_the_detected_one():
    assert inspect("scan", image_bytes("PNG")).name == "scan.png"
    assert inspect("anh.JPG", image_bytes("JPEG")).name == "anh.JPG"


def test_a_file_over_20_mb_is_refused_before_its_content_is_read():
    with pytest.raises(ValidationError) as refused:
        uploads.inspect_upload(io.BytesIO(pdf_bytes()), name="a.pdf", size=20 * 1024 * 1024 + 1)
    assert refused.value.code == "too_big"


def test_the_stream_is_rewound_after_inspection():
    stream = io.BytesIO(docx_bytes())
    uploads.inspect_upload(stream, name="a.docx", size=len(stream.getvalue()))
    assert stream.tell() == 0


# --- the service: every door goes through it --------------------------------------------


@pytest.mark.parametrize("name, make, content_type", ALLOWED)
def test_each_allowed_kind_is_attached_and_served_with_its_type(
    name, make, content_type, seed_plan, users, client
):
    data = make()
    attachment = services.attachment_add(
        document=seed_plan, actor=users.chuyenvien, upload=upload(name, data)
    )
    assert attachment.content_type == content_type
    assert STORED_NAME.match(attachment.file.name), attachment.file.name
    client.force_login(users.chuyenvien)
    response = client.get(f"/documents/tep-dinh-kem/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == data


@pytest.mark.parametrize("data", EXECUTABLES, ids=["windows-pe", "elf"])
def test_a_renamed_program_is_refused_and_nothing_is_written(data, seed_plan, users, settings):
    before = state()
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            document=seed_plan, actor=users.chuyenvien, upload=upload("x.pdf", data)
        )
    assert "là chương trình chạy được" in refused.value.message_dict["attachment"][0]
    assert state() == before
    assert stored_files(settings) == []


def test_a_docx_named_pdf_is_stored_and_served_as_docx(seed_plan, users, client):
    attachment = services.attachment_add(
        document=seed_plan, actor=users.chuyenvien, upload=upload("bao-cao.pdf", docx_bytes())
    )
    assert attachment.original_name == "bao-cao.docx"
    assert attachment.file.name.endswith(".docx")
    client.force_login(users.chuyenvien)
    response = client.get(f"/documents/tep-dinh-kem/{attachment.pk}/")
    assert response["Content-Type"] == uploads.DOCX.content_type
    assert "bao-cao.docx" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "name, shown",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("Báo cáo tổng kết năm 2020 của Sở.pdf", "Báo cáo tổng kết năm 2020 của Sở.pdf"),
    ],
)
def test_the_stored_path_holds_nothing_of_the_persons_file_name(
    name, shown, seed_plan, users, settings
):
    data = pdf_bytes()
    attachment = services.attachment_add(
        document=seed_plan, actor=users.chuyenvien, upload=upload(name, data)
    )
    assert STORED_NAME.match(attachment.file.name), attachment.file.name
    # Words of the name (a run of hex digits could turn up in a uuid by chance).
    stem = name.removesuffix(".pdf")
    words = [w for w in re.split(r"[./\\ ]+", stem) if not re.fullmatch(r"[0-9a-f]*", w)]
    assert words
    for word in words:
        assert word.casefold() not in attachment.file.name.casefold()
    assert attachment.original_name == shown
    [written] = stored_files(settings)
    assert written.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert written.read_bytes() == data
    event = seed_plan.events.get(kind=Event.Kind.ATTACHED)
    assert event.data["name"] == shown


# --- the drafting form: the error beside the file field -----------------------------------


def compose(client, seed_plan, attachment: SimpleUploadedFile):
    police = Unit.objects.get(abbreviation="CA")
    return client.post(
        "/documents/van-ban/soan-thao/",
        {
            "document_type": seed_plan.document_type_id,
            "subject": "Kế hoạch có tệp đính kèm",
            "attachment": attachment,
            "recipients-TOTAL_FORMS": "1",
            "recipients-INITIAL_FORMS": "0",
            "recipients-0-text": "Công an tỉnh",
            "recipients-0-units": [police.pk],
        },
    )


def test_the_form_refuses_a_renamed_program_with_a_clear_error(client, seed_plan, users, settings):
    client.force_login(users.chuyenvien)
    before = state()
    response = compose(client, seed_plan, upload("x.pdf", EXECUTABLES[0]))
    assert response.status_code == 422
    assert "Tệp “x.pdf” là chương trình chạy được" in response.text
    assert state() == before
    assert stored_files(settings) == []


def test_the_form_attaches_an_odt(client, seed_plan, users):
    client.force_login(users.chuyenvien)
    response = compose(client, seed_plan, upload("ke-hoach.odt", odt_bytes()))
    assert response.status_code == 302
    document = Document.objects.get(subject="Kế hoạch có tệp đính kèm")
    assert document.attachments.get().content_type == uploads.ODT.content_type
