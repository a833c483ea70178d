"""Campaign seeds: the k customers whose referrals reach the most, by CELF or IMM."""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.analysis.reach._arrays import (
    ReferralArrays,
    breadth_first,
    coins,
    coins_between,
    distinct,
    every,
    every_run,
    ranges,
    referral_arrays,
)
from graph.analysis.reach.spread import _mean_and_stderr, _simulate, check_parameters
from graph.errors import UserError

__all__ = ["CELF_MAX_CELLS", "CELF_MAX_NODES", "RR_MAX_SETS", "Campaign", "campaign"]

CELF_MAX_NODES = 10_000
"""Largest network on which :func:`campaign` uses CELF by default; above it, IMM."""

CELF_MAX_CELLS = 1 << 30
"""Most (edge or node, run) cells CELF holds as booleans (1 GiB); more runs than fit are refused."""

RR_MAX_SETS = 1 << 25
"""Most reverse-reachable sets IMM samples per phase (a singleton costs a count, a larger set 8 bytes a node)."""

_RR_BATCH = 1 << 16
"""Reverse-reachable sets of two or more nodes sampled per vectorised batch by IMM."""


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


def campaign(G: nx.DiGraph | ReferralArrays, k: int, p: float, runs: int = 1000, seed: int | None = None,
             method: str = "auto", epsilon: float = 0.5) -> Campaign:
    """Choose `k` seeds that maximise the expected spread (see :func:`expected_spread`).

    Parameters
    ----------
    G : nx.DiGraph or ReferralArrays
        The referral network, or its arrays (a stored network's, graph.results.referral_arrays).
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
        If `k` or `runs` is less than 1 or `p` is outside [0, 1] (see :func:`check_parameters`),
        `epsilon` is not positive (``field="epsilon"``) or the method is unknown (``field="method"``).

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
    sets are sampled afresh, as corrected in [5]_. A set that is its root alone (none of the
    root's ties in fires: most sets, when `p` is small and customers are referred once) is only
    counted, per root; the others are sampled breadth first. Its cost grows with the size of the
    network and shrinks as the spread grows: at most :data:`RR_MAX_SETS` sets are sampled per
    phase, which only binds (and weakens the guarantee) when tiny spreads meet millions of
    customers.

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
    check_parameters(p=p, runs=runs, k=k, seed=seed)
    if method not in ("auto", "celf", "imm"):
        raise UserError(f"unknown campaign method {method!r}: use auto, celf or imm", field="method")
    if not epsilon > 0:
        raise UserError(f"epsilon must be positive, got {epsilon}", field="epsilon")
    arrays = G if isinstance(G, ReferralArrays) else referral_arrays(G)
    nodes, ties, shared = arrays.nodes, arrays.ties, arrays.shared
    n = len(nodes)
    if method == "auto":
        method = "celf" if n <= CELF_MAX_NODES else "imm"
    rng = np.random.default_rng(seed)
    if k >= n:
        chosen = list(range(n))
    elif method == "celf":
        _check_celf_size(n, ties.nnz, runs)
        chosen = _celf(ties, shared, k, p, runs, rng)
    else:
        chosen = _imm(ties, k, p, epsilon, rng)
    curve, stderr = [], 0.0
    for i in range(1, len(chosen) + 1):
        spreads = _simulate(ties, shared, np.sort(chosen[:i]), p, runs, np.random.default_rng(seed))
        mean, stderr = _mean_and_stderr(spreads)
        curve.append(mean)
    return Campaign([nodes[i] for i in chosen], curve[-1] if curve else 0.0, stderr, method, curve)


def _check_celf_size(n: int, edges: int, runs: int) -> None:
    """Refuse a CELF whose live-edge samples and coverage (one byte per edge or node and run) would not fit."""
    if (edges + n) * runs > CELF_MAX_CELLS:
        fits = max(1, CELF_MAX_CELLS // (edges + n))
        raise UserError(f"{runs:,} runs of CELF on {n:,} customers and {edges:,} ties need "
                        f"{(edges + n) * runs / 2**30:,.1f} GiB; at most {fits:,} runs fit: use fewer runs, "
                        "or the imm method", field="runs")


def _celf(ties: sp.csr_array, shared: np.ndarray, k: int, p: float, runs: int,
          rng: np.random.Generator) -> list[int]:
    """CELF greedy on `runs` live-edge samples of `ties` drawn up front."""
    n = ties.shape[0]
    live = np.empty((ties.nnz, runs), dtype=bool)
    rows = max(1, (1 << 20) // runs)  # drawn a block of rows at a time: the same numbers, no float matrix
    for begin in range(0, ties.nnz, rows):
        live[begin:begin + rows] = rng.random((min(rows, ties.nnz - begin), runs)) < p
    covered = np.zeros((n, runs), dtype=bool)

    def cross(node: np.ndarray, run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pos, run = every(ties.indptr, node, run)
        alive = live.reshape(-1)[pos * runs + run]
        return pos[alive], run[alive]

    def gain(v: int) -> int:
        """Pairs (node, run) that `v` newly covers; `covered` is left as it was."""
        node, run, _ = breadth_first(ties, shared, *every_run(np.array([v]), runs), covered, cross)
        covered.reshape(-1)[node * runs + run] = False
        return node.size

    heap = [(-gain(v), v, 0) for v in range(n)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < k:
        _, v, fresh_at = heapq.heappop(heap)
        if fresh_at == len(chosen):
            breadth_first(ties, shared, *every_run(np.array([v]), runs), covered, cross)
            chosen.append(v)
        else:
            heapq.heappush(heap, (-gain(v), v, len(chosen)))
    return chosen


def _imm(ties: sp.csr_array, k: int, p: float, epsilon: float, rng: np.random.Generator) -> list[int]:
    """IMM (Tang, Shi and Xiao 2015, with Chen's 2018 correction), ell = 1; needs k < n."""
    n = ties.shape[0]
    reverse = ties.T.tocsr()
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
    """Random reverse-reachable sets of a network: the singletons counted per node, the others
    stored as (set, node) pairs.

    A set is rooted at a uniformly random node and holds the nodes that reach it along ties that
    fire. Where few ties fire, most sets are their root alone (none of the root's ties in fires):
    such a set only adds to its root's count, and only the larger sets are sampled node by node.
    """

    def __init__(self, reverse: sp.csr_array, p: float, rng: np.random.Generator):
        self.reverse, self.p, self.rng = reverse, p, rng
        ties_in = np.diff(reverse.indptr)
        # Per node, the chance that one of its ties in fires: that a set rooted there holds more than its root.
        self.larger_chance = -np.expm1(ties_in * math.log1p(-p)) if p < 1 else (ties_in > 0).astype(float)
        self.count = 0
        self.singles = np.zeros(reverse.shape[0], dtype=np.int64)
        self.larger = 0
        self.sets: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]
        self.nodes: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]

    def grow(self, total: int) -> None:
        """Sample sets until there are `total`: how many each node roots, how many of those hold
        more than their root (exact multinomial and binomial draws), then those a batch at a time."""
        n = self.reverse.shape[0]
        if total <= self.count:
            return
        size = total - self.count
        if size < n:  # set by set: cheaper than a multinomial draw, which costs one binomial per node
            rooted = np.bincount(self.rng.integers(n, size=size), minlength=n)
        else:
            rooted = self.rng.multinomial(size, np.full(n, 1 / n))
        some = np.flatnonzero(rooted)
        larger = np.zeros(n, dtype=np.int64)
        larger[some] = self.rng.binomial(rooted[some], self.larger_chance[some])
        self.singles += rooted - larger
        self.count = total
        roots = np.repeat(np.arange(n), larger)
        for begin in range(0, len(roots), _RR_BATCH):
            self._sample_larger(roots[begin:begin + _RR_BATCH])

    def _sample_larger(self, roots: np.ndarray) -> None:
        """Sample one set per root, given that at least one of the root's ties in fires."""
        n, p, rng = self.reverse.shape[0], self.p, self.rng
        indptr, indices = self.reverse.indptr, self.reverse.indices
        owner = np.arange(len(roots), dtype=np.int64)
        starts, stops = indptr[roots], indptr[roots + 1]
        # The first tie in that fires, given that one does: a geometric distribution truncated to
        # the ties in, drawn by inverse transform; the ties after it fire independently.
        first = np.zeros(len(roots), dtype=np.int64)
        if p < 1:
            drawn = np.log1p(-rng.random(len(roots)) * self.larger_chance[roots]) / math.log1p(-p)
            first = np.minimum(drawn.astype(np.int64), stops - starts - 1)
        pos, tag = coins_between(starts + first + 1, stops, owner, p, rng)
        key = distinct(np.concatenate((owner * n + indices[starts + first], tag * n + indices[pos])))
        seen = owner * n + roots
        while key.size:
            at = np.searchsorted(seen, key)
            key = key[seen[np.minimum(at, len(seen) - 1)] != key]
            # Two sorted runs: a stable sort (timsort) merges them in linear time.
            seen = np.sort(np.concatenate((seen, key)), kind="stable")
            pos, tag = coins(indptr, key % n, key // n, p, rng)
            key = distinct(tag * n + indices[pos])
        # All the pairs (set, node), sorted by set then node: grouped by set as max_coverage needs.
        self.sets.append((seen // n + self.larger).astype(np.int32))
        self.nodes.append((seen % n).astype(np.int32))
        self.larger += len(roots)

    def max_coverage(self, k: int) -> tuple[list[int], float]:
        """Greedy `k` nodes covering the most sets, and the fraction of sets they cover.

        A singleton only counts for its root, so choosing a node covers its singletons and
        changes no other node's count: only the larger sets are tracked one by one.
        """
        n = self.reverse.shape[0]
        sets, nodes = np.concatenate(self.sets), np.concatenate(self.nodes)
        # The (set, node) pairs grouped by node and by set: scipy's COO to CSR conversion is a
        # counting sort, linear in the pairs, where an argsort of tens of millions takes seconds;
        # the pairs come sorted by set, so the rows come out sorted, with nothing left to sort.
        ones = np.ones(len(sets), dtype=np.int8)
        by_node = sp.csr_array((ones, (nodes, sets)), shape=(n, self.larger))
        by_set = sp.csr_array((ones, (sets, nodes)), shape=(self.larger, n))
        counts = self.singles + np.diff(by_node.indptr)
        covered = np.zeros(self.larger, dtype=bool)
        chosen = []
        for _ in range(k):
            v = int(np.argmax(counts))
            chosen.append(v)
            hit = by_node.indices[by_node.indptr[v]:by_node.indptr[v + 1]]
            hit = hit[~covered[hit]]
            covered[hit] = True
            counts -= np.bincount(by_set.indices[ranges(by_set.indptr, hit)[0]], minlength=n)
            counts[chosen] = -1
        return chosen, float(self.singles[chosen].sum() + covered.sum()) / self.count
