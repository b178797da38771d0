"""Generic cloning of a document with every row that hangs from it.

Which tables hang from a document is found, not listed: every model of every app (M2M through
tables included) whose foreign keys, simple-history ``id`` column or generic foreign key
(guardian's ``object_pk``, viewflow's seed and artifact) reach a document or a row that does,
plus the parent rows of multi-table models (viewflow's Process under DocumentProcess). A
table added later (an access table, a new trail) is cloned with no change here.

A clone remaps: the primary keys (fresh ones), references inside the cloned set, references to
people, units and groups (a per-clone map; one person may become several, for rows nothing
refers to, such as a notification per member of a unit), strings ``user:<id>``/``group:<id>``,
JSON keys named after a model (``{"receipt": 12}``), the document's URL and notation in texts,
and every date (shifted to the clone's date).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from documents import audit, audit_format
from documents.models import Document, Event, Unit

# People, units and groups a clone may replace: references to them are remapped per clone.
OUTSIDE = (User, Unit, Group)
ENCODED = re.compile(r"^([a-z_]+):(\d+)$")


@dataclass
class Ref:
    index: int  # column position
    target: type[models.Model] | None  # None: generic (target read from ct_index)
    ct_index: int | None = None
    as_text: bool = False


@dataclass
class Table:
    model: type[models.Model]
    columns: list[models.Field]
    refs: list[Ref] = field(default_factory=list)
    auto_pk: bool = True
    dates: list[int] = field(default_factory=list)
    jsons: list[int] = field(default_factory=list)
    texts: list[int] = field(default_factory=list)
    converters: list[tuple[int, Callable]] = field(default_factory=list)
    leaf: bool = True
    pk_index: int = 0

    @property
    def label(self) -> str:
        return self.model._meta.label


def _concrete(model) -> type[models.Model]:
    return model._meta.concrete_model


def describe(model: type[models.Model]) -> Table:
    """The columns of a model's own table and what each refers to."""
    columns = list(model._meta.local_concrete_fields)
    table = Table(model=model, columns=columns)
    index = {f.attname: i for i, f in enumerate(columns)}
    pk = model._meta.pk
    table.auto_pk = not pk.is_relation
    table.pk_index = index[pk.attname]
    history_of = getattr(model, "instance_type", None)
    for i, column in enumerate(columns):
        if column.is_relation and column.remote_field is not None:
            table.refs.append(Ref(i, _concrete(column.remote_field.model)))
        elif history_of is not None and column.attname == history_of._meta.pk.attname:
            table.refs.append(Ref(i, _concrete(history_of)))
        elif isinstance(column, (models.DateTimeField, models.DateField)):
            table.dates.append(i)
        elif isinstance(column, models.JSONField):
            table.jsons.append(i)
        elif isinstance(column, (models.CharField, models.TextField)):
            table.texts.append(i)
        if isinstance(column, (models.DateTimeField, models.DateField)):
            table.converters.append((i, column.get_db_prep_save))
    for private in model._meta.private_fields:
        if isinstance(private, GenericForeignKey):
            ct, fk = (
                model._meta.get_field(private.ct_field),
                model._meta.get_field(private.fk_field),
            )
            # A generic foreign key's content type and id are concrete columns of its model.
            assert isinstance(ct, models.Field) and isinstance(fk, models.Field)
            if fk.attname in index and ct.attname in index:
                table.refs = [r for r in table.refs if r.index != index[fk.attname]]
                table.texts = [t for t in table.texts if t != index[fk.attname]]
                table.refs.append(
                    Ref(
                        index[fk.attname],
                        None,
                        index[ct.attname],
                        isinstance(fk, (models.CharField, models.TextField)),
                    )
                )
    return table


def all_tables() -> list[Table]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        found.append(describe(model))
    return found


@dataclass
class Snapshot:
    """A template document's rows, per table, as tuples in column order."""

    document_pk: int
    rows: dict[str, list[tuple]]


