"""Analyses stored per data version in files, shared by every process that uses the same folder.

Layout of the store (``state_dir()/analysis`` unless told otherwise)::

    <key>.sqlite       one finished analysis (key: the first 16 hex digits of sha256(data version)):
                       a table per result, in rank order and indexed by id, a table per projected
                       network (the sales indexed by seller too: see INDEXES), ``arrays`` (numeric
                       arrays as raw bytes: the referral network's adjacency, ready for the
                       simulations) and ``meta`` (format, data version, when, how long, rows per table)
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

import abc
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import sqlite3
import time
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.store.config import state_dir

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FORMAT", "INDEXES", "KEEP", "Columns", "Progress", "ResultStore", "RowIds", "RowPositions", "Stored",
           "StoredRows", "columns_of", "version_key"]

KEEP = 3
"""Finished analyses kept: the current one and a few before it (for a page still showing them)."""

FORMAT = 4
"""The layout of an analysis file; a file of another layout (an older relgraph's) is not read, so
the analysis is computed again."""

INDEXES = {"sales": (("seller", "customer"), ("customer", "seller"))}
"""Indexes beside ``id``, per table, for :meth:`Stored.count_distinct` (a what-if counts the distinct
customers of its failed sellers): each holds both columns, so SQLite never reads the table itself."""

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


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    return "_".join((table, *columns))


@functools.cache
def _list_fields(result_type: type) -> frozenset[str]:
    """The fields of a result type stored as JSON lists (worked out once per type: type hints are slow)."""
    hints = typing.get_type_hints(result_type)
    return frozenset(f.name for f in fields(result_type) if typing.get_origin(hints[f.name]) is list)


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
    arrays: tuple[str, ...] = ()

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
            order = f'"{order_by}" IS NULL, "{order_by}" COLLATE NOCASE {"DESC" if descending else "ASC"}, rowid'
        with self._open() as db:
            rows = db.execute(f'SELECT * FROM "{self._table(name)}" ORDER BY {order} LIMIT ? OFFSET ?',
                              (-1 if limit is None else limit, offset)).fetchall()
        return [self._decode(row, result_type) for row in rows]

    def result(self, name: str, result_type: type, key: Any) -> Any | None:
        """The row of a stored result whose ``id`` is `key`, or None."""
        with self._open() as db:
            row = db.execute(f'SELECT * FROM "{self._table(name)}" WHERE id = ?', (key,)).fetchone()
        return None if row is None else self._decode(row, result_type)

    def count_distinct(self, name: str, column: str, where: str, values: Iterable[Any]) -> int:
        """How many distinct values of `column` the rows of table `name` hold whose `where` is one of `values`,
        counted by SQLite. Table and column names must be stored ones (they come from code, never from users).

        With the table's :data:`INDEXES`, few rows (under an eighth of the table) are read through the
        (`where`, `column`) index and their values sorted; for more, sorting costs more than walking the whole
        (`column`, `where`) index, whose order needs no sort: a region's what-if at 1M sales counted its
        customers in 3.5 s the first way, 0.6 s the second; a supplier's, 0.03 s the first way.
        """
        table = self._table(name)
        wanted = json.dumps(list(values))
        with self._open() as db:
            known = [d[0] for d in db.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
            for field in (column, where):
                if field not in known:
                    raise KeyError(f"no column {field!r} in {name!r} of the analysis {self.key}")
            rows = f'WHERE "{where}" IN (SELECT value FROM json_each(?))'
            walk = ""
            if (column, where) in INDEXES.get(name, ()):
                many = max(1, self.rows[name] // 8)
                if db.execute(f'SELECT COUNT(*) FROM (SELECT 1 FROM "{table}" {rows} LIMIT ?)',
                              (wanted, many)).fetchone()[0] >= many:
                    walk = f'INDEXED BY "{_index_name(name, (column, where))}"'
            return db.execute(f'SELECT COUNT(DISTINCT "{column}") FROM "{table}" {walk} {rows}',
                              (wanted,)).fetchone()[0]

    def rows_of(self, name: str, result_type: type) -> StoredRows:
        """A stored result as a sequence that reads only the rows asked for (see :class:`StoredRows`)."""
        return StoredRows(self, self._table(name), result_type)

    def names(self, name: str, keys: Iterable[Any]) -> dict[Any, str | None]:
        """The ``name`` of each of `keys` in table `name` (None when it has none or is not there), in
        one query through the ``id`` index."""
        wanted = list(dict.fromkeys(keys))
        with self._open() as db:
            found = dict(db.execute(f'SELECT id, name FROM "{self._table(name)}" WHERE id IN '
                                    f'(SELECT value FROM json_each(?))', (json.dumps(wanted),)).fetchall())
        return {key: found.get(key) for key in wanted}

    def position(self, name: str, key: Any) -> int | None:
        """The row number (from 0) of the row of table `name` whose ``id`` is `key`, or None."""
        with self._open() as db:
            row = db.execute(f'SELECT rowid - 1 FROM "{self._table(name)}" WHERE id = ?', (key,)).fetchone()
        return None if row is None else row[0]

    def id_at(self, name: str, position: int) -> Any:
        """The ``id`` of row `position` (from 0) of table `name`."""
        with self._open() as db:
            row = db.execute(f'SELECT id FROM "{self._table(name)}" WHERE rowid = ?', (position + 1,)).fetchone()
        if row is None:
            raise IndexError(f"no row {position} in {name!r}")
        return row[0]

    def array(self, name: str) -> np.ndarray:
        """A stored numeric array (one BLOB read, no per-element work)."""
        import numpy as np

        if name not in self.arrays:
            raise KeyError(f"no array {name!r} in the analysis {self.key}")
        with self._open() as db:
            dtype, data = db.execute("SELECT dtype, data FROM arrays WHERE name = ?", (name,)).fetchone()
        return np.frombuffer(data, dtype=dtype)

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


class RowIds(Sequence[Any]):
    """The ``id`` column of a stored table as a sequence read one row at a time, so that naming a
    few rows of a million never loads the million."""

    def __init__(self, stored: Stored, name: str) -> None:
        self._stored, self._name = stored, name

    def __len__(self) -> int:
        return self._stored.rows[self._name]

    def __getitem__(self, i: int) -> Any:  # type: ignore[override]  # rows one at a time; no slices
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._stored.id_at(self._name, i % len(self))


class RowPositions(Mapping[Any, int]):
    """Id -> row number of a stored table, looked up through its index one id at a time."""

    def __init__(self, stored: Stored, name: str) -> None:
        self._stored, self._name = stored, name

    def __getitem__(self, key: Any) -> int:
        position = self._stored.position(self._name, key)
        if position is None:
            raise KeyError(key)
        return position

    def __iter__(self) -> Iterator[Any]:
        return iter(self._stored.columns(self._name)["id"])

    def __len__(self) -> int:
        return self._stored.rows[self._name]


class PagedRows(Sequence[Any]):
    """A read-only sequence that reads a range of rows at a time: a slice is one ``_read(offset, limit)``,
    an item a range of one. Subclasses say how long it is (``__len__``) and how to read a range."""

    @abc.abstractmethod
    def _read(self, offset: int, limit: int) -> list[Any]:
        """Rows ``offset`` to ``offset + limit`` (``limit`` >= 0, the range within the sequence)."""

    def __getitem__(self, i: int | slice) -> Any:  # type: ignore[override]
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            return self._read(start, max(0, stop - start)) if step == 1 else [self[j] for j in range(start, stop, step)]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._read(i % len(self), 1)[0]

    def __iter__(self) -> Iterator[Any]:
        return iter(self[:])


class StoredRows(PagedRows):
    """The rows of a stored result as a read-only sequence of its dataclasses, in rank order or
    ordered by a field, that reads from disk only the rows asked for: ``len`` is free, a slice is
    one ``LIMIT``/``OFFSET`` query. Pages page through half a million rows this way without
    holding them."""

    def __init__(self, stored: Stored, name: str, result_type: type, order_by: str | None = None,
                 descending: bool = True) -> None:
        self._stored, self._name, self._type = stored, name, result_type
        self._order_by, self._descending = order_by, descending

    def ordered(self, field: str, descending: bool = True) -> StoredRows:
        """The same rows ordered by `field` (missing values last either way, text case-insensitively,
        ties in rank order)."""
        return StoredRows(self._stored, self._name, self._type, field, descending)

    def __len__(self) -> int:
        return self._stored.rows[self._name]

    def _read(self, offset: int, limit: int) -> list[Any]:
        return self._stored.results(self._name, self._type, limit=limit, offset=offset, order_by=self._order_by,
                                    descending=self._descending)


class ResultStore:
    """The analyses of one store folder (see the module docstring)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or state_dir() / "analysis"
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    # --- reading ---------------------------------------------------------------------------------

    def get(self, data_version: str) -> Stored | None:
        """The finished analysis of exactly this data version, or None."""
        return self._read(self.root / f"{version_key(data_version)}.sqlite")

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
             started: float, arrays: Mapping[str, np.ndarray] | None = None) -> Stored:
        """Write one analysis (call with the lock held): it appears whole, at once, or not at all.

        `tables` are plain tables (the projected networks); `results` map a name to its rows (in
        rank order) and their dataclass, stored one column per field; tables and results with an
        ``id`` column are indexed by it. `arrays` are one-dimensional numeric arrays, stored as bytes.
        Leftovers of killed runs are swept first; analyses beyond :data:`KEEP` are removed after.
        """
        for path in self.root.glob("*.partial-*"):
            path.unlink(missing_ok=True)
        final = self.root / f"{version_key(data_version)}.sqlite"
        partial = final.with_name(f"{version_key(data_version)}.partial-{os.getpid()}.sqlite")
        rows = {name: len(next(iter(columns.values()), [])) for name, columns in tables.items()}
        try:
            with contextlib.closing(sqlite3.connect(partial)) as db:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                for name, columns in tables.items():
                    self._create(db, name, columns)
                for name, (result_rows, result_type) in results.items():
                    lists = _list_fields(result_type)
                    self._create(db, name, {k: [json.dumps(v) for v in values] if k in lists else values
                                            for k, values in columns_of(result_rows, result_type).items()})
                    rows[name] = len(result_rows)
                db.execute("CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT, data BLOB)")
                db.executemany("INSERT INTO arrays VALUES (?, ?, ?)",
                               [(name, a.dtype.str, a.tobytes()) for name, a in (arrays or {}).items()])
                meta = {"format": FORMAT, "data_version": data_version,
                        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "seconds": round(time.perf_counter() - started, 3), "pid": os.getpid(), "rows": rows,
                        "arrays": sorted(arrays or {})}
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
                db.commit()
            os.chmod(partial, 0o600)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        with open(self.root / "log.jsonl", "a") as log:
            log.write(json.dumps({k: meta[k] for k in ("data_version", "computed_at", "seconds", "pid")}) + "\n")
        self._prune(newest=final)
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
        if "id" in columns:
            db.execute(f'CREATE INDEX "{name}_id" ON "{name}" (id)')
        for indexed in INDEXES.get(name, ()):
            listed = ", ".join(f'"{n}"' for n in indexed)
            db.execute(f'CREATE INDEX "{_index_name(name, indexed)}" ON "{name}" ({listed})')

    # --- housekeeping ----------------------------------------------------------------------------

    def _finished(self) -> list[Path]:
        return [p for p in self.root.glob("*.sqlite") if ".partial-" not in p.name]

    def _read(self, path: Path) -> Stored | None:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        except sqlite3.Error:
            return None
        if meta.get("format") != FORMAT:
            return None
        return Stored(path=path, data_version=meta["data_version"], computed_at=meta["computed_at"],
                      seconds=meta["seconds"], rows=meta["rows"], arrays=tuple(meta["arrays"]))

    def _prune(self, newest: Path) -> None:
        """Keep the newest :data:`KEEP` analyses, `newest` (the one just saved) always among them: several
        analyses of a small graph finish within one second of ``computed_at``. Files this version cannot
        read (an older layout) go too."""
        finished, unreadable = [], []
        for path in self._finished():
            stored = self._read(path)
            if stored is None:
                unreadable.append(path)
            else:
                finished.append(stored)
        finished.sort(key=lambda s: (s.path == newest, s.computed_at), reverse=True)
        for path in unreadable + [old.path for old in finished[KEEP:]]:
            path.unlink(missing_ok=True)
