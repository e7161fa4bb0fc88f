"""Free text staff type (names, notes, reasons): what is accepted, and how stored text is shown.

Stored text reaches terminals, screens and printers, where an ESC or a C1 control
is a command, not a character. So typed text is refused with such characters in
it, and anything shown is passed through ``visible`` first, because older data
may still hold anything.
"""

from __future__ import annotations

import unicodedata

from app.domain.errors import Refused

MAX_NAME = 120  # a person's, product's, branch's or supplier's name
MAX_NOTE = 500  # a note, a reason, a complaint, a diagnosis
# What the system itself may append to a typed note ("..., inside kit K-1").
MAX_STORED_NOTE = MAX_NOTE + 200

_LINE_BREAKS = "\n"
# Invisible characters that reorder what is shown (the "Trojan Source" trick).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Characters that show as nothing at all: in a name they make "Anna Berg" a second
# customer nobody can find by typing it. Every format character (Unicode's Cf: marks,
# invisible operators, the soft hyphen) but the joiners U+200C and U+200D, which scripts
# need, and the blank fillers of Hangul and the grapheme joiner.
_KEPT = frozenset("\u200c\u200d")
_FILLERS = frozenset("\u034f\u115f\u1160\u3164\uffa0")


def plain_name(text: str) -> str:
    """A name as stored: invisible characters taken out, composed (NFC), so the same name
    typed twice, or pasted, is one name."""
    kept = (
        ch for ch in text
        if ch in _KEPT or (ch not in _FILLERS and unicodedata.category(ch) != "Cf")
    )  # fmt: skip
    return unicodedata.normalize("NFC", "".join(kept))


def is_control(ch: str) -> bool:
    """C0 and C1 control characters, DEL, lone surrogates and bidirectional overrides."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or ch in _BIDI


def free_text(
    raw: object, what: str = "text", *, limit: int = MAX_NOTE, lines: bool = False
) -> str:
    """Typed free text as stored: trimmed, at most ``limit`` characters, no control characters.

    ``lines=True`` lets a multi-line note keep its line breaks (``\\r\\n`` becomes ``\\n``);
    a tab is taken as a space. Raises Refused, naming the field, for anything else.
    """
    text = "" if raw is None else str(raw)
    text = text.replace("\r\n", "\n").replace("\t", " ").strip(" \n")
    if len(text) > limit:
        raise Refused(f"The {what} is {len(text)} characters long; at most {limit} are kept.")
    for ch in text:
        if ch in _LINE_BREAKS and lines:
            continue
        if is_control(ch):
            raise Refused(
                f"The {what} contains control characters ({_escaped(ch)}) that a keyboard "
                "does not type. Type it again."
            )
    return text


def name_text(raw: object, what: str = "name") -> str:
    """A name: one line, spaces collapsed, not empty, at most ``MAX_NAME`` characters."""
    text = " ".join(plain_name(free_text(raw, what, limit=MAX_NAME * 4)).split())
    if not text:
        raise Refused(f"The {what} is empty.")
    if len(text) > MAX_NAME:
        raise Refused(f"The {what} is longer than {MAX_NAME} characters.")
    return text


def visible(text: object, *, lines: bool = False, paper: bool = False) -> str:
    """Stored text made safe to show: every control character drawn as a visible escape.

    C0 controls become their Unicode pictures (ESC as ``␛``), DEL ``␡``, C1 controls and
    the rest ``\\x9b``-style escapes. ``lines=True`` keeps line breaks as they are;
    ``paper=True`` (a printer's code page has no pictures) writes every one as ``\\x1b``.
    """
    value = "" if text is None else str(text)
    if not any(is_control(ch) for ch in value):
        return value
    return "".join(_shown(ch, lines, paper) for ch in value)


def _shown(ch: str, lines: bool, paper: bool) -> str:
    if not is_control(ch) or (lines and ch == "\n"):
        return ch
    code = ord(ch)
    if paper:
        return _escaped(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return _escaped(ch)


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
