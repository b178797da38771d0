"""The trail is a hash chain per document: every step links to the one before it, the database
refuses to change or remove a link, and verify_audit finds a link changed, removed or put out
of order behind the triggers' back."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from documents import audit, audit_format, trail
from documents.models import Checkpoint, Event
from tests.trail.conftest import raw

EVENT_TABLE = Event._meta.db_table


def test_every_event_of_a_document_links_to_the_one_before(issued):
    events = list(Event.objects.filter(document=issued).order_by("seq"))
    assert len(events) >= 8
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert {e.chain for e in events} == {f"d:{issued.pk}"}
    assert events[0].prev == audit_format.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev == before.hash
    for event in events:
        fields = (
            event.chain,
            event.seq,
            event.prev,
            audit.timestamp(event.created_at),
            event.document_id,
            event.actor_id,
            event.role,
            event.kind,
            event.comment,
            event.data,
        )
        assert audit_format.event_hash(*fields) == event.hash


def test_verify_audit_passes_on_an_untouched_trail(issued, capsys):
    call_command("verify_audit", "--no-signatures")
    out = capsys.readouterr().out
    assert "Nhật ký nguyên vẹn." in out
    report = trail.verify(signatures=False)
    assert report.ok and report.events == Event.objects.count() and report.files >= 2


# --- the database refuses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {EVENT_TABLE} SET comment = 'sửa', actor_id = NULL",  # noqa: S608
        f"DELETE FROM {EVENT_TABLE}",  # noqa: S608
    ],
)
def test_the_database_refuses_to_change_or_remove_an_event(issued, statement):
    before = list(Event.objects.order_by("pk").values_list("pk", "comment", "actor_id", "hash"))
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(statement)
    after = list(Event.objects.order_by("pk").values_list("pk", "comment", "actor_id", "hash"))
    assert after == before


def test_the_managers_back_door_is_refused_too(issued):
    before = list(Event.objects.order_by("pk").values_list("pk", "comment"))
    with pytest.raises(DatabaseError), transaction.atomic():
        Event._base_manager.filter(document=issued).update(comment="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event._base_manager.filter(document=issued)._raw_delete(Event._base_manager.db)
    assert list(Event.objects.order_by("pk").values_list("pk", "comment")) == before


def test_the_database_refuses_to_change_a_checkpoint(issued, sealed):
    table = Checkpoint._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"UPDATE {table} SET prev = 'x'")  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(f"DELETE FROM {table}")  # noqa: S608
    assert Checkpoint.objects.get().prev == audit_format.GENESIS


# --- found behind the triggers' back ------------------------------------------------------


def verify_fails(capsys) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", "--no-files", "--no-signatures")
    assert failure.value.returncode == 1
    return str(failure.value) + capsys.readouterr().err


def test_an_altered_event_is_found(issued, no_triggers, capsys):
    target = Event.objects.get(document=issued, kind=Event.Kind.SIGNED_OFF)
    raw(
        f"UPDATE {EVENT_TABLE} SET comment = %s, actor_id = NULL WHERE id = %s",  # noqa: S608
        ["Đồng ý", target.pk],
    )
    message = verify_fails(capsys)
    assert f"d:{issued.pk}#{target.seq} (id {target.pk}): altered" in message


def test_a_removed_event_is_found(issued, no_triggers, capsys):
    target = Event.objects.get(document=issued, kind=Event.Kind.SUBMITTED)
    raw(f"DELETE FROM {EVENT_TABLE} WHERE id = %s", [target.pk])  # noqa: S608
    message = verify_fails(capsys)
    assert f"expected number {target.seq} in its chain" in message


def test_reordered_events_are_found(issued, no_triggers, capsys):
    first, second = Event.objects.filter(document=issued).order_by("seq")[1:3]
    # Swap their places in the chain (numbers and links), keeping each one's own hash.
    raw(f"UPDATE {EVENT_TABLE} SET seq = 0 WHERE id = %s", [first.pk])  # noqa: S608
    raw(
        f"UPDATE {EVENT_TABLE} SET seq = %s, prev = %s WHERE id = %s",  # noqa: S608
        [first.seq, first.prev, second.pk],
    )
    raw(
        f"UPDATE {EVENT_TABLE} SET seq = %s, prev = %s WHERE id = %s",  # noqa: S608
        [second.seq, second.prev, first.pk],
    )
    message = verify_fails(capsys)
    assert f"d:{issued.pk}#{first.seq} (id {second.pk}): altered" in message


def test_an_event_inserted_out_of_order_is_found(issued, no_triggers, capsys):
    last = Event.objects.filter(document=issued).order_by("-seq").first()
    assert last is not None
    # A well-formed event hashed by the attacker, but linked to an earlier event.
    earlier = Event.objects.get(document=issued, seq=2)
    fields = [
        last.chain,
        last.seq + 1,
        earlier.hash,
        "2020-01-01T00:00:00.000000Z",
        issued.pk,
        None,
        "Hệ thống",
        Event.Kind.ARCHIVED,
        "",
        {},
    ]
    raw(
        f"INSERT INTO {EVENT_TABLE} (chain, seq, prev, created_at, document_id, actor_id, "  # noqa: S608
        "role, kind, comment, data, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            *fields[:3],
            "2020-01-01 00:00:00+00:00",
            *fields[4:9],
            "{}",
            audit_format.event_hash(*fields),
        ],
    )
    message = verify_fails(capsys)
    assert f"#{last.seq + 1}" in message and "does not follow the event before it" in message


@pytest.fixture
def sealed(issued):
    checkpoint = trail.seal()
    assert checkpoint is not None and checkpoint.seq == 1
    return checkpoint


def test_the_last_event_removed_after_sealing_is_found(sealed, issued, no_triggers, capsys):
    last = Event.objects.filter(document=issued).order_by("-seq").first()
    assert last is not None
    raw(f"DELETE FROM {EVENT_TABLE} WHERE id = %s", [last.pk])  # noqa: S608
    message = verify_fails(capsys)
    assert f"d:{issued.pk}#{last.seq}: sealed by checkpoint 1, now missing" in message


def test_a_whole_document_trail_removed_after_sealing_is_found(sealed, issued, no_triggers, capsys):
    raw(f"DELETE FROM {EVENT_TABLE} WHERE document_id = %s", [issued.pk])  # noqa: S608
    message = verify_fails(capsys)
    assert f"d:{issued.pk}#" in message and "now missing" in message


def test_a_second_seal_covers_only_the_chains_that_moved(sealed, issued, users):
    assert trail.seal() is None  # nothing new
    audit.record(document=issued, actor=users.vanthu, kind=Event.Kind.READ)
    second = trail.seal()
    assert second is not None
    assert second.prev == sealed.hash
    assert list(second.heads) == [f"d:{issued.pk}"]
    assert trail.verify(files=False, signatures=False).ok


def test_the_daily_job_seals_and_the_beat_runs_it(issued, settings):
    from documents import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["seal-audit-trail"]
    assert entry["task"] == tasks.seal_audit_trail.name
    assert tasks.seal_audit_trail.apply().get() == 1
    assert tasks.seal_audit_trail.apply().get() is None  # nothing moved since
    assert Checkpoint.objects.count() == 1


def test_seal_audit_command_says_what_it_sealed(issued, capsys):
    call_command("seal_audit")
    assert "Đã niêm phong điểm số 1" in capsys.readouterr().out
    call_command("seal_audit")
    assert "Không có sự kiện mới" in capsys.readouterr().out


# --- what an intruder with INSERT rights alone, or the seal's cache, could try -------------


def insert_event(fields: list) -> None:
    """A row written straight into the table, hashed as the application would hash it."""
    columns = "chain, seq, prev, created_at, document_id, actor_id, role, kind, comment, data"
    raw(
        f"INSERT INTO {EVENT_TABLE} ({columns}, hash) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [*fields[:3], "2020-01-01 00:00:00+00:00", *fields[4:9], "{}"]
        + [audit_format.event_hash(*fields)],
    )


def test_an_event_on_a_made_up_chain_of_a_document_is_found(issued, no_triggers, capsys):
    """A self-consistent chain of one event, shown on the document's timeline."""
    time = "2020-01-01T00:00:00.000000Z"
    kind = Event.Kind.ARCHIVED
    insert_event(["d:fake", 1, audit_format.GENESIS, time, issued.pk, None, "", kind, "", {}])
    message = verify_fails(capsys)
    assert "d:fake#1" in message and "not on its document's chain" in message


