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

from graph.store.db import Database

__all__ = ["referral_network", "supply_network"]

_COMPANIES = """
MATCH (c:Company)
RETURN c.companyId AS id, c.name AS name, c.region AS region
"""

_SUPPLIES = """
MATCH (s:Company)-[r:SUPPLIES]->(c:Company)
RETURN s.companyId AS supplier, c.companyId AS client, r.sku AS sku, r.sharePct AS share,
       r.leadTimeDays AS leadTimeDays, r.annualVolume AS annualVolume
"""

_SALES_BY_SELLER = """
MATCH (cust)-[:PLACED]->(o:Order)-[:SOLD_BY]->(c:Company)
WITH c, sum(o.total) AS revenue, collect(DISTINCT coalesce(cust.personId, cust.companyId)) AS customers
RETURN c.companyId AS seller, revenue, customers
"""


_REFERRAL_NODES = """
MATCH (n:Person|Company)
WHERE EXISTS { (n)-[:REFERRED]-() }
CALL (n) {
  OPTIONAL MATCH (a)-[r:REFERRED]->(n)
  WHERE a <> n AND coalesce(r.converted, true)
  RETURN count(r) AS referrals, min(r.date) AS since, count(r.date) < count(r) AS undated
}
CALL (n, referrals, since, undated) {
  OPTIONAL MATCH (n)-[:PLACED]->(o:Order)
  WHERE referrals > 0 AND (undated OR o.date >= since)
  RETURN sum(o.total) AS revenue
}
RETURN coalesce(n.personId, n.companyId) AS id, n.name AS name,
       CASE WHEN n:Person THEN 'Person' ELSE 'Company' END AS kind, revenue
"""

_REFERRALS = """
MATCH (a)-[r:REFERRED]->(b)
RETURN coalesce(a.personId, a.companyId) AS referrer, coalesce(b.personId, b.companyId) AS referred,
       coalesce(r.converted, true) AS converted
"""


def supply_network(db: Database) -> nx.MultiDiGraph:
    """The supply network of the database as a MultiDiGraph (see the module docstring)."""
    return db.stream_tx(_build_supply_network)


def _build_supply_network(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph:
    """Build the supply network from the rows as they arrive, in one read transaction (one snapshot)."""
    graph = nx.MultiDiGraph()
    for row in tx.run(_COMPANIES):
        graph.add_node(row["id"], name=row["name"], region=row["region"],
                       revenue=0.0, customers=frozenset())
    for row in tx.run(_SUPPLIES):
        graph.add_edge(row["supplier"], row["client"], key=row["sku"], sku=row["sku"],
                       share=float(row["share"]), lead_time_days=row["leadTimeDays"],
                       annual_volume=row["annualVolume"])
    for row in tx.run(_SALES_BY_SELLER):
        node = graph.nodes[row["seller"]]
        node["revenue"] = float(row["revenue"] or 0.0)
        node["customers"] = frozenset(row["customers"])
    return graph


def referral_network(db: Database) -> nx.DiGraph:
    """The referral network of the database as a DiGraph (see the module docstring)."""
    return db.stream_tx(_build_referral_network)


def _build_referral_network(tx: neo4j.ManagedTransaction) -> nx.DiGraph:
    """Build the referral network from the rows as they arrive, in one read transaction (one snapshot)."""
    graph = nx.DiGraph()
    for row in tx.run(_REFERRAL_NODES):
        graph.add_node(row["id"], name=row["name"], kind=row["kind"], revenue=float(row["revenue"] or 0.0))
    for row in tx.run(_REFERRALS):
        a, b, converted = row["referrer"], row["referred"], bool(row["converted"])
        if graph.has_edge(a, b):
            graph[a][b]["converted"] = graph[a][b]["converted"] or converted
        else:
            graph.add_edge(a, b, converted=converted)
    return graph
