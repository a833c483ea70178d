"""Expected spread of a seed set under the independent cascade model, by Monte Carlo simulation."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.analysis.reach._arrays import (
    CELLS,
    ReferralArrays,
    breadth_first,
    coins,
    every,
    every_run,
    referral_arrays,
)
from graph.errors import UserError

__all__ = ["MAX_RUNS", "Spread", "check_parameters", "expected_spread"]


@dataclass(frozen=True)
class Spread:
    """A Monte Carlo estimate of the expected spread of a seed set (see :func:`expected_spread`)."""

    seeds: list[Hashable]
    expected_spread: float
    stderr: float
    runs: int


MAX_RUNS = 100_000
"""Most Monte Carlo runs of one estimate: the standard error of 100,000 runs is already tiny."""


def check_parameters(p: float | None = None, runs: int | None = None, k: int | None = None,
                     seed: int | None = None) -> None:
    """Raise UserError unless ``0 <= p <= 1``, ``1 <= runs <= MAX_RUNS``, ``k >= 1`` and ``seed >= 0``.

    None means not checked. The error's ``field`` is the name of the parameter at fault: ``"p"``,
    ``"runs"``, ``"k"`` or ``"seed"``.

    Examples
    --------
    >>> check_parameters(p=0.1, runs=1000, k=5)
    >>> check_parameters(p=1.5)
    Traceback (most recent call last):
    ...
    graph.errors.UserError: the probability must be between 0 and 1, got 1.5
    """
    if p is not None and not 0 <= p <= 1:
        raise UserError(f"the probability must be between 0 and 1, got {p}", field="p")
    if runs is not None and not 1 <= runs <= MAX_RUNS:
        raise UserError(f"the number of runs must be between 1 and {MAX_RUNS:,}, got {runs:,}", field="runs")
    if k is not None and k < 1:
        raise UserError(f"the number of seeds must be 1 or more, got {k}", field="k")
    if seed is not None and seed < 0:
        raise UserError(f"the random seed must be 0 or more, got {seed}", field="seed")


def expected_spread(G: nx.DiGraph | ReferralArrays, seeds: Iterable[Hashable], p: float, runs: int = 1000,
                    seed: int | None = None) -> Spread:
    """Expected number of customers a seed set reaches under the independent cascade model.

    Every REFERRED edge is a tie, converted or not. In each run, the seeds are active; each newly
    active node gets one chance to activate each inactive out-neighbour, with probability `p`.
    The spread of a run is the number of active nodes at the end, seeds included.

    Parameters
    ----------
    G : nx.DiGraph or ReferralArrays
        The referral network, or its arrays (a stored network's, graph.results.referral_arrays).
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
        If a seed is not in `G` (``field="seeds"``), or `p` is outside [0, 1] or `runs` is less
        than 1 (see :func:`check_parameters`).

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
    check_parameters(p=p, runs=runs, seed=seed)
    chosen = list(dict.fromkeys(seeds))
    arrays = G if isinstance(G, ReferralArrays) else referral_arrays(G)
    unknown = [s for s in chosen if s not in arrays.index]
    if unknown:
        raise UserError("not in the referral network (no REFERRED relationship): " + ", ".join(map(str, unknown)),
                        field="seeds")
    sources = np.unique(np.array([arrays.index[s] for s in chosen], dtype=np.int64))
    spreads = _simulate(arrays.ties, arrays.shared, sources, p, runs, np.random.default_rng(seed))
    return Spread(chosen, *_mean_and_stderr(spreads), runs)


def _simulate(ties: sp.csr_array, shared: np.ndarray, sources: np.ndarray, p: float, runs: int,
              rng: np.random.Generator) -> np.ndarray:
    """The spread of each of `runs` independent cascades along `ties` from `sources` (sorted, distinct).

    `shared` flags the nodes with two or more ties in (see :func:`~graph.analysis.reach._arrays.breadth_first`).
    """
    if len(sources) == 0:
        return np.zeros(runs, dtype=np.int64)
    area, _, _ = breadth_first(ties, shared, *every_run(sources, 1), np.zeros((ties.shape[0], 1), dtype=bool),
                               lambda node, run: every(ties.indptr, node, run))
    area.sort()
    sub, shared = ties[area][:, area], shared[area]
    local = np.searchsorted(area, sources)
    batch = max(1, CELLS // len(area))
    spreads = []
    for begin in range(0, runs, batch):
        width = min(batch, runs - begin)
        active = np.zeros((len(area), width), dtype=bool)
        _, run_of, _ = breadth_first(sub, shared, *every_run(local, width), active,
                                     lambda node, run: coins(sub.indptr, node, run, p, rng))
        spreads.append(np.bincount(run_of, minlength=width))
    return np.concatenate(spreads)


def _mean_and_stderr(values: np.ndarray) -> tuple[float, float]:
    """The mean of `values` and its standard error (0 for fewer than two values)."""
    if len(values) < 2:
        return float(values.mean()), 0.0
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))
