"""One driver per process and the read/write helpers everything else uses.

Only managed transactions (`execute_read` / `execute_write`) are used, so the same code works
against a routing cluster (`neo4j+s://`) as against the local server, and transient errors are
retried by the driver.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import neo4j
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, ServiceUnavailable

from graph.errors import Unavailable, UserError
from graph.store.config import Settings, settings_from_env

__all__ = ["Database", "connect", "plain"]

T = TypeVar("T")
_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")  # Bolt: what every query here speaks
_RATE_LIMITED = "Neo.ClientError.Security.AuthenticationRateLimit"


class Database:
    """A driver bound to one database, with read and write helpers on managed transactions.

    `read_tx` and `write_tx` run a unit of work; `read` and `write` one query; `stream_tx` a large
    read whose records are consumed as they arrive. All of them go through `execute_read` /
    `execute_write`, so they are retried on transient errors and routed in a cluster.
    """

    def __init__(self, driver: neo4j.Driver, settings: Settings):
        self.driver = driver
        self.settings = settings

    def _session(self, **kwargs: Any) -> neo4j.Session:
        return self.driver.session(database=self.settings.database, **kwargs)

    def read_tx(self, work: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run `work(tx, *args)` in a read transaction with a timeout, retried on transient errors."""
        fn = neo4j.unit_of_work(timeout=timeout or self.settings.query_timeout)(work)
        with self._session(default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(fn, *args)

    def write_tx(self, work: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run `work(tx, *args)` in a write transaction with a timeout, retried on transient errors."""
        fn = neo4j.unit_of_work(timeout=timeout or self.settings.query_timeout)(work)
        with self._session() as session:
            return session.execute_write(fn, *args)

    def read(self, query: str, params: dict[str, Any] | None = None,
             timeout: float | None = None) -> list[dict[str, Any]]:
        """Rows of a read query as dicts (driver types kept: Node, Relationship, Path)."""
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [dict(record) for record in tx.run(query, params or {})]
        return self.read_tx(work, timeout=timeout)

    def write(self, query: str, params: dict[str, Any] | None = None,
              timeout: float | None = None) -> neo4j.SummaryCounters:
        """Run one write query and return its counters."""
        def work(tx: neo4j.ManagedTransaction) -> neo4j.SummaryCounters:
            return tx.run(query, params or {}).consume().counters
        return self.write_tx(work, timeout=timeout)

    def stream_tx(self, work: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run `work(tx, *args)` over a large read in one managed read transaction, records fetched lazily.

        For the projections, which read millions of rows once and must not hold them twice: `work`
        iterates ``tx.run(...)`` and builds its result as the records arrive, 10,000 at a time, so
        no list of all records is ever made. The timeout is long (at least 600 s) and covers the
        whole transaction, so several reads in it see one snapshot. As with read_tx, a transient
        error retries the whole transaction: `work` must build its result afresh on each call.
        """
        fn = neo4j.unit_of_work(timeout=timeout or max(self.settings.query_timeout, 600))(work)
        with self._session(default_access_mode=neo4j.READ_ACCESS, fetch_size=10_000) as session:
            return session.execute_read(fn, *args)

    def data_version(self) -> str:
        """A token that changes with every committed write: the bookmark a fresh read returns.

        Caches of projections and analyses are keyed on it, so they are invalidated by any load.
        """
        with self._session(default_access_mode=neo4j.READ_ACCESS) as session:
            session.execute_read(lambda tx: tx.run("RETURN 1").consume())
            return ",".join(sorted(session.last_bookmarks().raw_values))

    def server_version(self) -> str:
        rows = self.read("CALL dbms.components() YIELD versions, edition "
                         "RETURN versions[0] AS version, edition")
        return f"{rows[0]['version']} {rows[0]['edition']}"

    def close(self) -> None:
        self.driver.close()


REFUSED_PAUSE = 60.0
"""Seconds during which credentials the server refused are refused here without asking it again."""

_refused: dict[tuple[str, str, str], tuple[float, UserError]] = {}


def connect(settings: Settings | None = None) -> Database:
    """Open a driver and check that Neo4j answers.

    Raises Unavailable (with advice) when it does not answer, UserError when the URI is not a Neo4j
    one or the server refuses the credentials. Refused credentials are remembered for
    :data:`REFUSED_PAUSE` seconds and refused again without a login: a page that reruns, or a
    stale password in a config, must not keep failing logins until the server locks the user
    for every client.
    """
    settings = settings or settings_from_env()
    if settings.uri.partition("://")[0] not in _SCHEMES:
        raise _not_neo4j(settings.uri)
    credentials = (settings.uri, settings.user, settings.password)
    refused_at, refusal = _refused.get(credentials, (-REFUSED_PAUSE, None))
    if refusal is not None and time.monotonic() - refused_at < REFUSED_PAUSE:
        raise refusal
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri, auth=(settings.user, settings.password),
            connection_acquisition_timeout=10, max_connection_lifetime=300,
            # "label/property not in the database yet" is normal before a first load: not worth a warning
            notifications_disabled_classifications=[neo4j.NotificationDisabledClassification.UNRECOGNIZED],
        )
    except (ValueError, ConfigurationError) as exc:
        raise _not_neo4j(settings.uri) from exc
    try:
        driver.verify_connectivity()
    except (AuthError, ClientError) as exc:
        driver.close()
        if not isinstance(exc, AuthError) and exc.code != _RATE_LIMITED:
            raise
        refusal = UserError(
            f"Neo4j at {settings.uri} refused user '{settings.user}'"
            + (" for a while, after too many failed logins" if exc.code == _RATE_LIMITED else ": wrong password?")
            + f". Set NEO4J_USER and NEO4J_PASSWORD; no new login is tried for {REFUSED_PAUSE:.0f} s.")
        _refused[credentials] = (time.monotonic(), refusal)
        raise refusal from exc
    except (ServiceUnavailable, OSError, ValueError) as exc:
        driver.close()
        raise Unavailable(
            f"Neo4j is not reachable at {settings.uri}: start it with `relgraph db start` "
            "(or `make run`), or point NEO4J_URI at your server."
        ) from exc
    return Database(driver, settings)


def _not_neo4j(uri: str) -> UserError:
    return UserError(f"NEO4J_URI {uri!r} is not a Neo4j address: use one such as bolt://127.0.0.1:7687 "
                     "or neo4j+s://xxxx.databases.neo4j.io")


def plain(value: Any) -> Any:
    """A driver value as JSON-ready data: nodes, relationships, paths, temporals, lists, maps."""
    if isinstance(value, neo4j.graph.Node):
        return {"labels": sorted(value.labels), "properties": plain(dict(value))}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, "properties": plain(dict(value))}
    if isinstance(value, neo4j.graph.Path):
        return {"nodes": [plain(n) for n in value.nodes],
                "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value

