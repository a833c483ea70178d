"""`relgraph db start|stop|status|wipe`: the local Neo4j server and its data."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from cli.common import open_database
from graph.errors import UserError
from graph.store.config import DEFAULT_BOLT_PORT, settings_from_env

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="start, stop and inspect the local Neo4j server; wipe data")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in [("start", "start the local server (fetches the jars once)"),
                       ("stop", "stop the local server this home started"),
                       ("status", "say whether the local server runs, its URI and version")]:
        action = actions.add_parser(name, help=text)
        action.add_argument("--home", type=Path, default=None,
                            help="server folder (default: $RELGRAPH_NEO4J_HOME or ~/.local/share/relgraph/neo4j)")
        action.add_argument("--bolt-port", type=int, default=None,
                            help=f"Bolt port on 127.0.0.1 (default: from NEO4J_URI, else {DEFAULT_BOLT_PORT})")
    wipe = actions.add_parser("wipe", help="delete all data of the configured database, keep the schema and the "
                                           "audit trail (the wipe is recorded there)")
    wipe.add_argument("--yes", action="store_true", help="really delete everything")
    parser.set_defaults(handler=run)


def _port(args: argparse.Namespace) -> int:
    if args.bolt_port is not None:
        if not 0 < args.bolt_port < 65536:
            raise UserError(f"--bolt-port {args.bolt_port} is not a port number")
        return args.bolt_port
    uri = os.environ.get("NEO4J_URI", "")
    tail = uri.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else DEFAULT_BOLT_PORT


def _folder(home: Path) -> Path:
    """`home`, once it is clear that it is or can become a folder: no part of the path is a file."""
    for part in (home, *home.parents):
        if part.exists() and not part.is_dir():
            raise UserError(f"--home {home}: {part} is a file, not a folder; choose another folder")
    return home


def run(args: argparse.Namespace) -> int:
    from graph.store import schema, server  # imported when the command runs, so `relgraph --help` starts at once

    password = settings_from_env().password
    if args.action == "wipe":
        if not args.yes:
            raise UserError("wipe deletes every node and relationship; run `relgraph db wipe --yes` to confirm")
        from graph import audit
        from graph.access import Action, local_user

        db = open_database()
        try:
            with audit.recorded(db, local_user(), "cli", Action.WIPE, "relgraph db wipe --yes") as counters:
                counters["nodes_deleted"] = schema.wipe(db)
        finally:
            db.close()
        print(f"Deleted {counters['nodes_deleted']:,} nodes and their relationships; the schema and the audit "
              "trail are kept.")
        return 0
    home = _folder(args.home or server.default_home())
    port = _port(args)
    if args.action == "start":
        began = time.monotonic()
        state = server.start(home, port, password)
        print(f"Neo4j {state.version} {state.note} at {state.uri} "
              f"(home {state.home}, {time.monotonic() - began:.1f} s)")
        print(state.uri)
    elif args.action == "stop":
        stopped = server.stop(home)
        print(f"Stopped the server in {home.resolve()}." if stopped else f"No server of ours runs in {home.resolve()}.")
    else:
        state = server.status(home, port, password)
        if state.running:
            version = state.version or "(version unknown)"
            print(f"running: Neo4j {version} at {state.uri}, pid {state.pid}, home {state.home}"
                  + (f" ({state.note})" if state.note else ""))
        else:
            print(f"not running (home {state.home}, {state.uri})")
    return 0