def test_a_chain_kept_out_of_the_seals_is_found(issued, users, sealed, no_triggers, monkeypatch):
    from documents.models import SealedHead
    from documents.trail import walk

    # The seal's cache says the chain is sealed far ahead: the next seal leaves it out.
    raw(f"UPDATE {SealedHead._meta.db_table} SET seq = 999999 WHERE chain = %s", [f"d:{issued.pk}"])  # noqa: S608
    audit.record(document=issued, actor=users.vanthu, kind=Event.Kind.READ)
    other = Event.objects.filter(document__isnull=False).exclude(document=issued).first()
    if other is None:  # another chain moves, so that a checkpoint is made
        audit.record_system(actor=None, kind=Event.Kind.RIGHTS_CHANGED)
    assert trail.seal() is not None
    monkeypatch.setattr(walk, "SEAL_MARGIN", dt.timedelta(0))
    findings = trail.verify(files=False, signatures=False).findings
    assert any(
        f.where.startswith(f"d:{issued.pk}#") and "not sealed" in f.reason for f in findings
    ), findings


def test_a_checkpoint_signed_by_another_trusted_certificate_is_found(issued, settings):
    """A leader's certificate chains to the same roots; only the agency's may seal."""
    from documents import pki, signing

    keys = Path(settings.SIGNING["SIGNER_KEYS_DIR"])
    leader = pki.load(key_path=keys / "phogiamdoc.key.pem", cert_path=keys / "phogiamdoc.crt.pem")

    def sign_as_leader(digest: str) -> tuple[str, str]:
        from documents import signers

        cms = signers.sign_data(signing.simple_signer(leader), digest.encode("ascii"))
        return base64.b64encode(cms).decode(), "Trần Thị Bình"

    assert trail.seal(sign=sign_as_leader) is not None
    findings = trail.verify(files=False).findings
    assert [f.where for f in findings] == ["#1"]
    assert "not by the agency's certificate" in findings[0].reason
