"""Case files (hồ sơ, Điều 28–31; Phụ lục VI part I.4): the agency's list for the year, filing
documents into an open case file, closing it, and handing it over to the archive (nộp lưu).

Who does what (one place):
- the list (danh mục hồ sơ): the văn thư and the agency's leaders create and edit entries;
- seeing a case file: the văn thư and the leaders of its agency, its responsible person and
  the members of its unit;
- filing and unfiling: the responsible person, a member of its unit, the văn thư, while it is
  open, and only documents they may see (outgoing ones once issued; the văn thư of the
  agency may take out any document of it);
- closing (kết thúc): the responsible person or the văn thư;
- the export package: the văn thư or a leader, once closed; the văn thư alone when the case
  file holds a confidential document; marking it transferred (nộp lưu): the văn thư, after
  an export. A closed case file changes no more; a transferred one, nothing at all.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, transactions
from ..models import CaseFile, CaseFileEntry, Document, Event, Profile, Unit
from ..permissions import acts_in_workflow, is_clerk, is_leader, organization_of, unit_ids
from ..selectors import document_list_visible_to
from ..text import clean_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ..models import Organization

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RETENTION = 100
# Phụ lục VI part II.III: FileNotation String 20, Title String 500, Description String 500.
MAX_CODE, MAX_TITLE, MAX_NOTES = 20, 500, 500
TEXT_FIELDS = ("code", "title", "notes")
EDITABLE_FIELDS = ("year", "code", "title", "unit", "responsible", "retention_years", "notes")


# --- selectors ---------------------------------------------------------------------------


def case_files_visible_to(user: User) -> QuerySet[CaseFile]:
    """The văn thư and leaders see the agency's case files; others those they are responsible
    for and those of their units."""
    organization = organization_of(user) if acts_in_workflow(user) else None
    if organization is None:
        return CaseFile.objects.none()
    rows = CaseFile.objects.filter(organization=organization).select_related(
        "unit", "responsible", "organization"
    )
    if is_clerk(user) or is_leader(user):
        return rows
    return rows.filter(Q(responsible=user) | Q(unit_id__in=unit_ids(user)))


def case_file_get_visible(user: User, pk: int) -> CaseFile:
    """The case file if the person may see it; 404 otherwise."""
    case_file = case_files_visible_to(user).filter(pk=pk).first()
    if case_file is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return case_file


def entries_of(case_file: CaseFile) -> list[CaseFileEntry]:
    """The documents of the case file in their order, with what the table of contents shows."""
    return list(
        case_file.entries.select_related(
            "document__document_type", "document__organization", "document__incoming"
        ).order_by("position", "pk")
    )


def case_files_holding(document: Document, user: User) -> list[CaseFile]:
    """The case files holding the document that the person may see."""
    return list(
        case_files_visible_to(user).filter(entries__document=document).order_by("-year", "code")
    )


def case_files_around(document: Document, user: User) -> tuple[list[CaseFile], list[CaseFile]]:
    """In one query: the case files holding the document that the person sees, and the open
    ones they may file it into (none if it may not be filed yet)."""
    held = CaseFileEntry.objects.filter(case_file=OuterRef("pk"), document=document)
    wanted = Q(holds=True)
    if fileable(document):
        mine = Q() if is_clerk(user) else Q(responsible=user) | Q(unit_id__in=unit_ids(user))
        wanted |= Q(status=CaseFile.Status.OPEN) & mine
    rows = list(
        case_files_visible_to(user)
        .annotate(holds=Exists(held))
        .filter(wanted)
        .order_by("-year", "code")
    )
    return [c for c in rows if c.holds], [c for c in rows if not c.holds]  # type: ignore[attr-defined]


def open_case_files_for(user: User) -> QuerySet[CaseFile]:
    """The open case files the person may file documents into."""
    rows = case_files_visible_to(user).filter(status=CaseFile.Status.OPEN)
    if is_clerk(user):
        return rows
    return rows.filter(Q(responsible=user) | Q(unit_id__in=unit_ids(user)))


def document_date(document: Document) -> dt.date:
    """The date a document counts from in a case file: its date, else its arrival, else its
    creation."""
    if document.issued_on is not None:
        return document.issued_on
    incoming = getattr(document, "incoming", None) if document.origin == "incoming" else None
    moment = incoming.arrival_at if incoming is not None else document.created_at
    return timezone.localdate(moment)


def holds_confidential(case_file: CaseFile) -> bool:
    """Whether a confidential document is filed in it."""
    return case_file.entries.exclude(document__confidentiality="").exists()


def was_exported(case_file: CaseFile) -> bool:
    """Whether its export package was made (a CASE_FILE_CHANGED "exported" event)."""
    return Event.objects.filter(
        document=None,
        kind=Event.Kind.CASE_FILE_CHANGED,
        data__case_file=case_file.pk,
        data__action="exported",
    ).exists()


# --- predicates --------------------------------------------------------------------------


def _of_agency(user: User, organization_id: int) -> bool:
    organization = organization_of(user) if acts_in_workflow(user) else None
    return organization is not None and organization.pk == organization_id


def can_manage(user: User, organization: Organization | None = None) -> bool:
    """The văn thư and the leaders keep the agency's list of case files."""
    if not acts_in_workflow(user) or not (is_clerk(user) or is_leader(user)):
        return False
    return organization is None or _of_agency(user, organization.pk)


