"""A small ESC/POS decoder for tests: what a customer would read on the paper.

It walks the byte stream, strips ESC/GS/DLE commands, decodes text in the
selected code page, and collects barcodes (with CODE128 code sets undone), QR
contents, cuts and cash-drawer kicks. An unknown command fails loudly, so the
decoder never silently skips something it does not understand.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from functools import lru_cache

from escpos.capabilities import get_profile
from escpos.codepages import CodePages

ESC, GS, DLE, LF, NUL = 0x1B, 0x1D, 0x10, 0x0A, 0x00

# ESC commands with a fixed number of parameter bytes.
_ESC_ARGS = {
    ord("@"): 0, ord("!"): 1, ord("-"): 1, ord("2"): 0, ord("3"): 1, ord("E"): 1,
    ord("G"): 1, ord("M"): 1, ord("V"): 1, ord("a"): 1, ord("d"): 1, ord("J"): 1,
    ord("{"): 1, ord("c"): 2, ord("r"): 1, ord("p"): 3, ord("t"): 1, ord("="): 1,
}  # fmt: skip
# GS commands with a fixed number of parameter bytes.
_GS_ARGS = {
    ord("!"): 1, ord("B"): 1, ord("H"): 1, ord("b"): 1, ord("f"): 1, ord("h"): 1,
    ord("w"): 1, ord("L"): 2, ord("W"): 2, ord("a"): 1, ord("r"): 1,
}  # fmt: skip
_BARCODE_A = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "NW7"}
_BARCODE_B = {65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF",
              71: "NW7", 72: "CODE93", 73: "CODE128", 74: "GS1-128"}  # fmt: skip


@dataclass
class Barcode:
    symbology: str
    raw: bytes
    data: str  # what a scanner reads from it


@dataclass
class Decoded:
    text: str = ""
    barcodes: list[Barcode] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    cuts: int = 0
    drawer_kicks: list[int] = field(default_factory=list)  # pins
    images: int = 0
    inits: int = 0
    events: list[str] = field(default_factory=list)  # "text", "barcode", "qr", "cut", "drawer"

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.text.splitlines()]


def decode_code128(raw: bytes) -> str:
    """The data a scanner reads from an ESC/POS CODE128 payload ({A/{B/{C code sets)."""
    out, code_set, i = [], None, 0
    while i < len(raw):
        byte = raw[i]
        if byte == ord("{") and i + 1 < len(raw):
            nxt = chr(raw[i + 1])
            if nxt in "ABC":
                code_set, i = nxt, i + 2
                continue
            if nxt == "{":
                out.append("{")
                i += 2
                continue
            raise AssertionError(f"unsupported CODE128 function {{{nxt}")
        if code_set is None:
            raise AssertionError("CODE128 data without a code set ({A, {B or {C)")
        if code_set == "C":
            assert byte < 100, f"code set C carries 00..99, not {byte}"
            out.append(f"{byte:02d}")
        else:
            out.append(chr(byte))
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def page_table(profile_name: str, page: int) -> str:
    """The 128 characters (0x80..0xFF) code page ``page`` of the profile prints, U+FFFD for
    a byte it has nothing for; "" if the printer database has no table for that page.

    Python's codec of that name where there is one, else the table of the printer
    database (escpos-printer-db, e.g. TCVN-3). ``ESC t`` only changes these upper 128:
    the lower half is ASCII in every page (Python's cp864 maps ``%`` to U+066A; a
    printer does not).
    """
    name = get_profile(profile_name).codePages.get(str(page), "")
    for candidate in (name, name.replace("_", "-")):
        try:
            codecs.lookup(candidate)
        except (LookupError, ValueError):
            continue
        return "".join(bytes([b]).decode(candidate, errors="replace") for b in range(128, 256))
    data = CodePages.get_encoding(name).get("data") if name else None
    return "".join(data) if data else ""


def printable_characters(profile_name: str) -> frozenset[str]:
    """Every character the profile's printer can print: printable ASCII, and whatever
    some code page of it has (as this decoder reads the pages)."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for slot in get_profile(profile_name).codePages:
        chars.update(page_table(profile_name, int(slot)))
    chars.discard("\ufffd")
    return frozenset(ch for ch in chars if ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F)


def decode(data: bytes, profile: str = "default") -> Decoded:
    """Decode an ESC/POS stream into what would come out of the printer."""
    result = Decoded()
    text = bytearray()
    page = 0  # what ESC @ (and switching on) selects
    parts: list[str] = []
    qr_pending = ""

    def flush() -> None:
        if text:
            decoded = "".join(_char(byte) for byte in text)
            parts.append(decoded)
            text.clear()
            if decoded.strip():  # line feeds alone are paper movement, not something to read
                result.events.append("text")

    def _char(byte: int) -> str:
        if byte < 0x80:
            return chr(byte)
        table = page_table(profile, page)
        if not table:
            raise AssertionError(
                f"byte {byte:#04x} printed in code page {page}, which profile {profile!r} "
                "has no table for: the printer was never told which page to use"
            )
        return table[byte - 0x80]

    i = 0
    while i < len(data):
        byte = data[i]
        if byte == ESC:
            cmd = data[i + 1]
            if cmd == ord("t"):
                flush()
                page = data[i + 2]
            elif cmd == ord("d"):
                text.extend(b"\n" * data[i + 2])
            elif cmd == ord("@"):
                flush()
                page = 0
                result.inits += 1
            elif cmd == ord("p"):
                flush()
                result.drawer_kicks.append(2 if data[i + 2] in (0, 48) else 5)
                result.events.append("drawer")
            elif cmd == ord("*"):  # bit image: m nL nH, then n or 3n columns
                m, n = data[i + 2], data[i + 3] | data[i + 4] << 8
                result.images += 1
                i += 5 + (3 * n if m in (32, 33) else n)
                continue
            if cmd not in _ESC_ARGS:
                raise AssertionError(f"unknown command ESC {cmd:#04x} at {i}")
            i += 2 + _ESC_ARGS[cmd]
        elif byte == GS:
            cmd = data[i + 1]
            if cmd == ord("V"):
                flush()
                m = data[i + 2]
                result.cuts += 1
                result.events.append("cut")
                i += 3 + (1 if m in (65, 66, 97, 98, 103, 104) else 0)
            elif cmd == ord("k"):
                flush()
                m = data[i + 2]
                if m in _BARCODE_A:
                    end = data.index(NUL, i + 3)
                    raw, i = data[i + 3 : end], end + 1
                    symbology = _BARCODE_A[m]
                else:
                    n = data[i + 3]
                    raw, i = data[i + 4 : i + 4 + n], i + 4 + n
                    symbology = _BARCODE_B[m]
                readable = decode_code128(raw) if symbology == "CODE128" else raw.decode()
                result.barcodes.append(Barcode(symbology, raw, readable))
                result.events.append("barcode")
            elif cmd == ord("(") and data[i + 2] in (ord("k"), ord("L")):
                size = data[i + 3] | data[i + 4] << 8
                body = data[i + 5 : i + 5 + size]
                if data[i + 2] == ord("k") and body[:2] == b"1P":  # QR: store data
                    qr_pending = body[3:].decode("utf-8")
                elif data[i + 2] == ord("k") and body[:2] == b"1Q":  # QR: print it
                    flush()
                    result.qr_codes.append(qr_pending)
                    result.events.append("qr")
                elif data[i + 2] == ord("L"):
                    result.images += 1
                i += 5 + size
            elif cmd == ord("v") and data[i + 2] == ord("0"):  # raster image
                x = data[i + 4] | data[i + 5] << 8
                y = data[i + 6] | data[i + 7] << 8
                result.images += 1
                i += 8 + x * y
            elif cmd in _GS_ARGS:
                i += 2 + _GS_ARGS[cmd]
            else:
                raise AssertionError(f"unknown command GS {cmd:#04x} at {i}")
        elif byte == DLE:
            i += 3  # DLE EOT n / DLE ENQ n: real-time requests, nothing printed
        elif byte < 0x20 and byte not in (LF, 0x0D, 0x09):
            raise AssertionError(f"stray control byte {byte:#04x} at {i}")
        else:
            text.append(byte)
            i += 1
    flush()
    result.text = "".join(parts)
    return result
