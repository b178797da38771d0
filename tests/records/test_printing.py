"""Printed copies (Phụ lục VI 6i–k): every page carries who printed it, when and that it came
from Văn thư; the stored original is untouched; prints of confidential documents are on the
trail; an altered original is never printed."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from documents import audit, trail
from documents.models import Attachment, Document, Event, Rendition
from documents.people import display_name
from documents.records import printing
from tests.documents.pdf_helpers import normalise

MARK = "In từ hệ thống Văn thư"


def page_texts(pdf: bytes) -> list[str]:
    return [normalise(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def printed(events) -> int:
    return events.filter(kind=Event.Kind.PRINTED).count()


def two_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=842, height=595)  # a landscape page: its own overlay size
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def attach(document: Document, actor, content: bytes, name: str = "cong-van.pdf") -> Attachment:
    """A file received with a document, recorded as an upload records it."""
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        document=document,
        original_name=name,
        content_type="application/pdf",
        sha256=digest,
        size=len(content),
        uploaded_by=actor,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.ATTACHED,
        data={"name": name, "sha256": digest, "size": len(content)},
    )
    return attachment


def test_the_issued_original_is_printed_with_the_mark_on_every_page(issued, users):
    rendition = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    stored = Path(rendition.file.path).read_bytes()
    copy = printing.printed_copy(document=issued, actor=users.chuyenvien)
    assert copy != stored and copy.startswith(b"%PDF-")
    original_pages = PdfReader(io.BytesIO(stored)).pages
    texts = page_texts(copy)
    assert len(texts) == len(original_pages) >= 1
    for text in texts:
        assert MARK in text and display_name(users.chuyenvien) in text
    # The number given at issuance (a form field's appearance) prints as it looks.
    assert issued.notation in texts[0]
    assert PdfReader(io.BytesIO(copy)).get_fields() is None  # no live signature fields
    assert Path(rendition.file.path).read_bytes() == stored
    assert trail.read_original(rendition) == stored  # still the recorded original


def test_an_ordinary_print_is_not_recorded_and_a_confidential_one_is_once(issued, users):
    events = Event.objects.filter(document=issued)
    before = events.count()
    printing.printed_copy(document=issued, actor=users.chuyenvien)
    assert events.count() == before and printed(events) == 0

    Document.objects.filter(pk=issued.pk).update(confidentiality=Document.Confidentiality.MAT)
    issued.refresh_from_db()
    printing.printed_copy(document=issued, actor=users.chuyenvien)
    assert events.count() == before + 1
    event = events.get(kind=Event.Kind.PRINTED)
    assert event.actor == users.chuyenvien and event.data == {"copy": "pdf"}
    assert trail.verify(files=False, signatures=False).ok


def test_a_draft_prints_its_preview_with_the_mark(seed_plan, users):
    copy = printing.printed_copy(document=seed_plan, actor=users.chuyenvien)
    texts = page_texts(copy)
    assert texts and all(MARK in text for text in texts)
    assert "DỰ THẢO" in " ".join(texts)


def test_an_incoming_document_prints_its_pdf_and_without_one_is_refused(demo, users):
    reference = Document.objects.get(notation="83/KH-UBND")
    with pytest.raises(printing.NothingToPrint):
        printing.printed_copy(document=reference, actor=users.vanthu)
    content = two_page_pdf()
    attachment = attach(reference, users.vanthu, content)
    copy = printing.printed_copy(document=reference, actor=users.vanthu)
    reader = PdfReader(io.BytesIO(copy))
    assert [(p.mediabox.width, p.mediabox.height) for p in reader.pages] == [
        (595, 842),
        (842, 595),
    ]
    assert all(MARK in text for text in page_texts(copy))
    assert Path(attachment.file.path).read_bytes() == content


def test_an_altered_attachment_is_not_printed(demo, users):
    reference = Document.objects.get(notation="83/KH-UBND")
    attachment = attach(reference, users.vanthu, two_page_pdf())
    path = Path(attachment.file.path)
    path.write_bytes(path.read_bytes().replace(b"/Count 2", b"/Count 1"))
    with pytest.raises(trail.OriginalAltered):
        printing.printed_copy(document=reference, actor=users.vanthu)
    noted = Event.objects.filter(document=reference, kind=Event.Kind.ORIGINAL_ALTERED)
    assert noted.get().data["rendition"] == f"attachment:{attachment.pk}"


def test_the_service_refuses_someone_who_may_not_see_the_document(issued, users):
    events = Event.objects.filter(document=issued)
    before = events.count()
    Document.objects.filter(pk=issued.pk).update(confidentiality=Document.Confidentiality.MAT)
    issued.refresh_from_db()
    with pytest.raises(PermissionDenied):
        printing.printed_copy(document=issued, actor=users.ubndtinh)
    assert events.count() == before


# Over HTTP


def url(document: Document) -> str:
    return reverse("records:document_print", args=[document.pk])


def test_the_print_page_answers_the_marked_copy_inline(issued, users, client_for):
    response = client_for("vanthu").get(url(issued))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    stem = issued.notation.replace("/", "-")
    assert response["Content-Disposition"] == f'inline; filename="ban-in-{stem}.pdf"'
    texts = page_texts(response.content)
    assert all(MARK in t and display_name(users.vanthu) in t for t in texts)


def test_a_confidential_print_over_http_is_recorded_once(issued, users, client_for):
    Document.objects.filter(pk=issued.pk).update(confidentiality=Document.Confidentiality.MAT)
    response = client_for("chuyenvien").get(url(issued))
    assert response.status_code == 200
    events = Event.objects.filter(document=issued, kind=Event.Kind.PRINTED)
    assert [(e.actor, e.data) for e in events] == [(users.chuyenvien, {"copy": "pdf"})]


def test_someone_who_may_not_see_it_gets_404_and_nothing_is_recorded(issued, client_for):
    Document.objects.filter(pk=issued.pk).update(confidentiality=Document.Confidentiality.MAT)
    before = Event.objects.filter(document=issued).count()
    assert client_for("ubndtinh").get(url(issued)).status_code == 404
    assert client_for("bantatgt").get(url(issued)).status_code == 404
    assert Event.objects.filter(document=issued).count() == before


def test_anonymous_is_sent_to_the_login_page(issued, client):
    response = client.get(url(issued))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_altered_original_answers_409_and_nothing_is_printed(issued, client_for):
    Document.objects.filter(pk=issued.pk).update(confidentiality=Document.Confidentiality.MAT)
    rendition = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    path = Path(rendition.file.path)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))
    response = client_for("chuyenvien").get(url(issued))
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    assert "không còn nguyên vẹn" in response.content.decode()
    events = Event.objects.filter(document=issued)
    assert printed(events) == 0
    assert events.filter(kind=Event.Kind.ORIGINAL_ALTERED).count() == 1


def test_a_document_without_a_file_answers_409_with_a_message(demo, client_for):
    reference = Document.objects.get(notation="83/KH-UBND")
    response = client_for("vanthu").get(url(reference))
    assert response.status_code == 409
    assert "Văn bản chưa có tệp để in" in response.content.decode()


def test_the_document_page_offers_the_print(issued, client_for):
    page = client_for("chuyenvien").get(reverse("documents:document_detail", args=[issued.pk]))
    assert url(issued) in page.content.decode() and "In văn bản" in page.content.decode()
    assert client_for("chuyenvien").post(url(issued)).status_code == 405


def test_a_received_pdf_that_cannot_be_read_answers_409_with_a_message(demo, client_for, users):
    reference = Document.objects.get(notation="83/KH-UBND")
    attach(reference, users.vanthu, b"%PDF-1.4\n% not really a PDF\n%%EOF\n")
    response = client_for("vanthu").get(url(reference))
    assert response.status_code == 409
    assert "bị mã hóa hoặc không đọc được" in response.content.decode()
