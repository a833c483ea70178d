"""Counts of the graph, per label and relationship type, for the overview and the data page."""

from __future__ import annotations

import neo4j

from graph.db import Database
from graph.schema import EXTRA_LABELS, NODE_KEYS, REL_TYPES

__all__ = ["GraphCounts", "graph_counts"]


class GraphCounts(dict):
    """``{"labels": {label: n}, "relationships": {type: n}, "revenue": total of all orders}``."""


def _counts(tx: neo4j.ManagedTransaction) -> GraphCounts:
    # Labels and types come from the schema's whitelist, so formatting them in is safe; a plain
    # label in MATCH ... count(n) is answered from Neo4j's count store in constant time.
    labels = {label: tx.run(f"MATCH (n:{label}) RETURN count(n) AS n").single()["n"]
              for label in [*NODE_KEYS, *EXTRA_LABELS]}
    relationships = {rel: tx.run(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n").single()["n"]
                     for rel in REL_TYPES}
    revenue = tx.run("MATCH (o:Order) RETURN coalesce(sum(o.total), 0) AS revenue").single()["revenue"]
    return GraphCounts(labels=labels, relationships=relationships, revenue=float(revenue))


def graph_counts(db: Database) -> GraphCounts:
    """Nodes per label, relationships per type and the total order revenue, in one read transaction."""
    return db.read_tx(_counts)
