"""Corrections (đính chính, a Công văn) and replacements of an issued document: validated in
the services, recorded on the old document's trail at issuance, shown both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals import services as workflow
from approvals.models import Notification
from documents import integrity
from documents import services as documents
from documents.models import Document, DocumentType, Event, Unit


def draft(users, issued, *, type_name, **kwargs) -> Document:
    return documents.document_create(
        actor=users.chuyenvien,
        organization=issued.organization,
        document_type=DocumentType.objects.get(name=type_name),
        subject="Đính chính kế hoạch" if "corrects" in kwargs else "Kế hoạch thay thế",
        body="Nội dung.",
        recipients=[documents.RecipientSpec("Ban ATGT", [Unit.objects.get(abbreviation="BATGT")])],
        **kwargs,
    )


def issue(users, document) -> Document:
    workflow.document_submit(document=document, actor=users.chuyenvien, signer=users.phogiamdoc)
    workflow.document_decide(document=document, actor=users.phogiamdoc, decision="approve")
    workflow.document_issue(document=document, actor=users.vanthu)
    document.refresh_from_db()
    return document


@pytest.mark.django_db
def test_a_correction_is_a_cong_van_citing_the_corrected_document(issued, users):
    with pytest.raises(ValidationError) as error:
        draft(users, issued, type_name="Kế hoạch", corrects=issued)
    assert "document_type" in error.value.message_dict
    correction = draft(users, issued, type_name="Công văn", corrects=issued)
    assert correction.corrects == issued
    assert issued in correction.cites.all()


@pytest.mark.django_db
def test_a_replacement_has_the_type_of_the_replaced(issued, users):
    with pytest.raises(ValidationError) as error:
        draft(users, issued, type_name="Công văn", replaces=issued)
    assert "document_type" in error.value.message_dict
    replacement = draft(users, issued, type_name="Kế hoạch", replaces=issued)
    assert replacement.replaces == issued


@pytest.mark.django_db
def test_only_an_issued_visible_document_is_corrected(issued, seed_plan, users):
    other = draft(users, issued, type_name="Công văn")  # a draft: not issued
    before = Document.objects.count()
    with pytest.raises(ValidationError):
        draft(users, issued, type_name="Công văn", corrects=other)
    with pytest.raises(ValidationError):
        draft(users, issued, type_name="Kế hoạch", corrects=issued, replaces=issued)
    assert Document.objects.count() == before


@pytest.mark.django_db
def test_an_update_sets_and_clears_what_is_corrected(issued, users):
    document = draft(users, issued, type_name="Công văn")
    documents.document_update(document=document, actor=users.chuyenvien, corrects=issued)
    document.refresh_from_db()
    assert document.corrects_id == issued.pk
    edited = document.events.filter(kind=Event.Kind.EDITED).last()
    assert "corrects" in edited.data["fields"]
    with pytest.raises(ValidationError):
        documents.document_update(document=document, actor=users.chuyenvien, replaces=issued)
    document.refresh_from_db()
    assert document.corrects_id == issued.pk and document.replaces_id is None
    documents.document_update(document=document, actor=users.chuyenvien, corrects=None)
    document.refresh_from_db()
    assert document.corrects_id is None


@pytest.mark.django_db
def test_the_hash_includes_what_is_corrected_only_when_set(issued, users):
    assert "corrects" not in integrity.content_payload(issued)
    correction = draft(users, issued, type_name="Công văn", corrects=issued)
    assert integrity.content_payload(correction)["corrects"] == issued.pk


@pytest.mark.django_db
def test_an_issued_correction_is_shown_both_ways(issued, users, client_for):
    correction = issue(users, draft(users, issued, type_name="Công văn", corrects=issued))
    event = issued.events.get(kind=Event.Kind.CORRECTED)
    assert event.data["by"] == correction.pk and event.data["notation"] == correction.notation
    # The old document's recipients are told.
    assert Notification.objects.filter(
        document=issued, message__contains=f"đính chính bởi {correction.notation}"
    ).exists()
    old_url = reverse("documents:document_detail", args=[issued.pk])
    new_url = reverse("documents:document_detail", args=[correction.pk])
    html = client_for("vanthu").get(old_url).content.decode()
    assert 'data-testid="corrected-by"' in html and correction.notation in html
    assert f'href="{new_url}"' in html
    html = client_for("vanthu").get(new_url).content.decode()
    assert 'data-testid="corrects"' in html and f'href="{old_url}"' in html
    # Công an sees the old one, not the correction: the notation, no link.
    html = client_for("congan").get(old_url).content.decode()
    assert 'data-testid="corrected-by"' in html and correction.notation in html
    assert f'href="{new_url}"' not in html


@pytest.mark.django_db
def test_an_issued_replacement_supersedes_the_old(issued, users, client_for):
    replacement = issue(users, draft(users, issued, type_name="Kế hoạch", replaces=issued))
    assert issued.events.filter(kind=Event.Kind.REPLACED).count() == 1
    html = client_for("giamdoc").get(reverse("documents:document_detail", args=[issued.pk]))
    assert 'data-testid="replaced-by"' in html.content.decode()
    assert "Đã bị thay thế bởi" in html.content.decode()
    html = client_for("giamdoc").get(reverse("documents:document_detail", args=[replacement.pk]))
    assert 'data-testid="replaces"' in html.content.decode()


@pytest.mark.django_db
def test_the_draft_form_chooses_what_it_corrects(issued, users, client_for):
    client = client_for("chuyenvien")
    page = client.get(reverse("documents:document_create"))
    assert 'name="supersede_kind"' in page.content.decode()
    data = {
        "document_type": DocumentType.objects.get(name="Kế hoạch").pk,
        "subject": "Đính chính",
        "supersede_kind": "corrects",
        "supersedes": issued.pk,
        "recipients-TOTAL_FORMS": "1",
        "recipients-INITIAL_FORMS": "0",
        "recipients-0-text": "Văn phòng",
    }
    before = Document.objects.count()
    response = client.post(reverse("documents:document_create"), data)
    assert response.status_code == 422
    assert "Văn bản đính chính phải là Công văn" in response.content.decode()
    assert Document.objects.count() == before
    data["document_type"] = DocumentType.objects.get(name="Công văn").pk
    response = client.post(reverse("documents:document_create"), data)
    assert response.status_code == 302
    assert Document.objects.get(subject="Đính chính").corrects == issued


@pytest.mark.django_db
def test_the_drafter_starts_a_correction_from_the_documents_page(issued, client_for):
    client = client_for("chuyenvien")
    page = client.get(reverse("documents:document_detail", args=[issued.pk])).content.decode()
    assert f"?dinh-chinh={issued.pk}" in page and f"?thay-the={issued.pk}" in page
    create = reverse("documents:document_create")
    html = client.get(f"{create}?dinh-chinh={issued.pk}").content.decode()
    assert '<option value="corrects" selected>' in html
    assert f'<option value="{issued.pk}" selected>' in html
    cong_van = DocumentType.objects.get(name="Công văn")
    assert f'<option value="{cong_van.pk}" selected>' in html
    html = client.get(f"{create}?thay-the={issued.pk}").content.decode()
    assert '<option value="replaces" selected>' in html
    assert client.get(f"{create}?dinh-chinh=abc").status_code == 404
    assert client.get(f"{create}?dinh-chinh=999999").status_code == 404
    # Others see no such button.
    page = client_for("congan").get(reverse("documents:document_detail", args=[issued.pk]))
    assert "?dinh-chinh=" not in page.content.decode()
