"""``serialdesk kit define|assemble|disassemble|show``: kits (product sets) from the command line.

Kept apart from the other commands; ``app.cli.entry`` registers them with ``add_commands``.
An assembled kit is sold with the ordinary ``serialdesk sell KIT_NUMBER``.
"""

from __future__ import annotations

from app.cli import render as out
from app.cli.session import context, emit, items_of, open_db, split_quantity
from app.domain.errors import NotFound
from app.services.kits import assembly


def add_commands(command) -> None:
    """Register ``kit`` and its steps with ``build_parser``'s ``command(name, handler, help)``."""
    kit_p = command("kit", None, "kits (product sets): define, assemble, disassemble, show")
    sub = kit_p.add_subparsers(title="steps", metavar="STEP", required=True)
    p = command("define", cmd_kit_define, "what a kit is made of (manager)", sub)
    p.add_argument("kit", metavar="KIT_SKU")
    p.add_argument("components", nargs="+", metavar="SKU[:QTY]", help="component and quantity")
    p = command("assemble", cmd_kit_assemble, "put a kit together from exact serials", sub)
    p.add_argument("kit", metavar="KIT_SKU")
    p.add_argument("items", nargs="*", metavar="SERIAL", help="one per serialized component")
    p.add_argument("--file", metavar="F", help="more serials, one a line ('-' for stdin)")
    p.add_argument("--kit-serial", metavar="S", help="the kit's own serial (else a kit number)")
    p.add_argument("--note", default="")
    p = command("disassemble", cmd_kit_disassemble, "take a kit apart, parts back in stock", sub)
    p.add_argument("serial", metavar="KIT_SERIAL")
    p.add_argument("--note", default="")
    p = command("show", cmd_kit_show, "a kit's definition (by SKU) or an assembled kit", sub)
    p.add_argument("code", metavar="KIT_SERIAL_OR_SKU")


def cmd_kit_define(args) -> int:
    open_db(args)
    components = []
    for token in args.components:
        parsed = split_quantity(token)
        components.append(parsed if parsed else (token, 1))
    result = assembly.define_kit(context(args), args.kit, components)
    return emit(args, result, definition_text)


def cmd_kit_assemble(args) -> int:
    open_db(args)
    result = assembly.assemble_kit(
        context(args), args.kit, items_of(args), kit_serial=args.kit_serial, note=args.note
    )
    return emit(args, result, kit_text)


def cmd_kit_disassemble(args) -> int:
    open_db(args)
    result = assembly.disassemble_kit(context(args), args.serial, note=args.note)
    return emit(args, result, kit_text)


def cmd_kit_show(args) -> int:
    open_db(args)
    try:
        result = assembly.kit_view(args.code)
    except NotFound:
        try:
            return emit(args, assembly.kit_definition(args.code), definition_text)
        except NotFound:
            raise NotFound(f"'{args.code}' is neither a kit's serial nor a kit's SKU.") from None
    return emit(args, result, kit_text)


def definition_text(d: assembly.KitDefinition) -> str:
    rows = [
        (c.sku, c.name, c.quantity, "serial" if c.serialized else "quantity") for c in d.components
    ]
    return out.join(
        f"Kit {d.sku} · {d.name}", out.table(["SKU", "Component", "Qty", "Taken by"], rows)
    )


def kit_text(k: assembly.KitView) -> str:
    head = f"Kit {k.serial} · {k.name} ({k.sku})"
    details = out.pairs(
        [
            ("State", out.label(k.state)),
            ("Branch", k.branch),
            ("Kit", k.status),
            ("Assembled", k.assembly),
            ("Taken apart", k.disassembly),
        ]
    )
    rows = [(p.sku, p.name, p.serial or "", p.quantity, out.label(p.state)) for p in k.parts]
    return out.join(head, details, out.table(["SKU", "Part", "Serial", "Qty", "State"], rows))
