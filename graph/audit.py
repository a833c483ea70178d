"""The audit trail: every write, load and wipe, by whom, when, from where, and what it changed.

Entries are ``(:AuditEntry)`` nodes in the database itself, so the CLI and every instance of the
app write to, and read, one trail, which is backed up with the data it describes. What is
guaranteed:

- **Recorded.** A write from a Cypher console (the app's, or ``relgraph query --write``) runs
  through :func:`guarded_write`, which adds its entry in the write's own transaction: the write
  commits with its entry or not at all. A failed or refused write is recorded after it rolled
  back. Loads and wipes run in many transactions; :func:`recorded` adds their entry when they end,
  with what they did, or, if they stopped midway, with the error. Only a process killed outright
  (or a Neo4j gone for good) before that leaves a load or wipe unrecorded.
- **Append-only through relgraph.** Nothing in relgraph updates or deletes an entry: ``relgraph db
  wipe`` keeps them. A console write that would change, delete, relabel or add entries, or touch
  the trail's head, is refused and rolled back: before it commits, the trail is read again in the
  same transaction and compared with what it was before the write (:class:`AuditProtected`).
- **Tampering from outside shows.** Entries are numbered from 1 and each carries a SHA-256 hash
  of its content and of the previous entry's hash; an ``(:AuditHead)`` node holds the last number
  and hash. :func:`verify` finds an entry changed, deleted or inserted by anyone who went round
  relgraph (cypher-shell, another driver, with the database password). Someone with that
  password can still rewrite the whole chain consistently: the chain is no signature.

Anyone who may run read-only Cypher can read the trail's nodes; the app shows it to admins only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph.access import Action, User, require
from graph.errors import UserError
from graph.store.db import Database
from graph.store.schema import AUDIT_HEAD, AUDIT_LABEL, audit_schema_statements

__all__ = ["AuditProtected", "Entry", "Via", "describe_query", "entries", "guarded_write", "parse_since", "record",
           "recorded", "verify"]

T = TypeVar("T")
Via = Literal["app", "cli"]
"""Where an action came from: the web app or the command line."""

COUNTERS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted", "properties_set",
            "labels_added", "labels_removed", "indexes_added", "indexes_removed", "constraints_added",
            "constraints_removed", "system_updates")
"""The update counters of a write, as the server reports them (only the non-zero ones are kept)."""

_HEAD = "audit"  # the name of the one (:AuditHead)
# Taking the head's write lock (SET) before reading it makes appends one at a time: each reads the
# number and hash the previous one committed.
_TAKE = f"""
MERGE (h:{AUDIT_HEAD} {{name: $name}})
ON CREATE SET h.seq = 0, h.hash = ''
SET h.seq = h.seq + 1
RETURN h.seq AS seq, h.hash AS prev"""
_APPEND = f"""
MATCH (h:{AUDIT_HEAD} {{name: $name}})
SET h.hash = $entry.hash
CREATE (e:{AUDIT_LABEL})
SET e = $entry"""
_TRAIL = f"""
MATCH (n:{AUDIT_LABEL}|{AUDIT_HEAD})
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS properties, COUNT {{ (n)--() }} AS links
ORDER BY id"""
_ENTRIES = f"""
MATCH (e:{AUDIT_LABEL})
WHERE $since IS NULL OR e.at >= $since
RETURN properties(e) AS e
ORDER BY e.seq DESC
LIMIT $limit"""
_CHAIN = f"""
MATCH (e:{AUDIT_LABEL})
RETURN properties(e) AS e
ORDER BY e.seq"""
_HEAD_STATE = f"""
OPTIONAL MATCH (h:{AUDIT_HEAD} {{name: $name}})
RETURN h.seq AS seq, h.hash AS hash"""

log = logging.getLogger(__name__)


class AuditProtected(UserError):
    """A write would have changed the audit trail, so it was rolled back."""


@dataclass(frozen=True)
class Entry:
    """One entry of the trail.

    ``action`` is ``"write"``, ``"load"`` or ``"wipe"``; ``what`` the query (with its parameters)
    or what was loaded; ``counters`` what changed (a write's update counters; a load's rows and
    what it created); ``error`` why it failed, when ``ok`` is false.
    """

    seq: int
    at: datetime
    who: str
    via: str
    action: str
    what: str
    counters: dict[str, int]
    ok: bool
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The entry as ``relgraph audit --json`` prints it."""
        return {"at": self.at.isoformat(), "who": self.who, "via": self.via, "what": self.what,
                "counters": self.counters, "ok": self.ok}


