"""Records domain models: organisation, documents, receipts, register books, audit events."""

from .access import DocumentAccess
from .audit import Event
from .calendar import CalendarChange
from .document import Attachment, Document, DocumentType, Receipt, RecipientLine
from .followup import Assignment, AssignmentReport, Reminder
from .numbering import RegisterCounter
from .organisation import Organization, Position, Profile, Unit
from .rendition import Rendition

__all__ = [
    "Assignment",
    "AssignmentReport",
    "Reminder",
    "Attachment",
    "CalendarChange",
    "DocumentAccess",
    "Document",
    "DocumentType",
    "Event",
    "Organization",
    "Position",
    "Profile",
    "Receipt",
    "RecipientLine",
    "RegisterCounter",
    "Rendition",
    "Unit",
]
