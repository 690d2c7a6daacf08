"""Rows straight into tables: PostgreSQL COPY, SQLite `executemany`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, cast

from django.db import connection, models
from django.db.models import Max

Table = tuple[type[models.Model], Sequence[str], list[tuple]]  # model, field names, rows


class Writer:
    """Rows straight into tables: COPY on PostgreSQL, one `executemany` on SQLite. Primary keys
    are given by the caller (`next_id`), so rows can refer to each other before they are written;
    the sequences are moved past them at the end.

    `write_behind` lets the caller go on while PostgreSQL takes a batch: the generator is Python
    (one core) and PostgreSQL's COPY the other; written one after the other, each waited for the
    other about half the time."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.models: set[type[models.Model]] = set()
        self._next: dict[type[models.Model], int] = {}
        self._behind: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None

    def prepare(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Check foreign keys row by row instead of queueing millions of deferred checks.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def next_id(self, model: type[models.Model], count: int) -> int:
        """The first of `count` fresh primary keys of `model`."""
        if model not in self._next:
            self.wait()
            self._next[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] = first + count
        return first

    def write(self, model: type[models.Model], names: Sequence[str], rows: list[tuple]) -> None:
        self.wait()
        if not rows:
            return
        table, columns, fields, rows = self._prepared(model, names, rows)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                _copy(cursor.cursor, table, columns, rows)
            else:
                marks = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - quoted names
                cursor.executemany(sql, rows)

    def write_behind(self, tables: Sequence[Table]) -> None:
        """Write these tables' rows, in order, while the caller goes on. On PostgreSQL a second
        thread copies them on this thread's connection, inside its transaction; until it is done
        (`wait`, which every other method calls first) the caller must not use the database.
        Elsewhere, written now."""
        self.wait()
        if self.vendor != "postgresql":
            for model, names, rows in tables:
                self.write(model, names, rows)
            return
        copies = []
        for model, names, rows in tables:
            if rows:
                table, columns, _fields, prepared = self._prepared(model, names, rows)
                copies.append((table, columns, prepared))
        connection.ensure_connection()
        raw = connection.connection  # the psycopg connection of this thread's transaction
        if self._behind is None:
            self._behind = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scale-copy")
        self._pending = self._behind.submit(_copies, raw, copies)

    def wait(self) -> None:
        """Until the rows written behind are in (raises what their COPY raised)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            # As Django raises them (IntegrityError …), marking the connection as it would.
            with connection.wrap_database_errors:
                pending.result()

    def _prepared(
        self, model: type[models.Model], names: Sequence[str], rows: list[tuple]
    ) -> tuple[str, str, list[models.Field], list[tuple]]:
        """The quoted table and columns, the fields, and the rows as the database takes them."""
        self.models.add(model)
        fields = [cast(models.Field, model._meta.get_field(name)) for name in names]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        converters = [(i, c) for i, f in enumerate(fields) if (c := self._converter(f))]
        if converters:
            rows = [_converted(row, converters) for row in rows]
        return table, columns, fields, rows

    def _converter(self, model_field: Any) -> Callable[[Any], Any] | None:
        if isinstance(model_field, models.JSONField):
            return _json
        if self.vendor == "postgresql":
            return None
        if isinstance(model_field, models.DateTimeField):
            return _sqlite_datetime
        if isinstance(model_field, models.DateField):
            return _sqlite_date
        return None

    def finish(self) -> None:
        from django.core.management.color import no_style

        self.wait()
        if self._behind is not None:
            self._behind.shutdown()
            self._behind = None
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), sorted(self.models, key=str)):
                cursor.execute(sql)

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                for model in sorted(self.models, key=str):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            elif self.vendor == "sqlite":
                cursor.execute("ANALYZE")


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _copies(raw: Any, copies: list[tuple[str, str, list[tuple]]]) -> None:
    with raw.cursor() as cursor:
        for table, columns, rows in copies:
            _copy(cursor, table, columns, rows)


def _converted(row: tuple, converters: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    values = list(row)
    for index, convert in converters:
        value = values[index]
        if value is not None:
            values[index] = convert(value)
    return tuple(values)


def _json(value: Any) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def _sqlite_datetime(value: dt.datetime) -> str:
    # As Django's SQLite backend stores aware datetimes: UTC, without the offset.
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(" ")


def _sqlite_date(value: dt.date) -> str:
    return value.isoformat()


def batches(rows: list[tuple], size: int = 20_000) -> Iterable[list[tuple]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
