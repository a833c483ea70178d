"""IMM's reverse-reachable sets against exact spreads on small graphs, and IMM against CELF."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest

from graph.analysis.reach import campaign
from graph.analysis.reach._arrays import referral_arrays
from graph.analysis.reach.seeding import _RRSets


def exact_spread(G: nx.DiGraph, seeds: list, p: float) -> float:
    """Expected spread by enumerating every live-edge graph (each edge kept with probability p)."""
    edges = list(G.edges)
    total = 0.0
    for kept in itertools.product([False, True], repeat=len(edges)):
        live = nx.DiGraph([e for e, k in zip(edges, kept, strict=True) if k])
        live.add_nodes_from(G)
        reached = set(seeds).union(*(nx.descendants(live, s) for s in seeds))
        total += p ** sum(kept) * (1 - p) ** (len(edges) - sum(kept)) * len(reached)
    return total


def rr_sets(G: nx.DiGraph, p: float, count: int, seed: int = 1) -> _RRSets:
    sets = _RRSets(referral_arrays(G).ties.T.tocsr(), p, np.random.default_rng(seed))
    sets.grow(count // 2)
    sets.grow(count)  # in two steps, as IMM grows them
    return sets


def covered(sets: _RRSets, G: nx.DiGraph, seeds: list) -> float:
    """The fraction of the sets that hold one of `seeds`."""
    index = [list(G).index(s) for s in seeds]
    pairs_set, pairs_node = np.concatenate(sets.sets), np.concatenate(sets.nodes)
    larger = np.unique(pairs_set[np.isin(pairs_node, index)]).size
    return (sets.singles[index].sum() + larger) / sets.count


GRAPHS = {
    "chain": nx.DiGraph([("a", "b"), ("b", "c")]),
    "in-star": nx.DiGraph([(f"x{i}", "hub") for i in range(4)]),
    "diamond with a shortcut": nx.DiGraph([("u", "a"), ("u", "b"), ("a", "v"), ("b", "v"), ("u", "v")]),
    "cycle with a tail": nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "a")]),
    "random": nx.gnp_random_graph(7, 0.25, seed=4, directed=True),
}


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("p", [0.3, 1.0])
def test_rr_sets_estimate_the_exact_spread(name, p):
    # A random reverse-reachable set holds S with probability spread(S) / n (Borgs et al. 2014).
    G = GRAPHS[name]
    sets = rr_sets(G, p, 200_000)
    assert sets.count == 200_000
    nodes = list(G)
    for seeds in [[v] for v in nodes] + [nodes[:2], nodes[1:4]]:
        assert covered(sets, G, seeds) == pytest.approx(exact_spread(G, seeds, p) / len(G), abs=0.006)


@pytest.mark.parametrize("name", GRAPHS)
def test_rr_sets_hold_each_node_once(name):
    sets = rr_sets(GRAPHS[name], 1.0, 10_000)
    pairs = np.concatenate(sets.sets).astype(np.int64) * len(GRAPHS[name]) + np.concatenate(sets.nodes)
    assert np.unique(pairs).size == pairs.size


def test_singletons_are_counted_not_stored():
    # Only the hub has ties in: only the sets rooted there can be larger, when a tie fires.
    G = nx.DiGraph([(f"x{i}", "hub") for i in range(4)])
    sets = rr_sets(G, 0.5, 100_000)
    assert sets.singles.sum() + sets.larger == 100_000
    assert sets.larger == pytest.approx(100_000 / 5 * (1 - 0.5**4), rel=0.03)
    assert (np.concatenate(sets.nodes) == list(G).index("hub")).sum() == sets.larger


def test_max_coverage_of_the_in_star():
    # A leaf reaches itself and the hub half the time: 1.5 each; two leaves 2 + 3/4 of 5 nodes.
    G = nx.DiGraph([(f"x{i}", "hub") for i in range(4)])
    chosen, fraction = rr_sets(G, 0.5, 200_000).max_coverage(2)
    assert len(chosen) == 2 and all(list(G)[v].startswith("x") for v in chosen)
    assert fraction == pytest.approx(2.75 / 5, abs=0.005)


def test_rr_sets_without_ties_firing():
    sets = rr_sets(nx.DiGraph([("a", "b"), ("b", "c"), ("d", "c")]), 0.0, 1000)
    assert sets.larger == 0
    assert sets.max_coverage(2) == (list(np.argsort(-sets.singles, kind="stable")[:2]),
                                    np.sort(sets.singles)[-2:].sum() / 1000)


def test_rr_sets_with_every_tie_firing():
    # The set rooted at c holds a, b, c and d; at b, a and b: a is in the sets of a, b and c.
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("d", "c")])
    sets = rr_sets(G, 1.0, 10_000)
    chosen, fraction = sets.max_coverage(1)
    assert [list(G)[v] for v in chosen] == ["a"] and fraction == pytest.approx(3 / 4, abs=0.02)
    assert sets.larger == 10_000 - sets.singles.sum()


def referral_forest(customers: int, seed: int) -> nx.DiGraph:
    """Like the synthetic data: most customers referred once by an earlier one (preferential
    attachment), a few referred twice, a few cycles."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    urn: list[int] = []
    for v in range(customers):
        G.add_node(v)
        if urn and rng.random() < 0.7:
            referrer = rng.choice(urn)
            G.add_edge(referrer, v)
            urn.append(referrer)
            if rng.random() < 0.02:
                G.add_edge(rng.randrange(v), v)
            if rng.random() < 0.01:
                G.add_edge(v, rng.randrange(v))
        urn.append(v)
    return G


@pytest.mark.parametrize("p", [0.1, 0.3])
def test_imm_is_close_to_celf_on_a_referral_forest(p):
    G = referral_forest(3000, seed=5)
    celf = campaign(G, 10, p, runs=1000, seed=3, method="celf")
    imm = campaign(G, 10, p, runs=1000, seed=3, method="imm")
    assert imm.method == "imm" and len(set(imm.seeds)) == 10
    assert imm.expected_spread >= 0.95 * celf.expected_spread
    assert campaign(G, 10, p, runs=1000, seed=3, method="imm") == imm
