"""The Cypher console's history and favourites, per user, in SQLite beside relgraph's other state.

Stored in ``graph.store.config.state_dir()/console.sqlite3``, outside the session (it survives a
reload and a restart of the app) and outside Neo4j (a write there would change the data version
every cached answer is keyed on). Entries belong to a user: the signed-in user's name, or the one
local user without sign-in. Each run is one entry (the query, its parameters, its named query if
any, when, rows, time, outcome); the newest ``KEEP`` per user are kept. Favourites are named
queries of a user's own, with their parameters; a name is unique per user, and saving under a
name again replaces it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.errors import UserError
from graph.store.config import state_dir

__all__ = ["KEEP", "Entry", "Favourite", "History", "console_history", "first_line"]

KEEP = 200  # entries kept per user
NAME_MAX = 80

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    at TEXT NOT NULL,
    query TEXT NOT NULL,
    named TEXT,
    params TEXT NOT NULL,
    mode TEXT NOT NULL,
    rows INTEGER,
    elapsed_ms REAL,
    outcome TEXT NOT NULL,
    ok INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_user ON entries (user, id);
CREATE TABLE IF NOT EXISTS favourites (
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    params TEXT NOT NULL,
    saved TEXT NOT NULL,
    PRIMARY KEY (user, name)
);
"""


@dataclass(frozen=True)
class Entry:
    """One run: ``params`` is the parameter table as rows ``{name, type, value}``; ``at`` is UTC."""

    id: int
    at: datetime
    query: str
    named: str | None
    params: list[dict[str, str]]
    mode: str
    rows: int | None
    elapsed_ms: float | None
    outcome: str
    ok: bool

    @property
    def title(self) -> str:
        """The named query's name, else the query's first line that is not a comment."""
        if self.named:
            return self.named
        return first_line(self.query)


@dataclass(frozen=True)
class Favourite:
    name: str
    query: str
    params: list[dict[str, str]]
    saved: datetime


def first_line(query: str) -> str:
    """The first line of a query that says something: not blank, not a ``//`` comment.

    >>> first_line("// name: x\\n\\nMATCH (n)\\nRETURN n")
    'MATCH (n)'
    """
    lines = [line.strip() for line in query.splitlines()]
    return next((line for line in lines if line and not line.startswith("//")), lines[0] if lines else "")


class History:
    """The store in the SQLite file ``path`` (created with its tables on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn, conn:
            conn.row_factory = sqlite3.Row
            yield conn

    def record(self, user: str, query: str, params: list[dict[str, str]], *, named: str | None = None,
               mode: str = "run", rows: int | None = None, elapsed_ms: float | None = None, outcome: str = "",
               ok: bool = True) -> int:
        """Add a run to ``user``'s history, keep their newest KEEP, and return the entry's id."""
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO entries (user, at, query, named, params, mode, rows, elapsed_ms, outcome, ok) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (user, _now(), query, named, json.dumps(params), mode, rows, elapsed_ms, outcome, int(ok)))
            conn.execute("DELETE FROM entries WHERE user = ? AND id NOT IN "
                         "(SELECT id FROM entries WHERE user = ? ORDER BY id DESC LIMIT ?)", (user, user, KEEP))
            return int(cursor.lastrowid or 0)

    def recent(self, user: str, limit: int = 50) -> list[Entry]:
        """``user``'s runs, newest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM entries WHERE user = ? ORDER BY id DESC LIMIT ?", (user, limit))
            return [Entry(id=r["id"], at=_when(r["at"]), query=r["query"], named=r["named"],
                          params=json.loads(r["params"]), mode=r["mode"], rows=r["rows"], elapsed_ms=r["elapsed_ms"],
                          outcome=r["outcome"], ok=bool(r["ok"])) for r in rows]

    def clear(self, user: str) -> None:
        """Forget ``user``'s runs (their favourites stay)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM entries WHERE user = ?", (user,))

    def save_favourite(self, user: str, name: str, query: str, params: list[dict[str, str]]) -> Favourite:
        """Save ``query`` with ``params`` as ``user``'s favourite ``name``, replacing one of that name.

        Raises UserError for an empty or overlong name, or an empty query.
        """
        name = " ".join(name.split())
        if not name:
            raise UserError("Give the favourite a name.", field="favourite")
        if len(name) > NAME_MAX:
            raise UserError(f"A favourite's name has at most {NAME_MAX} characters.", field="favourite")
        if not query.strip():
            raise UserError("The editor is empty: write the query to keep first.", field="favourite")
        saved = _now()
        with self._connect() as conn:
            conn.execute("INSERT INTO favourites (user, name, query, params, saved) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (user, name) DO UPDATE SET query = excluded.query, params = excluded.params, "
                         "saved = excluded.saved", (user, name, query, json.dumps(params), saved))
        return Favourite(name=name, query=query, params=params, saved=_when(saved))

    def favourites(self, user: str) -> list[Favourite]:
        """``user``'s favourites by name."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM favourites WHERE user = ? ORDER BY name COLLATE NOCASE", (user,))
            return [Favourite(name=r["name"], query=r["query"], params=json.loads(r["params"]), saved=_when(r["saved"]))
                    for r in rows]

    def favourite(self, user: str, name: str) -> Favourite | None:
        return next((f for f in self.favourites(user) if f.name == name), None)

    def delete_favourite(self, user: str, name: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM favourites WHERE user = ? AND name = ?", (user, name))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def console_history() -> History:
    """The console's store in this deployment's state directory."""
    return History(state_dir() / "console.sqlite3")
