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

from graph.store.db import plain
from queries.registry import get_query

__all__ = ["Rows", "read_named"]


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
