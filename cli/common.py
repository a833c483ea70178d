"""What every command shares: connecting, printing JSON, tables and progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from graph.errors import UserError
from graph.store.config import settings_from_env

if TYPE_CHECKING:
    from graph.store.db import Database

__all__ = ["check_top", "open_database", "print_json", "print_table"]


def check_top(top: int | None) -> None:
    """Refuse a negative ``--top`` before any work is done."""
    if top is not None and top < 0:
        raise UserError(f"--top must be 0 or more, got {top}")


def open_database() -> Database:
    """Connect with the settings from the environment (raises graph.errors.Unavailable)."""
    from graph.store.db import connect  # the driver is imported by the commands that connect, not by --help

    return connect(settings_from_env())


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, and nothing else there; strict JSON, never NaN or Infinity.

    Raises UserError when the document holds a number JSON cannot represent (data loaded before
    validation refused such numbers), before anything is printed.
    """
    from graph.store.db import plain

    try:
        text = json.dumps(plain(document), ensure_ascii=False, default=str, allow_nan=False)
    except ValueError as exc:
        raise UserError(f"the result holds a number JSON cannot represent (infinite or not a number): {exc}. "
                        "Reload the data: validation now refuses such numbers.") from exc
    sys.stdout.write(text + "\n")


def print_table(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> None:
    """Print rows as an aligned plain-text table (floats with 2 decimals)."""
    from graph.store.db import plain

    rows = list(rows)
    if not rows:
        print("(no rows)")
        return
    columns = list(columns or rows[0].keys())

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}"
        if isinstance(value, (dict, list)):
            return json.dumps(plain(value), ensure_ascii=False, default=str)
        return "" if value is None else str(value)

    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
