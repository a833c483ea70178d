"""Word of mouth: referral cascades, influence, expected spread, campaign seeds and communities.

Every function takes the referral network of :func:`graph.projection.referral_network`: an
``nx.DiGraph`` over person and company ids with node attributes ``name``, ``kind`` and ``revenue``
(the sum of the order totals the node placed), and one edge referrer -> referred with
``converted`` (a missing attribute counts as converted). The definitions are those of the design
contract (shared/design.md, "Definitions the tests hold").

A self-loop (someone "referring" themselves) is not a referral: every function ignores it. Cycles
are allowed everywhere: a node is never its own descendant. An empty network gives empty results.

The algorithms work on integer arrays (CSR adjacency, scipy.sparse.csgraph) rather than on the
NetworkX graph, so that they scale to networks of a million customers. The arrays are built once
per graph and kept in ``G.__networkx_cache__``, where NetworkX keeps its backend conversions
(switched by ``nx.config.cache_converted_graphs``): changes made through the graph's methods
(``add_edge`` and the like) clear it, but after setting an edge attribute in place, such as
``G[u][v]["converted"] = False``, clear it yourself with ``G.__networkx_cache__.clear()``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from graph.errors import UserError

__all__ = [
    "CELF_MAX_NODES",
    "RR_MAX_SETS",
    "Campaign",
    "Community",
    "Referrer",
    "Spread",
    "campaign",
    "check_parameters",
    "communities",
    "expected_spread",
    "referral_metrics",
]

CELF_MAX_NODES = 10_000
"""Largest network on which :func:`campaign` uses CELF by default; above it, IMM."""

_CELLS = 1 << 25
"""Most (node, run) cells of a boolean activity matrix held at once (32 MiB)."""

_CACHE_KEY = "relgraph.reach"
"""Key of the arrays of a referral network in its ``__networkx_cache__``."""

_RR_BATCH = 1 << 16
"""Reverse-reachable sets sampled per vectorised batch by IMM."""

RR_MAX_SETS = 1 << 25
"""Most reverse-reachable sets IMM samples per phase (about 0.5 GiB when they are small)."""


class Referrer(NamedTuple):
    """The word-of-mouth measures of one customer (see :func:`referral_metrics`)."""

    id: Hashable
    name: str | None
    direct_referrals: int
    cascade_size: int
    cascade_depth: int
    referred_revenue: float
    influence: float


@dataclass(frozen=True)
class Spread:
    """A Monte Carlo estimate of the expected spread of a seed set (see :func:`expected_spread`)."""

    seeds: list[Hashable]
    expected_spread: float
    stderr: float
    runs: int


@dataclass(frozen=True)
class Campaign:
    """The seeds chosen by :func:`campaign`, their expected spread and the marginal curve.

    ``curve[i]`` is the expected spread of the first ``i + 1`` seeds, so ``curve[-1]`` equals
    ``expected_spread``.
    """

    seeds: list[Hashable]
    expected_spread: float
    stderr: float
    method: str
    curve: list[float]


@dataclass(frozen=True)
class Community:
    """A Louvain community of the referral network and its busiest referrers."""

    size: int
    members: list[Hashable]
    top_referrers: list[Hashable]


def check_parameters(p: float | None = None, runs: int | None = None, k: int | None = None) -> None:
    """Raise UserError unless ``0 <= p <= 1``, ``runs >= 1`` and ``k >= 1`` (None: not checked).

    Examples
    --------
    >>> check_parameters(p=0.1, runs=1000, k=5)
    >>> check_parameters(p=1.5)
    Traceback (most recent call last):
    ...
    graph.errors.UserError: the probability must be between 0 and 1, got 1.5
    """
    if p is not None and not 0 <= p <= 1:
        raise UserError(f"the probability must be between 0 and 1, got {p}")
    if runs is not None and runs < 1:
        raise UserError(f"the number of runs must be 1 or more, got {runs}")
    if k is not None and k < 1:
        raise UserError(f"the number of seeds must be 1 or more, got {k}")


# --- per-customer measures ----------------------------------------------------------------------

def referral_metrics(G: nx.DiGraph, top: int | None = None) -> list[Referrer]:
    """Referrals, cascade size, depth and revenue, and influence of every customer.

    On the converted edges only (self-loops ignored): ``direct_referrals`` is the out-degree,
    ``cascade_size`` the number of descendants (the node itself excluded, also on a cycle),
    ``cascade_depth`` the largest shortest-path distance to a descendant (0 when none),
    ``referred_revenue`` the sum of ``revenue`` over the descendants, and ``influence`` the
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
        If `top` is negative.

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
        raise UserError(f"--top must be 0 or more, got {top}")
    if len(G) == 0:
        return []
    nodes, _, _, A, _ = _ties(G)
    attrs = [G.nodes[v] for v in nodes]
    revenue = np.fromiter((a.get("revenue") or 0.0 for a in attrs), float, len(nodes))
    size, referred_revenue, depth = _cascades(A, revenue)
    direct = np.diff(A.indptr)
    influence = _influence(A)
    order = np.lexsort((np.array([str(v) for v in nodes]), -size, -influence))[:top]
    columns = ([nodes[i] for i in order], [attrs[i].get("name") for i in order], direct[order].tolist(),
               size[order].tolist(), depth[order].tolist(), referred_revenue[order].tolist(),
               influence[order].tolist())
    return list(map(Referrer._make, zip(*columns, strict=True)))


