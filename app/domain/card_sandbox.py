"""The sandbox a warranty card's template runs in: Jinja2's immutable sandbox, with every
value a template builds kept to a card's size and every loop to a card's time.

Loaded at the first card a seat renders (``app.domain.cards.render_card``), not at start:
Jinja2 and building its environment cost a seat tens of milliseconds before its first
screen.
"""

from __future__ import annotations

import functools
import re
import threading
import time

from jinja2 import StrictUndefined, TemplateError
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.domain.errors import Refused

MAX_OUTPUT = 8_000  # characters a card may print (a card is a few hundred): about 8 KB
MAX_SECONDS = 0.2  # a card renders in milliseconds; a template slower than this is refused
MAX_RANGE = 1_000  # items ``range()`` gives a template

_FORMAT_FIELD = re.compile(r"%[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?|\{[^{}]*:([^{}]*)(\{?)")


class TemplateLimit(Exception):
    """A template went over a card's limits of time or size."""


_budget = threading.local()


def _over(what: str) -> TemplateLimit:
    return TemplateLimit(f"the template {what} (a card is at most {MAX_OUTPUT} characters)")


def _check_size(value):
    if isinstance(value, str | list | tuple | dict) and len(value) > MAX_OUTPUT:
        raise _over("makes text too long for a card")
    return value


def _check_numbers(values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT:
            raise _over(f"asks for a size of {value}")


def _check_format(fmt) -> None:
    """A format string may not ask for a width or precision bigger than a card."""
    if not isinstance(fmt, str):
        return
    for match in _FORMAT_FIELD.finditer(fmt):
        width, precision, spec, nested = match.groups()
        if "*" in (width, precision) or nested:
            raise _over("takes a width from its arguments")
        numbers = re.findall(r"\d+", f"{width or ''} {precision or ''} {spec or ''}")
        _check_numbers(int(n) for n in numbers)


def _check_join(separator, items) -> None:
    if isinstance(items, list | tuple):
        total = sum(len(str(item)) for item in items) + len(str(separator)) * len(items)
        if total > MAX_OUTPUT:
            raise _over("joins text too long for a card")


def _tick() -> None:
    """Called by the compiled template at every loop turn and macro call: stop a slow one."""
    deadline = getattr(_budget, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        limit = int(MAX_SECONDS * 1000)
        raise TemplateLimit(f"the template takes longer than {limit} ms to print a card")


class _CardCode(CodeGenerator):
    """Jinja's compiler, with a time check in every block (loop body, macro) and a size
    check on ``~``, so a template that loops or grows forever is stopped."""

    def blockvisit(self, nodes, frame) -> None:
        self.writeline("environment.tick()")
        super().blockvisit(nodes, frame)

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.checked(")
        super().visit_Concat(node, frame)
        self.write(")")


def _capped_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _over(f"loops over more than {MAX_RANGE} items")
    return numbers


def _capped_filter(name: str, func):
    skip = 2 if getattr(func, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(func)
    def capped(*args, **kwargs):
        _tick()
        if name == "format":
            _check_format(args[skip - 1])
        else:
            _check_numbers([*args[skip:], *kwargs.values()])
        if name == "join":
            _check_join(args[skip] if len(args) > skip else kwargs.get("d", ""), args[skip - 1])
        if name == "replace" and len(args) > skip + 1:
            text, new = str(args[skip - 1]), str(args[skip + 1])
            if (len(text) + 1) * (len(new) + 1) > MAX_OUTPUT * 4:
                raise _over("replaces into text too long for a card")
        return _check_size(func(*args, **kwargs))

    return capped


class _CardSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with every value a template builds kept to a card's size and every
    loop to a card's time: a template can neither eat the memory nor hang the seat."""

    code_generator_class = _CardCode
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    tick = staticmethod(_tick)
    checked = staticmethod(_check_size)

    def call_binop(self, context, operator, left, right):
        _tick()
        if operator == "**" and (abs(right) > 64 if isinstance(right, int) else True):
            raise _over("computes a number too large for a card")
        if operator == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_OUTPUT:
                raise _over("makes text too long for a card")
        if operator == "%":
            _check_format(left)
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _tick()
        name = getattr(__obj, "__name__", "")
        # the sandbox hands str.format out wrapped: its string is the wrapped method's own
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str) and name in ("format", "format_map"):
            _check_format(owner)
        elif __obj is not _capped_range:
            _check_numbers([*args, *kwargs.values()])
        if isinstance(owner, str) and name == "join" and args:
            _check_join(owner, args[0])
        if isinstance(owner, str) and name == "replace" and len(args) > 1:
            if (len(owner) + 1) * (len(str(args[1])) + 1) > MAX_OUTPUT * 4:
                raise _over("replaces into text too long for a card")
        return _check_size(super().call(__context, __obj, *args, **kwargs))


@functools.cache
def _environment(card_width: int) -> ImmutableSandboxedEnvironment:
    env = _CardSandbox(undefined=StrictUndefined, autoescape=False)
    env.filters["center"] = lambda text, width=card_width: str(text)[:width].center(width).rstrip()
    env.filters = {name: _capped_filter(name, f) for name, f in env.filters.items()}
    env.globals["range"] = _capped_range
    env.globals.pop("lipsum", None)  # pages of filler text: nothing a card needs
    return env


def render(source: str, fields: dict, card_width: int) -> str:
    """``source`` rendered with ``fields``. A broken or hostile template, or one over a
    card's limits of time (``MAX_SECONDS``) or size (``MAX_OUTPUT``), is refused with the
    reason."""
    _budget.deadline = time.monotonic() + MAX_SECONDS
    try:
        return _render(_environment(card_width).from_string(source), fields)
    except TemplateLimit as exc:
        raise Refused(f"The card template is over a card's limits: {exc}.") from None
    except TemplateError as exc:
        raise Refused(f"The card template cannot be used: {exc}") from None
    except (
        ArithmeticError,
        LookupError,
        TypeError,
        ValueError,
        MemoryError,
        RecursionError,
    ) as exc:
        raise Refused(f"The card template failed: {exc}") from None
    finally:
        _budget.deadline = None


def _render(template, fields: dict) -> str:
    """The template's text piece by piece, stopped once it is longer than a card."""
    pieces, length = [], 0
    for piece in template.generate(fields):
        length += len(piece)
        if length > MAX_OUTPUT:
            raise _over("prints more than a card holds")
        _tick()
        pieces.append(piece)
    return "".join(pieces)
