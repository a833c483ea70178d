"""Analyses stored per data version in files, shared by every process that uses the same folder.

Layout of the store (``state_dir()/analysis`` unless told otherwise)::

    <key>.sqlite       one finished analysis (key: the first 16 hex digits of sha256(data version)):
                       a table per result, in rank order and indexed by id, a table per projected
                       network, and ``meta`` (data version, when, how long, rows per table)
    <key>.partial-<pid>.sqlite   an analysis being written; renamed into place once complete
    progress.json      the analysis running now: data version, fraction done, step, pid
    lock               held (flock) by the process analysing; the OS releases it if that process dies
    log.jsonl          one line per analysis computed (what tests and operators count)

Why files keyed by the data version, not results written into Neo4j: the data version is the
bookmark of the last committed transaction, exact and free to read; a write of results into
Neo4j would itself change it and make every cached answer stale. The key is the same for every
client of one database, so app processes, CLI calls and machines that share the folder share
one analysis. A reader sees a whole analysis or none (rename is atomic), and a run killed midway
leaves the finished ones untouched. SQLite (Python's own) serves a page of rows, or one
customer's row, without reading the rest, and anyone can open the file with ``sqlite3``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import time
import typing
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.store.config import state_dir

__all__ = ["KEEP", "Columns", "Progress", "ResultStore", "Stored", "columns_of", "version_key"]

KEEP = 3
"""Finished analyses kept: the current one and a few before it (for a page still showing them)."""

Columns = dict[str, list[Any]]
"""A table as named columns of equal length, in row order."""


def version_key(data_version: str) -> str:
    """The short, file-safe name of a data version (also what pages show as "data version").

    >>> version_key("FB:abc")
    'a3d30a6dbdbdd7d1'
    """
    return hashlib.sha256(data_version.encode()).hexdigest()[:16]


def columns_of(rows: list[Any], result_type: type) -> Columns:
    """Result dataclasses as columns, one per field."""
    return {f.name: [getattr(row, f.name) for row in rows] for f in fields(result_type)}


def _list_fields(result_type: type) -> set[str]:
    hints = typing.get_type_hints(result_type)
    return {f.name for f in fields(result_type) if typing.get_origin(hints[f.name]) is list}


@dataclass(frozen=True)
class Progress:
    """How far the running analysis is."""

    data_version: str
    fraction: float
    step: str
    pid: int
    started_at: str


@dataclass(frozen=True)
class Stored:
    """One finished analysis: what it was computed for, when, and its tables (read on demand)."""

    path: Path
    data_version: str
    computed_at: str
    seconds: float
    rows: dict[str, int]

    @property
    def key(self) -> str:
        return version_key(self.data_version)

    def columns(self, name: str) -> Columns:
        """A whole stored table as columns, in row order."""
        with self._open() as db:
            cursor = db.execute(f'SELECT * FROM "{self._table(name)}" ORDER BY rowid')
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        return {n: [row[i] for row in rows] for i, n in enumerate(names)}

    def results(self, name: str, result_type: type, limit: int | None = None, offset: int = 0,
                order_by: str | None = None, descending: bool = True) -> list[Any]:
        """Rows of a stored result as its dataclasses: in rank order, or ordered by a field;
        `limit` rows from `offset` (all when None)."""
        order = "rowid"
        if order_by is not None:
            if order_by not in {f.name for f in fields(result_type)}:
                raise KeyError(f"{result_type.__name__} has no field {order_by!r}")
            order = f'"{order_by}" {"DESC" if descending else "ASC"}, rowid'
        with self._open() as db:
            rows = db.execute(f'SELECT * FROM "{self._table(name)}" ORDER BY {order} LIMIT ? OFFSET ?',
                              (-1 if limit is None else limit, offset)).fetchall()
        return [self._decode(row, result_type) for row in rows]

    def result(self, name: str, result_type: type, key: Any) -> Any | None:
        """The row of a stored result whose ``id`` is `key`, or None."""
        with self._open() as db:
            row = db.execute(f'SELECT * FROM "{self._table(name)}" WHERE id = ?', (key,)).fetchone()
        return None if row is None else self._decode(row, result_type)

    def _table(self, name: str) -> str:
        if name not in self.rows:  # names come from code, never from users; this keeps it so
            raise KeyError(f"no table {name!r} in the analysis {self.key}")
        return name

    @staticmethod
    def _decode(row: tuple[Any, ...], result_type: type) -> Any:
        lists = _list_fields(result_type)
        return result_type(*(json.loads(v) if f.name in lists else v
                             for f, v in zip(fields(result_type), row, strict=True)))

    @contextlib.contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            yield db
        finally:
            db.close()


class ResultStore:
    """The analyses of one store folder (see the module docstring)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or state_dir() / "analysis"
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    # --- reading ---------------------------------------------------------------------------------

    def get(self, data_version: str) -> Stored | None:
        """The finished analysis of exactly this data version, or None."""
        return self._read(self.root / f"{version_key(data_version)}.sqlite")

    def latest(self) -> Stored | None:
        """The most recently finished analysis, of whatever data version."""
        finished = [s for s in map(self._read, self._finished()) if s is not None]
        return max(finished, key=lambda s: s.computed_at, default=None)

    def progress(self) -> Progress | None:
        """The analysis running now (in any process using this folder), or None."""
        if not self.busy():
            return None
        try:
            return Progress(**json.loads((self.root / "progress.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def busy(self) -> bool:
        """Whether some process holds the analysis lock now."""
        with open(self.root / "lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    def computations(self) -> list[dict[str, Any]]:
        """Every analysis computed with this folder, oldest first (from log.jsonl)."""
        try:
            lines = (self.root / "log.jsonl").read_text().splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    # --- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: bool = True) -> Iterator[bool]:
        """Hold the analysis lock (one analysis at a time per folder); yields False when `wait` is
        False and another process holds it."""
        with open(self.root / "lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def report(self, data_version: str, fraction: float, step: str, started_at: str) -> None:
        """Say how far the running analysis is (call with the lock held)."""
        temporary = self.root / f"progress.json.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"data_version": data_version, "fraction": round(fraction, 4),
                                         "step": step, "pid": os.getpid(), "started_at": started_at}))
        os.replace(temporary, self.root / "progress.json")

    def save(self, data_version: str, tables: dict[str, Columns], results: dict[str, tuple[list[Any], type]],
             started: float) -> Stored:
        """Write one analysis (call with the lock held): it appears whole, at once, or not at all.

        `tables` are plain tables (the projected networks); `results` map a name to its rows (in
        rank order) and their dataclass, stored one column per field and indexed by ``id``.
        Leftovers of killed runs are swept first; analyses beyond :data:`KEEP` are removed after.
        """
        for path in self.root.glob("*.partial-*"):
            path.unlink(missing_ok=True)
        partial = self.root / f"{version_key(data_version)}.partial-{os.getpid()}.sqlite"
        rows = {name: len(next(iter(columns.values()), [])) for name, columns in tables.items()}
        try:
            with contextlib.closing(sqlite3.connect(partial)) as db:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                for name, columns in tables.items():
                    self._create(db, name, columns)
                for name, (result_rows, result_type) in results.items():
                    lists = _list_fields(result_type)
                    columns = {k: [json.dumps(v) for v in values] if k in lists else values
                               for k, values in columns_of(result_rows, result_type).items()}
                    self._create(db, name, columns)
                    if "id" in columns:
                        db.execute(f'CREATE INDEX "{name}_id" ON "{name}" (id)')
                    rows[name] = len(result_rows)
                meta = {"data_version": data_version, "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "seconds": round(time.perf_counter() - started, 3), "pid": os.getpid(), "rows": rows}
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
                db.commit()
            os.chmod(partial, 0o600)
            os.replace(partial, self.root / f"{version_key(data_version)}.sqlite")
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        with open(self.root / "log.jsonl", "a") as log:
            log.write(json.dumps({k: meta[k] for k in ("data_version", "computed_at", "seconds", "pid")}) + "\n")
        self._prune()
        stored = self.get(data_version)
        assert stored is not None
        return stored

    @staticmethod
    def _create(db: sqlite3.Connection, name: str, columns: Columns) -> None:
        names = list(columns)
        quoted = ", ".join(f'"{n}"' for n in names)
        db.execute(f'CREATE TABLE "{name}" ({quoted})')
        db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(names))})',
                       zip(*columns.values(), strict=True))

    # --- housekeeping ----------------------------------------------------------------------------

    def _finished(self) -> list[Path]:
        return [p for p in self.root.glob("*.sqlite") if ".partial-" not in p.name]

    def _read(self, path: Path) -> Stored | None:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        except sqlite3.Error:
            return None
        return Stored(path=path, data_version=meta["data_version"], computed_at=meta["computed_at"],
                      seconds=meta["seconds"], rows=meta["rows"])

    def _prune(self) -> None:
        finished = sorted((s for s in map(self._read, self._finished()) if s is not None),
                          key=lambda s: s.computed_at, reverse=True)
        for old in finished[KEEP:]:
            old.path.unlink(missing_ok=True)
