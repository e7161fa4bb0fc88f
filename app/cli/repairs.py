"""``serialdesk repair intake|status|part|collect|show|list`` and ``replace``: repair tickets
and warranty replacements, with the text each prints."""

from __future__ import annotations

from app.cli.identity import approver
from app.cli.render import day, join, label, money, pairs, table, when
from app.cli.session import context, emit, open_db, opt
from app.services.counter import repair_tickets, repairs, replacements
from app.services.ledger.lookups import find_branch


def cmd_repair_intake(args) -> int:
    open_db(args)
    ticket = repairs.intake(
        context(args),
        args.claim,
        complaint=args.complaint,
        intake_condition=args.condition,
        accessories=args.accessories,
        technician=args.technician,
        damage=args.damage,
    )
    return emit(args, ticket, ticket_text)


def cmd_repair_status(args) -> int:
    open_db(args)
    ticket = repairs.change_status(
        context(args),
        args.number,
        args.status,
        note=args.note,
        diagnosis=args.diagnosis,
        technician=args.technician,
        quality_check=args.quality_check,
    )
    return emit(args, ticket, ticket_text)


def cmd_repair_part(args) -> int:
    open_db(args)
    ticket = repairs.add_part(
        context(args), args.number, args.description, quantity=args.qty, cost=args.cost
    )
    return emit(args, ticket, ticket_text)


def cmd_repair_collect(args) -> int:
    open_db(args)
    return emit(
        args, repairs.collect(context(args), args.number, outcome=args.outcome), ticket_text
    )


def cmd_repair_show(args) -> int:
    open_db(args)
    return emit(args, repairs.ticket_view(args.number), ticket_text)


def cmd_repair_list(args) -> int:
    open_db(args)
    branch = find_branch(args.branch).id if opt(args, "branch") else None
    return emit(args, repair_tickets.open_tickets(branch), tickets_text)


def cmd_replace(args) -> int:
    open_db(args)
    result = replacements.replace(
        context(args),
        args.old,
        args.new,
        ticket=args.ticket,
        note=args.note,
        approver=approver(args),
    )
    return emit(args, result, replacement_text)


# --- what they print ----------------------------------------------------------------------


def ticket_text(t) -> str:
    head = f"{t.number} · {t.product} · " + ("closed: collected" if t.closed else label(t.status))
    covered = ("covered" if t.covered else "not covered") + (
        f": {t.decision_reason}" if t.decision_reason else ""
    )
    details = pairs(
        [
            ("Serial", t.serial),
            ("Warranty no.", t.warranty_number),
            ("Customer", t.customer),
            ("Opened", when(t.opened)),
            ("Complaint", t.complaint),
            ("Condition", t.intake_condition),
            ("Accessories", t.accessories),
            ("Technician", t.technician),
            ("Warranty", covered),
            ("Diagnosis", t.diagnosis),
            ("Outcome", t.outcome),
            ("Next status", ", ".join(label(s) for s in t.next_statuses)),
        ]
    )
    blocks = [head, details]
    if t.parts:
        blocks += [
            "\nParts",
            table(["Part", "Qty", "Cost"], [(d, q, money(c)) for d, q, c in t.parts]),
        ]
    blocks += [
        "\nStatus changes",
        table(
            ["When", "From", "To", "By", "Note"],
            [
                (when(c.at), label(c.from_status) or "-", label(c.to_status), c.employee, c.note)
                for c in t.changes
            ],
        ),
    ]
    return join(*blocks)


def tickets_text(rows) -> str:
    return table(
        [
            "Ticket",
            "Status",
            "Product",
            "Serial / warranty no.",
            "Customer",
            "Technician",
            "Opened",
        ],
        [
            (
                t.number,
                label(t.status),
                t.product,
                t.serial or t.warranty_number,
                t.customer,
                t.technician,
                when(t.opened),
            )
            for t in rows
        ],
    )


def replacement_text(r) -> str:
    text = f"{r.number}: {r.old_serial} replaced by {r.new_serial}"
    text += " (another product of the same type, approved)" if r.other_product else ""
    text += f" for {r.customer}" if r.customer else ""
    text += f"; warranty until {day(r.warranty_end)}" if r.warranty_end else ""
    return text + "."
