"""Projection of Neo4j into NetworkX: the one seam between the database and the analysis.

Analysis modules (risk, reach) take the graphs built here and never talk to the driver, so a
bigger engine (Neo4j GDS, a NetworkX backend) can replace this module without touching them.

Supply network: ``nx.MultiDiGraph`` over every company (node key: company id), node attributes
``name``, ``region``, ``revenue`` (sum of ``total`` over orders SOLD_BY it) and ``customers``
(frozenset of ids of customers who PLACED those orders); one edge supplier -> client per SUPPLIES
relationship, keyed by ``sku``, with ``share`` (share_pct), ``lead_time_days``, ``annual_volume``.

Referral network: ``nx.DiGraph`` over every person and company that takes part in a REFERRED
relationship (node key: person or company id), node attributes ``name``, ``kind`` ("Person" or
"Company") and ``revenue`` (see below); one edge referrer ->
referred with ``converted`` (true when any referral between the pair converted).
A node's ``revenue`` is what counts as referred revenue when it is someone's descendant: the
totals of the orders it placed on or after the date of its earliest converted referral (by
anyone); 0 for a node no one converted. A converted referral without a date counts every order.
"""

from __future__ import annotations

import neo4j
import networkx as nx
import numpy as np

from graph.analysis.reach._arrays import attach_referral_arrays
from graph.gcpause import gc_paused
from graph.store.db import Database

__all__ = ["referral_network", "supply_network"]

# The driver handles every record as a message of its own, about 35 µs each in Python, far more
# than decoding its values: 350,000 referrals took 26 s as records and 1.3 s as lists. So the
# queries collect their rows and send them as lists of rows, _CHUNK rows to a record.
_CHUNK = 50_000
_IN_CHUNKS = """
UNWIND range(0, size(rows) - 1, $chunk) AS at
RETURN rows[at..at + $chunk] AS rows
"""

_COMPANIES = """
MATCH (c:Company)
WITH collect([c.companyId, c.name, c.region]) AS rows
""" + _IN_CHUNKS

_SUPPLIES = """
MATCH (s:Company)-[r:SUPPLIES]->(c:Company)
WITH collect([s.companyId, c.companyId, r.sku, r.sharePct, r.leadTimeDays, r.annualVolume]) AS rows
""" + _IN_CHUNKS

# One record per seller: its customers come as one list already.
_SALES_BY_SELLER = """
MATCH (cust)-[:PLACED]->(o:Order)-[:SOLD_BY]->(c:Company)
WITH c, sum(o.total) AS revenue, collect(DISTINCT coalesce(cust.personId, cust.companyId)) AS customers
RETURN c.companyId AS seller, revenue, customers
"""

_REFERRAL_NODES = """
MATCH (n)-[:REFERRED]-()
WITH DISTINCT n
WITH collect([coalesce(n.personId, n.companyId), n.name, CASE WHEN n:Person THEN 'Person' ELSE 'Company' END]) AS rows
""" + _IN_CHUNKS

# Only customers someone converted have revenue that counts: found from the referrals, not by
# asking every customer (twice as fast as a subquery per node).
_REFERRED_REVENUE = """
MATCH (a)-[r:REFERRED]->(n)
WHERE a <> n AND coalesce(r.converted, true)
WITH n, min(r.date) AS since, count(r.date) < count(r) AS undated
MATCH (n)-[:PLACED]->(o:Order)
WHERE undated OR o.date >= since
WITH n, sum(o.total) AS revenue
WITH collect([coalesce(n.personId, n.companyId), revenue]) AS rows
""" + _IN_CHUNKS

_REFERRALS = """
MATCH (a)-[r:REFERRED]->(b)
WITH collect([coalesce(a.personId, a.companyId), coalesce(b.personId, b.companyId),
              coalesce(r.converted, true)]) AS rows
""" + _IN_CHUNKS


def _rows(tx: neo4j.ManagedTransaction, query: str) -> list[list]:
    """Every row of a query that sends its rows in chunks (see _IN_CHUNKS)."""
    found: list[list] = []
    for record in tx.run(query, chunk=_CHUNK):
        found.extend(record["rows"])
    return found


def supply_network(db: Database) -> nx.MultiDiGraph:
    """The supply network of the database as a MultiDiGraph (see the module docstring)."""
    with gc_paused():
        return db.stream_tx(_build_supply_network)


def _build_supply_network(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph:
    """Build the supply network in one read transaction (one snapshot)."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((company, {"name": name, "region": region, "revenue": 0.0, "customers": frozenset()})
                         for company, name, region in _rows(tx, _COMPANIES))
    graph.add_edges_from((supplier, client, sku, {"sku": sku, "share": float(share), "lead_time_days": lead_time,
                                                  "annual_volume": volume})
                         for supplier, client, sku, share, lead_time, volume in _rows(tx, _SUPPLIES))
    for row in tx.run(_SALES_BY_SELLER):
        node = graph.nodes[row["seller"]]
        node["revenue"] = float(row["revenue"] or 0.0)
        node["customers"] = frozenset(row["customers"])
    return graph


def referral_network(db: Database) -> nx.DiGraph:
    """The referral network of the database as a DiGraph (see the module docstring)."""
    with gc_paused():
        return db.stream_tx(_build_referral_network)


def _build_referral_network(tx: neo4j.ManagedTransaction) -> nx.DiGraph:
    """Build the referral network in one read transaction (one snapshot), with its analysis arrays
    (graph.analysis.reach) made from the numbered rows rather than by walking the graph."""
    revenue = {node: float(total or 0.0) for node, total in _rows(tx, _REFERRED_REVENUE)}
    graph = nx.DiGraph()
    graph.add_nodes_from((node, {"name": name, "kind": kind, "revenue": revenue.get(node, 0.0)})
                         for node, name, kind in _rows(tx, _REFERRAL_NODES))
    index = {node: i for i, node in enumerate(graph)}
    converted: dict[tuple[int, int], bool] = {}  # a pair referred several times: converted when any of them did
    for referrer, referred, done in _rows(tx, _REFERRALS):
        pair = index[referrer], index[referred]
        converted[pair] = converted.get(pair, False) or bool(done)
    nodes = list(graph)
    graph.add_edges_from((nodes[a], nodes[b], {"converted": done}) for (a, b), done in converted.items())
    pairs = np.array(list(converted), dtype=np.int64).reshape(-1, 2)
    attach_referral_arrays(graph, pairs[:, 0], pairs[:, 1], np.fromiter(converted.values(), bool, len(converted)))
    return graph
