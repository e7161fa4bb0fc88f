"""Fast multi-row inserts (and look-ups) for receipts and imports of many serials."""

from __future__ import annotations

import peewee as pw

from db.connection import db, is_sqlite
from db.pg_copy import MIN_ROWS as MIN_COPY_ROWS
from db.pg_copy import copy_rows

# Bind parameters per INSERT statement: under SQLite's smallest limit (32766) and PostgreSQL's.
MAX_PARAMS = 30_000


def insert_rows(model, rows: list[dict], returning=()) -> list[tuple]:
    """Insert rows (dicts by field name) as ``model.insert_many(rows)`` would, in fewer steps.

    Peewee builds a bulk insert value by value, which took most of a 10,000-serial
    receipt; here one row's placeholders are repeated. As in peewee, fields left out
    take their default, and every value goes through its field's ``db_value``.
    """
    if not rows:
        return []
    meta = model._meta
    fields = [meta.fields[name] for name in rows[0]]
    defaults = [(f, d) for f, d in meta.defaults.items() if f.name not in rows[0]]
    fields += [f for f, _d in defaults]
    quote = db.obj.quote

    def name(text: str) -> str:
        return f"{quote[0]}{text}{quote[1]}"

    head = (
        f"INSERT INTO {name(meta.table_name)} ({', '.join(name(f.column_name) for f in fields)}) "
        "VALUES "
    )
    tail = f" RETURNING {', '.join(name(f.column_name) for f in returning)}" if returning else ""
    marks = "(" + ", ".join([db.obj.param] * len(fields)) + ")"
    converters = [(_same_as_last(f.db_value), _stored_as(f)) for f in fields]
    given = [f.name for f in fields[: len(fields) - len(defaults)]]

    def converted(part: list[dict]) -> list[list]:
        # A default is taken once per statement (a created_at is the same instant for all)
        filled = [d() if callable(d) else d for _f, d in defaults]
        return [
            [
                v if v is None or type(v) is plain else convert(v)
                for (convert, plain), v in zip(
                    converters, [row[n] for n in given] + filled, strict=True
                )
            ]
            for row in part
        ]

    if len(rows) >= MIN_COPY_ROWS and not is_sqlite():
        copied = copy_rows(model, [f.column_name for f in fields], converted(rows), returning)
        if copied is not None:
            return copied
    per_statement = max(1, MAX_PARAMS // len(fields))
    returned: list[tuple] = []
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        params = [v for values in converted(part) for v in values]
        cursor = db.execute_sql(head + ", ".join([marks] * len(part)) + tail, params)
        if returning:
            returned += [tuple(r) for r in cursor.fetchall()]
    return returned


def _same_as_last(convert):
    """``convert``, given the same object again (a receipt's one time, one cost on every
    row), answering what it answered last without converting it again."""
    last: list = [object(), None]

    def converted(value):
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def _stored_as(field) -> type | None:
    """The Python type a field stores unchanged (its ``db_value`` returns an int as it is
    for an integer or a foreign key to an id, a str for text), so a million values skip the
    call; None: every value is converted (money, dates, booleans, ...)."""
    if isinstance(field, pw.ForeignKeyField):
        return int if isinstance(field.rel_field, pw.IntegerField | pw.AutoField) else None
    if isinstance(field, pw.IntegerField | pw.AutoField):  # BigIntegerField too
        return int
    if isinstance(field, pw.CharField | pw.TextField):
        return str
    return None


def select_in(model, columns, field, values: list, chunk: int = 5000) -> list[tuple]:
    """``SELECT columns FROM model WHERE field IN (values)`` in chunks, as tuples.

    Peewee builds an IN list value by value (most of the time a 100,000-serial check
    took); here the placeholders are repeated, each value converted by its field. On
    PostgreSQL a long list of text or whole numbers goes as one array joined to the table
    instead: the server plans 10,000 IN values one by one (150 ms for a receipt's check of
    its serials on a 1M-unit ledger, 25 ms as an array).
    """
    if not values:
        return []
    quote = db.obj.quote
    table = f"{quote[0]}{model._meta.table_name}{quote[1]}"
    names = ", ".join(f"{table}.{quote[0]}{c.column_name}{quote[1]}" for c in columns)
    where = f"{table}.{quote[0]}{field.column_name}{quote[1]}"
    # Only dates and money need reading back; ids, text and counts come as they are.
    typed = [i for i, c in enumerate(columns) if isinstance(c, pw.DateField | pw.DecimalField)]
    found: list[tuple] = []
    for start in range(0, len(values), chunk):
        part = [field.db_value(v) for v in values[start : start + chunk]]
        array = None if is_sqlite() or len(part) < MIN_ARRAY else pg_array(part)
        if array is not None:
            sql = (
                f"SELECT {names} FROM {table} "
                f"JOIN unnest(%s::{array[0]}[]) AS given(value) ON {where} = given.value"
            )
            params = [array[1]]
        else:
            marks = ", ".join([db.obj.param] * len(part))
            sql = f"SELECT {names} FROM {table} WHERE {where} IN ({marks})"
            params = part
        for row in db.execute_sql(sql, params).fetchall():
            if typed:
                row = list(row)
                for i in typed:
                    row[i] = columns[i].python_value(row[i])
            found.append(tuple(row))
    return found


MIN_ARRAY = 100  # values from which select_in sends PostgreSQL one array


def pg_array(values: list) -> tuple[str, str] | None:
    """A PostgreSQL array literal of ``values`` (each once) and its element type, if all
    are text or all whole numbers within bigint; None otherwise (they go as an IN list,
    where PostgreSQL compares a larger number as it is). Every text
    element is quoted, a backslash or double quote in it escaped, so no text can end an
    element early or change the array's shape."""
    unique = [v for v in dict.fromkeys(values) if v is not None]  # NULL never matches
    if all(type(v) is str for v in unique):
        quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in unique)
        return "text", "{" + ",".join(f'"{v}"' for v in quoted) + "}"
    if all(type(v) is int and -(2**63) <= v < 2**63 for v in unique):  # bigint's range
        return "bigint", "{" + ",".join(map(str, unique)) + "}"
    return None


