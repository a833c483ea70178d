"""`relgraph query`: run a named query or ad-hoc Cypher, read-only unless --write, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from cli.common import open_database, print_json, print_table
from graph.errors import UserError
from graph.store.config import DEFAULT_ROW_LIMIT

if TYPE_CHECKING:  # the driver is imported when a query runs, so `relgraph --help` starts at once
    from graph.store.db import Database
    from queries.execute import QueryResult

__all__ = ["add_parser", "run"]

FLAGS = {"params": "--param", "write": "--write", "timeout": "--timeout", "limit": "--limit"}
"""The flag of each parameter that the query library's errors name in their ``field``."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "query", help="run a named query or Cypher (read-only unless --write)",
        description="Run a named query of the library (relgraph query --list) or ad-hoc Cypher with --cypher. "
                    "Queries run read-only: the server plans each one first (EXPLAIN) and anything that would "
                    "write is refused. Every query has a timeout and a row cap.")
    parser.add_argument("name", nargs="?", metavar="NAME", help="a named query (see --list)")
    parser.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    parser.add_argument("--cypher", metavar="TEXT", help="run this Cypher statement instead of a named query")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter, repeatable; typed by the named query's header, or for --cypher read "
                             "as JSON when it parses (5, true, [1,2], \"007\") and as a string otherwise")
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON list of objects")
    parser.add_argument("--limit", type=int, default=DEFAULT_ROW_LIMIT, metavar="N",
                        help=f"return at most N rows (default {DEFAULT_ROW_LIMIT:,}); a note on stderr says when "
                             "there were more")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="stop the query after S seconds (default $RELGRAPH_QUERY_TIMEOUT or 30)")
    parser.add_argument("--write", action="store_true",
                        help="allow --cypher to change the database; the write is recorded in the audit trail "
                             "(relgraph audit)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    modes = sum([args.list, args.cypher is not None, args.name is not None])
    if modes != 1:
        raise UserError("Give exactly one of: a query NAME, --cypher TEXT or --list.")
    if args.list:
        return _list(args.json)
    if args.write and args.cypher is None:
        raise UserError("--write applies to --cypher only: named queries only read.")
    import logging  # imported when the command runs, so `relgraph --help` starts at once

    from queries.registry import get_query, parse_param_args

    values = parse_param_args(args.param)
    if args.cypher is not None:
        text, params = args.cypher, {key: _literal(value) for key, value in values.items()}
    else:
        query = get_query(args.name)
        text, params = query.text, query.bind(values)
    # The notifications come back in the result and are shown once below, not logged by the driver
    # (twice: once for the guard's EXPLAIN).
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    from queries.execute import run_query

    db = open_database()
    try:
        if args.write:
            result = _write(db, text, params, args.timeout, args.limit)
        else:
            result = run_query(db, text, params, timeout=args.timeout, limit=args.limit)
    finally:
        db.close()
    _show(result, args.json)
    return 0


def _write(db: Database, text: str, params: dict[str, Any], timeout: float | None, limit: int) -> QueryResult:
    """Run a write as the local user, recorded in the audit trail (and refused if it would change the trail)."""
    from graph import audit
    from graph.access import local_user
    from queries.execute import run_query

    with audit.guarded_write(db, local_user(), "cli", text, params) as guarded:
        return run_query(guarded, text, params, write=True, timeout=timeout, limit=limit)


def _literal(value: str) -> Any:
    """An ad-hoc --param value: JSON when it parses as JSON, else the string itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _list(as_json: bool) -> int:
    from queries.registry import load_queries

    queries = load_queries().values()
    if as_json:
        print_json([{"name": q.name, "description": q.description,
                     "params": [{"name": p.name, "type": p.type, "required": p.required,
                                 "default": None if p.required else p.default} for p in q.params]}
                    for q in queries])
    else:
        print_table([{"name": q.name, "parameters": q.signature(), "description": q.description} for q in queries])
    return 0


def _show(result: QueryResult, as_json: bool) -> None:
    from graph.store.db import plain

    if as_json:
        print_json(result.rows)
    else:
        print_table(plain(result.rows), result.columns)
    for note in result.notifications:
        print(f"relgraph: note: {note}", file=sys.stderr)
    if result.counters:
        print("relgraph: " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.counters.items()),
              file=sys.stderr)
    if result.truncated:
        print(f"relgraph: showing the first {len(result.rows):,} rows; there are more (raise --limit, or narrow "
              "the query).", file=sys.stderr)
