"""Assignments suggested from a plan's body: who is in charge of which task, and by when.

A plan (Kế hoạch) lists its tasks as numbered headings ("1. Công tác tuyên truyền") in a
section ("II. NỘI DUNG THỰC HIỆN"); under each, "- Phân công thực hiện:" names the units, on
the same line or as "+ ..." sub-lines, and "- Thời gian thực hiện:" the deadline of them all:

    - Phân công thực hiện:
    + Tuyên truyền tại cơ quan: Văn phòng chủ trì thực hiện.
    - Thời gian thực hiện: Trong năm 2020.

``suggest`` gives one ``Suggestion`` per unit-in-charge clause, with the unit found among the
active units by name or abbreviation; the drafter confirms or corrects it. It reads text as
people type it (CRLF, "+", "•", markdown bold) and never raises: what it does not recognise
it leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from documents.models import Unit

from .deadlines import Deadline, fold, fold_char, parse_deadline


@dataclass(frozen=True)
class Suggestion:
    heading: str  # the task's heading as written: "1. Công tác tuyên truyền"
    task: str  # the clause, without a tail that only names the unit in charge
    lead_text: str  # the unit in charge as written: "Văn phòng"
    lead_unit_id: int | None
    supporting_unit_ids: tuple[int, ...]
    whole_agency: bool  # every unit and person of the agency ("100% công chức, viên chức…")
    deadline_text: str  # as written: "Trong năm 2020"
    deadline: Deadline | None


_BULLET = re.compile(r"^[-+•*–—◦▪·]+\s*")
_SECTION = re.compile(r"^[IVXLC]{1,6}\s*[.)]\s*\S")
_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+)\s+(\S.*)$")
_ASSIGN_LABEL = re.compile(
    r"^(?:phan cong(?: thuc hien| nhiem vu)?|don vi (?:chu tri|thuc hien))\s*(?::|$)"
)
_TIME_LABEL = re.compile(r"^(?:thoi gian|thoi han)(?: thuc hien| hoan thanh)?\s*(?::|$)")
# Sub-items of an assignment given on the label's own line.
_SUB_BULLETS = "+•*◦▪·"

_IN_CHARGE = re.compile(r"\bchu tri\b")
_SUPPORT = re.compile(r"\bphoi hop(?:\s+voi)?\b")
# Where the units "phối hợp với …" end: the recipients of a report are not supporters.
_SUPPORT_END = re.compile(r"[;.:]|\b(?:chu tri|bao cao|trinh|gui|tham muu|de xuat)\b")
_SUPPORT_START = re.compile(r"[;.:]|\bchu tri\b")
_WHOLE_AGENCY = re.compile(
    r"100\s*%|\b(?:toan the|tat ca|toan co quan|toan so|moi cong chuc|cac phong|cac don vi)\b"
)
_WHOLE_AGENCY_END = re.compile(r"[;.:]|\b(?:chu tri|thuc hien|phoi hop)\b")
# Words that say who does a task but not what: a tail of only these is no task.
_FILLER = frozenset(
    {
        *("chu", "tri", "phoi", "hop", "voi", "thuc", "hien", "to", "chuc", "trien", "khai"),
        *("va", "cung", "cac", "don", "vi", "lien", "quan", "giao", "cho", "theo", "nang"),
        *("nhiem", "vu", "duoc"),
    }
)
_TOKEN = re.compile(r"\w+(?:\s*-\s*\w+)*")
_UNIT_PREFIX = re.compile(r"\b(?:phong|trung tam|ban)\s$")


@dataclass
class _Task:
    heading: str
    clauses: list[str] = field(default_factory=list)
    deadline_text: str = ""


@dataclass(frozen=True)
class _Mention:
    start: int  # in the folded clause
    end: int
    unit_id: int
    text: str  # as written


class _Folded:
    """A clause folded for matching (fold_char, one space, no spaces around hyphens), with
    the index in the original text of every folded character."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        after_dash = False
        for index, char in enumerate(text):
            if char.isspace():
                if chars and chars[-1] != " " and not after_dash:
                    chars.append(" ")
                    origin.append(index)
                continue
            if char in "-–—‑":
                if chars and chars[-1] == " ":
                    chars.pop()
                    origin.pop()
                chars.append("-")
                origin.append(index)
                after_dash = True
                continue
            after_dash = False
            for folded in fold_char(char):
                chars.append(folded)
                origin.append(index)
        self.text = "".join(chars)
        self.original = text
        self._origin = origin

    def span(self, start: int, end: int) -> str:
        """The original text of the folded characters start..end."""
        if start >= end or start >= len(self._origin):
            return ""
        end = min(end, len(self._origin))
        return self.original[self._origin[start] : self._origin[end - 1] + 1].strip()

    def rest(self, start: int) -> str:
        """The original text from the folded character ``start`` on."""
        if start >= len(self._origin):
            return ""
        return self.original[self._origin[start] :]


def _key(name: str) -> str:
    return _Folded(name).text.strip()


