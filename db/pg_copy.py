"""PostgreSQL: many rows written with one ``COPY ... FROM STDIN`` instead of multi-row INSERTs.

A receipt's 10,000 units, history rows and lines sent as INSERTs of thousands of
``VALUES`` tuples each (psycopg2 puts the values into the statement's text) cost the
server parsing and planning a statement of a megabyte per batch; COPY streams the
rows in PostgreSQL's text format and the server reads them as data. Triggers,
constraints and foreign keys are checked as for an INSERT.

COPY returns nothing, so ids the caller needs back are taken from the table's
sequence first (one ``nextval`` per row, in one statement) and written with the rows.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import peewee as pw

from db.connection import db

# Fewer rows than this go as an INSERT (one statement either way; a COPY with ids
# taken first would be two round trips).
MIN_ROWS = 100
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class NotCopyable(Exception):
    """A value COPY's text format is not sure to read as the INSERT would: use the INSERT."""


def text_of(value) -> str:
    """One value in COPY's text format, as PostgreSQL would read the INSERT's literal."""
    kind = type(value)
    if value is None:
        return "\\N"
    if kind is str:
        if "\x00" in value:
            raise NotCopyable("NUL")  # the INSERT is refused with PostgreSQL's own message
        return value.translate(_ESCAPES)
    if kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is Decimal:
        if not value.is_finite():
            raise NotCopyable("not a finite amount")
        return format(value, "f")
    if kind is datetime:
        if value.tzinfo is not None:  # the INSERT sends timestamptz: converted, not cut
            raise NotCopyable("an aware time")
        return value.isoformat(" ")
    if kind is date:
        return value.isoformat()
    if kind is float:
        return repr(value)
    raise NotCopyable(kind.__name__)


def copy_rows(model, columns: list[str], rows: list[list], returning=()) -> list[tuple] | None:
    """Write ``rows`` (values as the database stores them, in ``columns`` order) with COPY;
    the ``returning`` fields of each row, in order (the primary key taken from its
    sequence, other fields as given). None, having written nothing, when COPY cannot
    stand in for the INSERT: a value of another type, or a returned field not given."""
    meta = model._meta
    key = meta.primary_key
    wanted = [f.column_name for f in returning]
    take_ids = key.column_name in wanted and key.column_name not in columns
    if take_ids and not isinstance(key, pw.AutoField | pw.BigAutoField):
        return None
    given = {name: i for i, name in enumerate(columns)}
    if any(name not in given and name != key.column_name for name in wanted):
        return None
    kinds = [{type(row[i]) for row in rows} for i in range(len(columns))]
    if not set().union(*kinds) <= _COPYABLE or any(
        _unsure(rows, i, k) for i, k in enumerate(kinds)
    ):
        return None
    if any(kinds[given[n]] - {int, str} for n in wanted if n in given):
        return None  # RETURNING would give the stored form (a rounded amount, ...)
    if take_ids:
        ids = _next_ids(meta.table_name, key.column_name, len(rows))
        rows = [[i, *row] for i, row in zip(ids, rows, strict=True)]
        columns = [key.column_name, *columns]
        given = {name: i for i, name in enumerate(columns)}
    quote = db.obj.quote
    names = ", ".join(f"{quote[0]}{c}{quote[1]}" for c in columns)
    sql = f"COPY {quote[0]}{meta.table_name}{quote[1]} ({names}) FROM STDIN"
    with pw.__exception_wrapper__:
        db.cursor().copy_expert(sql, _Lines(rows), size=_CHUNK)
    if not returning:
        return []
    places = [given[n] for n in wanted]
    return [tuple(row[p] for p in places) for row in rows]


_COPYABLE = {type(None), str, int, bool, Decimal, datetime, date, float}
_CHUNK = 1 << 16


def _unsure(rows: list[list], place: int, kinds: set[type]) -> bool:
    """Whether a column holds a value the text format would not give as the INSERT does
    (an aware time, not a number, a NUL), found before anything is sent."""
    values = [r[place] for r in rows]
    return (
        (datetime in kinds and any(type(v) is datetime and v.tzinfo for v in values))
        or (Decimal in kinds and any(type(v) is Decimal and not v.is_finite() for v in values))
        or (str in kinds and any(type(v) is str and "\x00" in v for v in values))
    )


class _Lines(io.TextIOBase):
    """The rows as COPY text, made as the driver reads it: while the server writes one
    chunk of rows, the next is being made (two cores, one for each)."""

    def __init__(self, rows: list[list]) -> None:
        self._rows = iter(rows)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        for row in self._rows:
            line = "\t".join([text_of(v) for v in row]) + "\n"
            parts.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(parts)


def _next_ids(table: str, column: str, count: int) -> list[int]:
    """``count`` new ids from the sequence behind ``table.column``, in one statement."""
    # The sequence looked up once, not for every row.
    sql = (
        "SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) s, "
        "generate_series(1, %s)"
    )
    return [i for (i,) in db.execute_sql(sql, (f'"{table}"', column, count)).fetchall()]
