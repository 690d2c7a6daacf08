"""Rows straight into tables: PostgreSQL COPY, SQLite `executemany`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import connection, models
from django.db.models import Max


class Writer:
    """Rows straight into tables: COPY on PostgreSQL, one `executemany` on SQLite. Primary keys
    are given by the caller (`next_id`), so rows can refer to each other before they are written;
    the sequences are moved past them at the end."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.models: set[type[models.Model]] = set()
        self._next: dict[type[models.Model], int] = {}

    def prepare(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Check foreign keys row by row instead of queueing millions of deferred checks.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def next_id(self, model: type[models.Model], count: int) -> int:
        """The first of `count` fresh primary keys of `model`."""
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] = first + count
        return first

    def write(self, model: type[models.Model], names: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        self.models.add(model)
        fields = [cast(models.Field, model._meta.get_field(name)) for name in names]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        converters = [(i, c) for i, f in enumerate(fields) if (c := self._converter(f))]
        if converters:
            rows = [_converted(row, converters) for row in rows]
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - quoted names
                cursor.executemany(sql, rows)

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