class _Units:
    """The active units, found in a clause by name or by abbreviation."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.names: list[tuple[str, int]] = []
        self.abbreviations: dict[str, int] = {}
        for unit in units:
            if not getattr(unit, "is_active", True) or unit.pk is None:
                continue
            name = _key(unit.name or "")
            if name:
                self.names.append((name, unit.pk))
            abbreviation = re.sub(r"[\s-]", "", fold(unit.abbreviation or ""))
            if len(abbreviation) >= 2:
                self.abbreviations.setdefault(abbreviation, unit.pk)
        self.names.sort(key=lambda item: -len(item[0]))

    def mentions(self, clause: _Folded) -> list[_Mention]:
        found: list[_Mention] = []
        text = clause.text
        for name, unit_id in self.names:
            for match in re.finditer(re.escape(name), text):
                start, end = match.span()
                if _bounded(text, start, end):
                    found.append(_Mention(start, end, unit_id, clause.span(start, end)))
        for match in _TOKEN.finditer(text):
            word = re.sub(r"[\s-]", "", match[0])
            abbreviated = self.abbreviations.get(word)
            if abbreviated is None:
                continue
            written = clause.span(*match.span())
            if not written.replace("-", "").replace(" ", "").isupper():
                continue  # "ca", "vp" as ordinary words
            start = match.start()
            prefix = _UNIT_PREFIX.search(text[:start])
            if prefix is not None:
                start = prefix.start()
            written = clause.span(start, match.end())
            found.append(_Mention(start, match.end(), abbreviated, written))
        # The longest of overlapping mentions wins: "Văn phòng" inside a longer name.
        chosen: list[_Mention] = []
        for mention in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
            if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
                chosen.append(mention)
        return sorted(chosen, key=lambda m: m.start)


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def suggest(body: str, units: Iterable[Unit], *, year: int) -> list[Suggestion]:
    """One suggestion per unit-in-charge clause of each numbered task of ``body``, in order.
    Deadlines without a year fall in ``year``. [] when the body assigns nothing."""
    if not isinstance(body, str) or not body.strip():
        return []
    known = _Units(units)
    suggestions: list[Suggestion] = []
    for task in _tasks(body):
        deadline = parse_deadline(task.deadline_text, year=year) if task.deadline_text else None
        for clause in task.clauses:
            suggestions.append(_suggestion(task, clause, known, deadline))
    return suggestions


def _tasks(body: str) -> list[_Task]:
    """The tasks that assign something, with their clauses and deadline text."""
    tasks: list[_Task] = []
    task: _Task | None = None
    mode = ""  # "assign": in a Phân công list; "time": a Thời gian label without its text
    open_list = False  # the Phân công label ended with its colon: its items follow
    bulleted = False  # the list's items so far were bulleted
    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("**", "").strip()
        if not line:
            continue
        bullet_match = _BULLET.match(line)
        bullet = bullet_match[0].strip() if bullet_match else ""
        content = line[bullet_match.end() :].strip() if bullet_match else line
        if not content:
            continue
        if not bullet and _SECTION.match(line):
            task, mode = None, ""
            continue
        if not bullet and _HEADING.match(line):
            task, mode = _Task(" ".join(line.rstrip(":").split())), ""
            tasks.append(task)
            continue
        folded = fold(content)
        if _ASSIGN_LABEL.match(folded):
            if task is None:
                task = _Task("")
                tasks.append(task)
            inline = _after_colon(content)
            if inline:
                task.clauses.extend(_split_clauses(inline))
            mode, open_list, bulleted = "assign", not inline, False
            continue
        if _TIME_LABEL.match(folded):
            inline = _after_colon(content)
            if task is not None and not task.deadline_text:
                task.deadline_text = _clean(inline)
            mode = "" if inline else "time"
            continue
        if task is None:
            continue
        if mode == "assign":
            continues = bullet in _SUB_BULLETS if bullet and not open_list else open_list
            if open_list and not bullet and bulleted:
                continues = False
            if continues:
                bulleted = bulleted or bool(bullet)
                task.clauses.extend(_split_clauses(content))
                continue
            mode = ""
        elif mode == "time":
            if not task.deadline_text:
                task.deadline_text = _clean(content)
            mode = ""
    return [task for task in tasks if task.clauses]


def _after_colon(text: str) -> str:
    colon = text.find(":")
    return text[colon + 1 :].strip() if colon >= 0 else ""


def _clean(text: str) -> str:
    return " ".join(text.split()).rstrip(" .;,")


def _split_clauses(text: str) -> list[str]:
    """One clause per unit in charge: "A chủ trì X; B chủ trì Y" is two, while a part
    without its own "chủ trì" stays with the one before it."""
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if sum(bool(_IN_CHARGE.search(fold(part))) for part in parts) < 2:
        return [text.strip()]
    clauses: list[str] = []
    for part in parts:
        if clauses and not _IN_CHARGE.search(fold(part)):
            clauses[-1] = f"{clauses[-1]}; {part}"
        else:
            clauses.append(part)
    return clauses


def _suggestion(task: _Task, clause: str, known: _Units, deadline: Deadline | None) -> Suggestion:
    folded = _Folded(clause)
    text = folded.text
    mentions = known.mentions(folded)

    # "Tuyên truyền tại cơ quan: Văn phòng chủ trì thực hiện." names the task, then the unit.
    region = 0
    colon = text.find(":")
    if colon > 0 and not any(m.start < colon for m in mentions):
        tail = text[colon + 1 :]
        if (
            any(m.start > colon for m in mentions)
            or _IN_CHARGE.search(tail)
            or _WHOLE_AGENCY.search(tail)
        ):
            region = colon + 1
    own = [m for m in mentions if m.start >= region]

    spans = _support_spans(text, region)
    supporting = [m for m in own if any(s <= m.start and m.end <= e for s, e in spans)]
    candidates = [m for m in own if m not in supporting]
    lead: _Mention | None = None
    in_charge = _IN_CHARGE.search(text, region)
    if in_charge is not None:
        before = [m for m in candidates if m.end <= in_charge.start()]
        after = [m for m in candidates if m.start >= in_charge.end()]
        lead = before[-1] if before else (after[0] if after else None)
    elif candidates:
        lead = candidates[0]
    supporting_ids = tuple(
        dict.fromkeys(m.unit_id for m in supporting if lead is None or m.unit_id != lead.unit_id)
    )

    # Who is in charge, as a span of the folded clause: the unit found, or the text before
    # "chủ trì" naming a unit not (or no longer) in the list, or the whole agency.
    whole_agency = False
    who: tuple[int, int] | None = (lead.start, lead.end) if lead else None
    if lead is None:
        cue = next(
            (
                c
                for c in _WHOLE_AGENCY.finditer(text, region)
                if not any(s <= c.start() < e for s, e in spans)
            ),
            None,
        )
        if cue is not None:
            whole_agency = True
            end = _WHOLE_AGENCY_END.search(text, cue.end())
            who = (cue.start(), end.start() if end else len(text))
        elif in_charge is not None:
            who = (max(region, _last_separator(text, in_charge.start())), in_charge.start())
    lead_text = _clean(folded.span(*who)) if who else ""
    if not lead_text:
        who = None

    return Suggestion(
        heading=task.heading,
        task=_task_text(task.heading, clause, folded, region, who, whole_agency, mentions),
        lead_text=lead_text,
        lead_unit_id=lead.unit_id if lead else None,
        supporting_unit_ids=supporting_ids,
        whole_agency=whole_agency,
        deadline_text=task.deadline_text,
        deadline=deadline,
    )


def _support_spans(text: str, region: int) -> list[tuple[int, int]]:
    """Where the supporting units are named: after "phối hợp (với)" up to the end of that
    enumeration, and before a "phối hợp" back to the previous clause or "chủ trì"."""
    spans: list[tuple[int, int]] = []
    for keyword in _SUPPORT.finditer(text, region):
        end = _SUPPORT_END.search(text, keyword.end())
        spans.append((keyword.end(), end.start() if end else len(text)))
        starts = [m.end() for m in _SUPPORT_START.finditer(text, region, keyword.start())]
        spans.append((max(starts, default=region), keyword.start()))
    return spans


def _last_separator(text: str, before: int) -> int:
    ends = [m.end() for m in re.finditer(r"[;,.:]", text[:before])]
    return max(ends, default=0)


def _task_text(
    heading: str,
    clause: str,
    folded: _Folded,
    region: int,
    who: tuple[int, int] | None,
    whole_agency: bool,
    mentions: list[_Mention],
) -> str:
    """The clause as written, less a tail that only names who does it: "Tuyên truyền tại cơ
    quan: Văn phòng chủ trì thực hiện." is "Tuyên truyền tại cơ quan", and "Phòng X chủ trì
    tham mưu …" is "Chủ trì tham mưu …". A clause that names only who does it is the task of
    its heading; one that gives the whole agency a duty stays whole."""
    title = _HEADING.sub(r"\2", heading).strip()
    spans = [(m.start, m.end) for m in mentions] + ([who] if who else [])
    if region:
        if _only_who(folded.text, region, spans):
            return _clean(clause[: clause.find(":")])
        return _clean(clause)
    if who is None or whole_agency or not _only_filler(folded.text[: who[0]]):
        return _clean(clause)
    rest = folded.rest(who[1]).lstrip(" ,:-")
    if not rest or _only_who(folded.text, who[1], spans):
        return title or _clean(clause)
    return _clean(rest[:1].upper() + rest[1:])


def _only_who(text: str, start: int, spans: list[tuple[int, int]]) -> bool:
    """Whether the folded text from ``start`` on says only who does the task: the given
    spans (units) and filler words."""
    chars = list(text)
    for span_start, span_end in spans:
        chars[span_start:span_end] = " " * (span_end - span_start)
    return _only_filler("".join(chars)[start:])


def _only_filler(text: str) -> bool:
    return all(word in _FILLER for word in re.findall(r"\w+", text))
