"""graph.analysis.reach on small hand-worked referral networks: no database needed."""

from __future__ import annotations

import doctest
import importlib
import itertools
import math
import pkgutil
import random
from dataclasses import asdict

import networkx as nx
import numpy as np
import pytest

from graph.analysis import reach
from graph.analysis.reach import campaign, communities, expected_spread, referral_metrics, referral_tree
from graph.errors import UserError


def network(edges, unconverted=(), revenue=None) -> nx.DiGraph:
    """A referral network from converted and unconverted (referrer, referred) pairs."""
    G = nx.DiGraph()
    G.add_edges_from(edges, converted=True)
    G.add_edges_from(unconverted, converted=False)
    for v in G:
        G.nodes[v].update(name=f"Name of {v}", kind="Person", revenue=(revenue or {}).get(v, 0.0))
    return G


def star(leaves: int) -> nx.DiGraph:
    return network([("hub", f"leaf{i}") for i in range(leaves)])


def chain(length: int) -> nx.DiGraph:
    return network([(i, i + 1) for i in range(length)])


def within(estimate: reach.Spread, exact: float, ses: float = 4) -> bool:
    """The estimate is within `ses` standard errors of the exact value."""
    return abs(estimate.expected_spread - exact) <= ses * estimate.stderr + 1e-12


def mean_se(estimate: reach.Spread) -> tuple[float, float]:
    return estimate.expected_spread, estimate.stderr


def reach_size(G: nx.DiGraph, seeds) -> int:
    """Exact spread at p = 1: the seeds and everything reachable from them."""
    return len(set(seeds).union(*(nx.descendants(G, s) for s in seeds)))


@pytest.mark.parametrize("module", [reach.__name__] + [f"{reach.__name__}.{m.name}"
                                                        for m in pkgutil.iter_modules(reach.__path__)])
def test_doctests(module):
    assert doctest.testmod(importlib.import_module(module)).failed == 0


def test_one_module_per_family():
    families = {m.name for m in pkgutil.iter_modules(reach.__path__) if not m.name.startswith("_")}
    assert families == {"metrics", "spread", "seeding", "community"}
    assert sorted(reach.__all__) == sorted(name for family in families
                                           for name in importlib.import_module(f"{reach.__name__}.{family}").__all__)


# --- per-customer metrics -----------------------------------------------------------------------

def forest() -> nx.DiGraph:
    """ann refers bob and cat (and herself); bob refers dan and eve; dan refers fay; cat's referral
    of gus did not convert; hal refers ivy in a second tree."""
    return network(
        [("ann", "bob"), ("ann", "cat"), ("ann", "ann"), ("bob", "dan"), ("bob", "eve"), ("dan", "fay"),
         ("hal", "ivy")],
        unconverted=[("cat", "gus")],
        revenue={"ann": 1.0, "bob": 10.0, "cat": 20.0, "dan": 30.0, "eve": 40.0, "fay": 50.0, "gus": 60.0,
                 "hal": 70.0, "ivy": 80.0},
    )


def measures(G, **kwargs):
    return {r.id: (r.direct_referrals, r.cascade_size, r.cascade_depth, r.referred_revenue)
            for r in referral_metrics(G, **kwargs)}


def test_metrics_on_a_forest():
    got = measures(forest())
    assert got["ann"] == (2, 5, 3, 150.0)  # the self-referral is not a referral
    assert got["bob"] == (2, 3, 2, 120.0)
    assert got["dan"] == (1, 1, 1, 50.0)
    assert got["cat"] == (0, 0, 0, 0.0)  # gus did not convert
    assert got["hal"] == (1, 1, 1, 80.0)
    assert got["gus"] == got["fay"] == got["ivy"] == (0, 0, 0, 0.0)
    assert len(got) == 9


def test_metrics_rows_carry_names_and_are_sorted_by_influence():
    rows = referral_metrics(forest())
    assert rows[0].id == "ann" and rows[0].name == "Name of ann"
    assert [r.influence for r in rows] == sorted((r.influence for r in rows), reverse=True)
    assert math.isclose(sum(r.influence for r in rows), 1.0)
    assert [r.id for r in referral_metrics(forest(), top=2)] == [r.id for r in rows[:2]]
    assert referral_metrics(forest(), top=0) == []


