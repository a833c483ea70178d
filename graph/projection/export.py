"""Export of the graph, or of some labels, as GraphML or GEXF for Gephi and friends.

A node's id is ``Label:key`` (``Person:P-001``, ``Product:SKU-1``), as in the app's pictures:
keys are unique per label only, so a product sku and an order id that happen to be equal stay
two nodes. The bare key is kept as the node's ``nodeKey`` attribute (networkx's GEXF writer keeps
``key`` for multigraph edges), beside ``label`` (its labels, ``Customer:Person``) and its properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import neo4j
import networkx as nx

from graph.errors import UserError
from graph.store.db import Database
from graph.store.schema import BOOKKEEPING_LABELS, EXTRA_LABELS, NODE_KEYS

__all__ = ["FORMATS", "export_graph", "to_networkx"]

FORMATS = ("graphml", "gexf")

# relgraph's bookkeeping nodes (the load lock, the audit trail) are not data: never exported.
_NODES = """
MATCH (n)
WHERE ($labels IS NULL OR any(label IN labels(n) WHERE label IN $labels))
  AND NOT any(label IN labels(n) WHERE label IN $bookkeeping)
RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props
"""
_RELATIONSHIPS = """
MATCH (a)-[r]->(b)
WHERE ($labels IS NULL OR (any(label IN labels(a) WHERE label IN $labels)
                           AND any(label IN labels(b) WHERE label IN $labels)))
  AND NOT any(label IN labels(a) + labels(b) WHERE label IN $bookkeeping)
RETURN elementId(a) AS source, elementId(b) AS target, type(r) AS type, properties(r) AS props
"""


def _attribute(value: Any) -> Any:
    """GraphML and GEXF hold strings, numbers and booleans only."""
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime)) or hasattr(value, "iso_format"):
        return value.iso_format() if hasattr(value, "iso_format") else value.isoformat()
    return str(value)


def _attributes(props: dict[str, Any]) -> dict[str, Any]:
    """Properties as attributes, leaving out nulls and the names the export sets itself.

    ``label`` and ``nodeKey`` on nodes, ``relationship`` on edges (the relationship's type: GEXF
    keeps an edge's ``type`` for directed or undirected, so the type cannot be called that).
    """
    return {k: _attribute(v) for k, v in props.items()
            if v is not None and k not in ("label", "nodeKey", "relationship")}


def _node_id(labels: list[str], props: dict[str, Any], eid: str) -> tuple[str, str]:
    """``(Label:key, key)`` by the data model's key (person id, sku, ...), which Gephi users recognise;
    the element id for both when the node has none."""
    for label, key in NODE_KEYS.items():
        if label in labels and key in props:
            return f"{label}:{props[key]}", str(props[key])
    return eid, eid


def to_networkx(db: Database, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The graph (or the nodes carrying any of `labels`, and the relationships between them)."""
    chosen = None if labels is None else sorted(set(labels))
    allowed = set(NODE_KEYS) | set(EXTRA_LABELS)
    if chosen is not None:
        unknown = [label for label in chosen if label not in allowed]
        if unknown:
            raise UserError(f"unknown label {', '.join(unknown)}: choose from {', '.join(sorted(allowed))}",
                            field="labels")
    return db.stream_tx(_build, chosen)


def _build(tx: neo4j.ManagedTransaction, labels: list[str] | None) -> nx.MultiDiGraph:
    """The graph from the rows as they arrive, in one read transaction (one snapshot)."""
    graph = nx.MultiDiGraph()
    ids: dict[str, str] = {}
    for row in tx.run(_NODES, {"labels": labels, "bookkeeping": list(BOOKKEEPING_LABELS)}):
        node, key = _node_id(row["labels"], row["props"], row["eid"])
        ids[row["eid"]] = node
        graph.add_node(node, **_attributes(row["props"]), label=":".join(sorted(row["labels"])), nodeKey=key)
    for row in tx.run(_RELATIONSHIPS, {"labels": labels, "bookkeeping": list(BOOKKEEPING_LABELS)}):
        graph.add_edge(ids[row["source"]], ids[row["target"]], **_attributes(row["props"]), relationship=row["type"])
    return graph


def export_graph(db: Database, fmt: str, path: Path, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """Write the graph to `path` as GraphML or GEXF; return the graph written."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}: choose graphml or gexf", field="format")
    graph = to_networkx(db, labels)
    try:
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}", field="file") from exc
    return graph
