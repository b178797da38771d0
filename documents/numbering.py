"""Numbering of outgoing documents from the register book (Điều 15, Decree 30).

A locked counter row per register book and calendar year. The number is taken inside the
issuing transaction: a rollback gives it back, so numbers are never reused and never skipped,
and two simultaneous issuances wait for each other on the row lock.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Document, Organization, RegisterCounter

SHARED_BOOK = "HC"  # one book for every administrative type (the default)
CONFIDENTIAL_BOOK = "MAT"  # secret documents have their own sequence (Điều 15.2)
CONG_VAN_BOOK = "CV"  # per-type numbering: công văn have no type abbreviation


def register_key_for(document: Document) -> str:
    """Which register book the document is numbered in, as the head of the body decided."""
    if document.is_confidential:
        return CONFIDENTIAL_BOOK
    if document.organization.numbering == Organization.Numbering.PER_TYPE:
        return document.names().type_abbreviation or CONG_VAN_BOOK
    return SHARED_BOOK


def take_next(*, organization: Organization, key: str, year: int) -> int:
    """Take the next number of a register book for a year; must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next() must run inside the issuing transaction")
    counter = _locked_counter(organization=organization, key=key, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _locked_counter(*, organization: Organization, key: str, year: int) -> RegisterCounter:
    counters = RegisterCounter.objects.select_for_update()
    try:
        return counters.get(organization=organization, key=key, year=year)
    except RegisterCounter.DoesNotExist:
        pass
    try:
        # The first issuance of the year creates the book; a concurrent one loses the
        # race on the unique constraint and then waits on the row the winner created.
        with transaction.atomic():
            RegisterCounter.objects.create(organization=organization, key=key, year=year)
    except IntegrityError:
        pass
    return counters.get(organization=organization, key=key, year=year)


def format_number(number: int) -> str:
    """Numbers below 10 get a leading zero: 5 → '05'."""
    return f"{number:02d}"


def notation_for(document: Document, number: int) -> str:
    """'05/KH-STTTT'; a công văn: '05/STTTT-VP' (body + drafting unit)."""
    names = document.names()
    body = names.issuer_abbreviation
    if names.type_abbreviation:
        suffix = f"{names.type_abbreviation}-{body}"
    else:
        unit = names.drafting_unit_abbreviation
        suffix = f"{body}-{unit}" if unit else body
    return f"{format_number(number)}/{suffix}"
