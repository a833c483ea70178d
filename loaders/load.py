"""Write a validated CSV folder, or any typed rows, behind the schema; say how to finish a load that stopped."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.store.db import Database
from graph.store.schema import ensure_schema
from loaders.demo import write_demo_folder
from loaders.validate import Validation, validate_folder
from loaders.writer import LoadSummary, write_rows

__all__ = ["LoadInterrupted", "load_demo", "load_validated", "write_tables"]


class LoadInterrupted(Exception):
    """The database went away in the middle of a load; running the same load again completes it."""


def write_tables(db: Database, tables: dict[str, Iterable[dict[str, Any]]],
                 progress: Callable[[str, int], None] | None = None) -> LoadSummary:
    """Write typed rows behind the schema; raise LoadInterrupted if Neo4j fails midway."""
    ensure_schema(db)
    try:
        return write_rows(db, tables, progress)
    except (ServiceUnavailable, SessionExpired, Neo4jError) as exc:
        raise LoadInterrupted(
            f"the load stopped midway ({exc.__class__.__name__}: {exc}). Nothing is corrupted: every write "
            "MERGEs on keys, so running the same load again ends in exactly the graph a clean load gives."
        ) from exc


def load_validated(db: Database, validation: Validation,
                   progress: Callable[[str, int], None] | None = None) -> LoadSummary:
    """Write a folder that validated cleanly."""
    return write_tables(db, {name: parsed.typed_rows() for name, parsed in validation.files.items()}, progress)


def load_demo(db: Database, progress: Callable[[str, int], None] | None = None, *,
              total: Callable[[int], None] | None = None) -> LoadSummary:
    """Load the demo data set as any CSV folder is loaded: written in the import format, validated, then written.

    ``total(rows)`` is called once, after validation, with the number of rows the load will write
    (a progress bar's 100%); ``progress(file, rows)`` after each committed batch. The CLI, the Data
    page and the tests load the demo through this one function.
    """
    with tempfile.TemporaryDirectory(prefix="relgraph-demo-") as folder:
        validation = validate_folder(write_demo_folder(Path(folder)), db, keep_rows=False)
        if not validation.ok:  # the demo is ours: a problem here is a bug, not bad input
            raise RuntimeError("the demo data set does not validate: " + "; ".join(map(str, validation.problems[:5])))
        if total is not None:
            total(validation.rows)
        return load_validated(db, validation, progress)
