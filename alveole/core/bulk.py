"""Inserting many new rows fast: a lean `bulk_create` for batch writes.

`QuerySet.bulk_create` spends more Python time building its SQL (an expression check and
a placeholder per value) than the database spends writing: at thousands of rows a second,
that is most of an import's time. `insert` (model objects) and `insert_rows` (tuples of
values, no model object built) prepare each value for the database as `bulk_create` does
(`get_db_prep_save`; `insert` calls `pre_save` first, so `auto_now` fields are set), but
skip that call for the plain values it would return unchanged (a `str` for a text column,
an `int` for an integer or a key). They run one prepared INSERT for all the rows
(`executemany`) or, when the caller needs the new ids, multi-row INSERTs … RETURNING id as
large as the database allows.

Like `bulk_create`, they call no `save()` and send no signal: the caller is a service that
made every check a save would make.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model

#: Rows per statement at most (the database's limit on parameters may lower it).
MAX_ROWS = 5_000

#: Field classes whose `get_db_prep_save` returns a value of this exact type unchanged.
_PLAIN: tuple[tuple[type[models.Field], type], ...] = (
    (models.CharField, str),
    (models.TextField, str),
    (models.BooleanField, bool),
    (models.IntegerField, int),  # and Big-, Small-, Positive…
)


def _plain_type(field: models.Field) -> type | None:
    if isinstance(field, models.ForeignKey):
        return _plain_type(field.target_field)
    if isinstance(field, models.AutoField):
        return int
    for kind, plain in _PLAIN:
        if isinstance(field, kind):
            return plain
    return None


def _prepare_column(field: models.Field, values: Sequence[Any], connection: Any) -> list[Any]:
    """A column's values ready for the database: the plain ones as they are, the others
    through the field (once per distinct value: a batch repeats its dates and times)."""
    prepare = field.get_db_prep_save
    plain = _plain_type(field)
    if plain is not None:
        return [v if v is None or type(v) is plain else prepare(v, connection) for v in values]
    if isinstance(field, models.JSONField):
        return [prepare(v, connection) for v in values]
    memo: dict[Any, Any] = {}
    prepared = []
    for value in values:
        try:
            prepared.append(memo[value])
        except KeyError:
            prepared.append(memo.setdefault(value, prepare(value, connection)))
        except TypeError:  # not hashable
            prepared.append(prepare(value, connection))
    return prepared


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
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields: list[models.Field] = []
    for name in names:
        field = meta.get_field(name)
        assert isinstance(field, models.Field), name  # a column of the table
        fields.append(field)
    given = list(zip(*rows, strict=True))
    if not given:
        return []
    prepared = list(
        zip(
            *(
                _prepare_column(field, values, connection)
                for field, values in zip(fields, given, strict=True)
            ),
            strict=True,
        )
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
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
                    [meta.db_table, pk_column, len(prepared)],
                )
                ids = [row[0] for row in cursor.fetchall()]
                columns = f"{quote(pk_column)}, {columns}"
                prepared = [(new_id, *row) for new_id, row in zip(ids, prepared, strict=True)]
            _copy(cursor, f"COPY {table} ({columns}) FROM STDIN", prepared)
            return ids
        if not with_ids:
            sql = f"INSERT INTO {table} ({columns}) VALUES {placeholders}"  # noqa: S608
            for start in range(0, len(prepared), MAX_ROWS):
                cursor.executemany(sql, prepared[start : start + MAX_ROWS])
            return ids
        assert pk_column is not None
        limit = connection.features.max_query_params or 999
        per = max(1, min(MAX_ROWS, limit // len(fields)))
        returning = quote(pk_column)
        for start in range(0, len(prepared), per):
            chunk = prepared[start : start + per]
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                + ", ".join([placeholders] * len(chunk))
                + f" RETURNING {returning}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
            # In the order of the VALUES, as `bulk_create` relies on too.
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def insert(objs: Sequence[Model], *, with_ids: bool = False) -> int:
    """Insert new objects of one model (every concrete field but the id); with `with_ids`,
    set their primary keys. Returns the number of rows written."""
    if not objs:
        return 0
    meta = type(objs[0])._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    needs_pre_save = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for field in needs_pre_save:
            field.pre_save(obj, True)
    names = [f.attname for f in fields]
    ids = insert_rows(
        type(objs[0]),
        names,
        ([getattr(obj, name) for name in names] for obj in objs),
        with_ids=with_ids,
    )
    if with_ids:
        alias = DEFAULT_DB_ALIAS
        for obj, new_id in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, new_id)
            obj._state.adding = False
            obj._state.db = alias
    return len(objs)
