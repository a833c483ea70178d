"""One load at a time: a lease on a lock node in Neo4j, renewed while the load runs and checked by every batch.

Every load (CLI, Data page, demo, synthetic), on any machine, first MERGEs the one
``(:LoadLock {name: 'load'})`` node, behind a uniqueness constraint so that concurrent MERGEs
meet on a single node, and takes it when it is free or its lease has expired. A load that finds
it held stops with :class:`LoadLockBusy`, saying who holds it and since when. While the load runs
a thread renews the lease (``expires``, server time) every few seconds; a load that crashes stops
renewing it, so its lock is free again :data:`LEASE_S` seconds after its last sign of life, and a
load that ends in any other way deletes the node, so an idle database holds no lock node.

A lease alone would let a load that stalled past its expiry (a suspended laptop, a long GC pause)
write beside the load that took over. So every batch ends by taking the lock node's write lock
and checking that it still holds the lease (:meth:`Lease.fence`): a takeover is a write to the
same node, so either the batch commits first, and the next load sees its rows, or the batch
sees that it lost the lease and rolls back with :class:`LoadLockLost`. That is what makes the
writer's CREATE-into-an-empty-type safe: while a load holds the lease, nothing else loads.
Wiping the database deletes the lock too; the load that held it then stops at its next batch.
"""

from __future__ import annotations

import getpass
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph.errors import UserError
from graph.store.db import Database

__all__ = ["LEASE_S", "Lease", "LoadLockBusy", "LoadLockLost", "current_load", "load_lock"]

LEASE_S = 30.0
RENEW_S = 5.0
NAME = "load"

_TAKE = """
MERGE (l:LoadLock {name: $name})
SET l.attempt = $token"""  # a write: the node's lock is ours, so what we read next is the latest commit
_READ = """
MATCH (l:LoadLock {name: $name})
RETURN l.holder AS holder, l.who AS who, l.what AS what, l.since AS since,
       l.expires < datetime() AS expired, l.holder IS NULL AS free"""
_CLAIM = """
MATCH (l:LoadLock {name: $name})
SET l.holder = $token, l.who = $who, l.what = $what, l.since = datetime(),
    l.expires = datetime() + duration({seconds: $lease})"""
_RENEW = """
MATCH (l:LoadLock {name: $name})
WHERE l.holder = $token
SET l.expires = datetime() + duration({seconds: $lease})
RETURN count(l) AS held"""
_FENCE = """
MATCH (l:LoadLock {name: $name})
WHERE l.holder = $token
SET l.lastBatch = datetime()
RETURN count(l) AS held"""
_RELEASE = """
MATCH (l:LoadLock {name: $name})
WHERE l.holder = $token
DELETE l"""


class LoadLockBusy(UserError):
    """Another load holds the load lock."""


class LoadLockLost(Exception):
    """This load no longer holds the load lock (its lease expired, or the database was wiped); it stopped."""


@dataclass(frozen=True)
class Holder:
    """Who holds the load lock: ``who`` (user@host, pid), ``what`` they load, ``since`` (server time)."""

    who: str
    what: str
    since: Any

    def __str__(self) -> str:
        since = self.since.iso_format()[:19].replace("T", " ") if hasattr(self.since, "iso_format") else self.since
        return f"{self.what} by {self.who}, since {since} UTC"


class Lease:
    """The load lock, held: renewed by a thread of its own until released."""

    def __init__(self, db: Database, token: str, lease_s: float, renew_s: float):
        self.db, self.token, self.lease_s = db, token, lease_s
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, args=(renew_s,), daemon=True, name="relgraph-lease")
        self._thread.start()

    def _params(self) -> dict[str, Any]:
        return {"name": NAME, "token": self.token, "lease": self.lease_s}

    def _renew(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                held = self.db.write_tx(_count, _RENEW, self._params())
            except (Neo4jError, DriverError):
                continue  # the next renewal may get through; the fence guards the writes meanwhile
            if not held:
                self.lost.set()
                return

    def check(self) -> None:
        """Raise LoadLockLost when a renewal found the lease gone."""
        if self.lost.is_set():
            raise LoadLockLost(f"this load lost the load lock (it was not heard from for {self.lease_s:.0f} s, or "
                               "the database was wiped) and stopped; run it again")

    def fence(self, tx: neo4j.ManagedTransaction) -> None:
        """Last step of every batch: hold the lock node's write lock and check that the lease is still ours."""
        if not _count(tx, _FENCE, self._params()):
            self.lost.set()
        self.check()

    def release(self) -> None:
        """Stop renewing and delete the lock; if Neo4j is gone, the lease runs out on its own."""
        self._stop.set()
        self._thread.join()
        try:
            self.db.write(_RELEASE, self._params())
        except (Neo4jError, DriverError):
            pass


def _count(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    return tx.run(query, params).single()["held"]


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a name
        return str(os.getuid())


def _holder(row: dict[str, Any]) -> Holder:
    return Holder(row["who"] or "?", row["what"] or "a load", row["since"])


def current_load(db: Database) -> Holder | None:
    """The load that holds the lock now, or None (an expired lease counts as free)."""
    rows = db.read(_READ, {"name": NAME})
    if not rows or rows[0]["free"] or rows[0]["expired"]:
        return None
    return _holder(rows[0])


def _try_take(tx: neo4j.ManagedTransaction, token: str, who: str, what: str, lease_s: float) -> Holder | None:
    """Take the lock if it is free or expired; else who holds it. Raises LookupError when it vanished meanwhile."""
    tx.run(_TAKE, name=NAME, token=token).consume()
    row = tx.run(_READ, name=NAME).single()
    if row is None:  # the holder deleted it between our MERGE and our lock on it: try again
        raise LookupError
    if not (row["free"] or row["expired"]):
        return _holder(row.data())
    tx.run(_CLAIM, name=NAME, token=token, who=who, what=what, lease=lease_s).consume()
    return None


@contextmanager
def load_lock(db: Database, what: str, lease_s: float = LEASE_S, renew_s: float = RENEW_S) -> Iterator[Lease]:
    """Hold the load lock while the block runs; LoadLockBusy when another load holds it.

    `what` says what is being loaded, for the message another load gets ("relgraph load csv
    DIR", "upload on the Data page"). Needs the schema's constraint on ``LoadLock.name``.
    """
    token = uuid.uuid4().hex
    who = f"{_user()}@{socket.gethostname()} (pid {os.getpid()})"
    for _ in range(10):
        try:
            holder = db.write_tx(_try_take, token, who, what, lease_s)
            break
        except LookupError:
            continue
    else:
        raise LoadLockLost("the load lock kept vanishing while being taken; try again")
    if holder is not None:
        raise LoadLockBusy(f"another load is running: {holder}. Wait until it has finished and try again "
                           f"(the lock of a load that crashed is free {lease_s:.0f} s after its last sign of life).")
    lease = Lease(db, token, lease_s, renew_s)
    try:
        yield lease
    finally:
        lease.release()
