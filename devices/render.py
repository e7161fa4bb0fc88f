"""Warranty cards and sale slips as ESC/POS bytes, ready for any printer.

Rendering goes into python-escpos' Dummy printer with the seat's capability
profile, so it needs no device, runs in any thread, and the same bytes can be
sent, queued, or decoded in tests. The card text comes from
``app.domain.cards.render_card``; its ``[barcode ...]`` (or ``[qr ...]``) line
marks where the code carrying the claim code goes. Text is fitted to the
printer's columns (``devices.layout``): a printer left to itself breaks a long
line mid-word.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from app.domain.cards import CARD_WIDTH
from app.domain.serials import mask_serial
from app.domain.text import visible
from devices._escpos import Dummy, Escpos, quiet
from devices.codepages import printable
from devices.layout import centred, fit_lines

_MARKER = re.compile(r"^\[(barcode|qr)(?:\s+[^\]]*)?\]$")
_CODE_SET_B = re.compile(r"^[\x20-\x7e]+$")


@dataclass(frozen=True)
class PaperOptions:
    """How this seat's printer lays things out (from ``PrinterConfig``)."""

    profile: str = "default"
    symbology: str = "code128"  # the claim code as code128 or qr
    columns: int = 0  # characters a line; 0 = the profile's columns in font A
    shop_name: str = ""  # printed at the top of every card, in bold
    shop_phone: str = ""  # under it, as written ("Tel. 020 7946 0000")
    barcode_height: int = 64  # dots
    barcode_width: int = 2  # dots per module: an IMEI fits a 58 mm roll
    qr_size: int = 6  # dots per module


def _printer(options: PaperOptions) -> Dummy:
    printer = Dummy(profile=options.profile)
    printer.hw("INIT")  # ESC @: no style left over from whatever printed before
    return printer


def _columns(printer: Escpos, options: PaperOptions) -> int:
    return options.columns or printer.profile.get_columns("a")


def code128_payload(code: str) -> str:
    """ESC/POS CODE128 data for ``code``: a code-set prefix is mandatory.

    All digits (an IMEI, a warranty number) use code set C, two digits per
    symbol, so the barcode is half as wide; anything else uses code set B.
    """
    if len(code) >= 4 and code.isascii() and code.isdigit():
        pairs = len(code) // 2 * 2
        payload = "{C" + "".join(chr(int(code[i : i + 2])) for i in range(0, pairs, 2))
        return payload + ("{B" + code[pairs:] if pairs < len(code) else "")
    return "{B" + code.replace("{", "{{")  # a literal brace is doubled in ESC/POS


def _print_code(printer: Escpos, code: str, kind: str, options: PaperOptions) -> None:
    """The claim code as a barcode (or QR) on its own centred block."""
    printer.set(align="center")
    if kind == "code128" and _CODE_SET_B.match(code):
        if printer.profile.supports("barcodeB"):
            with quiet():
                printer.barcode(
                    code128_payload(code),
                    "CODE128",
                    height=options.barcode_height,
                    width=options.barcode_width,
                    pos="BELOW",
                    function_type="B",
                )
        else:  # printers without hardware CODE128 get it as an image
            with quiet():
                printer.barcode(code, "code128", force_software=True)
    else:  # QR by choice, or a claim code CODE128 cannot carry
        native = printer.profile.supports("qrCode")
        printer.qr(code, size=options.qr_size, native=native)
        if native:
            _text_lines(printer, [code])  # human-readable, as CODE128 prints it below the bars
    printer.ln()
    printer.set(align="left")


def render_card(text: str, claim_code: str, options: PaperOptions | None = None) -> bytes:
    """A warranty card: the shop's name and phone, its text, a barcode of the claim code, a cut.

    The code replaces the template's ``[barcode ...]``/``[qr ...]`` line and always
    carries ``claim_code`` (``CardData.claim_code``: the serial, the warranty number, or
    the sale's number where the serial is masked), whatever the line says; a template
    without such a line gets the code at the end. The text, laid out for ``CARD_WIDTH``
    columns, is fitted to the printer's.
    """
    options = options or PaperOptions()
    printer = _printer(options)
    columns = _columns(printer, options)
    _print_header(printer, options, columns)
    placed = False
    for line in fit_lines(_paper_lines(text), columns, CARD_WIDTH):
        marker = _MARKER.match(line.strip())
        if marker and claim_code:
            kind = "qr" if marker.group(1) == "qr" else options.symbology
            _print_code(printer, claim_code, kind, options)
            placed = True
        elif not marker:
            _text_lines(printer, [line])
    if claim_code and not placed:
        _print_code(printer, claim_code, options.symbology, options)
    printer.cut()
    return printer.output


def render_text(text: str, options: PaperOptions | None = None) -> bytes:
    """Plain text and a cut: a queued slip, or a job of a kind without its own layout.
    A line wider than the paper is wrapped at spaces, a rule cut to the paper's width."""
    options = options or PaperOptions()
    printer = _printer(options)
    _text_lines(printer, fit_lines(_paper_lines(text), _columns(printer, options)))
    printer.cut()
    return printer.output


