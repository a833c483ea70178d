"""The projected networks as tables of columns, stored beside their analyses.

Reading a network out of Neo4j takes tens of seconds at a million customers; its tables load
from disk in about a second and rebuild the same NetworkX graph, so a question with other
parameters (another threshold, seed set or probability) never projects again. Nodes are numbered
by their row, so edges are integer columns, and the referral network gets its analysis arrays
straight from them.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.analysis.reach._arrays import ReferralArrays, attach_referral_arrays
from graph.analysis.reach._arrays import referral_arrays as arrays_of_graph
from graph.results.store import RowIds, RowPositions, Stored

__all__ = ["Columns", "referral_array_parts", "referral_arrays", "referral_from_tables", "referral_tables",
           "supply_from_tables", "supply_tables"]

Columns = dict[str, list[Any]]
"""A table as named columns of equal length."""

_SUPPLY_EDGE = ("share", "lead_time_days", "annual_volume")


def supply_tables(G: nx.MultiDiGraph) -> dict[str, Columns]:
    """The supply network as tables: ``companies``, ``supplies`` (by company row) and ``sales``
    (one row per seller and distinct customer)."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    attrs = [G.nodes[v] for v in nodes]
    seller, customer = [], []
    for i, a in enumerate(attrs):
        for c in a.get("customers") or ():
            seller.append(i)
            customer.append(c)
    edges = list(G.edges(keys=True, data=True))
    return {
        "companies": {"id": nodes, "name": [a.get("name") for a in attrs], "region": [a.get("region") for a in attrs],
                      "revenue": [float(a.get("revenue") or 0.0) for a in attrs]},
        "supplies": {"supplier": [index[u] for u, _, _, _ in edges], "client": [index[v] for _, v, _, _ in edges],
                     "sku": [k for _, _, k, _ in edges],
                     **{name: [d.get(name) for *_, d in edges] for name in _SUPPLY_EDGE}},
        "sales": {"seller": seller, "customer": customer},
    }


def supply_from_tables(tables: dict[str, Columns]) -> nx.MultiDiGraph:
    """The supply network that :func:`supply_tables` stored."""
    companies, sales = tables["companies"], tables["sales"]
    customers: list[list[str]] = [[] for _ in companies["id"]]
    for i, c in zip(sales["seller"], sales["customer"], strict=True):
        customers[i].append(c)
    G = nx.MultiDiGraph()
    G.add_nodes_from((v, {"name": name, "region": region, "revenue": revenue, "customers": frozenset(bought)})
                     for v, name, region, revenue, bought in zip(companies["id"], companies["name"],
                                                                 companies["region"], companies["revenue"],
                                                                 customers, strict=True))
    ids = companies["id"]
    supplies = tables["supplies"]
    G.add_edges_from(
        (ids[u], ids[v], sku, {"sku": sku, **dict(zip(_SUPPLY_EDGE, values, strict=True))})
        for u, v, sku, *values in zip(supplies["supplier"], supplies["client"], supplies["sku"],
                                      *(supplies[name] for name in _SUPPLY_EDGE), strict=True))
    return G


def referral_tables(G: nx.DiGraph) -> dict[str, Columns]:
    """The referral network as tables: ``people`` (persons and companies) and ``referrals`` (by row)."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    attrs = [G.nodes[v] for v in nodes]
    edges = list(G.edges(data="converted", default=True))
    return {
        "people": {"id": nodes, "name": [a.get("name") for a in attrs], "kind": [a.get("kind") for a in attrs],
                   "revenue": [float(a.get("revenue") or 0.0) for a in attrs]},
        "referrals": {"referrer": [index[u] for u, _, _ in edges], "referred": [index[v] for _, v, _ in edges],
                      "converted": [bool(c) for _, _, c in edges]},
    }


def referral_from_tables(tables: dict[str, Columns]) -> nx.DiGraph:
    """The referral network that :func:`referral_tables` stored, with its analysis arrays attached."""
    people = tables["people"]
    ids = people["id"]
    G = nx.DiGraph()
    G.add_nodes_from((v, {"name": name, "kind": kind, "revenue": revenue})
                     for v, name, kind, revenue in zip(ids, people["name"], people["kind"], people["revenue"],
                                                       strict=True))
    referrals = tables["referrals"]
    G.add_edges_from((ids[u], ids[v], {"converted": bool(c)})
                     for u, v, c in zip(referrals["referrer"], referrals["referred"], referrals["converted"],
                                        strict=True))
    attach_referral_arrays(G, np.array(referrals["referrer"], dtype=np.int64),
                           np.array(referrals["referred"], dtype=np.int64),
                           np.array(referrals["converted"], dtype=bool))
    return G


def referral_array_parts(G: nx.DiGraph) -> dict[str, np.ndarray]:
    """The arrays a simulation on `G` runs on, as flat arrays to store: both CSR matrices and the shared flags."""
    arrays = arrays_of_graph(G)
    return {"ties_indptr": arrays.ties.indptr, "ties_indices": arrays.ties.indices,
            "converted_indptr": arrays.converted.indptr, "converted_indices": arrays.converted.indices,
            "shared": arrays.shared}


def referral_arrays(stored: Stored) -> ReferralArrays:
    """The referral network's arrays as :func:`referral_array_parts` stored them, with node ids read
    from the ``people`` table one at a time: a spread from a few seeds reads a few BLOBs and a few
    rows, however large the network (no NetworkX graph is built)."""
    n = stored.rows["people"]

    def matrix(name: str) -> sp.csr_array:
        indices = stored.array(f"{name}_indices")
        return sp.csr_array((np.ones(len(indices), dtype=np.int8), indices, stored.array(f"{name}_indptr")),
                            shape=(n, n))

    return ReferralArrays(nodes=RowIds(stored, "people"), index=RowPositions(stored, "people"), ties=matrix("ties"),
                          converted=matrix("converted"), shared=stored.array("shared"))
