"""The registers of Phụ lục IV (Decree 30), generated from the data, never typed: the outgoing
register (mẫu I, "Sổ đăng ký văn bản đi"), the incoming register (mẫu VI, "Sổ đăng ký văn bản
đến") and the incoming follow-up register (mẫu VIII, "Sổ theo dõi giải quyết văn bản đến"),
one per agency, book and year.

A register's rows are read in a constant number of queries, whatever their number: counts and
dates come from subqueries; recipient lines, corrections and replies are read for a batch of
rows at once (registers.related_texts).

Column choices: "Số lượng bản" (I, 7) is the number of receipts, one copy per recipient unit,
the records office's "Lưu: VT" copy among them (``archive_copies`` where no receipt exists, a
paper-only document); "Ngày chuyển" (I, 8) is the date of the DISTRIBUTED event (else the
issue date); "Ký nhận" (I, 9) counts the acknowledged receipts.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import numbering, permissions
from ..models import (
    Assignment,
    Document,
    Event,
    IncomingRecord,
    Organization,
    Receipt,
    RecipientLine,
)
from .register_rows import (
    COLUMNS,
    Column,
    RegisterRow,
    Related,
    follow_up_row,
    incoming_row,
    outgoing_row,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OUTGOING = "di"
INCOMING = "den"
FOLLOW_UP = "theo-doi"
KINDS = (OUTGOING, INCOMING, FOLLOW_UP)
INCOMING_BOOK = "DEN"
INCOMING_CONFIDENTIAL_BOOK = "DEN-MAT"
CONFIDENTIAL_BOOKS = frozenset({numbering.CONFIDENTIAL_BOOK, INCOMING_CONFIDENTIAL_BOOK})
STANDARD_BOOKS = {
    OUTGOING: (numbering.SHARED_BOOK, numbering.CONFIDENTIAL_BOOK),
    INCOMING: (INCOMING_BOOK, INCOMING_CONFIDENTIAL_BOOK),
    FOLLOW_UP: (INCOMING_BOOK, INCOMING_CONFIDENTIAL_BOOK),
}
TITLES = {
    OUTGOING: gettext_lazy("SỔ ĐĂNG KÝ VĂN BẢN ĐI"),
    INCOMING: gettext_lazy("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"),
    FOLLOW_UP: gettext_lazy("SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN"),
}
FIRST_YEAR, LAST_YEAR = 1900, 9999


@dataclass(frozen=True)
class Register:
    """One register book of one agency for one year, optionally narrowed to a date range."""

    kind: str
    organization: Organization
    book: str
    year: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reveal_confidential: bool = True  # the văn thư; a leader's page names no secret subject
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def title(self) -> str:
        return str(TITLES[self.kind])

    @property
    def columns(self) -> tuple[Column, ...]:
        return COLUMNS[self.kind]

    @property
    def confidential(self) -> bool:
        return self.book in CONFIDENTIAL_BOOKS


@dataclass(frozen=True)
class Cover:
    """The register's cover and first page (bìa và trang đầu)."""

    parent_name: str
    organization_name: str
    title: str
    year: int
    first_date: dt.date | None
    last_date: dt.date | None
    first_number: int | None
    last_number: int | None
    volume: str = "01"


@dataclass(frozen=True)
class BookSummary:
    kind: str
    book: str
    year: int
    count: int

    @property
    def label(self) -> str:
        return book_label(self.book)


# --- who may see them -----------------------------------------------------------------------


def can_view_registers(user: User) -> bool:
    """The agency's văn thư and its leaders keep and read the registers; nobody else."""
    if permissions.organization_of(user) is None:
        return False
    return permissions.is_clerk(user) or permissions.is_leader(user)


def can_view_book(user: User, book: str) -> bool:
    """Leaders read the ordinary books; the confidential ones (MAT, DEN-MAT) are the văn thư's."""
    if not can_view_registers(user):
        return False
    return permissions.is_clerk(user) or book not in CONFIDENTIAL_BOOKS


def book_label(book: str) -> str:
    return {
        numbering.SHARED_BOOK: _("Sổ văn bản hành chính (HC)"),
        numbering.CONFIDENTIAL_BOOK: _("Sổ văn bản mật (MAT)"),
        INCOMING_BOOK: _("Sổ văn bản đến (DEN)"),
        INCOMING_CONFIDENTIAL_BOOK: _("Sổ văn bản đến mật (DEN-MAT)"),
    }.get(book, _("Sổ %(book)s") % {"book": book})


# --- which books exist ----------------------------------------------------------------------


