"""Case files after the security review: rows the viewer may not open are masked, unfiling
needs the document's visibility, control characters never break the package, ho-so.xsd has
the decree's lengths, and the package's reads are recorded only once it is built."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from lxml import etree

from documents.models import CaseFile, Event
from documents.records import casefile_package, casefiles
from tests.documents.pdf_helpers import pdf_text
from tests.records.test_casefiles import make_case_file, make_incoming, state, system_events, web

MASKED = "Văn bản không thuộc phạm vi xem của bạn"
NS = {"h": casefile_package.NAMESPACE}


def lenient(users, username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(users[username])
    return client


def package_of(users, case_file: CaseFile) -> etree._Element:
    response = web(users, "vanthu").get(reverse("records:casefile_package", args=[case_file.pk]))
    assert response.status_code == 200, response.content[:500]
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(response.content)).read("ho-so.xml"))


@pytest.fixture
def hidden(users, incoming_register):
    """An ordinary (not confidential) incoming document the chuyên viên may not open, filed
    into the chuyên viên's case file."""
    record = incoming_register(subject="Đơn tố cáo ông Nguyễn Văn X tham nhũng", notation="44/DTC")
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=record.document, actor=users.vanthu)
    return case_file, record.document


# --- 1. rows the viewer may not open are masked ----------------------------------------------


def test_the_page_masks_a_document_the_viewer_may_not_open(users, hidden, issued):
    case_file, document = hidden
    casefiles.document_file(case_file=case_file, document=issued, actor=users.vanthu)
    client = web(users, "chuyenvien")
    assert client.get(reverse("documents:document_detail", args=[document.pk])).status_code == 404
    page = client.get(reverse("records:casefile_detail", args=[case_file.pk])).content.decode()
    assert "tố cáo" not in page and document.notation not in page
    assert document.issued_on.strftime("%d/%m/%Y") not in page
    assert MASKED in page and issued.subject in page  # the readable one in full
    assert page.count('data-testid="casefile-unfile"') == 1  # no button for the masked row
    full = web(users, "vanthu").get(reverse("records:casefile_detail", args=[case_file.pk]))
    assert document.subject in full.content.decode()


def test_the_table_of_contents_masks_it_too(users, hidden):
    case_file, document = hidden
    toc = web(users, "chuyenvien").get(reverse("records:casefile_toc_pdf", args=[case_file.pk]))
    text = pdf_text(toc.content)
    assert "tố cáo" not in text and "44/DTC" not in text and "Công an tỉnh" not in text
    assert document.issued_on.strftime("%d/%m/%Y") not in text
    assert MASKED in text
    [item] = casefile_package.collect(case_file, users.chuyenvien)
    assert item.masked and item.subject == MASKED and item.author == ""
    [item] = casefile_package.collect(case_file, None)  # the archive's package: in full
    assert not item.masked and item.subject == document.subject
    assert "tố cáo" in pdf_text(
        web(users, "vanthu").get(reverse("records:casefile_toc_pdf", args=[case_file.pk])).content
    )


# --- 2. unfiling needs the document's visibility ---------------------------------------------


def test_unfiling_a_document_one_may_not_see_is_refused(users, hidden):
    case_file, document = hidden
    before = state(case_file)
    with pytest.raises(ValidationError):
        casefiles.document_unfile(case_file=case_file, document=document, actor=users.chuyenvien)
    assert state(case_file) == before
    response = web(users, "chuyenvien").post(
        reverse("records:casefile_unfile", args=[case_file.pk]),
        {"document": document.pk},
        follow=True,
    )
    assert state(case_file) == before
    said = [str(m) for m in response.context["messages"]]
    assert said == ["Văn bản không có trong hồ sơ này."]  # as for one not in it at all


def test_the_clerk_unfiles_a_confidential_document(users, issued):
    case_file = make_case_file(users)
    secret = make_incoming(users, subject="Bí mật", secret="mat")
    casefiles.document_file(case_file=case_file, document=secret, actor=users.vanthu)
    url = reverse("records:casefile_unfile", args=[case_file.pk])
    web(users, "chuyenvien").post(url, {"document": secret.pk})
    assert case_file.entries.filter(document=secret).exists()
    web(users, "vanthu").post(url, {"document": secret.pk})
    assert not case_file.entries.filter(document=secret).exists()
    assert Event.objects.filter(document=secret, kind=Event.Kind.UNFILED).count() == 1


# --- 3. control characters -------------------------------------------------------------------


def test_the_form_keeps_no_control_character(users):
    response = web(users, "vanthu").post(
        reverse("records:casefile_create"),
        {
            "year": 2026,
            "code": "77.VP\x01",
            "title": "Tiêu đề\x0bxấu",
            "responsible": users.chuyenvien.pk,
            "retention_years": 5,
            "notes": "ghi\x01chú\nhai dòng",
        },
    )
    assert response.status_code == 302
    case_file = CaseFile.objects.get(code="77.VP")
    assert (case_file.title, case_file.notes) == ("Tiêu đềxấu", "ghichú\nhai dòng")
    casefiles.case_file_update(case_file=case_file, actor=users.vanthu, title="Mới\x1f ")
    case_file.refresh_from_db()
    assert case_file.title == "Mới"


