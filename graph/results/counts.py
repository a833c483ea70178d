"""The graph's counts (per label, per type, customers per region), stored with each analysis.

The Overview shows them on every first visit, and at a million customers they take seconds to
count (the revenue sums 1.7 M orders, the regions scan every customer); counted once per data
version with the analysis, they are read in milliseconds.
"""

from __future__ import annotations

from graph.results.store import Columns, Stored
from graph.store.db import Database
from queries.stats import CustomerGroup, GraphCounts, customers_by_region
from queries.stats import graph_counts as count_graph

__all__ = ["count_tables", "customer_groups", "graph_counts"]


def count_tables(db: Database) -> dict[str, Columns]:
    """The counts of the database now, as the tables ``counts`` and ``customer_groups``."""
    counts, groups = count_graph(db), customers_by_region(db)
    kinds = [("label", name, n) for name, n in counts["labels"].items()]
    kinds += [("relationship", name, n) for name, n in counts["relationships"].items()]
    kinds.append(("revenue", "", counts["revenue"]))
    return {"counts": {"kind": [k for k, _, _ in kinds], "name": [n for _, n, _ in kinds],
                       "value": [v for _, _, v in kinds]},
            "customer_groups": {"type": [g.type for g in groups], "region": [g.region for g in groups],
                                "customers": [g.customers for g in groups]}}


def graph_counts(stored: Stored) -> GraphCounts:
    """The counts an analysis stored, as queries.stats.graph_counts gave them."""
    table = stored.columns("counts")
    rows = list(zip(table["kind"], table["name"], table["value"], strict=True))
    return GraphCounts(labels={name: int(n) for kind, name, n in rows if kind == "label"},
                       relationships={name: int(n) for kind, name, n in rows if kind == "relationship"},
                       revenue=next(float(v) for kind, _, v in rows if kind == "revenue"))


def customer_groups(stored: Stored) -> list[CustomerGroup]:
    """The customers per type and region an analysis stored, as queries.stats.customers_by_region gave them."""
    table = stored.columns("customer_groups")
    return [CustomerGroup(*row) for row in zip(table["type"], table["region"], table["customers"], strict=True)]
