"""The document page's timeline merges audit events and viewflow's task records."""

from approvals import services
from approvals.timeline import document_full_timeline
from tests.conftest import ISSUE_DATE


def test_timeline_shows_who_was_given_each_task_between_the_events(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(
        document=seed_plan, actor=users.phogiamdoc, decision="return", comment="Sửa mục II."
    )
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=seed_plan, actor=users.vanthu, issued_on=ISSUE_DATE)

    rows = document_full_timeline(seed_plan)
    compact = [(row.kind, row.actor) for row in rows]
    assert compact[:8] == [
        ("created", "Nguyễn Văn An"),
        ("submitted", "Nguyễn Văn An"),
        ("task_assigned", "Trần Thị Bình"),
        ("returned", "Trần Thị Bình"),
        ("task_assigned", "Nguyễn Văn An"),
        ("submitted", "Nguyễn Văn An"),
        ("task_assigned", "Trần Thị Bình"),
        ("signed_off", "Trần Thị Bình"),
    ]
    assert [row.at for row in rows] == sorted(row.at for row in rows)
    issue_rows = [row for row in rows if row.action == "Được giao việc: Cho số, ban hành"]
    assert [row.actor for row in issue_rows] == ["Phạm Thị Dung"]
    ack_rows = [row for row in rows if row.action == "Được giao việc: Xác nhận đã nhận văn bản"]
    assert len(ack_rows) == 6
    assert rows[3].comment == "Sửa mục II."
    assert rows[2].role == "Phó Giám đốc, Ban Giám đốc"