def test_influence_flows_to_the_referrer():
    rows = {r.id: r.influence for r in referral_metrics(chain(3))}
    assert rows[0] > rows[1] > rows[2] > rows[3]
    rows = {r.id: r.influence for r in referral_metrics(star(4))}
    assert rows["hub"] > rows["leaf0"] == pytest.approx(rows["leaf3"])


def test_influence_is_pagerank_of_the_reversed_converted_graph():
    G = forest()
    C = nx.DiGraph((v, u) for u, v, c in G.edges(data="converted") if c and u != v)
    C.add_nodes_from(G)
    expected = nx.pagerank(C, alpha=0.85)
    for row in referral_metrics(G):
        assert row.influence == pytest.approx(expected[row.id], abs=1e-9)


def test_metrics_with_two_referrers_count_shortest_paths_once():
    # a -> b -> d -> e and a -> c -> d: d is reached twice but counted once, at distance 2.
    got = measures(network([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("a", "e")]))
    assert got["a"] == (3, 4, 2, 0.0)
    assert got["b"] == (1, 2, 2, 0.0)
    assert got["d"] == (1, 1, 1, 0.0)


def test_metrics_on_a_cycle_exclude_the_node_itself():
    got = measures(network([("x", "y"), ("y", "z"), ("z", "x"), ("z", "w")], revenue={"x": 1.0, "w": 5.0}))
    assert got["x"] == (1, 3, 3, 5.0)  # y, z, w; w at distance 3
    assert got["y"] == (1, 3, 2, 6.0)  # z, x, w
    assert got["z"] == (2, 3, 2, 6.0)  # x, w, y
    assert got["w"] == (0, 0, 0, 0.0)