def _print_header(printer: Escpos, options: PaperOptions, columns: int) -> None:
    """The shop's name (bold) and phone from the seat's ``[printer]`` settings, centred."""
    if options.shop_name.strip():
        printer.set(bold=True)
        _text_lines(printer, centred(visible(options.shop_name, paper=True), columns))
        printer.set(bold=False)
    if options.shop_phone.strip():
        _text_lines(printer, centred(visible(options.shop_phone, paper=True), columns))


@dataclass(frozen=True)
class SlipLine:
    """One line of a sale: what, how many, at what price; serials of the units sold."""

    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    serials: tuple[str, ...] = ()
    warranty_number: str = ""


@dataclass(frozen=True)
class Payment:
    method: str  # "Cash", "Card", ...
    amount: Decimal


@dataclass(frozen=True)
class Slip:
    """Everything a sale slip shows. Money is Decimal; serials are masked on paper."""

    shop_name: str
    shop_address: str
    number: str
    when: datetime | date
    lines: tuple[SlipLine, ...]
    total: Decimal
    payments: tuple[Payment, ...] = ()
    change: Decimal = Decimal("0.00")
    cashier: str = ""
    customer: str = ""
    mask_policy: str = "last4"
    footer: str = "Thank you. Keep this slip: it is your proof of purchase."


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def _pair(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line, left cut short if they do not fit."""
    room = max(1, width - len(right) - 1)
    return f"{left[:room]:<{room}} {right}"


def slip_text(slip: Slip, width: int = 42) -> str:
    """The slip laid out as plain text lines ``width`` characters wide."""
    when = (
        slip.when.strftime("%Y-%m-%d %H:%M") if isinstance(slip.when, datetime) else str(slip.when)
    )
    rule = "-" * width
    out: list[str] = [slip.shop_name[:width].center(width).rstrip()]
    out += [line.center(width).rstrip() for line in textwrap.wrap(slip.shop_address, width)]
    out += [rule, _pair(f"Sale {slip.number}", when, width)]
    if slip.cashier:
        out.append(f"Cashier: {slip.cashier}"[:width])
    if slip.customer:
        out.append(f"Customer: {slip.customer}"[:width])
    out.append(rule)
    for line in slip.lines:
        out.append(line.description[:width])
        each = f"  {line.quantity} x {_money(line.unit_price)}"
        out.append(_pair(each, _money(line.amount), width))
        out += [f"  S/N {mask_serial(s, slip.mask_policy)}"[:width] for s in line.serials]
        if line.warranty_number:
            out.append(f"  Warranty no. {line.warranty_number}"[:width])
    out += [rule, _pair("TOTAL", _money(slip.total), width)]
    out += [_pair(p.method, _money(p.amount), width) for p in slip.payments]
    if slip.change:
        out.append(_pair("Change", _money(slip.change), width))
    out.append(rule)
    out += textwrap.wrap(slip.footer, width)
    return "\n".join(out) + "\n"


def render_slip(
    slip: Slip, options: PaperOptions | None = None, *, kick_drawer: int | None = None
) -> bytes:
    """A sale slip, cut; with ``kick_drawer`` (pin 2 or 5) the cash drawer opens after it.

    Never queue a drawer kick: an hour-late retry must not open the till. A slip
    that fails to print is queued as ``slip_text`` (see ``render_text``).
    """
    options = options or PaperOptions()
    printer = _printer(options)
    lines = slip_text(_paper_slip(slip), _columns(printer, options)).splitlines()
    printer.set(bold=True)
    _text_lines(printer, lines[:1])
    printer.set(bold=False)
    _text_lines(printer, lines[1:])
    printer.cut()
    if kick_drawer is not None:
        printer.cashdraw(kick_drawer)
    return printer.output


def _text_lines(printer: Escpos, lines: Iterable[str]) -> None:
    """Every line of text on paper goes out here: controls written out (``visible``), and
    a character none of the printer's code pages carries as ``?`` (``devices.codepages``),
    so python-escpos sends each one in a code page it first told the printer to use."""
    for line in lines:
        printer.textln(printable(visible(line, paper=True), printer))


def _paper_lines(text: str) -> list[str]:
    """Stored text may hold anything: no control byte of it reaches the printer raw."""
    return [visible(line, paper=True) for line in text.splitlines()]


def _paper_slip(slip: Slip) -> Slip:
    """The slip with its free text shown, not obeyed, before it is laid out."""
    lines = tuple(
        replace(line, description=visible(line.description, paper=True)) for line in slip.lines
    )
    return replace(
        slip,
        **{k: visible(getattr(slip, k), paper=True) for k in _SLIP_TEXT},
        lines=lines,
        payments=tuple(replace(p, method=visible(p.method, paper=True)) for p in slip.payments),
    )


_SLIP_TEXT = ("shop_name", "shop_address", "number", "cashier", "customer", "footer")
