"""Reachability in the supply network: how many companies each company supplies, directly or not."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx

__all__ = ["downstream_counts"]


def downstream_counts(G: nx.MultiDiGraph) -> dict[Hashable, int]:
    """The number of companies reachable from each company along SUPPLIES, itself excluded.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.

    Returns
    -------
    dict
        Company id -> downstream count, for every company.

    Notes
    -----
    One pass instead of one search per company: the strongly connected components are condensed
    into a DAG, and each component's reachable set is a bitset (a Python int with one bit per
    company) made by OR-ing its successors' sets, in reverse topological order; its count is the
    number of bits set, less one. Components without successors (most clients) are numbered
    first and their sets are never stored; a stored set is dropped once its last predecessor has
    used it. Memory is at most the number of suppliers times n/8 bytes (about 50 MiB for a random
    network of 50,000 companies and 10,000 suppliers).

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    >>> downstream_counts(G)  # b and c are on a cycle: each reaches the other, itself and d
    {'a': 3, 'b': 2, 'c': 2, 'd': 0}
    """
    dag = nx.condensation(G)
    sinks = [i for i in dag if not dag.succ[i]]
    order = sinks + [i for i in reversed(list(nx.topological_sort(dag))) if dag.succ[i]]
    offsets, offset = {}, 0
    for i in order:
        offsets[i] = offset
        offset += len(dag.nodes[i]["members"])

    def own(i: int) -> int:
        return ((1 << len(dag.nodes[i]["members"])) - 1) << offsets[i]

    waiting = dict(dag.in_degree)
    reach: dict[int, int] = {}
    counts: dict[Hashable, int] = {}
    for i in order:
        bits = own(i)
        for j in dag.succ[i]:
            bits |= reach[j] if j in reach else own(j)
            waiting[j] -= 1
            if not waiting[j]:
                reach.pop(j, None)
        if waiting[i] and dag.succ[i]:
            reach[i] = bits
        count = bits.bit_count() - 1
        for company in dag.nodes[i]["members"]:
            counts[company] = count
    return {company: counts[company] for company in G}
