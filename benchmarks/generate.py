"""The data generator: clones of the template documents, spread over people, units and time.

Documents arrive at a steady rate (``--per-day``, newest first going back in time); those of
the last ``RECENT_DAYS`` are in every state (work in progress), older ones are archived,
rejected or abandoned drafts. Each clone has its own drafter (and so drafting unit), signer
(one of the Phó Giám đốc) and recipient units (four units other than the drafter's, the
leaders' and the records office, which receives "Lưu: VT" copies of all), 5 % are Mật, and
issued ones take the next number of their register book and year.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, RegisterCounter, Unit
from documents.people import display_name

from .cloning import Cloner, Snapshot
from .organisation import Organisation
from .templates import Template

RECENT_DAYS = 30
CONFIDENTIAL_SHARE = 0.05
RECENT_STATES = {
    "draft": 2,
    "submitted": 2,
    "returned": 1,
    "rejected": 1,
    "signed": 1,
    "issued": 3,
    "archived": 1,
}
OLD_STATES = {"archived": 90, "rejected": 5, "draft": 5}


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.started = max(total, 1), label, time.perf_counter()
        self.shown = 0.0

    def update(self, done: int, rows: int, *, final: bool = False) -> None:
        now = time.perf_counter()
        if not final and now - self.shown < 0.5:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        filled = int(30 * done / self.total)
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} documents"
            f"  {done / elapsed:,.0f} docs/s  {rows / elapsed:,.0f} rows/s "
        )
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


@dataclass
class Source:
    """A template with its rows and what its clones replace."""

    template: Template
    snapshot: Snapshot
    created_at: dt.datetime
    issued_on: dt.date | None
    notation: str
    register_key: str
    url: str
    members: dict[int, list[int]]  # slot unit → its members, receiver first


@dataclass
class Result:
    documents: int = 0
    rows: int = 0
    seconds: float = 0.0
    per_table: dict[str, int] = field(default_factory=dict)


class Generator:
    def __init__(
        self,
        organisation: Organisation,
        templates: list[Template],
        *,
        per_day: float = 30.0,
        seed: int = 13,
    ) -> None:
        self.org = organisation
        self.per_day = per_day
        self.rng = random.Random(seed)
        self.cloner = Cloner()
        self.sources = {(t.state, t.confidentiality): self._source(t) for t in templates}
        self.units = {u.pk: u for u in organisation.units}
        leaders = {
            s.profile.unit_id
            for s in User.objects.filter(
                pk__in=[s.pk for s in organisation.signers]
            ).select_related("profile")
        }
        self.pool = [
            u
            for u in organisation.units
            if not u.is_records_office and u.pk not in leaders and organisation.members[u.pk]
        ]

    def _source(self, template: Template) -> Source:
        document = Document.objects.get(pk=template.pk)
        members = {
            pk: [u.pk for u in self.org.members[self._unit(pk).pk]] for pk in template.slot_unit_ids
        }
        return Source(
            template=template,
            snapshot=self.cloner.snapshot(template.pk),
            created_at=document.created_at,
            issued_on=document.issued_on,
            notation=document.notation,
            register_key=document.register_key,
            url=reverse("documents:document_detail", kwargs={"pk": document.pk}),
            members=members,
        )

    def _unit(self, pk: int) -> Unit:
        return next(u for u in self.org.units if u.pk == pk)

    def _state(self, age_days: float) -> str:
        weights = RECENT_STATES if age_days < RECENT_DAYS else OLD_STATES
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _people(self, source: Source, drafter: User, signer: User) -> dict[type, dict]:
        """Who and which units replace the template's, for one clone."""
        template = source.template
        drafting_unit = drafter.profile.unit
        choices = [u for u in self.pool if u.pk != drafting_unit.pk]
        targets = self.rng.sample(choices, len(template.slot_unit_ids))
        users: dict[int, list[int]] = {}
        units = {template.drafting_unit_id: [drafting_unit.pk]}
        groups = {self.units[template.drafting_unit_id].group_id: [drafting_unit.group_id]}
        for slot, target in zip(template.slot_unit_ids, targets, strict=True):
            units[slot] = [target.pk]
            groups[self.units[slot].group_id] = [target.group_id]
            old, new = source.members[slot], [u.pk for u in self.org.members[target.pk]]
            # i-th member to i-th member (the receivers first); a larger unit's extra members
            # go with the template's last member (for rows nothing refers to: notifications).
            for i, person in enumerate(old):
                users[person] = [new[i]] if i < len(new) else []
            if len(new) > len(old):
                users[old[-1]] = users[old[-1]] + [u for u in new[len(old) :]]
        users[template.drafter_id] = [drafter.pk]
        users[template.signer_id] = [signer.pk]
        return {User: users, Unit: units, Group: groups}

    def run(self, count: int, *, batch: int = 200, label: str = "") -> Result:
        """Add ``count`` documents, older than every document generated before."""
        result = Result()
        if count <= 0:
            return result
        tables = list(self.cloner.tables)
        self.cloner.start(tables)
        counters = {
            (c.organization_id, c.key, c.year): c.last_number for c in RegisterCounter.objects.all()
        }
        already = Document.objects.count()
        now = timezone.now()
        progress = Progress(count, label)
        started = time.perf_counter()
        done = 0
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic():
                for k in range(already + done, already + done + size):
                    self._clone_one(k, now, counters)
                result.rows += self.cloner.flush()
                self._save_counters(counters)
            done += size
            progress.update(done, result.rows)
        self.cloner.reset_sequences()
        progress.update(done, result.rows, final=True)
        result.documents = done
        result.seconds = time.perf_counter() - started
        return result

    def _clone_one(self, k: int, now: dt.datetime, counters: dict) -> None:
        age = (k + self.rng.random()) / self.per_day
        state = self._state(age)
        confidential = "mat" if self.rng.random() < CONFIDENTIAL_SHARE else ""
        source = self.sources.get((state, confidential)) or self.sources[(state, "")]
        when = now - dt.timedelta(days=age)
        delta = when - source.created_at
        drafter = self.rng.choice(self.org.drafters)
        signer = self.rng.choice(self.org.signers)
        fixes: dict[str, object] = {}
        texts = {}
        if source.issued_on is not None:
            issued_on = source.issued_on + delta
            key = (self.org.organization.pk, source.register_key, issued_on.year)
            counters[key] = counters.get(key, 0) + 1
            number = counters[key]
            notation = f"{number:02d}" + source.notation[source.notation.index("/") :]
            fixes.update(number=number, notation=notation, issued_year=issued_on.year)
            texts[source.notation] = notation
        new_pk = self.cloner.peek_document_pk()
        texts[source.url] = reverse("documents:document_detail", kwargs={"pk": new_pk})
        people = self._people(source, drafter, signer)

        def fix(values: dict[str, object]) -> None:
            values.update(fixes)
            if values.get("drafting_unit_abbreviation"):
                values["drafting_unit_abbreviation"] = drafter.profile.unit.abbreviation
            if values.get("signer_name"):
                values["signer_name"] = display_name(signer)

        self.cloner.clone(
            source.snapshot, people=people, delta=delta, texts=texts, fix_document=fix
        )

    def _save_counters(self, counters: dict) -> None:
        for (organization_id, key, year), last in counters.items():
            RegisterCounter.objects.update_or_create(
                organization_id=organization_id,
                key=key,
                year=year,
                defaults={"last_number": last},
            )
