"""`relgraph analyse`: compute and store the default analyses of the data now (see graph.results)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.common import open_database, print_json

if TYPE_CHECKING:
    from graph.results import Stored
    from graph.store.db import Database

__all__ = ["add_parser", "AnalysisBar", "run", "stored_analysis"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "analyse", help="compute and store the default analyses for the current data",
        description="Project the networks and compute the supplier ranking, single sources, concentration, "
                    "referral metrics and communities once for the data as it is now, and store them for every "
                    "app process and command to read. Does nothing when they are stored already (unless --force); "
                    "waits for an analysis another process is running.")
    parser.add_argument("--force", action="store_true", help="compute again even when stored")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=run)


class AnalysisBar:
    """A progress bar on stderr fed by the analysis's ``(fraction, step)`` reports."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=100, unit="%", file=sys.stderr, disable=None, desc="analysing",
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}")

    def __call__(self, fraction: float, step: str) -> None:
        self.bar.set_description_str(step, refresh=False)
        self.bar.update(round(fraction * 100) - self.bar.n)

    def __enter__(self) -> AnalysisBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def stored_analysis(db: Database) -> Stored:
    """The stored analysis of the data now, computed first (with a bar) when nobody has."""
    from graph.results import current

    with AnalysisBar() as bar:
        return current(db, progress=bar)


def run(args: argparse.Namespace) -> int:
    from graph.results import analyse

    db = open_database()
    try:
        with AnalysisBar() as bar:
            outcome = analyse(db, progress=bar, force=args.force)
    finally:
        db.close()
    stored = outcome.stored
    if args.json:
        print_json({"data_version": stored.key, "computed": outcome.computed, "computed_at": stored.computed_at,
                    "seconds": stored.seconds, "stored": stored.rows, "path": str(stored.path)})
    else:
        how = "computed" if outcome.computed else "already stored"
        print(f"Analysis of data version {stored.key} {how} (at {stored.computed_at}, in {stored.seconds:,.1f} s):")
        for name, rows in stored.rows.items():
            print(f"  {name:<20} {rows:>12,} rows")
        print(f"Stored in {stored.path}")
    return 0
