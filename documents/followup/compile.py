"""What Văn phòng starts from when it reports on a plan: the drafts of the unit's report, of
the compiled report (Báo cáo) to the plan's addressee, and of the commendation proposal (Tờ
trình), pre-filled from the plan and the reports received. Drafts only: the drafter edits
them, and they go through the same workflow as any document. Their text is the document's,
in Vietnamese whatever the drafter's screen language (no gettext here)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from ..dates import vn_short_date
from ..models import Assignment, AssignmentReport, Document, DocumentType, Unit
from . import deadlines

REPORT_TYPE = "BC"
PROPOSAL_TYPE = "TTr"
# Usual abbreviations of provincial bodies, spelled out to find the unit a plan names.
ABBREVIATIONS = {
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "TTATGT": "trật tự an toàn giao thông",
    "ATGT": "an toàn giao thông",
}
EXCERPT = 600


@dataclass
class Draft:
    """A new document's first content, for the drafting form."""

    document_type: DocumentType | None
    subject: str
    body: str
    cites: list[Document] = field(default_factory=list)
    recipients: list[tuple[str, list[Unit]]] = field(default_factory=list)


def _type(abbreviation: str) -> DocumentType | None:
    return DocumentType.objects.filter(abbreviation=abbreviation).first()


def _citation(plan: Document) -> str:
    when = f" ngày {vn_short_date(plan.issued_on)}" if plan.issued_on else ""
    return f"{plan.document_type.name} số {plan.notation}{when}"


def _records_office(plan: Document) -> list[tuple[str, list[Unit]]]:
    office = Unit.objects.filter(
        organization_id=plan.organization_id, is_records_office=True, is_active=True
    ).first()
    return [("Lưu: VT", [office])] if office else []


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def unit_report(assignment: Assignment) -> Draft:
    """The unit's Báo cáo answering one assignment, sent to the plan's follow-up unit."""
    plan = assignment.plan
    target = plan.drafting_unit
    body = (
        f"Thực hiện {_citation(plan)} của {plan.organization.name} về "
        f"{_lower_first(plan.subject)}, {assignment.lead_unit.name} báo cáo kết quả thực "
        f"hiện nhiệm vụ được giao: {assignment.task}, như sau:\n\n"
        "1. Kết quả thực hiện\n\n2. Khó khăn, vướng mắc\n\n3. Đề xuất, kiến nghị\n"
    )
    recipients = [(target.name, [target])] if target else []
    return Draft(
        document_type=_type(REPORT_TYPE),
        subject=(f"Kết quả thực hiện nhiệm vụ theo {_citation(plan)}"),
        body=body,
        cites=[plan],
        recipients=recipients + _records_office(plan),
    )


def received_reports(plan: Document) -> list[Assignment]:
    """The plan's assignments, each with its received (or accepted) reports loaded."""
    received = AssignmentReport.objects.filter(
        outcome__in=(AssignmentReport.Outcome.RECEIVED, AssignmentReport.Outcome.ACCEPTED)
    ).select_related("document__document_type")
    return list(
        plan.assignments.select_related("lead_unit")
        .prefetch_related(Prefetch("reports", queryset=received, to_attr="received"))
        .order_by("position", "pk")
    )


def _timeliness(report: AssignmentReport, assignment: Assignment) -> str:
    due = assignment.due_on
    if report.received_on is None or due is None:
        return ""
    return ("đúng hạn") if report.received_on <= due else ("trễ hạn")


