"""The neighbourhood of a node, hop by hop and capped, as plain nodes and edges to draw.

Node ids in a picture are ``"Label:key"`` (``"Person:P-001"``, ``"Product:SKU-1"``): keys are
unique per label only, so the label makes them unique in the picture, and it tells the next
expansion which index to look the node up in.
"""

from __future__ import annotations

from typing import Any, TypedDict

import neo4j

from graph.errors import UserError
from graph.store.db import Database, plain
from graph.store.schema import NODE_KEYS, REL_TYPES
from graph.visual import VisualEdge, VisualNode

__all__ = ["MAX_DEPTH", "Subgraph", "neighbourhood", "node_id", "split_node_id", "visual_node"]

MAX_DEPTH = 3


class Subgraph(TypedDict):
    """Nodes (the start first, then hop by hop), edges between them, and ``omitted``: how many
    relationships to further nodes were not followed because of the node limit."""

    nodes: list[VisualNode]
    edges: list[VisualEdge]
    omitted: int


def node_id(label: str, key: Any) -> str:
    """The picture id of the node with this label and key."""
    return f"{label}:{key}"


def split_node_id(value: str) -> tuple[str, str]:
    """(label, key) of a picture id; UserError when the label is not in the schema."""
    label, _, key = value.partition(":")
    if label not in NODE_KEYS or not key:
        raise UserError(f"Not a node id: {value!r}. Expected Label:key with a label among {', '.join(NODE_KEYS)}.")
    return label, key


def visual_node(labels: list[str], props: dict[str, Any]) -> VisualNode:
    """A driver node's labels and properties as a node to draw, named for a person reading it."""
    label = next((name for name in NODE_KEYS if name in labels), labels[0] if labels else "Node")
    key = props.get(NODE_KEYS.get(label, ""), "")
    name = props.get("name") or (f"{label} {key}" if label != "Interaction" else
                                 f"{props.get('kind') or 'Interaction'} {props.get('date') or key}")
    return VisualNode(id=node_id(label, key), kind=label, name=str(name), properties=plain(props))


def _types(rel_types: list[str] | tuple[str, ...]) -> str:
    unknown = sorted(set(rel_types) - set(REL_TYPES))
    if unknown:
        raise UserError(f"Unknown relationship type(s): {', '.join(unknown)}. Known: {', '.join(REL_TYPES)}.")
    return "|".join(rel_types)


def _hop(tx: neo4j.ManagedTransaction, types: str, frontier: list[str], seen: list[str],
         limit: int) -> list[dict[str, Any]]:
    # Types come from the schema's whitelist (checked in _types), so formatting them in is safe.
    return tx.run(f"""
        UNWIND $frontier AS eid
        MATCH (n) WHERE elementId(n) = eid
        MATCH (n)-[r:{types}]-(m)
        WHERE NOT elementId(m) IN $seen
        RETURN elementId(m) AS eid, labels(m) AS labels, properties(m) AS props,
               elementId(r) AS rid, elementId(startNode(r)) AS source,
               elementId(endNode(r)) AS target, type(r) AS type, properties(r) AS rprops
        LIMIT $limit
        """, frontier=frontier, seen=seen, limit=limit).data()


def _unfollowed(tx: neo4j.ManagedTransaction, types: str, frontier: list[str], seen: list[str]) -> int:
    """How many relationships lead from the frontier to nodes not in the picture."""
    return tx.run(f"""
        UNWIND $frontier AS eid
        MATCH (n) WHERE elementId(n) = eid
        RETURN sum(COUNT {{ (n)-[:{types}]-(m) WHERE NOT elementId(m) IN $seen }}) AS n
        """, frontier=frontier, seen=seen).single()["n"]


def _start(tx: neo4j.ManagedTransaction, label: str, key: str) -> dict[str, Any] | None:
    record = tx.run(f"MATCH (n:{label} {{{NODE_KEYS[label]}: $key}}) "
                    "RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props", key=key).single()
    return record.data() if record else None


def neighbourhood(db: Database, start: str, rel_types: list[str] | tuple[str, ...] = REL_TYPES, depth: int = 1,
                  limit: int = 200) -> Subgraph:
    """The nodes within ``depth`` hops of ``start`` (a picture id) along ``rel_types``, in either direction.

    Hops are read one at a time in one read transaction and stop at ``limit`` nodes, so a hub
    (a retailer with a million orders) costs a bounded read instead of a frozen page. Raises
    UserError for an unknown start node, label or relationship type.
    """
    label, key = split_node_id(start)
    types = _types(rel_types)
    depth = max(1, min(depth, MAX_DEPTH))

    def work(tx: neo4j.ManagedTransaction) -> Subgraph:
        first = _start(tx, label, key)
        if first is None:
            raise UserError(f"No {label} with {NODE_KEYS[label]} {key!r} in the database.")
        ids = {first["eid"]: visual_node(first["labels"], first["props"])}
        edges: dict[str, VisualEdge] = {}
        frontier, omitted = [first["eid"]], 0
        for _ in range(depth):
            room = limit - len(ids)
            if not frontier or not types or room <= 0:
                omitted = _unfollowed(tx, types, frontier, list(ids)) if frontier and types else 0
                break
            rows = _hop(tx, types, frontier, list(ids), room)
            if len(rows) == room:  # capped: count what was left (only then, it reads every relationship)
                omitted = _unfollowed(tx, types, frontier, [*ids, *(row["eid"] for row in rows)])
            frontier = []
            for row in rows:
                if row["eid"] not in ids:
                    ids[row["eid"]] = visual_node(row["labels"], row["props"])
                    frontier.append(row["eid"])
                edges[row["rid"]] = VisualEdge(id=row["rid"], source=ids[row["source"]]["id"],
                                               target=ids[row["target"]]["id"], type=row["type"],
                                               properties=plain(row["rprops"]))
        return Subgraph(nodes=list(ids.values()), edges=list(edges.values()), omitted=omitted)

    return db.read_tx(work)
