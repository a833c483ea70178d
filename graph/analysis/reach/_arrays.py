"""The referral network as integer arrays, and the CSR kernels that the reach algorithms share."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

__all__ = [
    "CELLS",
    "ReferralArrays",
    "adjacency",
    "attach_referral_arrays",
    "bernoulli",
    "breadth_first",
    "coins",
    "coins_between",
    "distinct",
    "every",
    "every_run",
    "is_converted",
    "ranges",
    "reachable",
    "referral_arrays",
]

CELLS = 1 << 25
"""Most (node, run) cells of a boolean activity matrix held at once (32 MiB)."""

_CACHE_KEY = "relgraph.reach"
"""Key of the arrays of a referral network in its ``__networkx_cache__``."""


@dataclass(frozen=True, eq=False)
class ReferralArrays:
    """A referral network as arrays: node ids, their numbers, and CSR adjacency (row: referrer).

    Node ``i`` is ``nodes[i]`` and ``index[nodes[i]] == i``. Self-loops are left out of both
    matrices. `nodes` and `index` are a list and a dict when built from a graph; a stored network
    (graph.results) gives views that read ids on demand.
    """

    nodes: Sequence[Hashable]
    index: Mapping[Hashable, int]
    ties: sp.csr_array
    """Every REFERRED edge, converted or not: the ties of the independent cascade."""
    converted: sp.csr_array
    """The converted edges only: the referrals of the per-customer measures."""
    shared: np.ndarray
    """Flags the nodes with two or more ties in."""


def is_converted(attrs: Mapping[str, Any]) -> bool:
    """Whether a REFERRED edge with these attributes converted (a missing ``converted`` counts as converted)."""
    return bool(attrs.get("converted", True))


def referral_arrays(G: nx.DiGraph) -> ReferralArrays:
    """`G` as arrays, kept in ``G.__networkx_cache__`` like a backend graph.

    The cache is used when ``nx.config.cache_converted_graphs`` is on; NetworkX clears it on any
    change made through the graph's methods, but not after an attribute is set in place.
    """
    cache = G.__networkx_cache__ if nx.config.cache_converted_graphs else {}
    if _CACHE_KEY not in cache:
        nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        src, dst, converted = [], [], []
        for u, ties in G.succ.items():
            for v, attrs in ties.items():
                src.append(index[u])
                dst.append(index[v])
                converted.append(is_converted(attrs))
        cache[_CACHE_KEY] = _arrays(nodes, index, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                                    np.array(converted, dtype=bool))
    return cache[_CACHE_KEY]


def attach_referral_arrays(G: nx.DiGraph, src: np.ndarray, dst: np.ndarray, converted: np.ndarray) -> None:
    """Give `G` its arrays from edges already numbered by the order of ``list(G)`` (a stored
    projection), so that :func:`referral_arrays` need not walk the graph."""
    if nx.config.cache_converted_graphs:
        nodes = list(G)
        G.__networkx_cache__[_CACHE_KEY] = _arrays(nodes, {v: i for i, v in enumerate(nodes)},
                                                   src.astype(np.int64), dst.astype(np.int64),
                                                   converted.astype(bool))


def _arrays(nodes: list[Hashable], index: dict[Hashable, int], src: np.ndarray, dst: np.ndarray,
            converted: np.ndarray) -> ReferralArrays:
    loops = src == dst
    if loops.any():
        src, dst, converted = src[~loops], dst[~loops], converted[~loops]
    return ReferralArrays(
        nodes=nodes, index=index, ties=adjacency(len(nodes), src, dst),
        converted=adjacency(len(nodes), src[converted], dst[converted]),
        shared=np.bincount(dst, minlength=len(nodes)) > 1)


def adjacency(n: int, src: np.ndarray, dst: np.ndarray) -> sp.csr_array:
    """CSR adjacency matrix (row: source) of n nodes."""
    return sp.csr_array((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))


def distinct(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of `keys` (np.unique, without its overhead)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys


def bernoulli(total: int, p: float, rng: np.random.Generator) -> np.ndarray:
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


def coins(ptr: np.ndarray, rows: np.ndarray, tags: np.ndarray, p: float,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The entries of `rows` of a CSR structure that succeed with probability `p`, with their row's tag.

    Returns their positions and the tags of the rows they belong to (a row may appear several
    times, each time with its own coins).
    """
    return coins_between(ptr[rows], ptr[rows + 1], tags, p, rng)


def coins_between(starts: np.ndarray, stops: np.ndarray, tags: np.ndarray, p: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The positions in each ``range(starts[i], stops[i])`` that succeed with probability `p`, with tag ``tags[i]``.

    :func:`coins` on any spans, not only whole rows of a CSR structure.
    """
    counts = stops - starts
    ends = np.cumsum(counts)
    hit = bernoulli(int(ends[-1]) if len(ends) else 0, p, rng)
    row = np.searchsorted(ends, hit, side="right")
    return hit + (starts - ends + counts)[row], tags[row]


def ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the entries of `rows` in a CSR structure with row pointer `ptr`, and per-row counts."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total) + np.repeat(starts - ends + counts, counts), counts


def every(ptr: np.ndarray, rows: np.ndarray, tags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of all the entries of `rows` in a CSR structure, with their row's tag."""
    pos, counts = ranges(ptr, rows)
    return pos, np.repeat(tags, counts)


def reachable(A: sp.csr_array, sources: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes reachable from `sources` (themselves included)."""
    if len(sources) == 0:
        return np.zeros(A.shape[0], dtype=bool)
    return np.isfinite(csgraph.dijkstra(A, indices=sources, unweighted=True, min_only=True))


def breadth_first(A: sp.csr_array, shared: np.ndarray, node: np.ndarray, run: np.ndarray, active: np.ndarray,
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
            fresh[fresh] = _first_occurrences(cell[fresh], shared[node[fresh]])
        node, run = node[fresh], run[fresh]
        cells[cell[fresh]] = True
        found_nodes.append(node)
        found_runs.append(run)
        pos, run = cross(node, run)
        node = A.indices[pos]
    steps = np.repeat(np.arange(len(found_nodes)), [len(found) for found in found_nodes])
    return np.concatenate(found_nodes), np.concatenate(found_runs), steps


def every_run(sources: np.ndarray, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (node, run) of every source in every run."""
    return np.repeat(sources, runs), np.tile(np.arange(runs), len(sources))


def _first_occurrences(values: np.ndarray, suspects: np.ndarray) -> np.ndarray:
    """Flags the first occurrence of each value, knowing that only `suspects` can repeat."""
    first = np.ones(values.size, dtype=bool)
    suspect = np.flatnonzero(suspects)
    if suspect.size > 1:
        suspect = suspect[np.argsort(values[suspect], kind="stable")]
        first[suspect[1:][values[suspect[1:]] == values[suspect[:-1]]]] = False
    return first
