"""Entry point of the `relgraph` console script.

Each command group lives in its own module with an ``add_parser(subparsers)`` function that
registers its sub-command and sets ``handler`` to a function ``(args) -> int``. User errors
(graph.errors.UserError) exit 2 with the message on stderr; an unreachable Neo4j exits 1.

The library words its errors without flags and names the parameter at fault in
``UserError.field`` (``"p"``, ``"top"``); a command module maps those names to its own flags in
``FLAGS`` (``{"p": "--prob"}``), and the message printed leads with the flag:
``relgraph: --prob: the probability must be between 0 and 1, got 1.5``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from graph.errors import Unavailable, UserError

__all__ = ["console", "main"]

COMMANDS = ["cli.db", "cli.load", "cli.query", "cli.risk", "cli.reach", "cli.analyse", "cli.export", "cli.app",
            "cli.audit"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relgraph", description="Relationship explorer for business networks.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except UserError as exc:
        print(f"relgraph: {user_message(exc, args.handler)}", file=sys.stderr)
        return 2
    except Unavailable as exc:
        print(f"relgraph: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if not _lost_connection(exc):
            raise
        print(f"relgraph: lost the connection to Neo4j while the command ran ({exc.__class__.__name__}); "
              "check that the server runs (relgraph db status) and try again", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("relgraph: interrupted", file=sys.stderr)
        return 130


def _lost_connection(error: Exception) -> bool:
    """Whether `error` is the driver saying the server went away (imported only if a command loaded the driver)."""
    errors = sys.modules.get("neo4j.exceptions")
    return errors is not None and isinstance(error, (errors.ServiceUnavailable, errors.SessionExpired))


def user_message(error: UserError, handler: Callable[..., int]) -> str:
    """The error's text, led by the flag that sets its ``field`` in the handler's command (its module's FLAGS)."""
    flag = getattr(sys.modules[handler.__module__], "FLAGS", {}).get(error.field)
    return f"{flag}: {error}" if flag else str(error)


def console() -> None:
    """The `relgraph` console script: main() in a process that never imports pandas or pyarrow.

    The neo4j driver probes for numpy, pandas and pyarrow when it is imported, to accept their
    values as query parameters. No command passes such values, and importing pandas alone takes
    seconds; a None entry in sys.modules makes those imports fail at once, as if they were not
    installed. (Only here, not in main(): a process that calls main() may need pandas itself.)
    """
    for name in ("pandas", "pyarrow"):
        sys.modules.setdefault(name, None)
    sys.exit(main())


if __name__ == "__main__":
    console()