def _outgoing_base(organization: Organization) -> QuerySet[Document]:
    return Document.objects.filter(
        organization=organization,
        origin=Document.Origin.OUTGOING,
        status__in=Document.ISSUED_STATUSES,
    )


def _followed_up(queryset: QuerySet[IncomingRecord]) -> QuerySet[IncomingRecord]:
    assigned = Assignment.objects.filter(plan_id=OuterRef("document_id"))
    return queryset.filter(Q(due_on__isnull=False) | Exists(assigned))


def books_of(organization: Organization, *, confidential: bool) -> list[BookSummary]:
    """The books holding rows, per kind and year, newest year first (three queries)."""
    found: list[BookSummary] = []
    outgoing = (
        _outgoing_base(organization)
        .filter(issued_year__isnull=False)
        .values_list("register_key", "issued_year")
        .annotate(n=Count("pk"))
    )
    found += [BookSummary(OUTGOING, book, year, n) for book, year, n in outgoing]
    incoming = IncomingRecord.objects.filter(organization=organization)
    for kind, queryset in ((INCOMING, incoming), (FOLLOW_UP, _followed_up(incoming))):
        rows = queryset.values_list("book", "arrival_year").annotate(n=Count("pk"))
        found += [BookSummary(kind, book, year, n) for book, year, n in rows]
    if not confidential:
        found = [summary for summary in found if summary.book not in CONFIDENTIAL_BOOKS]
    return sorted(found, key=lambda s: (-s.year, KINDS.index(s.kind), s.book))


def book_exists(organization: Organization, kind: str, book: str, year: int) -> bool:
    """A standard book always exists (perhaps empty); another one when it holds rows."""
    if book in STANDARD_BOOKS[kind]:
        return True
    if kind == OUTGOING:
        return _outgoing_base(organization).filter(register_key=book, issued_year=year).exists()
    return IncomingRecord.objects.filter(
        organization=organization, book=book, arrival_year=year
    ).exists()


# --- the rows -------------------------------------------------------------------------------


