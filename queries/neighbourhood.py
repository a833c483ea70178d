"""The network around a node that tells its story, hop by hop, hubs folded, as plain nodes and edges to draw.

The start node is found by the named query ``node``. The hops are query templates that take one
relationship type formatted in, from the schema's whitelist: Neo4j 5.26 accepts a type list as a
parameter (``[r:$any($types)]``), but plans it as an expansion of every relationship of the node
followed by a filter, so a hub with a million orders would read them all to follow its few
SUPPLIES links; a literal type expands only the relationships of that type.
"""

from __future__ import annotations

from typing import TypedDict

import neo4j

from graph.errors import UserError
from graph.store.db import Database, plain
from graph.store.schema import NODE_KEYS, REL_TYPES
from graph.visual import MORE, VisualEdge, VisualNode, split_node_id, visual_node
from queries.compose import read_named

__all__ = ["FOLD_AT", "MAX_DEPTH", "PAGE", "STORY_ORDER", "Subgraph", "fold_id", "story"]

MAX_DEPTH = 3

# What a hop returns of each relationship r followed to a node m (no braces: it is also formatted).
_STEP_ROWS = """
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


class Subgraph(TypedDict):
    """Nodes (the start first, then hop by hop), edges between them, and ``omitted``: how many
    relationships to further nodes were not followed (:func:`story` folds them instead: 0)."""

    nodes: list[VisualNode]
    edges: list[VisualEdge]
    omitted: int


def _check_types(rel_types: list[str] | tuple[str, ...]) -> None:
    unknown = sorted(set(rel_types) - set(REL_TYPES))
    if unknown:
        raise UserError(f"Unknown relationship type(s): {', '.join(unknown)}. Known: {', '.join(REL_TYPES)}.")


# --- the story around an entity: its own things first, hubs folded --------------------------------

FOLD_AT = 12  # a node's neighbours along one relationship type and direction beyond this are folded
PAGE = 20  # how many a click on a folded node opens
# The entity's own story first: orders, what they hold and who sold them, referrals, employer,
# accounts; then the rest. Nodes come out in this order, so a node cap keeps the story.
STORY_ORDER = ("PLACED", "INCLUDES", "SOLD_BY", "REFERRED", "WORKS_AT", "CUSTOMER_OF", "HAD", "WITH", "SUPPLIES",
               "MAKES", "COMPONENT_OF", "LOCATED_IN")
ORDER_PARTS = (("INCLUDES", "out"), ("SOLD_BY", "out"), ("PLACED", "in"))  # an order is drawn with these
_NOUNS = {
    ("PLACED", "out"): "orders", ("PLACED", "in"): "customers", ("INCLUDES", "out"): "products",
    ("INCLUDES", "in"): "orders", ("SOLD_BY", "out"): "sellers", ("SOLD_BY", "in"): "orders",
    ("SUPPLIES", "out"): "clients", ("SUPPLIES", "in"): "suppliers", ("MAKES", "out"): "products",
    ("MAKES", "in"): "makers", ("COMPONENT_OF", "out"): "products it goes into",
    ("COMPONENT_OF", "in"): "components", ("REFERRED", "out"): "referrals", ("REFERRED", "in"): "referrers",
    ("WORKS_AT", "out"): "employers", ("WORKS_AT", "in"): "employees", ("CUSTOMER_OF", "out"): "accounts",
    ("CUSTOMER_OF", "in"): "account customers", ("HAD", "out"): "interactions", ("HAD", "in"): "customers",
    ("WITH", "out"): "companies", ("WITH", "in"): "interactions", ("LOCATED_IN", "out"): "regions",
    ("LOCATED_IN", "in"): "companies",
}
# Degrees per type and direction are read from the store (COUNT of one typed hop), never by
# visiting the relationships. {counts} is built from the whitelisted types by _degree_query.
_DEGREES = """
MATCH (n)
WHERE elementId(n) = $eid
RETURN [{counts}] AS groups
"""
# {pattern} is (n)-[r:TYPE]->(m) or (n)<-[r:TYPE]-(m) with TYPE from the whitelist.
_GROUP = """
MATCH (n)
WHERE elementId(n) = $eid
MATCH {pattern}
WHERE NOT elementId(m) IN $seen""" + _STEP_ROWS


def fold_id(hub: str, rel_type: str, direction: str) -> str:
    """The picture id of the node that stands for ``hub``'s neighbours along one type and direction."""
    return f"{MORE}:{hub}:{rel_type}:{direction}"


def _degree_query(types: tuple[str, ...]) -> str:
    counts = ", ".join(f"{{type: '{t}', out: COUNT {{ (n)-[:{t}]->() }}, inn: COUNT {{ (n)<-[:{t}]-() }}}}"
                       for t in types)
    return _DEGREES.format(counts=counts)


def _group_query(rel_type: str, direction: str) -> str:
    pattern = f"(n)-[r:{rel_type}]->(m)" if direction == "out" else f"(n)<-[r:{rel_type}]-(m)"
    return _GROUP.format(pattern=pattern)


