"""Records domain models: organisation, documents, receipts, register books, audit events."""

from .access import DocumentAccess
from .audit import Checkpoint, Event, SealedHead
from .calendar import CalendarChange
from .document import Attachment, Document, DocumentType, Receipt, RecipientLine
from .followup import Assignment, AssignmentReport, Reminder
from .numbering import RegisterCounter
from .organisation import Organization, Position, Profile, Unit
from .pending_signature import PendingSignature
from .records import CaseFile, CaseFileEntry, IncomingRecord, SavedSearch, SearchEntry
from .rendition import Rendition

__all__ = [
    "Assignment",
    "AssignmentReport",
    "Reminder",
    "Attachment",
    "CaseFile",
    "CaseFileEntry",
    "IncomingRecord",
    "SavedSearch",
    "SearchEntry",
    "CalendarChange",
    "Checkpoint",
    "DocumentAccess",
    "Document",
    "DocumentType",
    "Event",
    "Organization",
    "PendingSignature",
    "Position",
    "Profile",
    "Receipt",
    "RecipientLine",
    "RegisterCounter",
    "Rendition",
    "SealedHead",
    "Unit",
]
