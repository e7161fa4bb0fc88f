"""Text a printer can print: every character one of its code pages carries, or ``?``.

python-escpos' ``text()`` picks, character by character, a code page of the printer's
profile that carries it and sends ``ESC t n`` before switching; a character no code page
carries comes out as ``?``. But a line holding any CJK ideograph (U+4E00..U+9FA5)
bypasses all that: the *whole line* is sent as GB18030 bytes with no code page switch.
A printer in a single-byte code page (which is what ``ESC t`` selects) prints those
bytes as nonsense, and its Latin or Arabic letters with them ("©" becomes
``81 30 84 38``); the encoder also still believes the printer is in whatever code page
an earlier line left it in.

So every line is passed through ``printable`` first: a character none of the profile's
code pages carries becomes ``?`` before python-escpos sees it. No ideograph is in any
single-byte code page, so the GB18030 shortcut is never taken, and each character that
is printed is printed in a code page the printer was told to switch to.
"""

from __future__ import annotations

from functools import lru_cache

from devices._escpos import Escpos

SUBSTITUTE = "?"


@lru_cache(maxsize=32)
def _carried(tables: type, pages: tuple[str, ...]) -> frozenset[str]:
    """Every non-ASCII character some page of ``pages`` has, by python-escpos' own tables
    (``tables`` is its ``Encoder`` class), so what is kept is what its encoder can send."""
    chars: set[str] = set()
    for page in pages:
        try:
            table = tables._get_codepage_char_list(page)  # type: ignore[attr-defined]
        except LookupError:  # a slot the printer database has no table for ("Unknown")
            continue
        chars.update(ch for ch in table if not ch.isascii())
    return frozenset(chars)


def carried(printer: Escpos) -> frozenset[str]:
    """The non-ASCII characters the printer's profile can print, in one code page or another."""
    encoder = printer.magic.encoder
    return _carried(type(encoder), tuple(sorted(encoder.codepages)))


def printable(text: str, printer: Escpos) -> str:
    """``text`` with each character no code page of the printer carries as ``?``.

    ASCII (but controls, which ``app.domain.text.visible`` has already written out) is
    the same in every code page; ``ESC t`` only changes the upper 128 characters.
    """
    if text.isascii():
        return text
    have = carried(printer)
    return "".join(ch if ch.isascii() or ch in have else SUBSTITUTE for ch in text)