def _action_name(action: Action) -> str:
    return action.name.lower()


def _hash(fields: dict[str, Any]) -> str:
    """The SHA-256 of an entry's fields (its hash aside) in one canonical JSON form."""
    content = {k: v for k, v in fields.items() if k != "hash"}
    content["at"] = content["at"].astimezone(UTC).isoformat()
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _append(tx: neo4j.ManagedTransaction, user: User, via: Via, action: Action, what: str,
            counters: dict[str, int], ok: bool, error: str | None) -> None:
    """Add one entry in `tx`, chained to the last one, holding the head's lock until `tx` ends."""
    head = tx.run(_TAKE, name=_HEAD).single(strict=True)
    fields: dict[str, Any] = {
        "seq": head["seq"], "prev": head["prev"], "at": datetime.now(UTC), "who": user.name, "via": via,
        "action": _action_name(action), "what": what, "counters": json.dumps(counters, sort_keys=True),
        "ok": ok, "error": error,
    }
    fields["hash"] = _hash(fields)
    tx.run(_APPEND, name=_HEAD, entry={k: v for k, v in fields.items() if v is not None}).consume()


def _ensure_schema(db: Database) -> None:
    """The trail's constraints (no-ops once there), before a first entry is added without a load's ensure_schema."""
    for statement in audit_schema_statements():
        db.write(statement)


def record(db: Database, user: User, via: Via, action: Action, what: str, *, counters: dict[str, int] | None = None,
           ok: bool = True, error: str | None = None) -> None:
    """Add one entry to the trail, in a transaction of its own."""
    _ensure_schema(db)
    db.write_tx(_append, user, via, action, what, dict(counters or {}), ok, error)


@contextmanager
def recorded(db: Database, user: User, via: Via, action: Action, what: str, *,
             unchanged: tuple[type[BaseException], ...] = ()) -> Iterator[dict[str, int]]:
    """Check that `user` may do `action`, run the body, then record it: ok with the counters the body
    put in the yielded dict, or failed with its error.

    An error of a type in `unchanged` means that nothing was written (a folder that did not
    validate, a load lock held by another load): it is not recorded. Raises Forbidden before the
    body runs when the user's role does not allow the action.
    """
    require(user, action)
    counters: dict[str, int] = {}
    try:
        yield counters
    except unchanged:
        raise
    except BaseException as exc:
        _record_failure(db, user, via, action, what, counters, exc)
        raise
    record(db, user, via, action, what, counters=counters)


def _record_failure(db: Database, user: User, via: Via, action: Action, what: str, counters: dict[str, int],
                    exc: BaseException) -> None:
    """Record a failed action; if Neo4j cannot take the entry either, log it rather than hide `exc`."""
    error = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    try:
        record(db, user, via, action, what, counters=counters, ok=False, error=error)
    except (Neo4jError, DriverError) as failure:
        log.warning("could not record in the audit trail that %s failed (%s): %s", what, error, failure)


