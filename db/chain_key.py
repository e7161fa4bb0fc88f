"""The secret key of the shop's history chain, and the anchor file beside it.

The history's rows are chained with HMAC-SHA256 under a key that is *not* in the
database: whoever can write the database (or its backup) cannot re-chain it. The
database only holds a random chain id (``ShopSetting`` ``chain.id``) naming which key
it needs. The key lives on every seat that writes history, as a file (0600, in a 0700
folder): the seat file's ``key_file`` (given here with ``use_key_file``), else
``SERIALDESK_KEY_FILE``, else ``<user config dir>/keys/<chain id>.key``. On PostgreSQL
the key stays on the seats and never reaches the server.

The anchor file (``<chain id>.anchors`` beside the key) keeps the chain head as it was
on each ``verify``, backup and day-end, one JSON line each: rows removed from the end
of the history, which no row left in the database can show, are caught against it.
Every line names its chain; a malformed line is skipped and reported, never a crash.
``seat_keys`` lists the keys this seat keeps (schema step 5 refuses to key an old
history silently on such a seat: ``db.history_upgrade``).

A seat without the key still reads; ``load_key`` raises ``KeyMissing`` when it must
write history, and the services turn that into a refusal (nothing is changed).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from platformdirs import user_config_dir

from db.access_models import ShopSetting
from db.prepared import Prepared
from db.private_files import create_private_file, make_private_folder, open_private_append

CHAIN_ID = "chain.id"
KEY_FILE_ENV = "SERIALDESK_KEY_FILE"
KEY_BYTES = 32

_seat_key_file: str | None = None


class KeyMissing(RuntimeError):
    """This seat has no key (or a wrong one) for the shop's history; nothing was written."""


def use_key_file(path: str | os.PathLike | None) -> None:
    """The seat file's ``key_file``: where this seat keeps the key (None: env or default)."""
    global _seat_key_file
    _seat_key_file = str(path) if path else None


def chain_id() -> str | None:
    """The database's chain id, or None for a database that has none yet."""
    return _CHAIN_ID.scalar()


_CHAIN_ID = Prepared(
    lambda: ShopSetting.select(ShopSetting.value).where(ShopSetting.key == CHAIN_ID).limit(1)
)


def new_chain_id() -> str:
    """Give the database a fresh random chain id (schema creation and step 5)."""
    value = secrets.token_hex(8)
    ShopSetting.delete().where(ShopSetting.key == CHAIN_ID).execute()
    ShopSetting.insert(key=CHAIN_ID, value=value).execute()
    return value


def key_path(chain: str | None = None, key_file: str | os.PathLike | None = None) -> Path:
    """Where this seat keeps the key of ``chain`` (default: the open database's chain)."""
    given = key_file or _seat_key_file or os.environ.get(KEY_FILE_ENV)
    if given:
        return Path(given).expanduser()
    chain = chain or chain_id() or "unknown"
    return Path(user_config_dir("serialdesk", appauthor=False)) / "keys" / f"{chain}.key"


def anchor_path(chain: str | None = None, key_file: str | os.PathLike | None = None) -> Path:
    """The anchor file beside the key: ``<chain id>.anchors``."""
    chain = chain or chain_id() or "unknown"
    return key_path(chain, key_file).parent / f"{chain}.anchors"


def create_key(chain: str) -> Path:
    """Write a new random key for ``chain`` (0600 in a 0700 folder); keep one that exists."""
    path = key_path(chain)
    make_private_folder(path.parent)
    if create_private_file(path):
        path.write_text(secrets.token_hex(KEY_BYTES) + "\n", encoding="ascii")
    return path


def load_key(chain: str | None = None) -> bytes:
    """This seat's key for the open database's history, or ``KeyMissing`` saying where."""
    chain = chain or chain_id()
    if chain is None:
        raise KeyMissing("This database has no history key yet: open it with SerialDesk first.")
    path = key_path(chain)
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyMissing(
            f"This seat has no key for the shop's history (expected at {path}). Copy the key "
            f"file {chain}.key from the shop box (or another seat) to that place, readable by "
            "this user only, or set key_file in the seat file. Nothing was saved."
        )
    return key


# --- anchors --------------------------------------------------------------------------


def anchor_problem(entry) -> str | None:
    """What is wrong with one anchor line's entry (None: a well-formed anchor)."""
    if not isinstance(entry, dict):
        return "not an object"
    if not isinstance(entry.get("seq"), int) or isinstance(entry.get("seq"), bool):
        return "no whole-number seq"
    if not isinstance(entry.get("mac"), str):
        return "no mac"
    lanes = entry.get("lanes", {})
    if not isinstance(lanes, dict) or not all(_lane_head(k, v) for k, v in lanes.items()):
        return "lanes are not lane numbers with a whole-number seq and a mac"
    if "docs_mac" in entry:
        ends = (entry.get("docs_from"), entry.get("docs_to"))
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in ends):
            return "docs_from and docs_to are not whole numbers"
        if not isinstance(entry["docs_mac"], str):
            return "docs_mac is not text"
    return None


def _lane_head(lane, head) -> bool:
    whole = isinstance(head, list) and len(head) == 2 and isinstance(head[0], int)
    return (
        isinstance(lane, str)
        and lane.isdigit()
        and lane.isascii()
        and whole
        and not isinstance(head[0], bool)
        and isinstance(head[1], str)
    )


def read_anchor_file(path: Path) -> tuple[list[dict], list[str]]:
    """The well-formed anchors of one file, oldest first, and a line for each malformed one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except (OSError, ValueError) as exc:
        return [], [f"The anchor file {path} cannot be read ({exc})."]
    anchors, bad = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        why = anchor_problem(entry) if entry is not None else "not JSON"
        if why:
            bad.append(f"Anchor line {number} of {path} is malformed ({why}); it was skipped.")
        else:
            anchors.append(entry)
    return anchors, bad


def read_anchors(chain: str | None = None) -> list[dict]:
    """Every anchor written on this seat for ``chain``, oldest first (malformed lines skipped)."""
    return read_anchor_file(anchor_path(chain))[0]


def anchor_files(chain: str | None = None) -> list[Path]:
    """Every anchor file in the folder of this seat's key (one per chain kept there)."""
    folder = anchor_path(chain).parent
    try:
        return sorted(folder.glob("*.anchors"))
    except OSError:
        return []


def seat_keys() -> list[Path]:
    """The history keys this seat keeps: a key file named by the seat file or
    ``SERIALDESK_KEY_FILE`` that exists, and every ``*.key`` in the default keys folder."""
    found = []
    given = _seat_key_file or os.environ.get(KEY_FILE_ENV)
    if given and Path(given).expanduser().is_file():
        found.append(Path(given).expanduser())
    folder = Path(user_config_dir("serialdesk", appauthor=False)) / "keys"
    try:
        found += sorted(p for p in folder.glob("*.key") if p.is_file())
    except OSError:
        pass
    return found


def write_anchor(entry: dict, chain: str | None = None) -> Path:
    """Append one anchor line (0600 file, 0700 folder); one ``write`` call, so lines never mix.
    Every line names its chain, so a database whose chain id was changed is still found."""
    chain = chain or chain_id() or "unknown"
    entry = {**entry, "chain": chain}
    path = anchor_path(chain)
    make_private_folder(path.parent)
    fd = open_private_append(path)
    try:
        os.write(fd, (json.dumps(entry, separators=(",", ":")) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path