def story(db: Database, start: str, rel_types: list[str] | tuple[str, ...] = REL_TYPES, depth: int = 1,
          pages: dict[str, int] | None = None, limit: int = 400) -> Subgraph:
    """The network around ``start`` (a picture id) that tells its own story, with hubs folded.

    Hop by hop up to ``depth``, each node's relationships are followed one type and direction at a
    time, in :data:`STORY_ORDER` (the entity's orders, their products and sellers, its referrals
    both ways, employer and accounts first). An order is always drawn with its products, its
    seller and its customer, in the same hop. Where a node has more than :data:`FOLD_AT`
    neighbours along one type and direction not yet drawn, they fold into one node,
    :func:`fold_id` (kind ``More``), named like "ABC Electronics · 180 other orders";
    ``pages[fold_id]`` says how many pages of :data:`PAGE` of them to draw instead. The picture
    stops growing at ``limit`` nodes (the rest stay folded), so a hub costs a bounded read.

    Returns the nodes (``start`` first, then in story order), the edges between them, and
    ``omitted`` 0 (what is left out is in the folded nodes). Raises UserError for an unknown start
    node, label or relationship type.
    """
    label, key = split_node_id(start)
    _check_types(rel_types)
    types = tuple(t for t in STORY_ORDER if t in rel_types)
    depth = max(1, min(depth, MAX_DEPTH))
    pages = pages or {}

    def work(tx: neo4j.ManagedTransaction) -> Subgraph:
        found = read_named(tx, "node", {"label": label, "key": key}).rows
        if not found:
            raise UserError(f"No {label} with {NODE_KEYS[label]} {key!r} in the database.")
        first = found[0]["elementId"]
        ids = {first: visual_node(found[0]["node"]["labels"], found[0]["node"]["properties"])}
        edges: dict[str, VisualEdge] = {}
        folds: list[VisualNode] = []
        every = tuple((t, d) for t in types for d in ("out", "in"))
        parts = tuple(g for g in ORDER_PARTS if g[0] in types)

        def follow(eid: str, groups: tuple[tuple[str, str], ...]) -> list[str]:
            """Draw eid's neighbours along each group (or fold them); return the elementIds of new nodes.

            A new order is followed at once along ORDER_PARTS, so its products and seller come
            right after it."""
            hub = ids[eid]
            degrees = tx.run(_degree_query(tuple(t for t in types if any(g[0] == t for g in groups))),
                             eid=eid).single()["groups"]
            fresh: list[str] = []
            for rel_type, direction in groups:
                degree = next((d["out" if direction == "out" else "inn"] for d in degrees if d["type"] == rel_type), 0)
                if not degree:
                    continue
                known = sum(1 for e in edges.values() if e["type"] == rel_type
                            and (e["source"] if direction == "out" else e["target"]) == hub["id"])
                folded = fold_id(hub["id"], rel_type, direction)
                room = max(0, limit - len(ids))
                # A small group is read whole (edges to nodes already drawn too); a folded one
                # page by page, new nodes only.
                small = degree - known <= FOLD_AT
                want = min(degree if small else PAGE * pages.get(folded, 0), room if not small else degree)
                drawn: set[str] = set()
                if want > 0:
                    rows = tx.run(_group_query(rel_type, direction), eid=eid, limit=want,
                                  seen=[] if small else list(ids)).data()
                    for row in rows:
                        new = row["eid"] not in ids
                        if new:
                            ids[row["eid"]] = visual_node(row["labels"], row["props"])
                            fresh.append(row["eid"])
                        edges[row["rid"]] = VisualEdge(id=row["rid"], source=ids[row["source"]]["id"],
                                                       target=ids[row["target"]]["id"], type=row["type"],
                                                       properties=plain(row["rprops"]))
                        drawn.add(row["rid"])
                        if new and ids[row["eid"]]["kind"] == "Order" and groups != parts:
                            fresh += follow(row["eid"], parts)
                shown = len(drawn) if small else known + len(drawn)
                left = degree - shown
                if left > 0:
                    other = "other " if shown else ""
                    noun = _NOUNS.get((rel_type, direction), rel_type.lower())
                    folds.append(VisualNode(id=folded, kind=MORE, name=f"{hub['name']} · {left:,} {other}{noun}",
                                            properties={"hint": f"{left:,} more {noun} of {hub['name']}: click to "
                                                                f"draw the next {min(PAGE, left):,}"}))
                    edges[folded] = VisualEdge(id=f"{folded}:edge", source=hub["id"], target=folded, type="",
                                               properties={})
            return fresh

        frontier = [first]
        for _ in range(depth):
            following: list[str] = []
            for eid in frontier:
                following += follow(eid, every)
            frontier = following
        drawn_nodes = list(ids.values())
        shown = {node["id"] for node in drawn_nodes}
        keep = [fold for fold in folds if fold["id"] not in shown]
        return Subgraph(nodes=drawn_nodes + list({f["id"]: f for f in keep}.values()),
                        edges=list(edges.values()), omitted=0)

    return db.read_tx(work)