class Cloner:
    """Discovers the tables once, reads each template's rows, and writes clones in batches."""

    def __init__(self) -> None:
        self.tables = {t.label: t for t in all_tables()}
        self.content_types: dict[int, type[models.Model] | None] = {}
        self.next_pk: dict[str, int] = {}
        self.pending: dict[str, list[list]] = {}  # rows as lists: flush converts in place
        self.names = {m._meta.model_name: _concrete(m) for m in apps.get_models()}

    # --- reading the template ------------------------------------------------------

    def _ct_model(self, ct_id: int | None) -> type[models.Model] | None:
        if ct_id is None:
            return None
        if ct_id not in self.content_types:
            model = ContentType.objects.get_for_id(ct_id).model_class()
            self.content_types[ct_id] = _concrete(model) if model else None
        return self.content_types[ct_id]

    def snapshot(self, document_pk: int) -> Snapshot:
        """Every row hanging from one document, found by following references backwards."""
        selected: dict[type[models.Model], set] = {Document: {document_pk}}
        changed = True
        while changed:
            changed = False
            for table in self.tables.values():
                found = self._rows_referring(table, selected)
                found |= self._parents_of_selected(table, selected)
                known = selected.setdefault(table.model, set())
                if found - known:
                    known |= found
                    changed = True
        rows: dict[str, list[tuple]] = {Document._meta.label: []}
        for table in self.tables.values():
            pks = selected.get(table.model)
            if pks:
                rows[table.label] = self._read(table, sorted(pks))
        self._mark_leaves(rows)
        return Snapshot(document_pk, rows)

    def _read(self, table: Table, pks: list) -> list[tuple]:
        """Rows as the database holds them (raw column values, no from_db_value), with the
        dates as Python values, to be shifted."""
        quote = connection.ops.quote_name
        pk_column = table.columns[table.pk_index].column
        names = ", ".join(quote(c.column) for c in table.columns)
        marks = ", ".join(["%s"] * len(pks))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {names} FROM {quote(table.model._meta.db_table)} "  # noqa: S608
                f"WHERE {quote(pk_column)} IN ({marks}) ORDER BY {quote(pk_column)}",
                pks,
            )
            raw = [list(row) for row in cursor.fetchall()]
        if table.dates:
            attnames = [table.columns[i].attname for i in table.dates]
            pk_name = table.columns[table.pk_index].attname
            values = {
                row[0]: row[1:]
                for row in table.model._base_manager.filter(pk__in=pks).values_list(
                    pk_name, *attnames
                )
            }
            for row in raw:
                for i, value in zip(table.dates, values[row[table.pk_index]], strict=True):
                    row[i] = value
        return [tuple(row) for row in raw]

    def _rows_referring(self, table: Table, selected) -> set:
        found: set = set()
        manager = table.model._base_manager
        for ref in table.refs:
            column = table.columns[ref.index]
            if ref.target is None:
                assert ref.ct_index is not None  # a generic reference has its content type
                ct_column = table.columns[ref.ct_index]
                for model, pks in selected.items():
                    ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
                    values = [str(pk) for pk in pks] if ref.as_text else list(pks)
                    found |= set(
                        manager.filter(
                            **{ct_column.attname: ct.pk, f"{column.attname}__in": values}
                        ).values_list("pk", flat=True)
                    )
            elif (
                ref.target in selected
                and ref.target not in OUTSIDE
                and (table.model is not Document)
            ):
                if (
                    column.is_relation
                    and column.remote_field is not None
                    and column.remote_field.parent_link
                ):
                    continue  # a child row is found through its own references
                found |= set(
                    manager.filter(
                        **{f"{column.attname}__in": list(selected[ref.target])}
                    ).values_list("pk", flat=True)
                )
        return found

    def _parents_of_selected(self, table: Table, selected) -> set:
        """Parent rows (multi-table inheritance) of selected child rows."""
        found: set = set()
        for child in self.tables.values():
            pk = child.model._meta.pk
            if (
                pk.is_relation
                and pk.remote_field is not None
                and pk.remote_field.parent_link
                and (_concrete(pk.remote_field.model) is table.model)
            ):
                found |= set(selected.get(child.model, ()))
        return found

    def _mark_leaves(self, rows: dict[str, list[tuple]]) -> None:
        """A table no cloned row refers to: a person mapped to several may multiply its rows."""
        referred: set = set()
        for label, table_rows in rows.items():
            for ref in self.tables[label].refs:
                if ref.target is not None:
                    referred.add(ref.target)
                else:
                    ct_index = ref.ct_index
                    assert ct_index is not None  # a generic reference has its content type
                    referred |= {self._ct_model(row[ct_index]) for row in table_rows}
        for label in rows:
            table = self.tables[label]
            table.leaf = table.model not in referred

    # --- writing clones ------------------------------------------------------------

    def start(self, labels: Iterable[str]) -> None:
        """Next free primary key of each table, read from the database."""
        for label in labels:
            table = self.tables[label]
            if table.auto_pk:
                top = table.model._base_manager.aggregate(top=Max("pk"))["top"] or 0
                self.next_pk[label] = max(top, self.next_pk.get(label, 0)) + 1

    def peek_document_pk(self) -> int:
        """The primary key the next clone's document will get."""
        return self.next_pk[Document._meta.label]

    def _new_pk(self, label: str) -> int:
        value = self.next_pk[label]
        self.next_pk[label] = value + 1
        return value

    def clone(
        self,
        snapshot: Snapshot,
        *,
        people: dict[type, dict[int, list[int]]],
        delta: dt.timedelta,
        texts: dict[str, str],
        fix_document: Callable[[dict[str, object]], None],
    ) -> int:
        """Queue one clone of the snapshot; returns the new document's pk."""
        pks: dict[type, dict] = {}
        for label, rows in snapshot.rows.items():  # the document first: see peek_document_pk
            table = self.tables[label]
            if table.auto_pk:
                pks[table.model] = {row[table.pk_index]: self._new_pk(label) for row in rows}
        for label, rows in snapshot.rows.items():
            table = self.tables[label]
            out = self.pending.setdefault(label, [])
            cloned = []
            for row in rows:
                for new in self._remap(table, row, pks, people, delta, texts):
                    if table.model is Document:
                        new = self._fixed(table, new, fix_document)
                    cloned.append(new)
            if table.model is Event:
                self._rechain(table, cloned, pks[Document][snapshot.document_pk])
            out.extend(cloned)
        return pks[Document][snapshot.document_pk]

    @staticmethod
    def _rechain(table: Table, rows: list[list], document_pk: int) -> None:
        """The clone's events as a chain of its own (documents.audit_format), so that the
        cloned trail verifies as the original did."""
        index = {c.attname: i for i, c in enumerate(table.columns)}
        rows.sort(key=lambda row: row[index["seq"]])
        chain, prev = audit_format.document_chain(document_pk), audit_format.GENESIS
        for seq, row in enumerate(rows, start=1):
            data = row[index["data"]]
            row[index["chain"]], row[index["seq"]], row[index["prev"]] = chain, seq, prev
            row[index["hash"]] = prev = audit_format.event_hash(
                chain,
                seq,
                prev,
                audit.timestamp(row[index["created_at"]]),
                row[index["document_id"]],
                row[index["actor_id"]],
                row[index["role"]],
                row[index["kind"]],
                row[index["comment"]],
                json.loads(data) if isinstance(data, str) else data,
            )

    def _fixed(self, table: Table, row: list, fix: Callable[[dict[str, object]], None]) -> list:
        values = {c.attname: row[i] for i, c in enumerate(table.columns)}
        fix(values)
        return [values[c.attname] for c in table.columns]

    def _remap(self, table, row, pks, people, delta, texts) -> list[list]:
        new = list(row)
        if table.auto_pk:
            new[table.pk_index] = pks[table.model][row[table.pk_index]]
        fan_out: tuple[int, list[int]] | None = None
        for ref in table.refs:
            value = row[ref.index]
            if value is None:
                continue
            target = ref.target or self._ct_model(row[ref.ct_index])
            key = int(value) if ref.as_text else value
            if target in pks and key in pks[target]:
                mapped = pks[target][key]
                new[ref.index] = str(mapped) if ref.as_text else mapped
            elif target in people and key in people[target]:
                choices = people[target][key]
                if len(choices) == 1 or not table.leaf or fan_out is not None:
                    new[ref.index] = choices[0] if choices else value
                else:
                    fan_out = (ref.index, choices)
        for i in table.dates:
            if row[i] is not None:
                new[i] = row[i] + delta
        for i in table.texts:
            if row[i]:
                new[i] = self._text(row[i], pks, people, texts)
        for i in table.jsons:
            value = row[i]
            if isinstance(value, str):
                new[i] = json.dumps(self._json(json.loads(value), pks, people, texts))
            elif value is not None:
                new[i] = json.dumps(self._json(value, pks, people, texts))
        if fan_out is None:
            return [new]
        index, choices = fan_out
        result = []
        for position, choice in enumerate(choices):
            copy = list(new)
            copy[index] = choice
            if position and table.auto_pk:
                copy[table.pk_index] = self._new_pk(table.label)
            result.append(copy)
        return result

    def _lookup(self, name: str, value: int, pks, people) -> int | None:
        model = self.names.get(name)
        if model in pks and value in pks[model]:
            return pks[model][value]
        if model in people and value in people[model]:
            return people[model][value][0] if people[model][value] else value
        return None

    def _text(self, value: str, pks, people, texts) -> str:
        if not isinstance(value, str):
            return value
        match = ENCODED.match(value)
        if match:
            mapped = self._lookup(match.group(1), int(match.group(2)), pks, people)
            if mapped is not None:
                return f"{match.group(1)}:{mapped}"
        for old, replacement in texts.items():
            if old in value:
                value = value.replace(old, replacement)
        return value

    def _json(self, value, pks, people, texts):
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                mapped = self._lookup(key, item, pks, people) if isinstance(item, int) else None
                result[key] = mapped if mapped is not None else self._json(item, pks, people, texts)
            return result
        if isinstance(value, list):
            return [self._json(item, pks, people, texts) for item in value]
        if isinstance(value, str):
            return self._text(value, pks, people, texts)
        return value

    def flush(self) -> int:
        """Write the queued rows, table by table (foreign keys are checked at commit)."""
        written = 0
        with connection.cursor() as cursor:
            for label, rows in self.pending.items():
                if not rows:
                    continue
                table = self.tables[label]
                for i, convert in table.converters:
                    for row in rows:
                        row[i] = convert(row[i], connection)
                quote = connection.ops.quote_name
                names = ", ".join(quote(c.column) for c in table.columns)
                marks = ", ".join(["%s"] * len(table.columns))
                sql = f"INSERT INTO {quote(table.model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)
                written += len(rows)
        self.pending = {}
        return written

    def reset_sequences(self) -> None:
        """PostgreSQL: identity sequences past the explicit keys written."""
        models_written = [self.tables[label].model for label in self.next_pk]
        statements = connection.ops.sequence_reset_sql(no_style(), models_written)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
