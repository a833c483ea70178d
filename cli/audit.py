"""`relgraph audit [--json] [--since DATE]`: the trail of writes, loads and wipes, newest first."""

from __future__ import annotations

import argparse
import json
import sys

from cli.common import open_database, print_json, print_table

__all__ = ["add_parser", "run"]

FLAGS = {"since": "--since"}
"""The flag of each parameter that graph.audit's errors name in their ``field``."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "audit", help="show who wrote, loaded and wiped what, and when",
        description="The audit trail of every write, load and wipe, from the app and the command line, newest "
                    "first. It lives in the database and survives `relgraph db wipe`. The command also checks "
                    "the trail's hash chain and exits 1, saying what it found, if entries were changed or "
                    "deleted outside relgraph.")
    parser.add_argument("--json", action="store_true",
                        help='print {"entries": [{"at", "who", "via", "what", "counters", "ok"}, ...]}')
    parser.add_argument("--since", metavar="DATE",
                        help="only entries at or after DATE (2025-06-01, or 2025-06-01T09:30; UTC unless a zone "
                             "is given)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graph import audit  # the driver is imported by the command that runs, not by --help

    since = audit.parse_since(args.since) if args.since is not None else None
    db = open_database()
    try:
        found = audit.entries(db, since)
        problems = audit.verify(db)
    finally:
        db.close()
    if args.json:
        print_json({"entries": [entry.as_json() for entry in found]})
    else:
        print_table([{"at": f"{entry.at:%Y-%m-%d %H:%M:%SZ}", "who": entry.who, "via": entry.via,
                      "action": entry.action, "ok": "yes" if entry.ok else "no",
                      "counters": json.dumps(entry.counters) if entry.counters else "",
                      "what": _one_line(entry.what + (f"  [failed: {entry.error}]" if entry.error else ""))}
                     for entry in found])
    for problem in problems:
        print(f"relgraph: the audit trail was altered outside relgraph: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _one_line(text: str, width: int = 100) -> str:
    """Text on one line of at most `width` characters, for the table."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[:width - 1] + "…"
