"""Time the seed plan's rendering (PDF, DOCX) and its two signatures, on a throw-away
database: `.venv/bin/python benchmarks/render.py [repeats]`."""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(label: str, action: Callable[[], object], repeats: int) -> object:
    """Run an action `repeats` times and print its median and fastest time."""
    durations, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - start)
    print(
        f"{label:<38} median {statistics.median(durations) * 1000:7.0f} ms"
        f"   min {min(durations) * 1000:7.0f} ms   (n={repeats})"
    )
    return result


def main(repeats: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from documents import pki, services, signing
    from documents.models import Document
    from documents.rendering import render_docx, render_pdf, slots
    from documents.rendering.fields import issue_values

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    users = {u.username: u for u in get_user_model().objects.all()}
    plan = Document.objects.get(origin=Document.Origin.OUTGOING, status=Document.Status.DRAFT)

    def pdf(document: Document) -> bytes:
        stream = io.BytesIO()
        render_pdf(document, stream)
        return stream.getvalue()

    def docx(document: Document) -> bytes:
        stream = io.BytesIO()
        render_docx(document, stream)
        return stream.getvalue()

    timed("first PDF (fonts, imports, caches)", lambda: pdf(plan), 1)
    timed("PDF, draft with DỰ THẢO mark", lambda: pdf(plan), repeats)
    timed("DOCX, draft", lambda: docx(plan), repeats)
    plan = services.document_submit(
        document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"]
    )
    plan = services.document_sign_off(document=plan, actor=users["phogiamdoc"])
    signed_off = timed("PDF, signed off (with form fields)", lambda: pdf(plan), repeats)
    ca = pki.make_ca(common_name="CA", organization="Bench")
    person = pki.issue(ca, common_name="Trần Thị Bình", organization="STTTT")
    agency = pki.issue(ca, common_name="Sở Thông tin và Truyền thông", organization="UBND")
    # In-memory keys (the demo-files kind of signer); a token or a remote service adds its
    # own latency to each signature.
    person_signer, agency_signer = signing.simple_signer(person), signing.simple_signer(agency)
    signed = timed(
        "sign-off signature (visible)",
        lambda: signing.sign_pdf(
            signed_off,
            signer=person_signer,
            reason="Ký duyệt",
            location="Bình Phước",
            field_name=slots.SIGNATURE,
            appearance=signing.signer_appearance(),
        ),
        repeats,
    )
    issued_on = dt.date(plan.signed_off_at.year, 4, 16)
    issued = timed(
        "number + date + agency signature",
        lambda: signing.sign_pdf(
            signed,
            signer=agency_signer,
            reason="Ban hành",
            location="Bình Phước",
            field_name=slots.AGENCY_SIGNATURE,
            form_values=issue_values(signed, notation="05/KH-STTTT", issued_on=issued_on),
            appearance=signing.agency_appearance("Sở Thông tin và Truyền thông"),
        ),
        repeats,
    )
    timed(
        "verify both signatures", lambda: signing.verify_pdf(issued, trust_roots=[ca.cert]), repeats
    )
    plan = services.document_issue(document=plan, actor=users["vanthu"], issued_on=issued_on)
    timed("PDF, issued (number and date printed)", lambda: pdf(plan), repeats)
    timed("DOCX, issued", lambda: docx(plan), repeats)
    print(
        f"sizes: PDF {len(pdf(plan)) // 1024} KiB, signed PDF {len(issued) // 1024} KiB, "
        f"DOCX {len(docx(plan)) // 1024} KiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