def can_edit(user: User, case_file: CaseFile) -> bool:
    """The list's keepers edit an open case file."""
    return case_file.status == CaseFile.Status.OPEN and can_manage(user, case_file.organization)


def can_file(user: User, case_file: CaseFile) -> bool:
    """The responsible person, a member of its unit or the văn thư, while it is open."""
    if case_file.status != CaseFile.Status.OPEN or not _of_agency(user, case_file.organization_id):
        return False
    if case_file.responsible_id == user.pk or is_clerk(user):
        return True
    return case_file.unit_id is not None and case_file.unit_id in unit_ids(user)


def unfileable_by(user: User, case_file: CaseFile) -> QuerySet[Document]:
    """The documents of the case file the person may take out: those they may see (all of
    them for the văn thư of the agency)."""
    rows = Document.objects.filter(case_file_entries__case_file=case_file)
    if is_clerk(user) and _of_agency(user, case_file.organization_id):
        return rows
    return rows.filter(pk__in=document_list_visible_to(user).values("pk"))


def can_close(user: User, case_file: CaseFile) -> bool:
    """The responsible person or the văn thư ends an open case file."""
    if case_file.status != CaseFile.Status.OPEN or not _of_agency(user, case_file.organization_id):
        return False
    return case_file.responsible_id == user.pk or is_clerk(user)


def can_export(user: User, case_file: CaseFile, *, confidential: bool | None = None) -> bool:
    """The văn thư or a leader, once it is closed; the văn thư alone if it holds a
    confidential document."""
    if case_file.status == CaseFile.Status.OPEN or not can_manage(user, case_file.organization):
        return False
    if is_clerk(user):
        return True
    return not (holds_confidential(case_file) if confidential is None else confidential)


def can_transfer(user: User, case_file: CaseFile) -> bool:
    """The văn thư marks a closed case file handed over to the archive."""
    return (
        case_file.status == CaseFile.Status.CLOSED
        and is_clerk(user)
        and _of_agency(user, case_file.organization_id)
    )


def fileable(document: Document) -> bool:
    """Outgoing documents once issued; incoming and reference ones at any time."""
    if document.origin == Document.Origin.OUTGOING:
        return document.status in Document.ISSUED_STATUSES
    return True


# --- services ----------------------------------------------------------------------------


def _locked(case_file: CaseFile) -> CaseFile:
    return CaseFile.objects.select_for_update().select_related("organization").get(pk=case_file.pk)


def _ensure_open(case_file: CaseFile) -> None:
    if case_file.status != CaseFile.Status.OPEN:
        raise PermissionDenied(_("Hồ sơ đã kết thúc hoặc đã nộp lưu, không thể thay đổi."))