def _day_bounds(register: Register) -> tuple[dt.datetime | None, dt.datetime | None]:
    zone = timezone.get_current_timezone()
    start = end = None
    if register.date_from:
        start = dt.datetime.combine(register.date_from, dt.time.min, tzinfo=zone)
    if register.date_to and register.date_to < dt.date.max:  # 31/12/9999: no upper bound
        end = dt.datetime.combine(register.date_to + dt.timedelta(days=1), dt.time.min, zone)
    return start, end


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("document_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def outgoing_queryset(register: Register) -> QuerySet[Document]:
    """Issued documents of the agency in the book and year (recalled ones too), by number."""
    queryset = _outgoing_base(register.organization).filter(
        register_key=register.book, issued_year=register.year
    )
    if register.date_from:
        queryset = queryset.filter(issued_on__gte=register.date_from)
    if register.date_to:
        queryset = queryset.filter(issued_on__lte=register.date_to)
    receipts = Receipt.objects.filter(document_id=OuterRef("pk"))
    # Min() per document, not ORDER BY … LIMIT 1: the planner then walks the document's
    # events (its index) instead of every event in time order.
    distributed = (
        Event.objects.filter(document_id=OuterRef("pk"), kind=Event.Kind.DISTRIBUTED)
        .order_by()
        .values("document_id")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    return (
        queryset.select_related("document_type", "drafting_unit")
        .annotate(
            receipts_total=_count(receipts),
            receipts_done=_count(receipts.filter(status=Receipt.Status.ACKNOWLEDGED)),
            distributed_at=Subquery(distributed),
            corrects_notation=F("corrects__notation"),
            replaces_notation=F("replaces__notation"),
        )
        .defer("body")
        .order_by("number", "pk")
    )


def incoming_queryset(register: Register) -> QuerySet[IncomingRecord]:
    """The agency's incoming records of the book and year, by số đến; the follow-up register
    keeps those with a deadline or an assignment."""
    queryset = IncomingRecord.objects.filter(
        organization=register.organization, book=register.book, arrival_year=register.year
    )
    start, end = _day_bounds(register)
    if start:
        queryset = queryset.filter(arrival_at__gte=start)
    if end:
        queryset = queryset.filter(arrival_at__lt=end)
    if register.kind == FOLLOW_UP:
        queryset = _followed_up(queryset)
    first = Assignment.objects.filter(plan_id=OuterRef("document_id")).order_by("position", "pk")
    queryset = queryset.select_related(
        "document__document_type", "presented_to", "instructed_by", "handler", "duplicate_of"
    ).annotate(
        lead_unit_name=Subquery(first.values("lead_unit__name")[:1]),
        assignment_due=Subquery(first.values("due_on")[:1]),
        assignment_status=Subquery(first.values("status")[:1]),
    )
    return queryset.defer("document__body").order_by("arrival_number", "pk")


def register_queryset(register: Register) -> QuerySet:
    if register.kind == OUTGOING:
        return outgoing_queryset(register)
    return incoming_queryset(register)


def _grouped(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for key, text in pairs:
        grouped.setdefault(key, []).append(text)
    return grouped


def related_texts(register: Register, objects: list[Any]) -> dict[int, Related]:
    """The texts that hang from a batch of rows, in one or two queries whatever its size
    (ORM prefetching builds a queryset per row: a fifth of an export's time)."""
    if not objects:
        return {}
    issued = Document.objects.filter(status__in=Document.ISSUED_STATUSES)
    if register.kind == OUTGOING:
        ids = [document.pk for document in objects]
        lines = _grouped(
            RecipientLine.objects.filter(document_id__in=ids)
            .order_by("document_id", "position", "pk")
            .values_list("document_id", "text")
        )
        fixes = issued.filter(Q(corrects_id__in=ids) | Q(replaces_id__in=ids)).order_by(
            "number", "pk"
        )
        corrections: dict[int, list[str]] = {}
        replacements: dict[int, list[str]] = {}
        for corrects, replaces, notation in fixes.values_list(
            "corrects_id", "replaces_id", "notation"
        ):
            if corrects is not None:
                corrections.setdefault(corrects, []).append(notation)
            if replaces is not None:
                replacements.setdefault(replaces, []).append(notation)
        return {
            pk: Related(
                lines=tuple(lines.get(pk, ())),
                corrections=tuple(corrections.get(pk, ())),
                replacements=tuple(replacements.get(pk, ())),
            )
            for pk in ids
        }
    if register.kind == INCOMING:
        return {}
    through = Document.cites.through.objects.filter(
        to_document_id__in=[record.document_id for record in objects],
        from_document__status__in=Document.ISSUED_STATUSES,
    ).order_by("from_document__issued_on", "from_document_id")
    replies = _grouped(through.values_list("to_document_id", "from_document__notation"))
    return {key: Related(replies=tuple(value)) for key, value in replies.items()}


def to_row(register: Register, obj: Any, related: Related | None = None) -> RegisterRow:
    """One row of the register, from a row of ``register_queryset`` and its related texts."""
    related = related or Related()
    if register.kind == OUTGOING:
        return outgoing_row(obj, related, reveal=register.reveal_confidential)
    if register.kind == INCOMING:
        return incoming_row(obj, reveal=register.reveal_confidential)
    return follow_up_row(obj, related, today=register.today)


def _rows_of(register: Register, objects: list[Any]) -> list[RegisterRow]:
    related = related_texts(register, objects)
    key = "pk" if register.kind == OUTGOING else "document_id"
    return [to_row(register, obj, related.get(getattr(obj, key))) for obj in objects]


def register_rows(register: Register, objects: Iterable[Any] | None = None) -> list[RegisterRow]:
    """The register's rows (or those of a page of its queryset), in a constant number of
    queries."""
    objects = register_queryset(register) if objects is None else objects
    return _rows_of(register, list(objects))


def iter_register_rows(register: Register, chunk_size: int = 1000) -> Iterator[RegisterRow]:
    """The rows streamed from the database in batches, for the exports."""
    stream = register_queryset(register).iterator(chunk_size=chunk_size)
    while batch := list(itertools.islice(stream, chunk_size)):
        yield from _rows_of(register, batch)


def register_cover(register: Register) -> Cover:
    """The cover's dates and numbers: the first and last of the rows (one query)."""
    if register.kind == OUTGOING:
        bounds = outgoing_queryset(register).aggregate(
            d0=Min("issued_on"), d1=Max("issued_on"), n0=Min("number"), n1=Max("number")
        )
    else:
        bounds = incoming_queryset(register).aggregate(
            d0=Min("arrival_at"), d1=Max("arrival_at"), n0=Min("arrival_number"),
            n1=Max("arrival_number"),
        )  # fmt: skip
        for key in ("d0", "d1"):
            bounds[key] = timezone.localdate(bounds[key]) if bounds[key] else None
    organization = register.organization
    return Cover(
        parent_name=organization.parent_name,
        organization_name=organization.name,
        title=register.title,
        year=register.year,
        first_date=register.date_from or bounds["d0"],
        last_date=register.date_to or bounds["d1"],
        first_number=bounds["n0"],
        last_number=bounds["n1"],
    )
