"""What the command line prints, piece by piece: JSON for scripts, tables and lines for people.

JSON is the result dataclasses as they are, with dates in ISO form and money
as strings (``"499.00"``), so nothing is lost to floating point. The text of each
result is made next to its command (``app.cli.counter``, ``app.cli.stock``, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from app.domain.text import visible

# Result fields that hold plain tuples: the names their items get in JSON.
_TUPLE_FIELDS = {
    ("TicketView", "parts"): ("description", "quantity", "cost"),
    ("StocktakeStatus", "problems"): ("serial", "result"),
}


def jsonable(obj, _owner: str = "", _field: str = ""):
    """The plain JSON value of a result: dataclasses, Decimals, dates, lists and dicts."""
    names = _TUPLE_FIELDS.get((_owner, _field))
    if names and isinstance(obj, list):
        return [dict(zip(names, (jsonable(v) for v in item), strict=False)) for item in obj]
    if is_dataclass(obj) and not isinstance(obj, type):
        owner = type(obj).__name__
        return {f.name: jsonable(getattr(obj, f.name), owner, f.name) for f in fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a NamedTuple keeps its names
        return {name: jsonable(v) for name, v in zip(obj._fields, obj, strict=True)}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    return obj


# JSON escapes C0 controls itself; these it would print raw, and a terminal may obey them.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def to_json(obj) -> str:
    """JSON text with every control character (C0, DEL, C1) written as a ``\\u`` escape."""
    text = json.dumps(jsonable(obj), indent=2, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(text: str) -> str:
    """Text for a terminal: stored text may hold ESC or C1 controls, drawn visibly here."""
    return visible(text, lines=True)


# --- small pieces -------------------------------------------------------------------------


def when(moment: datetime | None) -> str:
    """A moment in the seat's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def label(state: str | None) -> str:
    return (state or "").replace("_", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns aligned to their widest cell; numbers right-aligned."""
    cells = [[("" if c is None else visible(c)) for c in row] for row in rows]
    if not cells:
        return "(none)"
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).isdigit() or text == ""


def pairs(items: Iterable[tuple[str, object]]) -> str:
    """``Label    value`` lines, skipping empty values."""
    kept = [(k, visible(v)) for k, v in items if v not in (None, "", [])]
    width = max((len(k) for k, _v in kept), default=0)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in kept)


def warnings_text(warnings: Sequence[str]) -> str:
    return "\n".join(f"! {visible(w)}" for w in warnings)


def join(*blocks: str) -> str:
    return "\n".join(b for b in blocks if b)