def _trail(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
    return tx.run(_TRAIL).data()


def _counters(summaries: list[neo4j.ResultSummary]) -> dict[str, int]:
    totals = {name: sum(getattr(s.counters, name) for s in summaries) for name in COUNTERS}
    return {name: n for name, n in totals.items() if n}


class _Watched:
    """A transaction that keeps the results of the statements run in it, to read their counters after."""

    def __init__(self, tx: neo4j.ManagedTransaction):
        self._tx = tx
        self.results: list[neo4j.Result] = []

    def run(self, query: Any, parameters: dict[str, Any] | None = None, **kwargs: Any) -> neo4j.Result:
        result = self._tx.run(query, parameters, **kwargs)
        self.results.append(result)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def counters(self) -> dict[str, int]:
        """The non-zero update counters of the statements run, summed."""
        return _counters([result.consume() for result in self.results])


class _Guarded(Database):
    """The database as a console write sees it: each write transaction is checked and recorded before it commits."""

    def __init__(self, db: Database, user: User, via: Via, text: str, params: dict[str, Any]):
        super().__init__(db.driver, db.settings)
        self.db, self.user, self.via, self.text, self.params = db, user, via, text, params
        self.what = describe_query(text, params)

    def _schema_command(self) -> bool:
        """Whether the server plans the query as a schema or administration command (which cannot change nodes)."""
        try:
            return self.db.read_tx(lambda tx: tx.run("EXPLAIN " + self.text, self.params).consume().query_type) == "s"
        except Neo4jError:  # the write itself will fail, and say why
            return False

    def write_tx(self, work: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        if self._schema_command():  # Neo4j runs those in a transaction of their own: record it once it committed
            counters: dict[str, int] = {}

            def run(tx: neo4j.ManagedTransaction, *more: Any) -> T:
                watched = _Watched(tx)
                out = work(watched, *more)
                counters.update(watched.counters())
                return out

            out = self.db.write_tx(run, *args, timeout=timeout)
            record(self.db, self.user, self.via, Action.WRITE, self.what, counters=counters)
            return out

        def checked(tx: neo4j.ManagedTransaction, *more: Any) -> T:
            before = _trail(tx)
            watched = _Watched(tx)
            out = work(watched, *more)
            if _trail(tx) != before:
                raise AuditProtected(
                    "Refused: this write would change or delete entries of the audit trail "
                    f"(:{AUDIT_LABEL}, :{AUDIT_HEAD}), which only grows; nothing was written. Leave them out "
                    f"(WHERE NOT n:{AUDIT_LABEL}); to delete all data, use `relgraph db wipe --yes`, which keeps "
                    "the trail.")
            _append(tx, self.user, self.via, Action.WRITE, self.what, watched.counters(), True, None)
            return out

        return self.db.write_tx(checked, *args, timeout=timeout)


@contextmanager
def guarded_write(db: Database, user: User, via: Via, text: str,
                  params: dict[str, Any] | None = None) -> Iterator[Database]:
    """The database for one console write of `text`: pass it to queries.execute.run_query(..., write=True).

    Checks that `user` may write (Forbidden otherwise). In the database yielded, each write
    transaction is refused and rolled back if it would change the audit trail, and otherwise
    commits together with its entry (a schema or administration command's entry follows it, since
    Neo4j runs those in transactions of their own, and they cannot change nodes). An error in
    the body is recorded as a failed write.
    """
    require(user, Action.WRITE)
    params = dict(params or {})
    _ensure_schema(db)
    try:
        yield _Guarded(db, user, via, text, params)
    except BaseException as exc:
        _record_failure(db, user, via, Action.WRITE, describe_query(text, params), {}, exc)
        raise


def describe_query(text: str, params: dict[str, Any] | None) -> str:
    """A query as the trail shows it: its text, and its parameters in a Cypher comment."""
    if not params:
        return text
    return f"{text}\n// parameters: {json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)}"


def _entry(fields: dict[str, Any]) -> Entry:
    return Entry(seq=fields["seq"], at=fields["at"].to_native(), who=fields["who"], via=fields["via"],
                 action=fields["action"], what=fields["what"], counters=json.loads(fields["counters"]),
                 ok=fields["ok"], error=fields.get("error"))


def entries(db: Database, since: datetime | None = None, limit: int | None = None) -> list[Entry]:
    """The entries at or after `since` (all when None), newest first, at most `limit` of them."""
    rows = db.read(_ENTRIES, {"since": since, "limit": limit if limit is not None else 2**62})
    return [_entry(row["e"]) for row in rows]


def verify(db: Database) -> list[str]:
    """What is wrong with the chain of entries, in words (an empty list when it is intact)."""
    def read(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [row["e"] for row in tx.run(_CHAIN)], tx.run(_HEAD_STATE, name=_HEAD).single(strict=True).data()

    chain, head = db.read_tx(read)
    problems: list[str] = []
    prev = ""
    for expected, fields in enumerate(chain, start=1):
        seq = fields.get("seq")
        if seq != expected:
            problems.append(f"entry {expected} is missing (the next one is {seq})")
            break
        if fields.get("prev") != prev:
            problems.append(f"entry {seq} does not follow entry {seq - 1}: one of them was changed or replaced")
        content = {key: fields.get(key) for key in ("seq", "prev", "at", "who", "via", "action", "what", "counters",
                                                    "ok", "error")}
        if content["at"] is None or _hash({**content, "at": content["at"].to_native()}) != fields.get("hash"):
            problems.append(f"entry {seq} was changed after it was recorded")
        prev = fields.get("hash") or ""
    last = chain[-1] if chain else {}
    if (head["seq"], head["hash"]) != (last.get("seq"), last.get("hash")):
        problems.append(f"the trail's head names entry {head['seq']} but the trail ends at entry {last.get('seq')}: "
                        "entries at its end were deleted or replaced, or the head was changed")
    return problems


def parse_since(text: str) -> datetime:
    """A ``--since`` value: a date (from its midnight) or a date and time, in UTC unless it names its zone.

    Raises UserError (field ``since``) for anything else.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"expected a date such as 2025-06-01 (or 2025-06-01T09:30), got {text!r}",
                        field="since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
