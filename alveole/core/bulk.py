"""Inserting many new rows fast: a lean `bulk_create` for batch writes.

`QuerySet.bulk_create` spends more Python time building its SQL (an expression check and
a placeholder per value) than the database spends writing: at thousands of rows a second,
that is most of an import's time. `insert` (model objects) and `insert_rows` (tuples of
values, no model object built; `insert_columns`, the same given column by column) prepare
each value for the database as `bulk_create` does (`get_db_prep_save`; `insert` sets the
`auto_now` fields first, one time for all its objects), but skip that call for the plain
values it would return unchanged (a `str` for a text column, an `int` for an integer or a
key) and make it once per distinct value otherwise. They run one prepared INSERT for all
the rows (`executemany`), multi-row INSERTs … RETURNING id as large as the database allows
when the caller needs the new ids, or a COPY on PostgreSQL.

Like `bulk_create`, they call no `save()` and send no signal: the caller is a service that
made every check a save would make. `Prototype` makes the new model objects themselves
without `Model.__init__`'s cost per field.

`fewer_collections` keeps Python's cyclic garbage collector from scanning, again and
again, the many objects a batch keeps alive until it is written.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

#: Rows per statement at most (the database's limit on parameters may lower it).
MAX_ROWS = 5_000

#: Field classes whose `get_db_prep_save` returns a value of this exact type unchanged.
_PLAIN: tuple[tuple[type[models.Field], type], ...] = (
    (models.CharField, str),
    (models.TextField, str),
    (models.BooleanField, bool),
    (models.IntegerField, int),  # and Big-, Small-, Positive…
)


#: Allocations between two collections of the youngest generation during a batch (700 by
#: default): enough for a batch of thousands of rows to cause only a few collections.
BATCH_GC_THRESHOLD = 50_000

# The thresholds are the process's: the first batch to start raises them and keeps what
# they were, the last to end (in whatever order they end, in whatever threads) puts that
# back.
_batches_lock = threading.Lock()
_batches_running = 0
_threshold_before: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run bulk work with Python's garbage collector triggered less often, then as before.

    A batch holds thousands of new objects (model objects, entries, their lines) until it
    writes them. With the default thresholds, the collector passes over them hundreds of
    times, and over every object of the process at each full collection: a quarter of an
    import's processor time. Reference counting still frees at once what is not in a
    cycle; a cycle waits for the next collection, every 50 000 allocations instead of 700.
    Meanwhile the other threads of the process collect less often too. A process whose
    automatic collection is off (threshold 0) keeps it off.
    """
    global _batches_running, _threshold_before
    with _batches_lock:
        if _batches_running == 0:
            _threshold_before = gc.get_threshold()
            if _threshold_before[0]:
                gc.set_threshold(
                    max(_threshold_before[0], BATCH_GC_THRESHOLD), *_threshold_before[1:]
                )
        _batches_running += 1
    try:
        yield
    finally:
        with _batches_lock:
            _batches_running -= 1
            if _batches_running == 0:
                gc.set_threshold(*_threshold_before)


def _plain_type(field: models.Field) -> type | None:
    if isinstance(field, models.ForeignKey):
        return _plain_type(field.target_field)
    if isinstance(field, models.AutoField):
        return int
    for kind, plain in _PLAIN:
        if isinstance(field, kind):
            return plain
    return None


def _prepare_column(field: models.Field, values: Sequence[Any], connection: Any) -> Sequence[Any]:
    """A column's values ready for the database: the plain ones as they are (the column
    itself when all are), the others through the field, once per distinct value (a batch
    repeats its dates, times and choices; a JSON value repeated is the same object)."""
    prepare = field.get_db_prep_save
    plain = _plain_type(field)
    if plain is not None and set(map(type, values)) <= {plain, type(None)}:
        return values
    memo: dict[Any, Any] = {}
    prepared = []
    if isinstance(field, models.JSONField):  # dicts: not hashable, told apart by identity
        for value in values:
            key = id(value)  # `values` holds every value: an id is not reused meanwhile
            try:
                prepared.append(memo[key])
            except KeyError:
                prepared.append(memo.setdefault(key, prepare(value, connection)))
        return prepared
    for value in values:
        if plain is not None and (value is None or type(value) is plain):
            prepared.append(value)
            continue
        try:
            prepared.append(memo[value])
        except KeyError:
            prepared.append(memo.setdefault(value, prepare(value, connection)))
        except TypeError:  # not hashable
            prepared.append(prepare(value, connection))
    return prepared


