"""The template documents: one per state and confidentiality, made by the real services.

The generator clones these rows, so the data has exactly the rows the services write (trail,
receipts, viewflow processes and tasks, guardian grants, history, notifications, and any table
added later). PDFs are stubbed (a few bytes per rendition): rendering is timed by render.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from approvals import services
from documents import originals, publishing
from documents import services as documents
from documents.models import Document, Rendition, Unit

STATES = ["draft", "submitted", "returned", "rejected", "signed", "issued", "archived"]
CONFIDENTIALITIES = ["", "mat"]
# The units a template is sent to, replaced by other units in each clone; Lưu: VT stays.
SLOTS = ["CA", "TTBCXB", "BCVTCNTT", "TTCNTT"]
SEED_SUBJECT = "Phát động phong trào thi đua bảo đảm trật tự an toàn giao thông năm 2020"


@dataclass(frozen=True)
class Template:
    """A document made by the services, and the people and units its clones replace."""

    pk: int
    state: str
    confidentiality: str
    drafter_id: int
    signer_id: int
    drafting_unit_id: int
    slot_unit_ids: tuple[int, ...]


def _stub_rendition(document: Document, kind: str) -> Rendition:
    pdf = f"%PDF-1.4\n% benchmark stub {document.pk} {kind}\n%%EOF\n".encode()
    rendition = Rendition(
        document=document, kind=kind, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
    )
    rendition.file.save(f"{document.pk}-{kind}.pdf", ContentFile(pdf), save=False)
    rendition.save()
    return rendition


@contextmanager
def pdfs_stubbed() -> Iterator[None]:
    """documents.publishing without PDF work: rendering and signing replaced by a stub file,
    and no certificate looked for (the stub signs nothing); the signed-off original is still
    read back and checked against its hash before issuing, as the services do."""
    saved = (
        publishing.sign_off_rendition,
        publishing.issue_rendition,
        originals.ensure_signer_can_sign,
        originals.ensure_ready_to_issue,
    )

    def sign_off_rendition(*, document: Document, actor: User) -> Rendition:
        return _stub_rendition(document, Rendition.Kind.SIGNED_OFF)

    def issue_rendition(*, document: Document) -> Rendition:
        return _stub_rendition(document, Rendition.Kind.ISSUED)

    def no_certificate_needed(signer: User) -> None:
        return None

    publishing.sign_off_rendition, publishing.issue_rendition = sign_off_rendition, issue_rendition
    originals.ensure_signer_can_sign = no_certificate_needed
    originals.ensure_ready_to_issue = publishing.signed_off_pdf  # type: ignore[assignment]
    try:
        yield
    finally:
        (
            publishing.sign_off_rendition,
            publishing.issue_rendition,
            originals.ensure_signer_can_sign,
            originals.ensure_ready_to_issue,
        ) = saved


def recipients(units: dict[str, Unit]) -> list[documents.RecipientSpec]:
    """Công an tỉnh, three phòng and Lưu: VT: five receipts, as in the seed plan."""
    return [
        documents.RecipientSpec("Công an tỉnh", [units["CA"]]),
        documents.RecipientSpec(
            "Các phòng, Trung tâm", [units["TTBCXB"], units["BCVTCNTT"], units["TTCNTT"]]
        ),
        documents.RecipientSpec("Lưu: VT", [units["VT"]]),
    ]


def make(*, state: str, confidentiality: str, issued_on: dt.date | None = None) -> Document:
    """A copy of the seed plan taken to ``state`` through the services (PDFs stubbed)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["chuyenvien", "phogiamdoc", "vanthu"])
    }
    units = {u.abbreviation: u for u in Unit.objects.filter(abbreviation__in=[*SLOTS, "VT"])}
    plan = (
        Document.objects.filter(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
        .order_by("pk")
        .first()
    )
    assert plan is not None, "the seed plan is missing (run the demo seed first)"
    drafter, signer = users["chuyenvien"], users["phogiamdoc"]
    with pdfs_stubbed():
        document = documents.document_create(
            actor=drafter,
            organization=plan.organization,
            document_type=plan.document_type,
            subject=plan.subject,
            body=plan.body,
            confidentiality=confidentiality,
            recipients=recipients(units),
            cites=list(plan.cites.all()),
        )
        if state != "draft":
            services.document_submit(document=document, actor=drafter, signer=signer)
        if state in ("returned", "rejected"):
            decision = "return" if state == "returned" else "reject"
            services.document_decide(
                document=document, actor=signer, decision=decision, comment="Đề nghị bổ sung."
            )
        elif state not in ("draft", "submitted"):
            services.document_decide(document=document, actor=signer, decision="approve")
        if state in ("issued", "archived"):
            services.document_issue(
                document=document,
                actor=users["vanthu"],
                issued_on=issued_on or timezone.localdate(),
            )
        if state == "archived":
            for receipt in document.receipts.select_related("assignee"):
                assert receipt.assignee is not None  # an issued document's receipts are assigned
                services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    document.refresh_from_db()
    if document.status != state:
        raise RuntimeError(f"template for {state!r} ended as {document.status!r}")
    return document


def create_all(confidentialities: list[str] = CONFIDENTIALITIES) -> list[Template]:
    """Every state × (normal, Mật), through the services."""
    slots = tuple(Unit.objects.get(abbreviation=abbreviation).pk for abbreviation in SLOTS)
    result = []
    for confidentiality in confidentialities:
        for state in STATES:
            document = make(state=state, confidentiality=confidentiality)
            # document_create sets both from the drafter
            assert document.drafter_id is not None and document.drafting_unit_id is not None
            result.append(
                Template(
                    pk=document.pk,
                    state=state,
                    confidentiality=confidentiality,
                    drafter_id=document.drafter_id,
                    signer_id=User.objects.get(username="phogiamdoc").pk,
                    drafting_unit_id=document.drafting_unit_id,
                    slot_unit_ids=slots,
                )
            )
    return result
