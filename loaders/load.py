"""Every way into the graph: a CSV folder, typed rows or the demo, written behind the schema and the load lock.

What a load guarantees: validation runs under the load lock and checks everything Neo4j refuses
(see loaders.validate), so a folder that validates writes in full, and one that does not writes
nothing. Batches commit one by one (a load of millions of rows cannot be one transaction):
transient errors are retried by the driver; if Neo4j goes away anyway, or refuses a batch, the
load stops, the batches before it stay committed, each whole, and running the same load again
ends in exactly the graph a clean load gives (MERGE on keys).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from neo4j.exceptions import DriverError, Neo4jError

from graph.errors import UserError
from graph.store.db import Database
from graph.store.schema import ensure_schema
from loaders.demo import write_demo_folder
from loaders.lock import Lease, LoadLockLost, load_lock
from loaders.validate import ParsedFile, Validation, validate_folder
from loaders.writer import BatchRefused, LoadSummary, write_rows

__all__ = ["InvalidFolder", "LoadInterrupted", "LoadRefused", "load_demo", "load_folder", "load_validated",
           "write_tables"]

Progress = Callable[[str, int], None]


class LoadInterrupted(Exception):
    """The load stopped midway (Neo4j went away, or the load lost its lock); running it again completes it."""


class LoadRefused(UserError):
    """Neo4j refused rows that validation passed: which file and lines, and why, in one line."""


class InvalidFolder(UserError):
    """The folder did not validate, so nothing was written; ``validation`` holds the problems."""

    def __init__(self, validation: Validation):
        super().__init__(f"{validation.errors:,} error{'s' if validation.errors != 1 else ''}; nothing was written")
        self.validation = validation


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:300]


def _write(db: Database, tables: dict[str, Iterable[dict[str, Any]]], progress: Progress | None, lease: Lease,
           files: dict[str, ParsedFile] | None = None) -> LoadSummary:
    """Write under a held lock; every way it can stop becomes LoadRefused or LoadInterrupted."""
    try:
        return write_rows(db, tables, progress, lease=lease)
    except BatchRefused as exc:
        parsed = (files or {}).get(exc.file)
        where = (f"{exc.file}:{'-'.join(map(str, parsed.lines_of(exc.first, exc.last)))}" if parsed
                 else f"{exc.file} rows {exc.first + 1:,}-{exc.last + 1:,}")
        raise LoadRefused(f"{where}: Neo4j refused these rows ({_first_line(exc.cause)}); the batches before them "
                          "are written. Fix them and load again: rows already there are merged, not doubled.") from exc
    except LoadLockLost as exc:
        raise LoadInterrupted(str(exc)) from exc
    except (Neo4jError, DriverError) as exc:
        raise LoadInterrupted(
            f"Neo4j stopped answering midway ({exc.__class__.__name__}: {_first_line(exc)}). The batches before "
            "are written, each whole; run the same load again to finish it in exactly the graph a clean load gives."
        ) from exc


def write_tables(db: Database, tables: dict[str, Iterable[dict[str, Any]]], progress: Progress | None = None, *,
                 what: str = "a load of generated rows") -> LoadSummary:
    """Write typed rows (trusted: generated, not read from a user's files) behind the schema and the load lock.

    `what` names the load for anyone who meets the lock meanwhile. Raises LoadLockBusy,
    LoadRefused or LoadInterrupted.
    """
    ensure_schema(db)
    with load_lock(db, what) as lease:
        return _write(db, tables, progress, lease)


def load_validated(db: Database, validation: Validation, progress: Progress | None = None, *,
                   what: str = "a validated CSV folder") -> LoadSummary:
    """Write a folder that validated cleanly (prefer :func:`load_folder`, which validates under the lock)."""
    ensure_schema(db)
    with load_lock(db, what) as lease:
        return _write(db, _tables(validation), progress, lease, validation.files)


def _tables(validation: Validation) -> dict[str, Iterable[dict[str, Any]]]:
    return {name: parsed.typed_rows() for name, parsed in validation.files.items()}


def load_folder(db: Database, folder: Path, *, what: str, checked: Progress | None = None,
                total: Callable[[int], None] | None = None, progress: Progress | None = None) -> LoadSummary:
    """Validate a CSV folder and write it, both under the load lock, so the references checked are still there.

    The rows are read again from the files to be written, so memory stays flat whatever the
    folder's size. ``checked(file, rows)`` follows validation; ``total(rows)`` is called once it
    passed, with the number of rows to write; ``progress(file, rows)`` after each committed
    batch. Raises InvalidFolder (nothing written), LoadLockBusy, LoadRefused or LoadInterrupted.
    """
    ensure_schema(db)
    with load_lock(db, what) as lease:
        validation = validate_folder(folder, db, keep_rows=False, progress=checked)
        if not validation.ok:
            raise InvalidFolder(validation)
        if total is not None:
            total(validation.rows)
        return _write(db, _tables(validation), progress, lease, validation.files)


def load_demo(db: Database, progress: Progress | None = None, *, total: Callable[[int], None] | None = None,
              what: str = "the demo data set") -> LoadSummary:
    """Load the demo data set as any CSV folder is loaded: written in the import format, validated, then written.

    ``total(rows)`` is called once, after validation, with the number of rows the load will write
    (a progress bar's 100%); ``progress(file, rows)`` after each committed batch. The CLI, the Data
    page and the tests load the demo through this one function.
    """
    with tempfile.TemporaryDirectory(prefix="relgraph-demo-") as folder:
        try:
            return load_folder(db, write_demo_folder(Path(folder)), what=what, total=total, progress=progress)
        except InvalidFolder as exc:  # the demo is ours: a problem here is a bug, not bad input
            problems = "; ".join(map(str, exc.validation.problems[:5]))
            raise RuntimeError(f"the demo data set does not validate: {problems}") from exc