def _fields(model: type[Model], names: Sequence[str]) -> list[models.Field]:
    """The model's fields of these attnames (`business_id`), each a column of its table."""
    fields: list[models.Field] = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), name  # a column of the table
        fields.append(field)
    return fields


def _copy(cursor: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL's COPY … FROM STDIN of the rows, seen by the query log and the execute
    wrappers like one `executemany` (so query counts and tests see it)."""

    def run(sql: str, rows: Sequence[Sequence[Any]], _many: bool, _context: Any) -> None:
        cursor.db.validate_no_broken_transaction()
        with cursor.db.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    debug = getattr(cursor, "debug_sql", None)
    with debug(sql, rows, many=True) if debug else contextlib.nullcontext():
        cursor._execute_with_wrappers(sql, rows, True, executor=run)


def insert_rows(
    model: type[Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    with_ids: bool = False,
) -> list[int]:
    """Insert rows of values for the fields `names` (attnames, `business_id`), in order;
    the new ids when `with_ids`, in the rows' order. Defaults are not applied: give every
    column without a database default, `auto_now` dates included."""
    return insert_columns(model, names, list(zip(*rows, strict=True)), with_ids=with_ids)


def insert_columns(
    model: type[Model],
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
    *,
    with_ids: bool = False,
) -> list[int]:
    """`insert_rows` given column by column: `columns[i]` holds the values of `names[i]`,
    one per row (a column repeating one value may be `[value] * rows`)."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = _fields(model, names)
    if not columns or not columns[0]:
        return []
    assert len(columns) == len(fields), (names, len(columns))
    prepared_columns = [
        _prepare_column(field, values, connection)
        for field, values in zip(fields, columns, strict=True)
    ]
    count = len(prepared_columns[0])
    quote = connection.ops.quote_name
    column_names = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(meta.db_table)
    pk_column = meta.pk.column if meta.pk is not None else None
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if with_ids:
                # The ids come from the table's sequence first, in one query.
                assert pk_column is not None
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                    "FROM generate_series(1, %s) ORDER BY 1",
                    [meta.db_table, pk_column, count],
                )
                ids = [row[0] for row in cursor.fetchall()]
                column_names = f"{quote(pk_column)}, {column_names}"
                prepared_columns.insert(0, ids)
            rows = list(zip(*prepared_columns, strict=True))
            _copy(cursor, f"COPY {table} ({column_names}) FROM STDIN", rows)
            return ids
        rows = list(zip(*prepared_columns, strict=True))
        if not with_ids:
            sql = f"INSERT INTO {table} ({column_names}) VALUES {placeholders}"  # noqa: S608
            for start in range(0, count, MAX_ROWS):
                cursor.executemany(sql, rows[start : start + MAX_ROWS])
            return ids
        assert pk_column is not None
        limit = connection.features.max_query_params or 999
        per = max(1, min(MAX_ROWS, limit // len(fields)))
        returning = quote(pk_column)
        for start in range(0, count, per):
            chunk = rows[start : start + per]
            sql = (
                f"INSERT INTO {table} ({column_names}) VALUES "  # noqa: S608
                + ", ".join([placeholders] * len(chunk))
                + f" RETURNING {returning}"
            )
            cursor.execute(sql, list(chain.from_iterable(chunk)))
            # In the order of the VALUES, as `bulk_create` relies on too.
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def update_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Set the fields `names` (attnames) of existing rows, each row given as its primary key
    followed by its values in `names`' order: one prepared UPDATE for all (`executemany`),
    the values prepared as `insert_rows` prepares them. Like `QuerySet.update`, no `save()`,
    no signal and no `auto_now`: give `updated_at` among the names when it should change."""
    rows = list(rows)
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = _fields(model, names)
    columns = list(zip(*rows, strict=True))
    assert len(columns) == len(fields) + 1, (names, len(columns))
    prepared = [
        _prepare_column(field, values, connection)
        for field, values in zip(fields, columns[1:], strict=True)
    ]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    assert meta.pk is not None
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*prepared, columns[0], strict=True)))


def insert(objs: Sequence[Model], *, with_ids: bool = False) -> int:
    """Insert new objects of one model (every concrete field but the id); with `with_ids`,
    set their primary keys. Returns the number of rows written.

    The `auto_now` and `auto_now_add` fields of the objects written together take one
    value, the time of the call (`bulk_create` asks the clock again for each object)."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    names = [f.attname for f in fields]
    columns: list[Sequence[Any]] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = field.pre_save(objs[0], True)
            for obj in objs:
                setattr(obj, field.attname, value)
            columns.append([value] * len(objs))
        else:
            columns.append(list(map(attrgetter(field.attname), objs)))
    ids = insert_columns(model, names, columns, with_ids=with_ids)
    if with_ids:
        alias = DEFAULT_DB_ALIAS
        for obj, new_id in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, new_id)
            obj._state.adding = False
            obj._state.db = alias
    return len(objs)


class Prototype[M: Model]:
    """New, unsaved objects of a model, built by copying the field values of one object
    made once: `Model.__init__` looks up the default of every field and sends two signals
    for each object, most of a batch's time at thousands of objects a second.

    `Prototype(Invoice, imported=True)` makes the model object once (those values must not
    be changed in place: they are shared); `prototype(number=…, customer=…)` then returns
    a new object with those values, as `Invoice(imported=True, number=…, customer=…)`
    would: a related object sets its key and is cached, a field whose default is callable
    gets a fresh default. A model with `pre_init`/`post_init` receivers is built by
    `Model.__init__`, which sends them.
    """

    def __init__(self, model: type[M], **values: Any) -> None:
        self.model = model
        self.given = values
        meta = model._meta
        self.slow = pre_init.has_listeners(model) or post_init.has_listeners(model)
        self.values = {k: v for k, v in model(**values).__dict__.items() if k != "_state"}
        self.fresh = [
            (field.attname, field.get_default)
            for field in meta.concrete_fields
            if field.has_default()
            and callable(field.default)
            and field.name not in values
            and field.attname not in values
        ]
        self.relations: dict[str, tuple[str, str]] = {}
        self.names: set[str] = set()
        for field in meta.concrete_fields:
            if field.many_to_one or field.one_to_one:
                target = field.target_field  # type: ignore[attr-defined]
                self.relations[field.name] = (field.attname, target.attname)
            self.names.add(field.attname)
        # The related objects given to the prototype, cached in each copy as in it.
        self.cached = {name: value for name, value in values.items() if name in self.relations}
        self.db = next(
            (v._state.db or DEFAULT_DB_ALIAS for v in self.cached.values() if v is not None), None
        )

    def __call__(self, **values: Any) -> M:
        if self.slow:
            return self.model(**self.given, **values)
        obj = object.__new__(self.model)
        attributes = obj.__dict__
        attributes.update(self.values)
        for attname, default in self.fresh:
            attributes[attname] = default()
        state = attributes["_state"] = ModelState()
        if self.cached:
            state.fields_cache.update(self.cached)
            state.db = self.db
        for name, value in values.items():
            relation = self.relations.get(name)
            if relation is not None:
                # As the related descriptor: the key, the object cached, its database.
                attributes[relation[0]] = None if value is None else getattr(value, relation[1])
                state.fields_cache[name] = value
                if value is not None and state.db is None:
                    state.db = value._state.db or DEFAULT_DB_ALIAS
            elif name in self.names:
                attributes[name] = value
            else:
                raise TypeError(f"{self.model.__name__}() got an unexpected field {name!r}")
        return obj