def test_metrics_agree_with_plain_breadth_first_searches_on_random_networks():
    for trial in range(60):
        rng = random.Random(trial)
        n = rng.randint(1, 30)
        G = nx.DiGraph()
        G.add_nodes_from(range(n), revenue=0.0)
        for v in range(1, n):
            if rng.random() < 0.8:
                G.add_edge(rng.randrange(v), v, converted=rng.random() < 0.8)
        for _ in range(rng.randint(0, n // 3)):
            G.add_edge(rng.randrange(n), rng.randrange(n), converted=rng.random() < 0.7)
        for v in G:
            G.nodes[v]["revenue"] = float(rng.randint(0, 9))
        C = nx.DiGraph((u, v) for u, v, c in G.edges(data="converted") if c and u != v)
        C.add_nodes_from(G)
        for row in referral_metrics(G):
            dist = nx.single_source_shortest_path_length(C, row.id)
            del dist[row.id]
            assert (row.direct_referrals, row.cascade_size, row.cascade_depth, row.referred_revenue) == (
                C.out_degree(row.id), len(dist), max(dist.values(), default=0),
                sum(G.nodes[v]["revenue"] for v in dist)), (trial, row)


def test_metrics_of_an_empty_network_and_bad_top():
    assert referral_metrics(nx.DiGraph()) == []
    with pytest.raises(UserError, match="must be 0 or more, got -1") as raised:
        referral_metrics(forest(), top=-1)
    assert raised.value.field == "top" and "--" not in str(raised.value)


def test_metrics_rows_are_dataclasses():
    row = referral_metrics(forest(), top=1)[0]
    assert asdict(row) == {"id": "ann", "name": "Name of ann", "direct_referrals": 2, "cascade_size": 5,
                           "cascade_depth": 3, "referred_revenue": 150.0, "influence": row.influence}


def test_metrics_see_edits_made_through_the_graph_api():
    G = chain(2)
    assert measures(G)[0][1] == 2
    G.add_edge(2, 3, converted=True)
    assert measures(G)[0][1] == 3


# --- referral trees -----------------------------------------------------------------------------

def generations(tree: nx.DiGraph) -> dict:
    return dict(tree.nodes(data="generation"))


def test_tree_of_a_forest_follows_converted_referrals_only():
    tree = referral_tree(forest(), "ann")
    # the self-referral is not a referral; cat's referral of gus did not convert; hal's tree is apart
    assert generations(tree) == {"ann": 0, "bob": 1, "cat": 1, "dan": 2, "eve": 2, "fay": 3}
    assert sorted(tree.edges) == [("ann", "bob"), ("ann", "cat"), ("bob", "dan"), ("bob", "eve"), ("dan", "fay")]
    assert generations(referral_tree(forest(), "cat")) == {"cat": 0}
    assert generations(referral_tree(forest(), "gus")) == {"gus": 0}


def test_tree_depth_limit_keeps_the_nearest_generations_first():
    tree = referral_tree(forest(), "ann", depth_limit=2)
    assert generations(tree) == {"ann": 0, "bob": 1, "cat": 1, "dan": 2, "eve": 2}
    assert list(generations(tree).values()) == sorted(generations(tree).values())
    assert generations(referral_tree(forest(), "ann", depth_limit=0)) == {"ann": 0}


def test_tree_with_two_referrers_and_a_cycle():
    # d is referred by b and c: it appears once, at its shortest distance; the cycle back to a stops
    G = network([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "a"), ("d", "e")])
    tree = referral_tree(G, "a")
    assert generations(tree) == {"a": 0, "b": 1, "c": 1, "d": 2, "e": 3}
    assert nx.is_arborescence(tree)


def test_tree_agrees_with_the_metrics_on_random_networks():
    for trial in range(20):
        rng = random.Random(trial)
        n = rng.randint(1, 25)
        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        for _ in range(n + rng.randint(0, n)):
            G.add_edge(rng.randrange(n), rng.randrange(n), converted=rng.random() < 0.7)
        for row in referral_metrics(G):
            tree = referral_tree(G, row.id)
            assert (len(tree) - 1, max(generations(tree).values())) == (row.cascade_size, row.cascade_depth)


def test_tree_refuses_unknown_roots_and_negative_depths():
    with pytest.raises(UserError, match="nobody") as raised:
        referral_tree(forest(), "nobody")
    assert raised.value.field == "root"
    with pytest.raises(UserError, match="0 or more") as raised:
        referral_tree(forest(), "ann", depth_limit=-1)
    assert raised.value.field == "depth_limit"


# --- expected spread ----------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_spread_of_a_star_centre_is_one_plus_n_p(p):
    estimate = expected_spread(star(10), ["hub"], p, runs=4000, seed=7)
    assert within(estimate, 1 + 10 * p)
    assert 0 < estimate.stderr < 0.1


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_spread_along_a_chain_is_a_geometric_sum(p):
    estimate = expected_spread(chain(6), [0], p, runs=4000, seed=3)
    assert within(estimate, sum(p**i for i in range(7)))


def test_spread_in_a_tree_sums_p_to_the_depth():
    tree = nx.balanced_tree(3, 3, create_using=nx.DiGraph)  # 1 + 3 + 9 + 27 nodes
    G = network(tree.edges)
    p = 0.4
    estimate = expected_spread(G, [0], p, runs=4000, seed=11)
    assert within(estimate, sum(3**d * p**d for d in range(4)))
    # two seeds in the same tree: the subtree of 1 only adds 1 itself when 0 does not reach it
    estimate = expected_spread(G, [0, 1], p, runs=4000, seed=11)
    assert within(estimate, 1 + 2 * (p + 3 * p**2 + 9 * p**3) + 1 + 3 * p + 9 * p**2)


def test_spread_at_p_zero_and_one_is_exact():
    G = network([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")], unconverted=[("c", "e")])
    assert mean_se(expected_spread(G, ["a"], 0.0, runs=50, seed=1)) == (1.0, 0.0)
    assert mean_se(expected_spread(G, ["a", "d"], 0.0, runs=50, seed=1)) == (2.0, 0.0)
    # at p = 1, everything reachable, unconverted ties included
    assert mean_se(expected_spread(G, ["a"], 1.0, runs=50, seed=1)) == (4.0, 0.0)
    assert mean_se(expected_spread(G, ["d"], 1.0, runs=50)) == (5.0, 0.0)


def test_spread_on_a_cycle():
    G = network([(i, (i + 1) % 5) for i in range(5)])
    estimate = expected_spread(G, [0], 0.5, runs=4000, seed=2)
    assert within(estimate, sum(0.5**i for i in range(5)))


def test_self_loops_change_nothing():
    with_loop = star(5)
    with_loop.add_edge("hub", "hub", converted=True)
    assert expected_spread(with_loop, ["hub"], 0.3, seed=5) == expected_spread(star(5), ["hub"], 0.3, seed=5)


def test_same_seed_same_numbers_whatever_the_seed_order():
    G = nx.gnp_random_graph(200, 0.02, seed=1, directed=True)
    first = expected_spread(G, [1, 2, 3], 0.3, runs=500, seed=42)
    assert mean_se(expected_spread(G, [3, 1, 2, 1], 0.3, runs=500, seed=42)) == mean_se(first)
    assert mean_se(expected_spread(G, [1, 2, 3], 0.3, runs=500, seed=43)) != mean_se(first)
    assert first.seeds == [1, 2, 3] and first.runs == 500


def test_spread_agrees_with_a_plain_simulation():
    G = nx.gnp_random_graph(300, 0.01, seed=4, directed=True)
    p, runs, rng = 0.4, 3000, random.Random(0)
    total = 0
    for _ in range(runs):
        active, frontier = {0, 1}, [0, 1]
        while frontier:
            later = []
            for u in frontier:
                for v in G.succ[u]:
                    if v not in active and rng.random() < p:
                        active.add(v)
                        later.append(v)
            frontier = later
        total += len(active)
    estimate = expected_spread(G, [0, 1], p, runs=runs, seed=0)
    assert abs(estimate.expected_spread - total / runs) < 5 * math.sqrt(2) * estimate.stderr


def test_spread_with_one_run_has_no_stderr_and_no_seeds_spread_nothing():
    assert expected_spread(star(3), ["hub"], 1.0, runs=1).stderr == 0.0
    assert mean_se(expected_spread(star(3), [], 0.5, seed=1)) == (0.0, 0.0)
    assert mean_se(expected_spread(nx.DiGraph(), [], 0.5)) == (0.0, 0.0)


@pytest.mark.parametrize("kwargs, field", [({"p": -0.1}, "p"), ({"p": 1.01}, "p"), ({"p": math.nan}, "p"),
                                           ({"p": 0.5, "runs": 0}, "runs")])
def test_spread_refuses_bad_parameters(kwargs, field):
    with pytest.raises(UserError) as raised:
        expected_spread(star(3), ["hub"], **kwargs)
    assert raised.value.field == field


def test_spread_refuses_unknown_seeds():
    with pytest.raises(UserError, match="nobody") as raised:
        expected_spread(star(3), ["hub", "nobody"], 0.5)
    assert raised.value.field == "seeds"


# --- campaign -----------------------------------------------------------------------------------

def stars(*sizes: int) -> nx.DiGraph:
    """Disjoint stars: hub i with sizes[i] leaves."""
    return network([(f"hub{i}", f"leaf{i}.{j}") for i, size in enumerate(sizes) for j in range(size)])


def test_celf_picks_the_biggest_disjoint_stars():
    G = stars(3, 8, 1, 5)
    result = campaign(G, 2, 0.5, runs=1000, seed=1)
    assert result.method == "celf"
    assert result.seeds == ["hub1", "hub3"]
    assert within(expected_spread(G, result.seeds, 0.5, runs=1000, seed=1), 2 + 13 * 0.5)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_celf_matches_brute_force_at_p_one(k):
    for trial in range(5):
        G = nx.gnp_random_graph(12, 0.12, seed=trial, directed=True)
        best = max(reach_size(G, S) for S in itertools.combinations(G, k))
        result = campaign(G, k, 1.0, runs=5, seed=trial)
        assert reach_size(G, result.seeds) == result.expected_spread
        if k == 1:
            assert result.expected_spread == best
        else:  # greedy's guarantee, and usually the optimum on such small graphs
            assert result.expected_spread >= (1 - 1 / math.e) * best


def test_celf_is_near_the_brute_force_optimum():
    G = nx.gnp_random_graph(15, 0.15, seed=3, directed=True)
    p, runs, seed = 0.3, 2000, 5
    chosen = campaign(G, 3, p, runs=runs, seed=seed)
    optimum = max(expected_spread(G, S, p, runs=runs, seed=seed).expected_spread
                  for S in itertools.combinations(G, 3))
    assert chosen.expected_spread >= 0.95 * optimum


def test_imm_is_close_to_celf_on_a_medium_random_network():
    G = nx.gnp_random_graph(1500, 1.5 / 1500, seed=8, directed=True)
    celf = campaign(G, 10, 0.3, runs=1000, seed=2, method="celf")
    imm = campaign(G, 10, 0.3, runs=1000, seed=2, method="imm")
    assert imm.method == "imm" and len(set(imm.seeds)) == 10
    assert imm.expected_spread >= 0.95 * celf.expected_spread


def test_auto_method_follows_the_size_threshold(monkeypatch):
    G = stars(6, 4, 2)
    assert campaign(G, 1, 0.5, runs=100, seed=1).method == "celf"
    monkeypatch.setattr(reach.seeding, "CELF_MAX_NODES", 5)
    result = campaign(G, 1, 0.5, runs=100, seed=1)
    assert result.method == "imm" and result.seeds == ["hub0"]


def test_campaign_curve_and_reproducibility():
    G = nx.gnp_random_graph(100, 0.03, seed=6, directed=True)
    result = campaign(G, 4, 0.2, runs=500, seed=9)
    assert len(result.curve) == 4 and result.curve[-1] == result.expected_spread
    assert result.curve[0] < result.curve[-1]
    again = expected_spread(G, result.seeds, 0.2, runs=500, seed=9)
    assert (again.expected_spread, again.stderr) == (result.expected_spread, result.stderr)
    assert campaign(G, 4, 0.2, runs=500, seed=9) == result
    assert campaign(G, 4, 0.2, runs=500, seed=9, method="imm") == campaign(G, 4, 0.2, runs=500, seed=9,
                                                                          method="imm")


def test_campaign_on_tiny_and_empty_networks():
    G = network([("a", "b"), ("b", "a"), ("a", "a")])
    result = campaign(G, 5, 0.5, seed=1)
    assert sorted(result.seeds) == ["a", "b"] and result.expected_spread == 2.0
    empty = campaign(nx.DiGraph(), 3, 0.5, seed=1)
    assert (empty.seeds, empty.expected_spread, empty.curve) == ([], 0.0, [])


@pytest.mark.parametrize("kwargs", [{"k": 0}, {"p": 2.0}, {"runs": 0}, {"method": "magic"}, {"epsilon": 0}])
def test_campaign_refuses_bad_parameters(kwargs):
    arguments = {"k": 2, "p": 0.5, "runs": 10} | kwargs
    with pytest.raises(UserError) as raised:
        campaign(star(3), **arguments)
    assert raised.value.field == next(iter(kwargs))


# --- communities --------------------------------------------------------------------------------

def test_communities_of_two_separate_groups():
    G = network([("a", "b"), ("a", "c"), ("b", "c"), ("c", "a"), ("x", "y"), ("x", "z"), ("y", "z"),
                 ("z", "z"), ("q", "r")], unconverted=[("y", "x")])
    found = communities(G, seed=1, top=2)
    assert [(c.size, set(c.members)) for c in found] == [(3, {"a", "b", "c"}), (3, {"x", "y", "z"}),
                                                        (2, {"q", "r"})]
    assert found[0].top_referrers == ["a", "b"]
    assert found[1].top_referrers == ["x", "y"]
    assert found[2].top_referrers == ["q"]
    assert communities(G, seed=1, top=2) == found
    assert communities(nx.DiGraph(), seed=1) == []


def test_communities_are_louvains_on_many_small_groups_and_a_large_one():
    """Small groups are taken whole and Louvain runs on the large one alone: the same partition
    as NetworkX's Louvain on the whole network (same modularity, the small groups identical)."""
    rng = np.random.default_rng(1)
    G = nx.DiGraph()
    for t in range(300):  # trees of 1 to 11 customers
        size = int(rng.integers(1, 12))
        G.add_node(f"t{t}-0")
        G.add_edges_from((f"t{t}-{int(rng.integers(0, i))}", f"t{t}-{i}") for i in range(1, size))
    for half in (0, 1):  # two dense groups joined by one tie: degrees sum past sqrt(8m), so Louvain splits it
        big = nx.gnp_random_graph(150, 0.05, seed=3 + half, directed=True)
        G.add_edges_from((f"b{half}-{u}", f"b{half}-{v}") for u, v in big.edges)
    G.add_edge("b0-0", "b1-0")
    found = communities(G, seed=0)
    U = nx.Graph(nx.to_undirected(G))
    louvain = nx.community.louvain_communities(U, seed=0)
    assert sum(c.size for c in found) == len(G)
    assert nx.community.modularity(U, [set(c.members) for c in found]) == pytest.approx(
        nx.community.modularity(U, louvain), abs=1e-9)
    assert (sorted(sorted(c.members) for c in found if c.members[0].startswith("t"))
            == sorted(sorted(c) for c in louvain if min(c).startswith("t")))
    assert sum(1 for c in found if c.members[0].startswith("b")) > 1