def create_row(model, **fields):
    """``model.create(**fields)`` without Peewee building the INSERT: the instance is made
    as Peewee makes it (defaults filled in), then written as ``insert_rows`` writes."""
    instance = model(**fields)
    meta = model._meta
    key = meta.primary_key
    data = {
        name: value
        for name, value in instance.__data__.items()
        if name in meta.fields and not (meta.fields[name] is key and value is None)
    }
    if key.name in data:
        insert_rows(model, [data])
    else:
        [(instance.__data__[key.name],)] = insert_rows(model, [data], returning=(key,))
    instance._dirty.clear()
    return instance


def _update(model, changes: dict, where: dict) -> tuple[str, list, list[str]]:
    """``UPDATE table SET field = %s, ...`` for ``changes``, its parameters (the changes'
    then the conditions'), and the ``field = %s`` conditions for ``where``."""
    meta, quote, param = model._meta, db.obj.quote, db.obj.param

    def column(name: str) -> tuple[str, object]:
        field = meta.fields[name]
        return f"{quote[0]}{field.column_name}{quote[1]} = {param}", field

    sets = [column(name) for name in changes]
    tests = [column(name) for name in where]
    params = [f.db_value(v) for (_c, f), v in zip(sets, changes.values(), strict=True)]
    params += [f.db_value(v) for (_c, f), v in zip(tests, where.values(), strict=True)]
    head = f"UPDATE {quote[0]}{meta.table_name}{quote[1]} SET {', '.join(c for c, _f in sets)}"
    return head, params, [c for c, _f in tests]


def update_where(model, changes: dict, returning=(), **where) -> int | list[tuple]:
    """``model.update(**changes).where(field == value for where).execute()`` without Peewee
    building it; the number of rows changed, or with ``returning`` (fields) the changed
    rows' values of those fields, as Peewee reads them."""
    quote = db.obj.quote
    head, params, tests = _update(model, changes, where)
    sql = f"{head} WHERE {' AND '.join(tests)}"
    if not returning:
        return db.execute_sql(sql, params).rowcount
    sql += " RETURNING " + ", ".join(f"{quote[0]}{f.column_name}{quote[1]}" for f in returning)
    rows = db.execute_sql(sql, params).fetchall()
    return [tuple(f.python_value(v) for f, v in zip(returning, row, strict=True)) for row in rows]


def update_in(model, changes: dict, field, values: list, chunk: int = 5000, **where) -> int:
    """``model.update(**changes).where(field.in_(values), other == value for where)``, in
    chunks, without Peewee building the IN list value by value; the rows changed."""
    quote, param = db.obj.quote, db.obj.param
    head, params, tests = _update(model, changes, where)
    head += f" WHERE {' AND '.join([*tests, f'{quote[0]}{field.column_name}{quote[1]} IN '])}"
    changed = 0
    for start in range(0, len(values), chunk):
        part = [field.db_value(v) for v in values[start : start + chunk]]
        marks = "(" + ", ".join([param] * len(part)) + ")"
        changed += db.execute_sql(head + marks, params + part).rowcount
    return changed