def test_old_control_characters_do_not_break_the_package(users, incoming_register):
    record = incoming_register(subject="Trích yếu\x02 lỗi", notation="6/CTRL")
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=record.document, actor=users.vanthu)
    casefiles.case_file_close(case_file=case_file, actor=users.vanthu)
    CaseFile.objects.filter(pk=case_file.pk).update(title="Hồ sơ \x01 cũ", notes="a\x0bb")
    xml = package_of(users, case_file)
    assert xml.findtext("h:Title", namespaces=NS) == "Hồ sơ  cũ"
    assert xml.findtext("h:Description", namespaces=NS) == "ab"
    assert xml.findtext("h:Documents/h:Document/h:Subject", namespaces=NS) == "Trích yếu lỗi"


def test_an_xml_error_is_a_409_and_records_nothing(users, issued, monkeypatch):
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.vanthu)
    casefiles.case_file_close(case_file=case_file, actor=users.vanthu)

    def broken(*args, **kwargs):
        raise ValueError("All strings must be XML compatible")

    monkeypatch.setattr(casefile_package, "package_xml", broken)
    events = Event.objects.count()
    response = lenient(users, "vanthu").get(
        reverse("records:casefile_package", args=[case_file.pk])
    )
    assert response.status_code == 409
    assert Event.objects.count() == events and system_events("exported", case_file) == 0


# --- 4. the decree's lengths -----------------------------------------------------------------


def test_the_form_and_service_keep_the_decree_lengths(users):
    url = reverse("records:casefile_create")
    data = {"year": 2026, "title": "T", "responsible": users.chuyenvien.pk, "retention_years": 5}
    response = web(users, "vanthu").post(url, {**data, "code": "X" * 21})
    assert response.status_code == 422 and "code" in response.context["form"].errors
    response = web(users, "vanthu").post(url, {**data, "code": "01.VP", "notes": "n" * 501})
    assert response.status_code == 422 and "notes" in response.context["form"].errors
    assert not CaseFile.objects.exists()
    with pytest.raises(ValidationError) as error:
        make_case_file(users, code="X" * 21)
    assert "code" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        make_case_file(users, notes="n" * 501)
    assert "notes" in error.value.error_dict
    case_file = make_case_file(users, code="X" * 20, notes="n" * 500)
    CaseFile.objects.filter(pk=case_file.pk).update(code="Y" * 40)  # stored before the limit
    casefiles.case_file_update(case_file=case_file, actor=users.vanthu, title="Tiêu đề mới")
    with pytest.raises(ValidationError):
        casefiles.case_file_update(case_file=case_file, actor=users.vanthu, code="Z" * 21)


@pytest.mark.parametrize(
    ("path", "length"),
    [
        ("h:FileCode/h:OrganId", 14),
        ("h:FileCode/h:FileNotation", 21),
        ("h:Creator", 31),
        ("h:Description", 501),
        ("h:OrganName", 201),
        ("h:Documents/h:Document/h:CodeNumber", 12),
        ("h:Documents/h:Document/h:CodeNotation", 31),
        ("h:Documents/h:Document/h:OrganName", 201),
        ("h:Documents/h:Document/h:SignerInfo/h:FullName", 51),
    ],
)
def test_the_schema_has_the_decree_lengths(users, issued, path, length):
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.vanthu)
    casefiles.case_file_close(case_file=case_file, actor=users.vanthu)
    xml = package_of(users, case_file)
    checker = casefile_package.schema()
    assert checker.validate(xml), checker.error_log
    element = xml.find(path, namespaces=NS)
    element.text = "x" * (length - 1)
    assert checker.validate(xml), checker.error_log
    element.text = "x" * length
    assert not checker.validate(xml)


def test_the_schema_takes_a_document_description_and_the_builder_fits_lengths(
    users, incoming_register
):
    record = incoming_register(signer_name="Nguyễn " * 10, notation="6/" + "K" * 40)
    record.notes = "Ghi chú của văn thư " * 40
    record.save(update_fields=["notes"])
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=record.document, actor=users.vanthu)
    casefiles.case_file_close(case_file=case_file, actor=users.vanthu)
    xml = package_of(users, case_file)  # valid: the builder cut the texts to the decree's
    document = xml.find("h:Documents/h:Document", namespaces=NS)
    assert len(document.findtext("h:SignerInfo/h:FullName", namespaces=NS)) <= 50
    assert len(document.findtext("h:CodeNotation", namespaces=NS)) <= 30
    description = document.findtext("h:Description", namespaces=NS)
    assert description.startswith("Ghi chú của văn thư") and len(description) <= 500


# --- 5. reads recorded only once the package is built ----------------------------------------


def test_a_failed_package_records_no_read(users, issued, monkeypatch):
    case_file = make_case_file(users)
    secret = make_incoming(users, subject="Kế hoạch mật", secret="mat")
    casefiles.document_file(case_file=case_file, document=secret, actor=users.vanthu)
    casefiles.case_file_close(case_file=case_file, actor=users.vanthu)

    def failing(*args, **kwargs):
        raise casefile_package.PackageError("Không dựng được bìa hồ sơ.")

    monkeypatch.setattr(casefile_package, "cover_pdf", failing)
    events = Event.objects.count()
    url = reverse("records:casefile_package", args=[case_file.pk])
    assert lenient(users, "vanthu").get(url).status_code == 409
    assert Event.objects.count() == events
    assert not Event.objects.filter(document=secret, kind=Event.Kind.READ).exists()
    monkeypatch.undo()
    assert web(users, "vanthu").get(url).status_code == 200
    assert Event.objects.filter(document=secret, kind=Event.Kind.READ).count() == 1
    assert system_events("exported", case_file) == 1
