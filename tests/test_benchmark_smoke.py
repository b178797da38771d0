"""The benchmark's generator and measurement at a tiny size: the cloned documents carry every
row the services write (trail, receipts, process and tasks, grants), numbers stay unique, the
rule of documents.permissions shows each clone to its drafter, and the measured pages answer.
No timing is asserted: times belong to the benchmark's output (docs/benchmarks.md)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db import connection
from guardian.models import UserObjectPermission

from benchmarks import organisation, pages, templates
from benchmarks.generate import Generator
from documents.models import Document
from documents.selectors import document_list_visible_to
from tests.conftest import FIXTURES

CLONES = 30


@pytest.fixture
def generated(db, settings):
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("loaddata", *FIXTURES, verbosity=0)
    organisation.build(units=14, people=80)
    made = templates.create_all(confidentialities=[""])  # Mật ones: the normal template
    before = set(Document.objects.values_list("pk", flat=True))
    generator = Generator(organisation.load(), made, per_day=2)  # 15 days: every state
    result = generator.run(CLONES, batch=7)
    connection.check_constraints()  # foreign keys are deferred: check them before rollback
    clones = Document.objects.exclude(pk__in=before)
    return result, list(clones.select_related("drafter"))


def test_generated_data_is_consistent_and_measurable(generated):
    """One generation (the slow part), three checks."""
    check_every_row_the_services_write(*generated)
    check_numbers_unique_per_register_and_year()
    check_measurement_answers_for_a_seed_role()


def check_every_row_the_services_write(result, clones):
    assert result.documents == CLONES == len(clones)
    assert len({c.status for c in clones}) >= 3
    for document in clones:
        assert document.events.exists()
        assert document.recipient_lines.count() == 3
        assert UserObjectPermission.objects.filter(
            user=document.drafter, object_pk=str(document.pk)
        ).exists()
        assert document_list_visible_to(document.drafter).filter(pk=document.pk).exists()
        if document.status == Document.Status.DRAFT:
            continue
        process = document.processes.get()
        assert process.task_set.exists()
        if document.status in (Document.Status.ISSUED, Document.Status.ARCHIVED):
            receipts = list(document.receipts.all())
            assert len(receipts) == 5 and len({r.unit_id for r in receipts}) == 5
            assert document.drafting_unit_id not in {r.unit_id for r in receipts}
            tasks = process.task_set.filter(data__has_key="receipt")
            assert {t.data["receipt"] for t in tasks} == {r.pk for r in receipts}
            assert all(r.assignee_id == r.unit.receiver_id for r in receipts)


def check_numbers_unique_per_register_and_year():
    numbered = Document.objects.filter(number__isnull=False)
    keys = Counter(numbered.values_list("organization", "register_key", "issued_year", "number"))
    assert keys and max(keys.values()) == 1
    # The confidential book (MAT) numbers on its own, so a notation repeats only across books.
    notations = Counter(numbered.values_list("register_key", "notation", "issued_year"))
    assert max(notations.values()) == 1


def check_measurement_answers_for_a_seed_role():
    rows = pages.measure(
        None, {CLONES: ""}, repeats=2, roles=["vanthu"], pages=["documents p1", "Việc của tôi"]
    )
    assert [row["status"] for row in rows] == [[200], [200]]
    assert all(row["requests"] == 2 and row["queries"] > 0 for row in rows)
    assert User.objects.filter(username__startswith="cb").count() > 50


def test_cloned_trails_are_chains_that_verify(generated):
    """Each clone's events form a chain of their own (benchmarks.cloning._rechain), so
    verify_audit can be measured on generated data."""
    from documents import trail

    _result, clones = generated
    report = trail.verify(files=False, signatures=False)
    assert report.ok, report.findings[:3]
    assert report.chains >= len(clones)