def _excerpt(text: str) -> str:
    """What a unit report says it did: its "1. Kết quả thực hiện" part when it has one (the
    form it was started from), else its text; on one line, cut at EXCERPT characters."""
    results = re.search(
        r"Kết quả thực hiện[ \t]*\n(.*?)(?:\n\s*2\.\s|$)", text, flags=re.DOTALL | re.IGNORECASE
    )
    if results and results.group(1).strip():
        text = results.group(1)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def report_to(plan: Document) -> tuple[str, list[Unit]]:
    """Whom the plan says to report to ("tổng hợp báo cáo Ủy ban nhân dân tỉnh (qua Thường
    trực Ban ATGT tỉnh)"), and the outside units named there; ("", []) when it says not."""
    match = re.search(
        r"tổng hợp[^.;\n]*?báo cáo\s+(.+?(?:\([^)]*\))?)(?=\s*(?:đúng|theo|trước|[.;,\n]|$))",
        plan.body,
        flags=re.IGNORECASE,
    )
    if not match:
        return "", []
    text = match.group(1).strip()
    spelled = text
    for short, long in ABBREVIATIONS.items():
        spelled = re.sub(rf"\b{short}\b", long, spelled)
    folded = deadlines.fold(spelled)
    units = [
        unit
        for unit in Unit.objects.filter(kind=Unit.Kind.EXTERNAL, is_active=True).order_by("pk")
        if deadlines.fold(unit.name) in folded
    ]
    return text[:1].upper() + text[1:], units


def compiled_report(plan: Document, *, today: dt.date | None = None) -> Draft:
    """Văn phòng's Báo cáo on the plan: per task, each unit's report (what it said, on time
    or late, its number), or that none came."""
    today = today or timezone.localdate()
    compiler = plan.drafting_unit.name if plan.drafting_unit else plan.organization.name
    lines = [
        (
            f"Thực hiện {_citation(plan)} của {plan.organization.name} về "
            f"{_lower_first(plan.subject)}, {compiler} tổng hợp kết quả "
            "thực hiện của các đơn vị như sau:"
        ),
        "",
    ]
    cites: list[Document] = [plan]
    heading = None
    for assignment in received_reports(plan):
        if assignment.heading and assignment.heading != heading:
            heading = assignment.heading
            lines += ["", heading]
        lines.append(f"- {assignment.task} ({assignment.lead_unit.name} chủ trì):")
        reports = getattr(assignment, "received", [])
        for report in reports:
            document = report.document
            cites.append(document)
            when = vn_short_date(document.issued_on) if document.issued_on else ""
            lines.append(
                "  + "
                + (
                    f"Báo cáo số {document.notation} ngày {when} "
                    f"({_timeliness(report, assignment)}): "
                    f"{_excerpt(document.body) or document.subject}"
                )
            )
        if not reports:
            due = assignment.due_on
            late = due is not None and due < today
            lines.append(
                "  + "
                + (
                    (f"Chưa báo cáo (quá hạn từ ngày {vn_short_date(due)}).")
                    if late and due is not None
                    else ("Chưa báo cáo.")
                )
            )
    lines += ["", ("Đề xuất, kiến nghị:"), ""]
    text, units = report_to(plan)
    return Draft(
        document_type=_type(REPORT_TYPE),
        subject=(f"Kết quả thực hiện {_citation(plan)}"),
        body="\n".join(lines),
        cites=cites,
        recipients=([(text, units)] if text else []) + _records_office(plan),
    )


def commendation(plan: Document) -> Draft:
    """The Tờ trình proposing for commendation the units whose tasks were done on time."""
    assignments = received_reports(plan)
    done: dict[int, str] = {}
    for assignment in assignments:
        on_time = any(
            r.received_on and assignment.due_on and r.received_on <= assignment.due_on
            for r in getattr(assignment, "received", [])
        )
        if on_time:
            done.setdefault(assignment.lead_unit.pk, assignment.lead_unit.name)
    lines = [
        (
            f"Căn cứ {_citation(plan)} của {plan.organization.name} về "
            f"{_lower_first(plan.subject)} và kết quả thực hiện của các đơn "
            f"vị, {plan.organization.name} đề nghị khen thưởng các tập thể, cá nhân sau:"
        ),
        "",
        ("1. Tập thể:"),
        *[f"- {name}" for name in done.values()],
        "",
        ("2. Cá nhân:"),
        "",
    ]
    text, units = report_to(plan)
    return Draft(
        document_type=_type(PROPOSAL_TYPE),
        subject=(
            f"Đề nghị khen thưởng tập thể, cá nhân có thành tích trong {_lower_first(plan.subject)}"
        ),
        body="\n".join(lines),
        cites=[plan],
        recipients=([(text, units)] if text else []) + _records_office(plan),
    )
