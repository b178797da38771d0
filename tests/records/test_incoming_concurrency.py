"""Two văn thư registering at the same moment on PostgreSQL: the book's counter row lock
gives them consecutive số đến, never the same one, never a gap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from documents.models import DocumentType, IncomingRecord, Profile, RegisterCounter
from documents.permissions import GROUP_CLERKS
from documents.records import incoming
from tests.documents.test_numbering import run_concurrently

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _pdf(width: int) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=width, height=800)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_two_clerks_registering_at_once_get_consecutive_numbers(django_user_model):
    call_command("loaddata", "document_types", "organisation", verbosity=0)
    first = django_user_model.objects.get(username="vanthu")
    second = django_user_model.objects.create_user("vanthu2", last_name="Văn thư", first_name="Hai")
    second.groups.add(*first.groups.all())
    assert Group.objects.get(name=GROUP_CLERKS).user_set.filter(pk=second.pk).exists()
    profile = Profile.objects.get(user=first)
    Profile.objects.create(user=second, unit=profile.unit, position=profile.position)
    kind = DocumentType.objects.get(name="Công văn")

    def register(clerk, n: int):
        def run():
            return incoming.incoming_register(
                actor=clerk,
                upload=SimpleUploadedFile(f"{n}.pdf", _pdf(500 + n), "application/pdf"),
                document_type=kind,
                subject=f"Công văn {n}",
                notation=f"{n}/UBND-VX",
                issued_on=timezone.localdate() - dt.timedelta(days=1),
                sender_name=f"UBND huyện {n}",
            ).arrival_number

        return run

    rounds = 3
    numbers = []
    for r in range(rounds):
        numbers += run_concurrently(register(first, 2 * r), register(second, 2 * r + 1))
    assert sorted(numbers) == list(range(1, 2 * rounds + 1))
    year = timezone.localdate().year
    counter = RegisterCounter.objects.get(key=incoming.GENERAL_BOOK, year=year)
    assert counter.last_number == 2 * rounds
    assert IncomingRecord.objects.count() == 2 * rounds
