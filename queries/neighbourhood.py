"""The neighbourhood of a node, hop by hop and capped, as plain nodes and edges to draw.

The start node is found by the named query ``node``. The hops are two query templates that take
the relationship types formatted in, from the schema's whitelist: Neo4j 5.26 accepts a type list
as a parameter (``[r:$any($types)]``), but plans it as an expansion of every relationship of the
node followed by a filter, so a hub with a million orders would read them all to follow its few
SUPPLIES links; a literal type list expands only the relationships of those types.
"""

from __future__ import annotations

from typing import Any, TypedDict

import neo4j

from graph.errors import UserError
from graph.store.db import Database, plain
from graph.store.schema import NODE_KEYS, REL_TYPES
from graph.visual import VisualEdge, VisualNode, split_node_id, visual_node
from queries.compose import read_named

__all__ = ["MAX_DEPTH", "Subgraph", "neighbourhood"]

MAX_DEPTH = 3

# {types} is a whitelisted type list (T1|T2|...) formatted in by _types; everything else is a parameter.
_HOP = """
UNWIND $frontier AS eid
MATCH (n)
WHERE elementId(n) = eid
MATCH (n)-[r:{types}]-(m)
WHERE NOT elementId(m) IN $seen
RETURN elementId(m) AS eid,
       labels(m) AS labels,
       properties(m) AS props,
       elementId(r) AS rid,
       elementId(startNode(r)) AS source,
       elementId(endNode(r)) AS target,
       type(r) AS type,
       properties(r) AS rprops
LIMIT $limit
"""
_UNFOLLOWED = """
UNWIND $frontier AS eid
MATCH (n)
WHERE elementId(n) = eid
RETURN sum(COUNT {{ (n)-[:{types}]-(m) WHERE NOT elementId(m) IN $seen }}) AS n
"""


class Subgraph(TypedDict):
    """Nodes (the start first, then hop by hop), edges between them, and ``omitted``: how many
    relationships to further nodes were not followed because of the node limit."""

    nodes: list[VisualNode]
    edges: list[VisualEdge]
    omitted: int


def _types(rel_types: list[str] | tuple[str, ...]) -> str:
    unknown = sorted(set(rel_types) - set(REL_TYPES))
    if unknown:
        raise UserError(f"Unknown relationship type(s): {', '.join(unknown)}. Known: {', '.join(REL_TYPES)}.")
    return "|".join(rel_types)


def _hop(tx: neo4j.ManagedTransaction, types: str, frontier: list[str], seen: list[str],
         limit: int) -> list[dict[str, Any]]:
    return tx.run(_HOP.format(types=types), frontier=frontier, seen=seen, limit=limit).data()


def _unfollowed(tx: neo4j.ManagedTransaction, types: str, frontier: list[str], seen: list[str]) -> int:
    """How many relationships lead from the frontier to nodes not in the picture."""
    return tx.run(_UNFOLLOWED.format(types=types), frontier=frontier, seen=seen).single()["n"]


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
        found = read_named(tx, "node", {"label": label, "key": key}).rows
        if not found:
            raise UserError(f"No {label} with {NODE_KEYS[label]} {key!r} in the database.")
        first = found[0]["elementId"]
        ids = {first: visual_node(found[0]["node"]["labels"], found[0]["node"]["properties"])}
        edges: dict[str, VisualEdge] = {}
        frontier, omitted = [first], 0
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