def _validate(
    organization: Organization,
    fields: dict[str, Any],
    pk: int | None,
    measured: tuple[str, ...] = TEXT_FIELDS,
) -> None:
    """The list's rules: year in range, code unique for the agency and year, code, title and
    notes within the decree's lengths (those ``measured``), unit and responsible person of
    the agency, retention 1–100 years or permanent (None)."""
    errors: dict[str, str] = {}
    year = fields["year"]
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("Năm phải từ %(a)s đến %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}
    code = fields["code"]
    if not code:
        errors["code"] = _("Hãy nhập số và ký hiệu hồ sơ.")
    for name, limit in (("code", MAX_CODE), ("title", MAX_TITLE), ("notes", MAX_NOTES)):
        if name in measured and len(fields[name]) > limit:
            errors[name] = _("Tối đa %(n)s ký tự.") % {"n": limit}
    same = CaseFile.objects.filter(organization=organization, year=year, code__iexact=code)
    if pk is not None:
        same = same.exclude(pk=pk)
    if code and same.exists():
        errors["code"] = _("Số và ký hiệu hồ sơ %(code)s đã có trong danh mục năm %(year)s.") % {
            "code": code,
            "year": year,
        }
    if not fields["title"]:
        errors["title"] = _("Hãy nhập tiêu đề hồ sơ.")
    unit: Unit | None = fields["unit"]
    if unit is not None and unit.organization_id != organization.pk:
        errors["unit"] = _("Đơn vị không thuộc cơ quan.")
    responsible = fields["responsible"]
    member = Profile.objects.filter(user=responsible, unit__organization=organization)
    if responsible is None or not member.exists() or not acts_in_workflow(responsible):
        errors["responsible"] = _("Người lập hồ sơ phải là người của cơ quan.")
    retention = fields["retention_years"]
    if retention is not None and not 1 <= retention <= MAX_RETENTION:
        errors["retention_years"] = _("Thời hạn bảo quản từ 1 đến 100 năm (trống: vĩnh viễn).")
    if errors:
        raise ValidationError(errors)


def _record_change(case_file: CaseFile, actor: User, action: str, **data: Any) -> None:
    audit.record_system(
        actor=actor,
        kind=Event.Kind.CASE_FILE_CHANGED,
        comment=f"{case_file.code} ({case_file.year})",
        data={"case_file": case_file.pk, "code": case_file.code, "action": action, **data},
    )


@transactions.service
def case_file_create(
    *,
    actor: User,
    year: int,
    code: str,
    title: str,
    responsible: User,
    unit: Unit | None = None,
    retention_years: int | None = None,
    notes: str = "",
) -> CaseFile:
    """The văn thư or a leader adds a case file to the agency's list for the year."""
    organization = organization_of(actor) if acts_in_workflow(actor) else None
    if organization is None or not can_manage(actor, organization):
        raise PermissionDenied(_("Chỉ văn thư và lãnh đạo cơ quan lập danh mục hồ sơ."))
    fields = dict(
        year=year,
        code=clean_text(code),
        title=clean_text(title),
        unit=unit,
        responsible=responsible,
        retention_years=retention_years,
        notes=clean_text(notes),
    )
    _validate(organization, fields, None)
    case_file = CaseFile(organization=organization, **fields)
    case_file._history_user = actor  # type: ignore[attr-defined]
    case_file.save()
    _record_change(case_file, actor, "created", title=case_file.title)
    return case_file


@transactions.service
def case_file_update(*, case_file: CaseFile, actor: User, **changes: Any) -> CaseFile:
    """The văn thư or a leader edits an open case file of the list."""
    case_file = _locked(case_file)
    if not can_manage(actor, case_file.organization):
        raise PermissionDenied(_("Chỉ văn thư và lãnh đạo cơ quan sửa danh mục hồ sơ."))
    _ensure_open(case_file)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changes = {k: clean_text(v) if k in TEXT_FIELDS else v for k, v in changes.items()}
    fields = {name: getattr(case_file, name) for name in EDITABLE_FIELDS} | changes
    edited = tuple(k for k in TEXT_FIELDS if k in changes and changes[k] != getattr(case_file, k))
    _validate(case_file.organization, fields, case_file.pk, edited)
    changed = {}
    for name, value in changes.items():
        if getattr(case_file, name) != value:
            changed[name] = str(value.pk if hasattr(value, "pk") else value)
            setattr(case_file, name, value)
    if changed:
        case_file._history_user = actor  # type: ignore[attr-defined]
        case_file.save()
        _record_change(case_file, actor, "updated", changes=changed)
    return case_file


@transactions.service
def document_file(*, case_file: CaseFile, document: Document, actor: User) -> CaseFileEntry:
    """Put a document the person may see into an open case file they may file into."""
    case_file = _locked(case_file)
    if not document_list_visible_to(actor).filter(pk=document.pk).exists():
        raise ValidationError({"document": _("Không tìm thấy văn bản.")})
    _ensure_open(case_file)
    if not can_file(actor, case_file):
        raise PermissionDenied(_("Bạn không được đưa văn bản vào hồ sơ này."))
    if not fileable(document):
        raise ValidationError({"document": _("Văn bản đi chỉ được đưa vào hồ sơ khi đã ban hành.")})
    if case_file.entries.filter(document=document).exists():
        raise ValidationError({"document": _("Văn bản đã có trong hồ sơ này.")})
    last = case_file.entries.aggregate(last=Max("position"))["last"] or 0
    entry = CaseFileEntry(case_file=case_file, document=document, position=last + 1)
    entry.added_by = actor
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.save()
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.FILED,
        data={"case_file": case_file.pk, "code": case_file.code, "year": case_file.year},
    )
    return entry


