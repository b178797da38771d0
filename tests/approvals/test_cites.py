"""Cited documents (văn bản căn cứ): chosen on the drafting form, shown on the document page."""

from __future__ import annotations

import re

from documents.models import Document, Event, Unit
from tests.conftest import SEED_SUBJECT

COMPOSE = "/documents/van-ban/soan-thao/"


def compose_data(document_type_id: int, subject: str, cites=()) -> dict:
    police = Unit.objects.get(abbreviation="CA")
    return {
        "document_type": document_type_id,
        "subject": subject,
        "body": "Thực hiện Kế hoạch số 83/KH-UBND ngày 01/4/2020 của UBND tỉnh.",
        "cites": [c.pk for c in cites],
        "recipients-TOTAL_FORMS": "1",
        "recipients-INITIAL_FORMS": "0",
        "recipients-0-text": "Công an tỉnh",
        "recipients-0-units": [police.pk],
    }


def test_the_form_offers_issued_documents_the_person_may_see(client_for, seed_plan):
    reference = Document.objects.get(notation="83/KH-UBND")
    text = client_for("chuyenvien").get(COMPOSE).text
    select = re.search(r'<select name="cites".*?</select>', text, re.S)
    assert select, "no cites field"
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(0))}
    # A draft has no number: it cannot be cited.
    assert offered == {reference.pk}
    assert "83/KH-UBND ngày 01/4/2020 — " in select.group(0)


def test_a_draft_cites_plan_83_and_the_page_shows_it(client_for, seed_plan):
    reference = Document.objects.get(notation="83/KH-UBND")
    client = client_for("chuyenvien")
    response = client.post(
        COMPOSE, compose_data(seed_plan.document_type_id, "Kế hoạch thực hiện", [reference])
    )
    assert response.status_code == 302
    draft = Document.objects.get(subject="Kế hoạch thực hiện")
    assert list(draft.cites.all()) == [reference]
    page = client.get(response["Location"]).text
    assert "Căn cứ, trích dẫn:" in page
    assert (
        f'href="/documents/van-ban/{reference.pk}/">Kế hoạch số 83/KH-UBND ngày 01/4/2020' in page
    )


def test_citing_a_document_one_may_not_see_is_refused(client_for, seed_plan):
    # Công an's liaison cannot see the Sở's draft; the drafter cannot cite a draft at all.
    count = Document.objects.count()
    response = client_for("chuyenvien").post(
        COMPOSE, compose_data(seed_plan.document_type_id, "Kế hoạch khác", [seed_plan])
    )
    assert response.status_code == 422
    assert "Hãy chọn một lựa chọn hợp lệ" in response.text or "không hợp lệ" in response.text
    assert Document.objects.count() == count


def test_editing_without_touching_the_cites_records_no_cites_change(client_for, seed_plan):
    reference = Document.objects.get(notation="83/KH-UBND")
    assert list(seed_plan.cites.all()) == [reference]
    client = client_for("chuyenvien")
    form = client.get(f"/documents/van-ban/{seed_plan.pk}/sua/")
    assert f'<option value="{reference.pk}" selected>' in form.text
    data = compose_data(seed_plan.document_type_id, SEED_SUBJECT, [reference])
    data["body"] = seed_plan.body + "\n- Thời gian thực hiện: Trong năm 2020."
    # The recipient lines as the form shows them, unchanged.
    for key in [k for k in data if k.startswith("recipients-")]:
        del data[key]
    lines = list(seed_plan.recipient_lines.prefetch_related("units"))
    data["recipients-TOTAL_FORMS"] = str(len(lines))
    data["recipients-INITIAL_FORMS"] = str(len(lines))
    for i, line in enumerate(lines):
        data[f"recipients-{i}-text"] = line.text
        data[f"recipients-{i}-units"] = [u.pk for u in line.units.all()]
    response = client.post(f"/documents/van-ban/{seed_plan.pk}/sua/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    edited = seed_plan.events.filter(kind=Event.Kind.EDITED).latest("pk")
    assert edited.data["fields"] == ["body"]
    assert list(seed_plan.cites.all()) == [reference]
