"""Export of the graph, or of some labels, as GraphML or GEXF for Gephi and friends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import UserError
from graph.store.db import Database
from graph.store.schema import EXTRA_LABELS, NODE_KEYS

__all__ = ["FORMATS", "export_graph", "to_networkx"]

FORMATS = ("graphml", "gexf")

_NODES = """
MATCH (n)
WHERE $labels IS NULL OR any(label IN labels(n) WHERE label IN $labels)
RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props
"""
_RELATIONSHIPS = """
MATCH (a)-[r]->(b)
WHERE $labels IS NULL OR (any(label IN labels(a) WHERE label IN $labels)
                          AND any(label IN labels(b) WHERE label IN $labels))
RETURN elementId(a) AS source, elementId(b) AS target, type(r) AS type, properties(r) AS props
"""


def _attribute(value: Any) -> Any:
    """GraphML and GEXF hold strings, numbers and booleans only."""
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime)) or hasattr(value, "iso_format"):
        return value.iso_format() if hasattr(value, "iso_format") else value.isoformat()
    return str(value)


def _node_id(labels: list[str], props: dict[str, Any], eid: str) -> str:
    """The data model's key (person id, sku, ...), which Gephi users recognise; element id otherwise."""
    for label, key in NODE_KEYS.items():
        if label in labels and key in props:
            return str(props[key])
    return eid


def to_networkx(db: Database, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The graph (or the nodes carrying any of `labels`, and the relationships between them)."""
    chosen = None if labels is None else sorted(set(labels))
    allowed = set(NODE_KEYS) | set(EXTRA_LABELS)
    if chosen is not None:
        unknown = [label for label in chosen if label not in allowed]
        if unknown:
            raise UserError(f"unknown label {', '.join(unknown)}: choose from {', '.join(sorted(allowed))}")
    graph = nx.MultiDiGraph()
    ids: dict[str, str] = {}
    for row in db.stream(_NODES, {"labels": chosen}):
        node = _node_id(row["labels"], row["props"], row["eid"])
        ids[row["eid"]] = node
        graph.add_node(node, label=":".join(sorted(row["labels"])),
                       **{k: _attribute(v) for k, v in row["props"].items() if v is not None})
    for row in db.stream(_RELATIONSHIPS, {"labels": chosen}):
        graph.add_edge(ids[row["source"]], ids[row["target"]], type=row["type"],
                       **{k: _attribute(v) for k, v in row["props"].items() if v is not None})
    return graph


def export_graph(db: Database, fmt: str, path: Path, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """Write the graph to `path` as GraphML or GEXF; return the graph written."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}: choose graphml or gexf")
    graph = to_networkx(db, labels)
    if fmt == "graphml":
        nx.write_graphml(graph, path)
    else:
        nx.write_gexf(graph, path)
    return graph
