"""Named queries composed: several of the library's queries read in one transaction, so they see one snapshot.

The read models (the 360 card, search, the neighbourhood's start) are built from named queries,
so that the card, ``relgraph query NAME`` and the Cypher page give one answer to one question.
They run here without the guard of :func:`queries.execute.run_named`: its EXPLAIN is there for
Cypher a user wrote, while these are the library's own queries, read-only by construction, run
in a read transaction. Their parameters are typed by their headers all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j

from graph.store.db import Database, plain
from queries.registry import get_query, load_queries

__all__ = ["Rows", "plan_named_queries", "read_named"]


@dataclass(frozen=True)
class Rows:
    """A named query's rows as plain data (JSON-ready), and whether a row limit cut some off."""

    rows: list[dict[str, Any]]
    truncated: bool


def read_named(tx: neo4j.ManagedTransaction, name: str, values: Mapping[str, Any] | None = None, *,
               limit: int | None = None) -> Rows:
    """Run the named query ``name`` in the open transaction ``tx``, with ``values`` typed by its header.

    Parameters
    ----------
    tx : a transaction of ``Database.read_tx``; the caller's other queries share it.
    name : the query's name (its file is ``queries/NAME.cypher``).
    values : the query's parameters; defaults are filled in from the header.
    limit : the most rows to keep (None: all); ``truncated`` tells whether more existed.

    Raises
    ------
    UserError
        For an unknown query, or unknown, missing or badly typed parameters.
    """
    query = get_query(name)
    result = tx.run(query.text, query.bind(values or {}))
    rows: list[dict[str, Any]] = []
    truncated = False
    for record in result:
        if limit is not None and len(rows) == limit:
            truncated = True
            break
        rows.append(plain(dict(record)))
    result.consume()
    return Rows(rows=rows, truncated=truncated)


# A value of each parameter type: Neo4j caches a plan per query text and parameter types, and
# does not cache one planned without values.
_PLACEHOLDERS = {"string": "x", "fuzzy": "x", "int": 1, "float": 1.0, "bool": False, "list": []}


def plan_named_queries(db: Database) -> int:
    """Have Neo4j plan every named query now, so that no visitor waits for it: EXPLAIN, which runs nothing.

    After a server start, a query's first run is mostly planning (a card's sections 0.2-1.7 s
    each at a million customers, then 5-60 ms); the app calls this once per process, in the
    background. Returns how many queries were planned.
    """
    queries = list(load_queries().values())

    def work(tx: neo4j.ManagedTransaction) -> None:
        for query in queries:
            values = query.bind({p.name: _PLACEHOLDERS[p.type] for p in query.params})
            tx.run("EXPLAIN " + query.text, values).consume()

    db.read_tx(work)  # one transaction: EXPLAIN reads nothing, so one is as good as 32
    return len(queries)