def _cascades(A: sp.csr_array, revenue: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Descendant count, descendant revenue and depth of every node of the DAG-or-not `A`."""
    n = A.shape[0]
    src = np.repeat(np.arange(n), np.diff(A.indptr))
    dst = A.indices
    indeg = np.bincount(dst, minlength=n)
    ncomp, component = csgraph.connected_components(A, directed=True, connection="strong")
    on_cycle = np.bincount(component, minlength=ncomp)[component] > 1
    # A node's descendants form a tree unless it reaches a cycle or a node with two parents.
    start = on_cycle.copy()
    start[src[indeg[dst] >= 2]] = True
    core = _reachable(A.T.tocsr(), np.flatnonzero(start))
    # Fold the trees bottom-up: each tree node with one parent adds itself to that parent.
    hangs = ~core[dst] & (indeg[dst] == 1)
    parent = np.full(n, -1)
    parent[dst[hangs]] = src[hangs]
    forest = _adjacency(n, src[hangs], dst[hangs])
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
    batch = max(1, _CELLS // max(1, len(kept)))
    for begin in range(0, len(sources), batch):
        rows = sources[begin:begin + batch]
        seen = np.zeros((len(kept), len(rows)), dtype=bool)
        node, run, step = _cascade(K, indeg[kept] >= 2, rows, np.arange(len(rows)), seen,
                                   lambda node, run: _every(K.indptr, node, run))
        who = kept[rows]
        size[who] = np.bincount(run, weights=unit_size[node], minlength=len(rows)) - 1
        referred[who] = np.bincount(run, weights=unit_revenue[node], minlength=len(rows)) - revenue[who]
        deepest = np.zeros(len(rows), dtype=np.int64)
        np.maximum.at(deepest, run, step + unit_height[node])
        depth_of[who] = deepest
    return size.astype(np.int64), referred, depth_of


def _influence(A: sp.csr_array) -> np.ndarray:
    """PageRank (alpha 0.85) of every node of `A` with its edges reversed."""
    n = A.shape[0]
    H = nx.DiGraph()
    H.add_nodes_from(range(n))
    referrers = np.repeat(np.arange(n), np.diff(A.indptr))
    H.add_edges_from(zip(A.indices.tolist(), referrers.tolist(), strict=True))
    rank = nx.pagerank(H, alpha=0.85)
    return np.fromiter((rank[i] for i in range(n)), float, n)


# --- independent cascade ------------------------------------------------------------------------

def expected_spread(G: nx.DiGraph, seeds: Iterable[Hashable], p: float, runs: int = 1000,
                    seed: int | None = None) -> Spread:
    """Expected number of customers a seed set reaches under the independent cascade model.

    Every REFERRED edge is a tie, converted or not. In each run, the seeds are active; each newly
    active node gets one chance to activate each inactive out-neighbour, with probability `p`.
    The spread of a run is the number of active nodes at the end, seeds included.

    Parameters
    ----------
    G : nx.DiGraph
        The referral network.
    seeds : iterable of node ids
        The initially active customers (duplicates count once).
    p : float
        Activation probability of a tie, in [0, 1].
    runs : int, default 1000
        Monte Carlo runs.
    seed : int, optional
        Seed of the random numbers: the same seed gives the same estimate.

    Returns
    -------
    Spread
        The mean spread over the runs and its standard error (0 when ``runs == 1``).

    Raises
    ------
    UserError
        If a seed is not in `G`, `p` is outside [0, 1] or `runs` is less than 1.

    Notes
    -----
    All runs are simulated at once, breadth first: the frontier is an array of (node, run) pairs,
    and the (edge, run) pairs leaving it that succeed are drawn directly, by geometric jumps
    between successes (about p draws per edge tried instead of one). A run only ever touches the
    part of the network reachable from the seeds, so the simulation is restricted to it first.

    Examples
    --------
    >>> star = nx.DiGraph([("hub", i) for i in range(4)])
    >>> expected_spread(star, ["hub"], p=1.0).expected_spread
    5.0
    >>> estimate = expected_spread(star, ["hub"], p=0.5, runs=10_000, seed=1)  # exactly 1 + 4 * 0.5
    >>> round(estimate.expected_spread, 1), round(estimate.stderr, 2)
    (3.0, 0.01)

    References
    ----------
    .. [1] D. Kempe, J. Kleinberg and E. Tardos, Maximizing the spread of influence through a
       social network, KDD 2003, 137-146.
    """
    check_parameters(p=p, runs=runs)
    chosen = list(dict.fromkeys(seeds))
    unknown = [s for s in chosen if s not in G]
    if unknown:
        raise UserError("not in the referral network (no REFERRED relationship): "
                        + ", ".join(map(str, unknown)))
    _, index, A, _, shared = _ties(G)
    sources = np.unique(np.array([index[s] for s in chosen], dtype=np.int64))
    spreads = _simulate(A, shared, sources, p, runs, np.random.default_rng(seed))
    return Spread(chosen, *_mean_and_stderr(spreads), runs)


def _simulate(A: sp.csr_array, shared: np.ndarray, sources: np.ndarray, p: float, runs: int,
              rng: np.random.Generator) -> np.ndarray:
    """The spread of each of `runs` independent cascades from `sources` (sorted, distinct).

    `shared` flags the nodes of `A` with two or more edges in (see :func:`_cascade`).
    """
    if len(sources) == 0:
        return np.zeros(runs, dtype=np.int64)
    area, _, _ = _cascade(A, shared, *_everywhere(sources, 1), np.zeros((A.shape[0], 1), dtype=bool),
                          lambda node, run: _every(A.indptr, node, run))
    area.sort()
    sub, shared = A[area][:, area], shared[area]
    local = np.searchsorted(area, sources)
    batch = max(1, _CELLS // len(area))
    spreads = []
    for begin in range(0, runs, batch):
        width = min(batch, runs - begin)
        active = np.zeros((len(area), width), dtype=bool)
        _, run_of, _ = _cascade(sub, shared, *_everywhere(local, width), active,
                                lambda node, run: _coins(sub.indptr, node, run, p, rng))
        spreads.append(np.bincount(run_of, minlength=width))
    return np.concatenate(spreads)


def _mean_and_stderr(values: np.ndarray) -> tuple[float, float]:
    if len(values) < 2:
        return float(values.mean()), 0.0
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


# --- campaign -----------------------------------------------------------------------------------

def campaign(G: nx.DiGraph, k: int, p: float, runs: int = 1000, seed: int | None = None,
             method: str = "auto", epsilon: float = 0.5) -> Campaign:
    """Choose `k` seeds that maximise the expected spread (see :func:`expected_spread`).

    Parameters
    ----------
    G : nx.DiGraph
        The referral network.
    k : int
        Number of seeds (all nodes when `G` has `k` or fewer).
    p : float
        Activation probability of a tie, in [0, 1].
    runs : int, default 1000
        Monte Carlo runs, for CELF's estimates and for the reported spread.
    seed : int, optional
        Seed of the random numbers: the same seed gives the same campaign.
    method : {"auto", "celf", "imm"}
        "auto" picks CELF on networks of at most :data:`CELF_MAX_NODES` nodes, IMM above.
    epsilon : float, default 0.5
        IMM's accuracy: smaller is closer to greedy and costs about 1 / epsilon**2 samples.

    Returns
    -------
    Campaign
        The seeds in the order chosen, the expected spread of all of them and the marginal
        curve, all estimated as :func:`expected_spread` does with the same `runs` and `seed`.

    Raises
    ------
    UserError
        If `k` or `runs` is less than 1, `p` is outside [0, 1], `epsilon` is not positive or the
        method is unknown.

    Notes
    -----
    CELF [1]_ is the greedy algorithm with lazy evaluation of marginal gains. Here it runs on
    `runs` live-edge samples of the network fixed in advance (each edge kept with probability
    `p`, which gives the same spread distribution as the cascade [2]_): the estimated spread is
    then a coverage function, monotone and submodular, so the lazy evaluation is exact and CELF
    returns what the plain greedy algorithm returns on the same samples.

    IMM [3]_ samples random reverse-reachable sets [4]_ (the customers who would have activated a
    random customer) until a martingale bound guarantees a (1 - 1/e - epsilon) approximation
    with probability 1 - 1/n, then picks the greedy maximum coverage of those sets. The final
    sets are sampled afresh, as corrected in [5]_. Its cost grows with the size of the network
    and shrinks as the spread grows: at most :data:`RR_MAX_SETS` sets are sampled per phase,
    which only binds (and weakens the guarantee) when tiny spreads meet millions of customers.

    Examples
    --------
    >>> G = nx.DiGraph([("a", i) for i in range(5)] + [("b", i) for i in range(5, 8)])
    >>> result = campaign(G, 2, p=1.0, runs=10, seed=1)
    >>> result.seeds, result.expected_spread, result.curve, result.method
    (['a', 'b'], 10.0, [6.0, 10.0], 'celf')

    References
    ----------
    .. [1] J. Leskovec, A. Krause, C. Guestrin, C. Faloutsos, J. VanBriesen and N. Glance,
       Cost-effective outbreak detection in networks, KDD 2007, 420-429.
    .. [2] D. Kempe, J. Kleinberg and E. Tardos, Maximizing the spread of influence through a
       social network, KDD 2003, 137-146.
    .. [3] Y. Tang, Y. Shi and X. Xiao, Influence maximization in near-linear time: a martingale
       approach, SIGMOD 2015, 1539-1554.
    .. [4] C. Borgs, M. Brautbar, J. Chayes and B. Lucier, Maximizing social influence in nearly
       optimal time, SODA 2014, 946-957.
    .. [5] W. Chen, An issue in the martingale analysis of the influence maximization algorithm
       IMM, arXiv:1808.09363, 2018.
    """
    check_parameters(p=p, runs=runs, k=k)
    if method not in ("auto", "celf", "imm"):
        raise UserError(f"unknown campaign method {method!r}: use auto, celf or imm")
    if not epsilon > 0:
        raise UserError(f"epsilon must be positive, got {epsilon}")
    nodes, _, A, _, shared = _ties(G)
    n = len(nodes)
    if method == "auto":
        method = "celf" if n <= CELF_MAX_NODES else "imm"
    rng = np.random.default_rng(seed)
    if k >= n:
        chosen = list(range(n))
    elif method == "celf":
        chosen = _celf(A, shared, k, p, runs, rng)
    else:
        chosen = _imm(A, k, p, epsilon, rng)
    curve, stderr = [], 0.0
    for i in range(1, len(chosen) + 1):
        spreads = _simulate(A, shared, np.sort(chosen[:i]), p, runs, np.random.default_rng(seed))
        mean, stderr = _mean_and_stderr(spreads)
        curve.append(mean)
    return Campaign([nodes[i] for i in chosen], curve[-1] if curve else 0.0, stderr, method, curve)


def _celf(A: sp.csr_array, shared: np.ndarray, k: int, p: float, runs: int,
          rng: np.random.Generator) -> list[int]:
    """CELF greedy on `runs` live-edge samples of `A` drawn up front."""
    n = A.shape[0]
    live = rng.random((A.nnz, runs)) < p
    covered = np.zeros((n, runs), dtype=bool)

    def cross(node: np.ndarray, run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pos, run = _every(A.indptr, node, run)
        alive = live.reshape(-1)[pos * runs + run]
        return pos[alive], run[alive]

    def gain(v: int) -> int:
        """Pairs (node, run) that `v` newly covers; `covered` is left as it was."""
        node, run, _ = _cascade(A, shared, *_everywhere(np.array([v]), runs), covered, cross)
        covered.reshape(-1)[node * runs + run] = False
        return node.size

    heap = [(-gain(v), v, 0) for v in range(n)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < k:
        _, v, fresh_at = heapq.heappop(heap)
        if fresh_at == len(chosen):
            _cascade(A, shared, *_everywhere(np.array([v]), runs), covered, cross)
            chosen.append(v)
        else:
            heapq.heappush(heap, (-gain(v), v, len(chosen)))
    return chosen


def _imm(A: sp.csr_array, k: int, p: float, epsilon: float, rng: np.random.Generator) -> list[int]:
    """IMM (Tang, Shi and Xiao 2015, with Chen's 2018 correction), ell = 1; needs k < n."""
    n = A.shape[0]
    reverse = A.T.tocsr()
    ell = 1 + math.log(2) / math.log(n)
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    eps = math.sqrt(2) * epsilon
    lam = (2 + 2 * eps / 3) * (log_choose + ell * math.log(n) + math.log(math.log2(n))) * n / eps**2
    samples = _RRSets(reverse, p, rng)
    lower = float(k)  # the seeds themselves
    for i in range(1, int(math.log2(n))):
        x = n / 2**i
        samples.grow(min(math.ceil(lam / x), RR_MAX_SETS))
        _, fraction = samples.max_coverage(k)
        if n * fraction >= (1 + eps) * x:
            lower = max(lower, n * fraction / (1 + eps))
            break
    alpha = math.sqrt(ell * math.log(n) + math.log(2))
    beta = math.sqrt((1 - 1 / math.e) * (log_choose + ell * math.log(n) + math.log(2)))
    theta = math.ceil(2 * n * ((1 - 1 / math.e) * alpha + beta) ** 2 / epsilon**2 / lower)
    final = _RRSets(reverse, p, rng)
    final.grow(min(theta, RR_MAX_SETS))
    return final.max_coverage(k)[0]


class _RRSets:
    """Random reverse-reachable sets of a network, stored as (set, node) pairs."""

    def __init__(self, reverse: sp.csr_array, p: float, rng: np.random.Generator):
        self.reverse, self.p, self.rng = reverse, p, rng
        self.count = 0
        self.sets: list[np.ndarray] = []
        self.nodes: list[np.ndarray] = []

    def grow(self, total: int) -> None:
        """Sample sets until there are `total`, a batch at a time."""
        n = self.reverse.shape[0]
        while self.count < total:
            size = min(_RR_BATCH, total - self.count)
            node = self.rng.integers(n, size=size)
            key = np.arange(size, dtype=np.int64) * n + node
            seen = key
            while key.size:
                self.sets.append((key // n + self.count).astype(np.int32))
                self.nodes.append((key % n).astype(np.int32))
                pos, owner = _coins(self.reverse.indptr, key % n, key // n, self.p, self.rng)
                key = _distinct(owner * n + self.reverse.indices[pos])
                at = np.searchsorted(seen, key)
                key = key[seen[np.minimum(at, len(seen) - 1)] != key]
                seen = np.sort(np.concatenate((seen, key)))
            self.count += size

    def max_coverage(self, k: int) -> tuple[list[int], float]:
        """Greedy `k` nodes covering the most sets, and the fraction of sets they cover."""
        n = self.reverse.shape[0]
        sets, nodes = np.concatenate(self.sets), np.concatenate(self.nodes)
        by_node = np.argsort(nodes, kind="stable")
        node_ptr = np.concatenate(([0], np.cumsum(np.bincount(nodes, minlength=n))))
        by_set = np.argsort(sets, kind="stable")
        set_ptr = np.concatenate(([0], np.cumsum(np.bincount(sets, minlength=self.count))))
        members = nodes[by_set]
        counts = np.bincount(nodes, minlength=n)
        covered = np.zeros(self.count, dtype=bool)
        chosen = []
        for _ in range(k):
            v = int(np.argmax(counts))
            chosen.append(v)
            hit = sets[by_node[node_ptr[v]:node_ptr[v + 1]]]
            hit = hit[~covered[hit]]
            covered[hit] = True
            counts -= np.bincount(members[_ranges(set_ptr, hit)[0]], minlength=n)
            counts[chosen] = -1
        return chosen, float(covered.mean())


# --- communities --------------------------------------------------------------------------------

def communities(G: nx.DiGraph, seed: int | None = None, top: int = 3) -> list[Community]:
    """Louvain communities of the referral network, each with its top referrers.

    Parameters
    ----------
    G : nx.DiGraph
        The referral network, taken as undirected (all edges, self-loops ignored).
    seed : int, optional
        Seed of Louvain's random node order: the same seed gives the same communities.
    top : int, default 3
        Referrers listed per community: its members with the most converted referrals (at least
        one), most first, ties by id.

    Returns
    -------
    list of Community
        Largest first (ties by smallest member id); members sorted as the referrers are.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("x", "y"), ("x", "z")])
    >>> [(c.size, c.top_referrers) for c in communities(G, seed=1, top=1)]
    [(3, ['a']), (3, ['x'])]

    References
    ----------
    .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, Fast unfolding of
       communities in large networks, J. Stat. Mech. 2008, P10008.
    """
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v) for u, v in G.edges if u != v)
    referrals = {v: sum(1 for w, c in G.succ[v].items() if w != v and c.get("converted", True)) for v in G}
    found = []
    for part in nx.community.louvain_communities(U, seed=seed):
        members = sorted(part, key=lambda v: (-referrals[v], str(v)))
        found.append(Community(len(members), members, [v for v in members[:top] if referrals[v] > 0]))
    found.sort(key=lambda c: (-c.size, min(str(v) for v in c.members)))
    return found


# --- arrays -------------------------------------------------------------------------------------

class _Ties(NamedTuple):
    """A referral network as arrays: node ids, their numbers, and CSR adjacency of the ties."""

    nodes: list[Hashable]
    index: dict[Hashable, int]
    ties: sp.csr_array
    converted: sp.csr_array
    shared: np.ndarray
    """Flags the nodes with two or more ties in."""


def _ties(G: nx.DiGraph) -> _Ties:
    """`G` as arrays (self-loops left out), kept in ``G.__networkx_cache__`` like a backend graph."""
    cache = G.__networkx_cache__ if nx.config.cache_converted_graphs else {}
    if _CACHE_KEY not in cache:
        nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        src, dst, converted = [], [], []
        for u, ties in G.succ.items():
            for v, attrs in ties.items():
                if u != v:
                    src.append(index[u])
                    dst.append(index[v])
                    converted.append(bool(attrs.get("converted", True)))
        src, dst = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)
        converted = np.array(converted, dtype=bool)
        cache[_CACHE_KEY] = _Ties(nodes, index, _adjacency(len(nodes), src, dst),
                                  _adjacency(len(nodes), src[converted], dst[converted]),
                                  np.bincount(dst, minlength=len(nodes)) > 1)
    return cache[_CACHE_KEY]


def _adjacency(n: int, src: np.ndarray, dst: np.ndarray) -> sp.csr_array:
    """CSR adjacency matrix (row: source) of n nodes."""
    return sp.csr_array((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of `keys` (np.unique, without its overhead)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys


def _bernoulli(total: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions in ``range(total)``, each drawn independently with probability `p`.

    The gaps between successive successes of Bernoulli trials are geometric, so about
    ``total * p`` draws suffice.
    """
    if total == 0 or p == 0:
        return np.zeros(0, dtype=np.int64)
    if p == 1:
        return np.arange(total)
    expected = total * p
    pos = np.cumsum(rng.geometric(p, size=int(expected + 4 * math.sqrt(expected)) + 16)) - 1
    while pos[-1] < total:
        pos = np.concatenate((pos, pos[-1] + np.cumsum(rng.geometric(p, size=int(expected) + 16))))
    return pos[:np.searchsorted(pos, total)]


def _coins(ptr: np.ndarray, rows: np.ndarray, tags: np.ndarray, p: float,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The entries of `rows` of a CSR structure that succeed with probability `p`, with their row's tag.

    Returns their positions and the tags of the rows they belong to (a row may appear several
    times, each time with its own coins).
    """
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    ends = np.cumsum(counts)
    hit = _bernoulli(int(ends[-1]) if len(ends) else 0, p, rng)
    row = np.searchsorted(ends, hit, side="right")
    return hit + (starts - ends + counts)[row], tags[row]


def _ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the entries of `rows` in a CSR structure with row pointer `ptr`, and per-row counts."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total) + np.repeat(starts - ends + counts, counts), counts


def _every(ptr: np.ndarray, rows: np.ndarray, tags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of all the entries of `rows` in a CSR structure, with their row's tag."""
    pos, counts = _ranges(ptr, rows)
    return pos, np.repeat(tags, counts)


def _reachable(A: sp.csr_array, sources: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes reachable from `sources` (themselves included)."""
    if len(sources) == 0:
        return np.zeros(A.shape[0], dtype=bool)
    return np.isfinite(csgraph.dijkstra(A, indices=sources, unweighted=True, min_only=True))


def _cascade(A: sp.csr_array, shared: np.ndarray, node: np.ndarray, run: np.ndarray, active: np.ndarray,
             cross: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first spread from the pairs (node, run), in all runs (columns of `active`) at once.

    ``cross(node, run)`` gives the CSR positions and runs of the edges that the frontier pairs
    (node, run) activate. The boolean matrix `active` is updated in place; the newly active
    pairs are returned with the step at which each became active (0 for the starting pairs).
    A pair can be reached twice in one step only through a node flagged in `shared` (two or
    more edges in), so only those are checked for repeats.
    """
    runs = active.shape[1]
    cells = active.reshape(-1)
    merging = shared.any()
    found_nodes, found_runs = [], []
    while node.size:
        cell = node * runs + run
        fresh = ~cells[cell]
        if merging:
            fresh[fresh] = _first(cell[fresh], shared[node[fresh]])
        node, run = node[fresh], run[fresh]
        cells[cell[fresh]] = True
        found_nodes.append(node)
        found_runs.append(run)
        pos, run = cross(node, run)
        node = A.indices[pos]
    steps = np.repeat(np.arange(len(found_nodes)), [len(found) for found in found_nodes])
    return np.concatenate(found_nodes), np.concatenate(found_runs), steps


def _everywhere(sources: np.ndarray, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (node, run) of every source in every run."""
    return np.repeat(sources, runs), np.tile(np.arange(runs), len(sources))


def _first(values: np.ndarray, suspects: np.ndarray) -> np.ndarray:
    """Flags the first occurrence of each value, knowing that only `suspects` can repeat."""
    first = np.ones(values.size, dtype=bool)
    suspect = np.flatnonzero(suspects)
    if suspect.size > 1:
        suspect = suspect[np.argsort(values[suspect], kind="stable")]
        first[suspect[1:][values[suspect[1:]] == values[suspect[:-1]]]] = False
    return first
