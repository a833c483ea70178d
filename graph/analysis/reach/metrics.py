"""Per-customer word-of-mouth measures: referrals, cascade size, depth and revenue, influence, cascade trees."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from graph.analysis.reach._arrays import (
    CELLS,
    adjacency,
    breadth_first,
    every,
    is_converted,
    reachable,
    referral_arrays,
)
from graph.errors import UserError

__all__ = ["Referrer", "referral_metrics", "referral_tree"]


@dataclass(frozen=True)
class Referrer:
    """The word-of-mouth measures of one customer (see :func:`referral_metrics`)."""

    id: Hashable
    name: str | None
    direct_referrals: int
    cascade_size: int
    cascade_depth: int
    referred_revenue: float
    influence: float


def referral_metrics(G: nx.DiGraph, top: int | None = None) -> list[Referrer]:
    """Referrals, cascade size, depth and revenue, and influence of every customer.

    On the converted edges only (self-loops ignored): ``direct_referrals`` is the out-degree,
    ``cascade_size`` the number of descendants (the node itself excluded, also on a cycle),
    ``cascade_depth`` the largest shortest-path distance to a descendant (0 when none),
    ``referred_revenue`` the sum of node ``revenue`` over the descendants (the projection sets
    it to a node's orders on or after its earliest converted referral), and ``influence`` the
    PageRank (alpha 0.85) of the reversed graph, so credit flows from the referred to the
    referrer. Every node of `G` gets a row, nodes without converted referrals included.

    Parameters
    ----------
    G : nx.DiGraph
        The referral network.
    top : int, optional
        Return only the first `top` rows.

    Returns
    -------
    list of Referrer
        Most influential first (ties: larger cascade first, then by id).

    Raises
    ------
    UserError
        If `top` is negative (``field="top"``).

    See Also
    --------
    referral_tree : the descendants of one customer, generation by generation.

    Notes
    -----
    Descendant counts, revenue and depth follow from one bottom-up pass over the nodes whose
    converted descendants form a tree (in a referral forest, nearly all of them): there the
    cascade is the disjoint union of the children's cascades, and the depth is one more than the
    deepest child's. The remaining nodes (on a cycle, or above a node with two converted
    referrers) form a small "core"; breadth-first searches from all core nodes, run together as
    arrays, cover the core only, every tree hanging off it being folded into a weight (size,
    revenue) and a height. The cost is O(n + m) for a forest, plus the total number of core
    nodes that the core nodes reach (at worst quadratic, for a dense tangle of referrals).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edges_from([("ann", "bob"), ("bob", "cat"), ("ann", "dan")], converted=True)
    >>> G.add_edge("dan", "eve", converted=False)
    >>> nx.set_node_attributes(G, 10.0, "revenue")
    >>> [(r.id, r.direct_referrals, r.cascade_size, r.cascade_depth, r.referred_revenue)
    ...  for r in referral_metrics(G, top=2)]
    [('ann', 2, 3, 2, 30.0), ('bob', 1, 1, 1, 10.0)]

    References
    ----------
    .. [1] S. Brin and L. Page, The anatomy of a large-scale hypertextual Web search engine,
       Computer Networks and ISDN Systems 30, 107-117, 1998.
    .. [2] R. Tarjan, Depth-first search and linear graph algorithms, SIAM Journal on Computing
       1(2), 146-160, 1972.
    """
    if top is not None and top < 0:
        raise UserError(f"the number of rows must be 0 or more, got {top}", field="top")
    if len(G) == 0:
        return []
    arrays = referral_arrays(G)
    nodes, converted = arrays.nodes, arrays.converted
    attrs = [G.nodes[v] for v in nodes]
    revenue = np.fromiter((a.get("revenue") or 0.0 for a in attrs), float, len(nodes))
    size, referred_revenue, depth = _cascades(converted, revenue)
    direct = np.diff(converted.indptr)
    influence = _influence(converted)
    keys = [str(v) for v in nodes]
    by_id = np.empty(len(nodes), dtype=np.int64)
    by_id[sorted(range(len(nodes)), key=keys.__getitem__)] = np.arange(len(nodes))
    order = np.lexsort((by_id, -size, -influence))[:top]
    columns = ([nodes[i] for i in order], [attrs[i].get("name") for i in order], direct[order].tolist(),
               size[order].tolist(), depth[order].tolist(), referred_revenue[order].tolist(),
               influence[order].tolist())
    return [Referrer(*row) for row in zip(*columns, strict=True)]


def referral_tree(G: nx.DiGraph, root: Hashable, depth_limit: int | None = None) -> nx.DiGraph:
    """The converted referrals that grew from `root`, as a breadth-first tree, generation by generation.

    Parameters
    ----------
    G : nx.DiGraph
        The referral network.
    root : node
        The customer whose cascade it is.
    depth_limit : int, optional
        Keep the first `depth_limit` generations only (0: the root alone); all of them by default.

    Returns
    -------
    nx.DiGraph
        `root` and its descendants along converted edges (self-loops ignored), each with the node
        attribute ``generation``: 0 for the root, 1 for the customers it referred, 2 for theirs,
        and so on (the shortest distance from the root). Each descendant has one edge in, from
        the customer who first reached it in breadth-first order. Nodes are in breadth-first
        order, nearest generations first. Without `depth_limit`, the descendants are the cascade
        of :func:`referral_metrics` and the largest generation is its depth.

    Raises
    ------
    UserError
        If `root` is not in `G` (``field="root"``) or `depth_limit` is negative
        (``field="depth_limit"``).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edges_from([("ann", "bob"), ("bob", "cat"), ("ann", "dan"), ("bob", "bob")], converted=True)
    >>> G.add_edge("dan", "eve", converted=False)
    >>> dict(referral_tree(G, "ann").nodes(data="generation"))
    {'ann': 0, 'bob': 1, 'dan': 1, 'cat': 2}
    >>> list(referral_tree(G, "ann", depth_limit=1).edges)
    [('ann', 'bob'), ('ann', 'dan')]
    """
    if root not in G:
        raise UserError(f"not in the referral network (no REFERRED relationship): {root}", field="root")
    if depth_limit is not None and depth_limit < 0:
        raise UserError(f"the number of generations must be 0 or more, got {depth_limit}", field="depth_limit")
    referrals = nx.subgraph_view(G, filter_edge=lambda u, v: u != v and is_converted(G[u][v]))
    tree = nx.DiGraph()
    tree.add_node(root, generation=0)
    for u, v in nx.bfs_edges(referrals, root, depth_limit=depth_limit):
        tree.add_node(v, generation=tree.nodes[u]["generation"] + 1)
        tree.add_edge(u, v)
    return tree


def _cascades(A: sp.csr_array, revenue: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Descendant count, descendant revenue and depth of every node of the converted edges `A`, DAG or not."""
    n = A.shape[0]
    src = np.repeat(np.arange(n), np.diff(A.indptr))
    dst = A.indices
    indeg = np.bincount(dst, minlength=n)
    ncomp, component = csgraph.connected_components(A, directed=True, connection="strong")
    on_cycle = np.bincount(component, minlength=ncomp)[component] > 1
    # A node's descendants form a tree unless it reaches a cycle or a node with two parents.
    start = on_cycle.copy()
    start[src[indeg[dst] >= 2]] = True
    core = reachable(A.T.tocsr(), np.flatnonzero(start))
    # Fold the trees bottom-up: each tree node with one parent adds itself to that parent.
    hangs = ~core[dst] & (indeg[dst] == 1)
    parent = np.full(n, -1)
    parent[dst[hangs]] = src[hangs]
    forest = adjacency(n, src[hangs], dst[hangs])
    level = csgraph.dijkstra(forest, indices=np.flatnonzero(parent < 0), unweighted=True, min_only=True)
    weight, rev, height = np.ones(n), revenue.copy(), np.zeros(n, dtype=np.int64)
    by_level = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[by_level], np.arange(int(level.max()) + 2))
    for depth in range(int(level.max()), 0, -1):
        xs = by_level[bounds[depth]:bounds[depth + 1]]
        up = parent[xs]
        np.add.at(weight, up, weight[xs])
        np.add.at(rev, up, rev[xs])
        np.maximum.at(height, up, height[xs] + 1)
    size, referred, depth_of = weight - 1, rev - revenue, height.copy()
    # The core, plus the roots of trees with several parents, searched breadth first from each core node,
    # a batch of core nodes at a time (one column of `seen` each).
    kept = np.flatnonzero(core | (indeg >= 2))
    K = A[kept][:, kept]
    unit_size, unit_revenue, unit_height = weight[kept], rev[kept], height[kept]
    sources = np.flatnonzero(core[kept])
    batch = max(1, CELLS // max(1, len(kept)))
    for begin in range(0, len(sources), batch):
        rows = sources[begin:begin + batch]
        seen = np.zeros((len(kept), len(rows)), dtype=bool)
        node, run, step = breadth_first(K, indeg[kept] >= 2, rows, np.arange(len(rows)), seen,
                                        lambda node, run: every(K.indptr, node, run))
        who = kept[rows]
        size[who] = np.bincount(run, weights=unit_size[node], minlength=len(rows)) - 1
        referred[who] = np.bincount(run, weights=unit_revenue[node], minlength=len(rows)) - revenue[who]
        deepest = np.zeros(len(rows), dtype=np.int64)
        np.maximum.at(deepest, run, step + unit_height[node])
        depth_of[who] = deepest
    return size.astype(np.int64), referred, depth_of


def _influence(A: sp.csr_array) -> np.ndarray:
    """PageRank (alpha 0.85) of every node of `A` with its edges reversed.

    NetworkX's power iteration (``nx.pagerank``: uniform start and teleport, dangling nodes' rank
    spread uniformly, tolerance 1e-6 per node, at most 100 steps) run on the matrix itself: building
    a NetworkX graph of half a million nodes to hand it the same matrix took longer than the iteration.
    """
    n = A.shape[0]
    reverse = A.T.tocsr().astype(float)  # row: the referred, giving credit to their referrers
    out = np.asarray(reverse.sum(axis=1)).ravel()
    weight = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    step = sp.csr_array(sp.diags_array(weight) @ reverse)
    dangling = out == 0
    uniform = np.full(n, 1.0 / n)
    x = uniform
    for _ in range(100):
        previous = x
        x = 0.85 * (x @ step + x[dangling].sum() * uniform) + 0.15 * uniform
        if np.abs(x - previous).sum() < n * 1e-6:
            return x
    raise nx.PowerIterationFailedConvergence(100)
