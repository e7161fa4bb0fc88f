"""Card and slip text fitted to the paper: no more characters a line than the printer has.

A card's text is laid out by its template for ``CARD_WIDTH`` (42) columns when it is
queued; a 58 mm roll has 32, and a printer breaks a longer line wherever it is full,
mid-word. So before printing, each line is fitted to the printer's columns:

* a rule (one character repeated: ``-----``, ``=====``) is as wide as the paper;
* a centred line is centred again on the paper;
* a paragraph the template wrapped (the terms) is joined and wrapped again;
* any other line longer than the paper is wrapped at spaces, a ``Label: value`` line
  indented under its value; only a single word longer than a whole line is cut.

At the width the text was laid out for, a text that fits prints exactly as it is.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

_RULE = re.compile(r"^([-=_*~.#+])\1{2,}$")
_LABEL = re.compile(r"^[A-Za-z][A-Za-z./ ]{0,16}:(\s|$)")  # "IMEI    : ", "Warranty number: "


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_rule(line: str) -> bool:
    return bool(_RULE.match(line.strip()))


def _is_centred(line: str, source: int) -> bool:
    """Centred on ``source`` columns, as the templates' ``center`` filter does it."""
    text, lead = line.strip(), _indent(line)
    return bool(text) and lead > 0 and abs(lead - (source - lead - len(text))) <= 1


def _is_prose(line: str) -> bool:
    """A line that may be part of a wrapped paragraph: not a label, rule, marker or indented."""
    return bool(
        line.strip()
        and not line[0].isspace()
        and not _is_rule(line)
        and not _LABEL.match(line)
        and not (line.startswith("[") and line.endswith("]"))  # a barcode or QR marker
    )


def _join_paragraphs(lines: list[str], source: int) -> list[str]:
    """Join lines a template wrapped at ``source`` columns back into their paragraphs.

    A line continues the one before when both are prose and its first word would not
    have fitted on the line before: that is where ``wordwrap`` broke it.
    """
    out: list[str] = []
    last = ""  # the previous line as laid out (not as joined)
    for line in lines:
        if out and _is_prose(last) and _is_prose(line):
            if len(last) + 1 + len(line.split()[0]) > source:
                out[-1] += " " + line
                last = line
                continue
        out.append(line)
        last = line
    return out


def wrap_line(line: str, columns: int) -> list[str]:
    """One line in lines of at most ``columns``, broken at spaces (never inside a word
    that fits on a line); a ``Label: value`` line goes on under its value."""
    if len(line) <= columns:
        return [line]
    indent = _indent(line)
    label = _LABEL.match(line[indent:])
    hang = indent + (label.end() if label else 0)
    if hang > columns // 2:
        hang = indent if indent <= columns // 2 else 0
    return textwrap.wrap(
        line,
        columns,
        subsequent_indent=" " * hang,
        break_long_words=True,  # only a word longer than a whole line
        break_on_hyphens=False,  # dates, serials and SKUs stay whole
    ) or [""]


def fit_lines(lines: Iterable[str], columns: int, source: int | None = None) -> list[str]:
    """``lines`` fitted to ``columns``; ``source`` is the width they were laid out for, if
    known (cards: rules, centring and paragraphs are then laid out again)."""
    lines = [line.rstrip() for line in lines]
    relayout = source is not None and source != columns
    if relayout:
        lines = _join_paragraphs(lines, source)
    out: list[str] = []
    for line in lines:
        if _is_rule(line) and (relayout or len(line) > columns):
            out.append(line.strip()[0] * columns)
        elif relayout and _is_centred(line, source):
            out += [part.center(columns).rstrip() for part in wrap_line(line.strip(), columns)]
        else:
            out += wrap_line(line, columns)
    return out


def centred(text: str, columns: int) -> list[str]:
    """``text`` centred on the paper, wrapped at spaces if it is wider."""
    return [part.center(columns).rstrip() for part in wrap_line(text.strip(), columns)]
