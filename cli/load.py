"""`relgraph load csv DIR [--dry-run]`, `relgraph load demo`, `relgraph load synthetic --customers N`.

Every load that writes is recorded in the audit trail (graph.audit), as the local user, via "cli".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import open_database
from graph.errors import UserError

if TYPE_CHECKING:  # the loaders import the driver and numpy: only a command that loads imports them
    from graph.store.db import Database
    from loaders.validate import Validation
    from loaders.writer import LoadSummary

__all__ = ["add_parser", "run"]

MAX_SHOWN = 50


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("load", help="load data: a CSV folder, the demo data set or a synthetic network")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    csv_cmd = kinds.add_parser("csv", help="validate a folder of CSV files, then load it")
    csv_cmd.add_argument("folder", type=Path)
    csv_cmd.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    demo = kinds.add_parser("demo", help="the example data set (John Smith, XYZ Manufacturing, ...)")
    demo.add_argument("--if-empty", action="store_true", help="load only when the database holds no nodes")
    synthetic = kinds.add_parser("synthetic", help="a realistic synthetic network of any size")
    synthetic.add_argument("--customers", type=int, required=True)
    synthetic.add_argument("--seed", type=int, default=1)
    synthetic.add_argument("--out", type=Path, help="write the CSV folder here instead of loading it")
    for kind in (csv_cmd, demo, synthetic):
        kind.add_argument("--no-analyse", dest="analyse", action="store_false",
                          help="do not compute the analyses of the new data now (the first reader will)")
    parser.set_defaults(handler=run)


class _Progress:
    """A tqdm bar on stderr fed by the loaders' progress callbacks ``(file, rows)``."""

    def __init__(self, desc: str, total: int | None = None):
        from tqdm import tqdm  # imported when a load runs, so `relgraph --help` starts at once

        self.bar = tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr, disable=None, desc=desc)

    def total(self, rows: int) -> None:
        """Start the bar again for the writing, now that its 100% is known."""
        self.bar.set_description("loading", refresh=False)
        self.bar.reset(total=rows)

    def __call__(self, file: str, rows: int) -> None:
        self.bar.set_postfix_str(file, refresh=False)
        self.bar.update(rows)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _report(summary: LoadSummary) -> None:
    for line in summary.lines():
        print(line)


def _problems(validation: Validation) -> int:
    """Print the first problems (FILE:LINE: COLUMN: message) and their count on stderr; exit status 2."""
    for problem in validation.problems[:MAX_SHOWN]:
        print(problem, file=sys.stderr)
    more = validation.errors - MAX_SHOWN
    if more > 0:
        print(f"... and {more:,} more errors", file=sys.stderr)
    print(f"relgraph: {validation.errors:,} errors; nothing was written", file=sys.stderr)
    return 2


def _audited(db: Database, what: str, load: Callable[[], LoadSummary]) -> LoadSummary:
    """Run `load` as the local user and record it in the audit trail; a load refused before it wrote
    anything (a folder that does not validate, another load running) leaves no entry."""
    from graph import audit
    from graph.access import Action, local_user
    from loaders.load import InvalidFolder
    from loaders.lock import LoadLockBusy

    with audit.recorded(db, local_user(), "cli", Action.LOAD, what,
                        unchanged=(InvalidFolder, LoadLockBusy)) as counters:
        summary = load()
        counters.update(rows=sum(summary.rows.values()), nodes_created=summary.nodes_created,
                        relationships_created=summary.relationships_created)
    return summary


def _analyse(db: Database, args: argparse.Namespace) -> None:
    """Compute and store the analyses of the data just loaded, with a bar (graph.results), so that
    the app and every command find them ready."""
    if args.analyse:
        from cli.analyse import stored_analysis

        stored = stored_analysis(db)
        print(f"analysed data version {stored.key} in {stored.seconds:,.1f} s")


def _load_csv(db: Database, folder: Path, dry_run: bool) -> int:
    """Check the whole folder, then write it (re-reading the files, so memory stays flat) or nothing."""
    from loaders.load import InvalidFolder, load_folder
    from loaders.validate import validate_folder

    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder")
    if dry_run:
        with _Progress("checking") as progress:
            validation = validate_folder(folder, db, keep_rows=False, progress=progress)
        if not validation.ok:
            return _problems(validation)
        print(f"{folder}: {validation.rows:,} rows in {len(validation.files)} files are valid "
              "(dry run: nothing written)")
        return 0
    what = f"relgraph load csv {folder.resolve()}"
    try:
        with _Progress("checking") as progress:
            summary = _audited(db, what, lambda: load_folder(db, folder, what=what, checked=progress,
                                                             total=progress.total, progress=progress))
    except InvalidFolder as exc:
        return _problems(exc.validation)
    _report(summary)
    return 0


def run(args: argparse.Namespace) -> int:
    import logging  # imported when the command runs, so `relgraph --help` starts at once

    # Concurrent batches now and then deadlock on a busy node; the driver retries them, which is
    # expected here, so its retry warnings would only alarm (real failures still raise).
    logging.getLogger("neo4j.pool").setLevel(logging.ERROR)
    from loaders.load import LoadInterrupted, load_demo, write_tables
    from queries.stats import is_empty

    if args.kind == "synthetic" and args.customers < 1:
        raise UserError("--customers must be at least 1")
    if args.kind == "synthetic" and args.seed < 0:
        raise UserError("--seed must be 0 or more")
    if args.kind == "synthetic" and args.out:
        from loaders.synthetic import write_csv_folder

        try:
            write_csv_folder(args.out, args.customers, args.seed)
        except OSError as exc:
            raise UserError(f"{args.out}: cannot write the folder there ({exc.strerror or exc})") from exc
        print(f"wrote the synthetic network of {args.customers:,} customers to {args.out}")
        return 0
    db = open_database()
    try:
        if args.kind == "csv":
            status = _load_csv(db, args.folder, args.dry_run)
            if status == 0 and not args.dry_run:
                _analyse(db, args)
            return status
        if args.kind == "demo":
            if args.if_empty and not is_empty(db):
                print("the database already holds data: demo not loaded")
                return 0
            what = "relgraph load demo"
            with _Progress("loading the demo") as progress:
                _report(_audited(db, what, lambda: load_demo(db, progress, total=progress.total, what=what)))
            _analyse(db, args)
            return 0
        from loaders.synthetic import generate

        what = f"relgraph load synthetic --customers {args.customers} --seed {args.seed}"
        with _Progress("loading") as progress:
            _report(_audited(db, what, lambda: write_tables(db, generate(args.customers, args.seed), progress,
                                                            what=what)))
        _analyse(db, args)
        return 0
    except LoadInterrupted as exc:
        print(f"relgraph: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
