"""Case files (hồ sơ, Điều 28–31): the list for the year, filing, closing, the table of
contents and cover, the package for the archive, and who may do what."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from documents import audit
from documents.access import _grant_access
from documents.models import (
    Attachment,
    CaseFile,
    CaseFileEntry,
    Document,
    DocumentType,
    Event,
    IncomingRecord,
)
from documents.records import casefile_package, casefiles
from tests.documents.pdf_helpers import pdf_text
from tests.test_url_matrix import small_pdf

YEAR = 2026


def org_of(user):
    return user.profile.unit.organization


def make_case_file(users, code="01.VP", responsible="chuyenvien", actor="vanthu", **extra):
    return casefiles.case_file_create(
        actor=users[actor],
        year=extra.pop("year", YEAR),
        code=code,
        title=extra.pop("title", "Hồ sơ kế hoạch phòng chống thiên tai"),
        unit=users[responsible].profile.unit,
        responsible=users[responsible],
        retention_years=extra.pop("retention_years", 10),
        **extra,
    )


def make_incoming(users, subject="Công văn của Công an tỉnh về an ninh mạng", secret=""):
    """An incoming document registered by the văn thư, with its scanned PDF attached and the
    attachment on its trail; seen by the văn thư, and by the chuyên viên unless confidential."""
    organization = org_of(users.vanthu)
    document = Document.objects.create(
        origin=Document.Origin.INCOMING,
        organization=organization,
        document_type=DocumentType.objects.get(abbreviation="KH"),
        subject=subject,
        confidentiality=secret,
        status=Document.Status.ISSUED,
        notation="12/KH-CAT",
        issued_on=dt.date(2026, 3, 2),
        signer_name="Trần Văn Bình",
        signer_title="PHÓ GIÁM ĐỐC",
    )
    IncomingRecord.objects.create(
        document=document,
        organization=organization,
        book="DEN-MAT" if secret else "DEN",
        arrival_year=YEAR,
        arrival_number=7,
        arrival_at=timezone.make_aware(dt.datetime(2026, 3, 3, 9, 0)),
        sender_name="Công an tỉnh",
        registered_by=users.vanthu,
    )
    content = small_pdf()
    attachment = Attachment(
        document=document,
        original_name="cong-van.pdf",
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        uploaded_by=users.vanthu,
    )
    attachment.file.save("cong-van.pdf", ContentFile(content), save=False)
    attachment.save()
    audit.record(
        document=document,
        actor=users.vanthu,
        kind=Event.Kind.ATTACHED,
        data={"name": attachment.original_name, "sha256": attachment.sha256},
    )
    audiences = [f"clerks:{organization.pk}"]
    if not secret:
        audiences.append(f"user:{users.chuyenvien.pk}")
    _grant_access(document, *audiences)
    return document


def system_events(action: str, case_file: CaseFile) -> int:
    return Event.objects.filter(
        document=None,
        kind=Event.Kind.CASE_FILE_CHANGED,
        data__case_file=case_file.pk,
        data__action=action,
    ).count()


def state(case_file: CaseFile) -> tuple:
    case_file.refresh_from_db()
    entries = list(case_file.entries.values_list("document_id", "position"))
    return (case_file.status, case_file.title, entries, Event.objects.count())


def web(users, username: str) -> Client:
    client = Client()
    if username != "anonymous":
        client.force_login(users[username])
    return client


# --- the list -----------------------------------------------------------------------------


def test_the_clerk_and_leaders_keep_the_list_with_history_and_events(users):
    case_file = make_case_file(users)
    assert case_file.organization == org_of(users.vanthu)
    assert case_file.history.first().history_user == users.vanthu
    assert system_events("created", case_file) == 1

    by_leader = make_case_file(users, code="02.VP", actor="giamdoc", retention_years=None)
    assert by_leader.retention_years is None  # vĩnh viễn

    casefiles.case_file_update(case_file=case_file, actor=users.phogiamdoc, title="Tiêu đề mới")
    case_file.refresh_from_db()
    assert case_file.title == "Tiêu đề mới"
    assert case_file.history.first().history_user == users.phogiamdoc
    assert system_events("updated", case_file) == 1


def test_a_chuyen_vien_does_not_keep_the_list(users):
    before = CaseFile.objects.count(), Event.objects.count()
    with pytest.raises(PermissionDenied):
        make_case_file(users, actor="chuyenvien")
    case_file = make_case_file(users)
    with pytest.raises(PermissionDenied):
        casefiles.case_file_update(case_file=case_file, actor=users.chuyenvien, title="Khác")
    assert case_file.title != "Khác"
    assert CaseFile.objects.count() == before[0] + 1


def test_the_code_is_unique_per_agency_and_year(users):
    make_case_file(users, code="01.VP")
    with pytest.raises(ValidationError) as error:
        make_case_file(users, code="01.vp")
    assert "code" in error.value.error_dict
    assert make_case_file(users, code="01.VP", year=YEAR + 1).year == YEAR + 1
    with pytest.raises(ValidationError) as error:
        make_case_file(users, code="02.VP", responsible="congan")  # not of the agency
    assert "responsible" in error.value.error_dict
    assert CaseFile.objects.count() == 2


def test_the_form_shows_a_taken_code_as_a_form_error(users):
    make_case_file(users, code="01.VP")
    client = web(users, "vanthu")
    data = {
        "year": YEAR,
        "code": "01.VP",
        "title": "Hồ sơ trùng số",
        "unit": users.chuyenvien.profile.unit.pk,
        "responsible": users.chuyenvien.pk,
        "permanent": "on",
    }
    response = client.post(reverse("records:casefile_create"), data)
    assert response.status_code == 422
    assert "đã có trong danh mục" in response.content.decode()
    assert CaseFile.objects.count() == 1
    response = client.post(reverse("records:casefile_create"), {**data, "code": "05.VP"})
    created = CaseFile.objects.get(code="05.VP")
    assert response.status_code == 302 and created.retention_years is None
    listed = client.get(reverse("records:casefile_list"), {"year": YEAR}).content.decode()
    assert "05.VP" in listed and "01.VP" in listed
    other_year = client.get(reverse("records:casefile_list"), {"year": YEAR + 1})
    assert "05.VP" not in other_year.content.decode()


# --- filing ---------------------------------------------------------------------------------


def test_filing_a_visible_issued_document_puts_it_on_its_trail(users, issued):
    case_file = make_case_file(users)
    entry = casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    assert entry.position == 1 and entry.added_by == users.chuyenvien
    filed = Event.objects.get(document=issued, kind=Event.Kind.FILED)
    assert filed.data["code"] == "01.VP" and filed.actor == users.chuyenvien
    # One document in several case files.
    other = make_case_file(users, code="02.VP")
    casefiles.document_file(case_file=other, document=issued, actor=users.vanthu)
    assert issued.case_file_entries.count() == 2


def test_an_invisible_document_is_never_filed(users, issued):
    case_file = make_case_file(users)
    secret = make_incoming(users, secret="mat")  # the chuyên viên does not see it
    before = state(case_file)
    with pytest.raises(ValidationError):
        casefiles.document_file(case_file=case_file, document=secret, actor=users.chuyenvien)
    assert state(case_file) == before
    response = web(users, "chuyenvien").post(
        reverse("records:casefile_file"), {"case_file": case_file.pk, "document": secret.pk}
    )
    assert response.status_code == 422
    assert state(case_file) == before


def test_a_draft_is_not_filed_and_incoming_ones_are(users, seed_plan):
    case_file = make_case_file(users)
    with pytest.raises(ValidationError):
        casefiles.document_file(case_file=case_file, document=seed_plan, actor=users.chuyenvien)
    incoming = make_incoming(users)
    casefiles.document_file(case_file=case_file, document=incoming, actor=users.chuyenvien)
    assert list(case_file.entries.values_list("document", flat=True)) == [incoming.pk]


def test_another_units_chuyen_vien_neither_sees_nor_files(users, issued):
    case_file = make_case_file(users)
    before = state(case_file)
    with pytest.raises(PermissionDenied):
        casefiles.document_file(case_file=case_file, document=issued, actor=users.ttbcxb)
    response = web(users, "ttbcxb").post(
        reverse("records:casefile_file"), {"case_file": case_file.pk, "document": issued.pk}
    )
    assert response.status_code == 422  # not among the case files offered to them
    assert state(case_file) == before


def test_unfiling_from_an_open_case_file(users, issued):
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    response = web(users, "chuyenvien").post(
        reverse("records:casefile_unfile", args=[case_file.pk]), {"document": issued.pk}
    )
    assert response.status_code == 302
    assert not case_file.entries.exists()
    unfiled = Event.objects.get(document=issued, kind=Event.Kind.UNFILED)
    assert unfiled.data["case_file"] == case_file.pk


def test_a_closed_case_file_refuses_every_change(users, issued):
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    casefiles.case_file_close(case_file=case_file, actor=users.chuyenvien)
    incoming = make_incoming(users)
    before = state(case_file)
    with pytest.raises(PermissionDenied):
        casefiles.document_file(case_file=case_file, document=incoming, actor=users.vanthu)
    with pytest.raises(PermissionDenied):
        casefiles.document_unfile(case_file=case_file, document=issued, actor=users.vanthu)
    with pytest.raises(PermissionDenied):
        casefiles.case_file_update(case_file=case_file, actor=users.vanthu, title="Sửa")
    client = web(users, "vanthu")
    unfile = reverse("records:casefile_unfile", args=[case_file.pk])
    assert client.post(unfile, {"document": issued.pk}).status_code == 403
    assert client.get(reverse("records:casefile_edit", args=[case_file.pk])).status_code == 403
    assert state(case_file) == before


# --- closing, table of contents and cover ---------------------------------------------------


def test_closing_numbers_by_date_and_gives_the_toc_and_cover(users, issued):
    case_file = make_case_file(users)
    incoming = make_incoming(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    casefiles.document_file(case_file=case_file, document=incoming, actor=users.chuyenvien)
    client = web(users, "chuyenvien")
    response = client.post(reverse("records:casefile_close", args=[case_file.pk]))
    assert response.status_code == 302
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.CLOSED
    assert case_file.closed_by == users.chuyenvien and case_file.closed_at is not None
    assert system_events("closed", case_file) == 1
    order = list(case_file.entries.order_by("position").values_list("document", flat=True))
    dates = [casefiles.document_date(Document.objects.get(pk=pk)) for pk in order]
    assert dates == sorted(dates)

    toc = client.get(reverse("records:casefile_toc_pdf", args=[case_file.pk]))
    assert toc.status_code == 200 and toc["Content-Type"] == "application/pdf"
    text = pdf_text(toc.content)
    assert "01.VP" in text and issued.subject in text and incoming.subject in text
    assert "In từ hệ thống Văn thư" in text
    cover = pdf_text(client.get(reverse("records:casefile_cover_pdf", args=[case_file.pk])).content)
    assert "01.VP" in cover and case_file.title in cover and "10 năm" in cover
    assert "Từ ngày" in cover


def test_an_empty_case_file_is_not_closed(users):
    case_file = make_case_file(users)
    with pytest.raises(ValidationError):
        casefiles.case_file_close(case_file=case_file, actor=users.vanthu)
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.OPEN


# --- the package ----------------------------------------------------------------------------


@pytest.fixture
def closed(users, issued):
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    casefiles.document_file(case_file=case_file, document=make_incoming(users), actor=users.vanthu)
    return casefiles.case_file_close(case_file=case_file, actor=users.vanthu)


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(casefile_package.SCHEMA_PATH)))


def test_the_package_holds_the_files_and_a_valid_xml(users, closed, issued):
    response = web(users, "vanthu").get(reverse("records:casefile_package", args=[closed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"ho-so.xml", "bia-ho-so.pdf", "muc-luc-van-ban.pdf"} <= names
    pdfs = sorted(n for n in names if n.startswith("van-ban/"))
    assert len(pdfs) == 2 and all(archive.read(n).startswith(b"%PDF") for n in pdfs)
    original = issued.renditions.get(kind="issued")
    assert any(hashlib.sha256(archive.read(n)).hexdigest() == original.sha256 for n in pdfs)
    xml = etree.fromstring(archive.read("ho-so.xml"))
    assert schema().validate(xml), schema().error_log
    ns = {"h": casefile_package.NAMESPACE}
    assert xml.findtext("h:FileCode/h:FileNotation", namespaces=ns) == "01.VP"
    assert xml.findtext("h:DocTotal", namespaces=ns) == "2"
    subjects = xml.xpath("//h:Document/h:Subject/text()", namespaces=ns)
    assert issued.subject in subjects
    assert xml.xpath("//h:Document[h:Origin='incoming']/h:ArrivalNumber/text()", namespaces=ns)
    assert system_events("exported", closed) == 1


def test_a_broken_xml_does_not_validate(users, closed):
    items = casefile_package.collect(closed, None)
    good = casefile_package.package_xml(closed, items)
    casefile_package.validate_xml(good)
    broken = good.replace(b"<DocTotal>", b"<Unknown>x</Unknown><DocTotal>", 1)
    assert not schema().validate(etree.fromstring(broken))
    with pytest.raises(casefile_package.PackageError):
        casefile_package.validate_xml(broken)
    with pytest.raises(casefile_package.PackageError):
        casefile_package.validate_xml(b"<HoSo")


def test_an_invalid_package_is_an_error_page_not_a_500(users, closed, monkeypatch):
    monkeypatch.setattr(casefile_package, "package_xml", lambda *args: b"<HoSo/>")
    response = web(users, "vanthu").get(reverse("records:casefile_package", args=[closed.pk]))
    assert response.status_code == 409
    assert system_events("exported", closed) == 0


def test_transfer_after_export_freezes_the_case_file(users, closed, issued):
    with pytest.raises(ValidationError):  # not exported yet
        casefiles.case_file_transfer(case_file=closed, actor=users.vanthu)
    casefile_package.build_package(closed, users.vanthu)
    with pytest.raises(PermissionDenied):
        casefiles.case_file_transfer(case_file=closed, actor=users.giamdoc)
    response = web(users, "vanthu").post(reverse("records:casefile_transfer", args=[closed.pk]))
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == CaseFile.Status.TRANSFERRED and closed.transferred_at
    with pytest.raises(PermissionDenied):
        casefiles.document_unfile(case_file=closed, document=issued, actor=users.vanthu)
    assert system_events("transferred", closed) == 1


def test_the_export_command(users, closed, tmp_path):
    from django.core.management import CommandError, call_command

    output = tmp_path / "ho-so.zip"
    call_command("export_case_file", str(closed.pk), "-o", str(output), stdout=io.StringIO())
    assert "ho-so.xml" in zipfile.ZipFile(output).namelist()
    with pytest.raises(CommandError, match="Không có hồ sơ"):
        call_command("export_case_file", "999999", "-o", str(tmp_path / "x.zip"))
    open_one = make_case_file(users, code="09.VP")
    with pytest.raises(CommandError, match="chưa kết thúc"):
        call_command("export_case_file", str(open_one.pk), "-o", str(tmp_path / "y.zip"))
    assert not (tmp_path / "y.zip").exists()


# --- confidential documents -----------------------------------------------------------------


def test_confidential_subjects_only_to_their_readers(users, issued):
    case_file = make_case_file(users)
    secret = make_incoming(users, subject="Kế hoạch bảo vệ bí mật nhà nước", secret="mat")
    casefiles.document_file(case_file=case_file, document=secret, actor=users.vanthu)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.vanthu)
    page = web(users, "chuyenvien").get(reverse("records:casefile_detail", args=[case_file.pk]))
    assert page.status_code == 200
    masked = "Văn bản không thuộc phạm vi xem của bạn"
    assert secret.subject not in page.content.decode() and masked in page.content.decode()
    assert secret.subject in web(users, "vanthu").get(page.request["PATH_INFO"]).content.decode()
    toc = web(users, "chuyenvien").get(reverse("records:casefile_toc_pdf", args=[case_file.pk]))
    assert secret.subject not in pdf_text(toc.content)
    casefiles.case_file_close(case_file=case_file, actor=users.vanthu)
    url = reverse("records:casefile_package", args=[case_file.pk])
    assert web(users, "giamdoc").get(url).status_code == 403  # văn thư only
    assert web(users, "vanthu").get(url).status_code == 200
    read = Event.objects.filter(document=secret, kind=Event.Kind.READ, actor=users.vanthu)
    assert read.exists()


# --- who may do what, over HTTP -------------------------------------------------------------


MATRIX = {
    # name: {role: status}, on the fixture's case file (Văn phòng, the chuyên viên's)
    "casefile_detail": {"vanthu": 200, "giamdoc": 200, "chuyenvien": 200, "ttbcxb": 404},
    "casefile_edit": {"vanthu": 200, "giamdoc": 200, "chuyenvien": 403, "ttbcxb": 404},
    "casefile_toc_pdf": {"vanthu": 200, "giamdoc": 200, "chuyenvien": 200, "ttbcxb": 404},
}


@pytest.mark.parametrize("role", ["vanthu", "giamdoc", "chuyenvien", "ttbcxb", "anonymous"])
def test_permission_matrix(users, issued, role):
    case_file = make_case_file(users)
    casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    client = web(users, role)
    for name, statuses in MATRIX.items():
        response = client.get(reverse(f"records:{name}", args=[case_file.pk]))
        assert response.status_code == statuses.get(role, 302), (name, role)
    create = client.get(reverse("records:casefile_create")).status_code
    assert create == {"vanthu": 200, "giamdoc": 200, "anonymous": 302}.get(role, 403)
    package = reverse("records:casefile_package", args=[case_file.pk])
    open_package = client.get(package).status_code
    assert open_package == {"ttbcxb": 404, "anonymous": 302}.get(role, 403)  # still open
    before = state(case_file)
    status = client.post(reverse("records:casefile_close", args=[case_file.pk])).status_code
    expected = {"vanthu": 302, "chuyenvien": 302, "giamdoc": 403, "ttbcxb": 404}
    assert status == expected.get(role, 302)
    if role in ("giamdoc", "ttbcxb", "anonymous"):
        assert state(case_file) == before
        return
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.CLOSED
    package_status = client.get(package).status_code
    assert package_status == {"vanthu": 200, "chuyenvien": 403}[role]


def test_the_document_page_shows_its_case_files_to_those_who_see_them(users, issued):
    case_file = make_case_file(users)
    page = web(users, "chuyenvien").get(reverse("documents:document_detail", args=[issued.pk]))
    text = page.content.decode()
    assert 'data-testid="casefile-file-form"' in text and "01.VP" in text
    casefiles.document_file(case_file=case_file, document=issued, actor=users.chuyenvien)
    text = web(users, "chuyenvien").get(page.request["PATH_INFO"]).content.decode()
    assert reverse("records:casefile_detail", args=[case_file.pk]) in text
    # Another unit's chuyên viên sees the document, not the Văn phòng's case file.
    other = web(users, "ttbcxb").get(page.request["PATH_INFO"])
    assert other.status_code == 200
    assert reverse("records:casefile_detail", args=[case_file.pk]) not in other.content.decode()
    assert CaseFileEntry.objects.filter(case_file=case_file).count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JSON lookups, locks")
def test_the_package_and_transfer_on_postgresql(users, closed, issued):
    test_the_package_holds_the_files_and_a_valid_xml(users, closed, issued)
    response = web(users, "vanthu").post(reverse("records:casefile_transfer", args=[closed.pk]))
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == CaseFile.Status.TRANSFERRED
    with pytest.raises(PermissionDenied):
        casefiles.document_unfile(case_file=closed, document=issued, actor=users.vanthu)


def test_an_altered_file_is_never_packaged(users, closed):
    entry = closed.entries.get(document__origin=Document.Origin.INCOMING)
    attachment = entry.document.attachments.get()
    with attachment.file.open("wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    response = web(users, "vanthu").get(reverse("records:casefile_package", args=[closed.pk]))
    assert response.status_code == 409
    assert "bị thay đổi" in response.content.decode()
    assert system_events("exported", closed) == 0
    altered = Event.objects.filter(document=entry.document, kind=Event.Kind.ORIGINAL_ALTERED)
    assert altered.count() == 1