@transactions.service
def document_unfile(*, case_file: CaseFile, document: Document, actor: User) -> None:
    """Take a document the person may see (any, for the văn thư) out of an open case file
    they may file into; an invisible document is answered as one not in it."""
    case_file = _locked(case_file)
    _ensure_open(case_file)
    if not can_file(actor, case_file):
        raise PermissionDenied(_("Bạn không được rút văn bản khỏi hồ sơ này."))
    entry = case_file.entries.filter(document=document).first()
    if entry is None or not unfileable_by(actor, case_file).filter(pk=document.pk).exists():
        raise ValidationError({"document": _("Văn bản không có trong hồ sơ này.")})
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.delete()
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.UNFILED,
        data={"case_file": case_file.pk, "code": case_file.code, "year": case_file.year},
    )


@transactions.service
def case_file_close(*, case_file: CaseFile, actor: User) -> CaseFile:
    """The responsible person or the văn thư ends a case file that holds documents; its
    documents are numbered in the order of their dates."""
    case_file = _locked(case_file)
    _ensure_open(case_file)
    if not can_close(actor, case_file):
        raise PermissionDenied(_("Chỉ người lập hồ sơ hoặc văn thư được kết thúc hồ sơ."))
    entries = entries_of(case_file)
    if not entries:
        raise ValidationError({"__all__": _("Hồ sơ chưa có văn bản nào, chưa thể kết thúc.")})
    ordered = sorted(entries, key=lambda e: (document_date(e.document), e.position, e.pk))
    for number, entry in enumerate(ordered, start=1):
        if entry.position != number:
            entry.position = number
            entry._history_user = actor  # type: ignore[attr-defined]
            entry.save(update_fields=["position"])
    case_file.status = CaseFile.Status.CLOSED
    case_file.closed_at = timezone.now()
    case_file.closed_by = actor
    case_file._history_user = actor  # type: ignore[attr-defined]
    case_file.save()
    _record_change(case_file, actor, "closed", documents=len(ordered))
    return case_file


@transactions.service
def record_export(*, case_file: CaseFile, actor: User | None, sha256: str, size: int) -> None:
    """The export package was made: on the system chain, with its digest."""
    _record_change(case_file, actor, "exported", sha256=sha256, size=size)  # type: ignore[arg-type]


@transactions.service
def case_file_transfer(*, case_file: CaseFile, actor: User) -> CaseFile:
    """The văn thư marks a closed, exported case file handed over to the archive."""
    case_file = _locked(case_file)
    if not can_transfer(actor, case_file):
        raise PermissionDenied(_("Chỉ văn thư đánh dấu nộp lưu hồ sơ đã kết thúc."))
    if not was_exported(case_file):
        raise ValidationError({"__all__": _("Hãy kết xuất gói hồ sơ trước khi nộp lưu.")})
    case_file.status = CaseFile.Status.TRANSFERRED
    case_file.transferred_at = timezone.now()
    case_file._history_user = actor  # type: ignore[attr-defined]
    case_file.save()
    _record_change(case_file, actor, "transferred")
    return case_file
