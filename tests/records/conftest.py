"""Fixtures of the records office's tests: the approvals' clients and the seed plan's stages."""

import datetime as _incoming_dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.approvals.conftest import client_for, issued, submitted  # noqa: F401
from tests.approvals.test_concurrency import issued_plan  # noqa: F401 - PostgreSQL races
from tests.documents.pdf_helpers import pdf_bytes as _incoming_pdf_bytes

# --- incoming documents (tests/records/test_incoming*.py) ---------------------------------


@pytest.fixture
def incoming_upload():
    """An uploaded file of a received document: a blank PDF (a scan) unless given bytes."""

    def make(content: bytes | None = None, name: str = "83-KH-UBND.pdf") -> SimpleUploadedFile:
        data = content if content is not None else _incoming_pdf_bytes()
        return SimpleUploadedFile(name, data, content_type="application/pdf")

    return make


@pytest.fixture
def incoming_register(users, incoming_upload):
    """Register a công văn of Công an tỉnh (the văn thư), with any field overridden."""
    from documents.models import DocumentType, Unit
    from documents.records import incoming

    def register(**overrides):
        arguments = {
            "actor": users.vanthu,
            "upload": incoming_upload(),
            "document_type": DocumentType.objects.filter(abbreviation="").first()
            or DocumentType.objects.first(),
            "subject": "V/v phối hợp bảo đảm trật tự an toàn giao thông dịp Tết",
            "notation": "83/CAT-PC08",
            "issued_on": _incoming_dt.date.today() - _incoming_dt.timedelta(days=2),
            "sender_name": "Công an tỉnh Bình Phước",
            "sender_unit": Unit.objects.get(abbreviation="CA"),
            "signer_name": "Nguyễn Văn An",
        }
        arguments.update(overrides)
        return incoming.incoming_register(**arguments)

    return register
