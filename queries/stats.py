"""Counts of the graph (per label and relationship type, customers per region, any node at all) for pages and CLI."""

from __future__ import annotations

from collections import Counter
from typing import Literal, NamedTuple

import neo4j

from graph.store.db import Database
from graph.store.schema import EXTRA_LABELS, NODE_KEYS, REL_TYPES

__all__ = ["UNKNOWN_REGION", "CustomerGroup", "GraphCounts", "customers_by_region", "graph_counts", "is_empty"]

UNKNOWN_REGION = "unknown"

# Labels and types come from the schema's whitelist, so formatting them in is safe; a plain label in
# MATCH ... count(n) is answered from Neo4j's count store in constant time, which a label given as a
# parameter (:$(label)) is not.
_LABEL_COUNT = "MATCH (n:{label}) RETURN count(n) AS n"
_TYPE_COUNT = "MATCH ()-[r:{type}]->() RETURN count(r) AS n"
_REVENUE = """
MATCH (o:Order)
RETURN coalesce(sum(o.total), 0) AS revenue
"""
# The lock node of a running load (loaders/lock.py) and the audit trail (graph/audit.py) are no data.
_ANY_NODE = """
RETURN EXISTS {
    MATCH (n)
    WHERE NOT n:LoadLock AND NOT n:AuditEntry AND NOT n:AuditHead
} AS found
"""
# Customers grouped by what places them: a company's region; a person's city and country.
_CUSTOMER_GROUPS = """
MATCH (c:Customer)
RETURN c:Company AS business,
       c.region AS region,
       c.city AS city,
       c.country AS country,
       count(*) AS n
"""
# The regions the companies of each city name: people carry no region of their own.
_CITY_REGIONS = """
MATCH (co:Company)
WHERE co.region IS NOT NULL AND co.city IS NOT NULL
RETURN co.city AS city,
       co.country AS country,
       collect(DISTINCT co.region) AS regions
"""


class GraphCounts(dict):
    """``{"labels": {label: n}, "relationships": {type: n}, "revenue": total of all orders}``."""


def _counts(tx: neo4j.ManagedTransaction) -> GraphCounts:
    labels = {label: tx.run(_LABEL_COUNT.format(label=label)).single()["n"] for label in [*NODE_KEYS, *EXTRA_LABELS]}
    relationships = {rel: tx.run(_TYPE_COUNT.format(type=rel)).single()["n"] for rel in REL_TYPES}
    revenue = tx.run(_REVENUE).single()["revenue"]
    return GraphCounts(labels=labels, relationships=relationships, revenue=float(revenue))


def graph_counts(db: Database) -> GraphCounts:
    """Nodes per label, relationships per type and the total order revenue, in one read transaction."""
    return db.read_tx(_counts)


def is_empty(db: Database) -> bool:
    """Whether the database holds no data at all (a fresh server, or one just wiped), a load's lock and the audit
    trail aside."""
    return not db.read(_ANY_NODE)[0]["found"]


class CustomerGroup(NamedTuple):
    """How many customers of one type (``"people"`` or ``"businesses"``) are in one region."""

    type: Literal["people", "businesses"]
    region: str
    customers: int


def _customers(tx: neo4j.ManagedTransaction) -> list[CustomerGroup]:
    groups = tx.run(_CUSTOMER_GROUPS).data()
    places = tx.run(_CITY_REGIONS).data()
    city_region = {(p["city"], p["country"]): p["regions"][0] for p in places if len(p["regions"]) == 1}
    counts: Counter[tuple[bool, str]] = Counter()
    for g in groups:
        region = g["region"] if g["business"] else city_region.get((g["city"], g["country"]))
        counts[bool(g["business"]), str(region or UNKNOWN_REGION)] += g["n"]
    return [CustomerGroup("businesses" if business else "people", region, n)
            for (business, region), n in sorted(counts.items())]


def customers_by_region(db: Database) -> list[CustomerGroup]:
    """Customers (people and companies that placed an order) counted per type and region.

    A company is in the region it names; a person in the region of their city and country, as the
    companies in that city name it (when they all name the same one). Customers that cannot be placed
    are in :data:`UNKNOWN_REGION`. Rows: people first, then businesses, each by region; one read transaction.
    """
    return db.read_tx(_customers)
