"""The search: every word of the query (normalised as the text is) in the document's entry,
among the documents the person may see, with the form's filters, ranked.

A word of three letters or more is matched anywhere (``LIKE '%word%'``, served on PostgreSQL
by the trigram index of migration 0015); a shorter one only as a whole word (``'% an %'``,
which the trigram index serves too). Ranking: a phrase found in the head (type, số ký hiệu,
trích yếu) first; on PostgreSQL then the trigram word similarity of the phrase to that head,
computed only for the newest ``candidates`` matches (the page's cap + 1), so that a common
word costs the same at 100,000 documents; then newest. A page shows at most the newest
1,000 matches, ranked: narrower words or the filters reach older ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex, Substr

from ..models import Document
from ..selectors import document_list_visible_to
from .index import HEAD_SEPARATOR
from .text import normalise, words

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CANDIDATES = 1001  # approvals.ui.pagination.CAP + 1: what a page can reach, and "more"
SHORT_WORD = 3

FILTERS = ("document_type", "origin", "status", "urgency", "confidentiality")


def word_condition(word: str, column: str = "search_entry__text") -> Q:
    """The entry holds the (normalised) word: anywhere, or whole when it is short."""
    pattern = word if len(word) >= SHORT_WORD else f" {word} "
    return Q(**{f"{column}__contains": pattern})


def apply_filters(documents: QuerySet[Document], filters: Mapping[str, Any]) -> QuerySet[Document]:
    """The form's filters (None: any): type, origin, status, urgency, confidentiality (""
    is Thường), and the issued dates, first and last included."""
    for name in FILTERS:
        value = filters.get(name)
        if value is not None:
            documents = documents.filter(**{name: value})
    first: dt.date | None = filters.get("issued_from")
    last: dt.date | None = filters.get("issued_to")
    if first is not None:
        documents = documents.filter(issued_on__gte=first)
    if last is not None:
        documents = documents.filter(issued_on__lte=last)
    return documents


def search(
    user: User,
    q: str,
    filters: Mapping[str, Any] | None = None,
    *,
    candidates: int = CANDIDATES,
) -> QuerySet[Document]:
    """The visible documents whose entry holds every word of ``q``, filtered and ranked
    (never one the person may not see: the list starts from document_list_visible_to)."""
    documents = apply_filters(document_list_visible_to(user), filters or {})
    terms = words(q)
    if not terms:
        return documents.order_by("-created_at", "-pk")
    phrase = normalise(q)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        ids = candidate_ids(documents, terms, candidates)
        ranked = Document.objects.select_related(
            "document_type", "organization", "drafting_unit"
        ).filter(pk__in=ids)
        return (
            _ranked_by_head(ranked, phrase)
            .annotate(rank=TrigramWordSimilarity(phrase, _head()))
            .order_by("-head_hit", "-rank", "-created_at", "-pk")
        )
    matches = documents.filter(*(word_condition(word) for word in terms))
    return _ranked_by_head(matches, phrase).order_by("-head_hit", "-created_at", "-pk")


def candidate_ids(documents: QuerySet[Document], terms: list[str], limit: int) -> list[int]:
    """The ids of the newest ``limit`` matches (PostgreSQL), read once (the page and its
    count then read only these): PostgreSQL walks down the newest-first index when the words
    are common (the limit fills soon) and goes through the trigram index when they are rare
    (benchmarks/search.py measured both against a window-by-window probe: slower)."""
    matches = documents.filter(*(word_condition(word) for word in terms))
    return list(matches.order_by("-created_at", "-pk").values_list("pk", flat=True)[:limit])


def _head():
    """The entry's head (type, số ký hiệu, trích yếu): short, so a rank is cheap."""
    text = F("search_entry__text")
    return Substr(text, 1, StrIndex(text, Value(HEAD_SEPARATOR)))


def _ranked_by_head(documents: QuerySet[Document], phrase: str) -> QuerySet[Document]:
    """``head_hit`` 1 when the whole phrase stands in the head (before the separator)."""
    return documents.annotate(
        _at=StrIndex("search_entry__text", Value(f" {phrase} ")),
        _end=StrIndex("search_entry__text", Value(HEAD_SEPARATOR)),
    ).annotate(
        head_hit=Case(
            When(Q(_at__gt=0, _at__lt=F("_end")), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
