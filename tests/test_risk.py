"""graph.analysis.risk on small hand-worked supply networks: no database needed."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import random
from collections import defaultdict
from dataclasses import asdict

import networkx as nx
import pytest

from graph.analysis import risk
from graph.analysis.risk import (
    Impact,
    SingleSource,
    companies_in_region,
    concentration,
    customers_affected,
    disruption_cascade,
    downstream_counts,
    revenue_at_risk,
    single_source_links,
    supplier_ranking,
    time_to_recover,
    what_if,
)
from graph.errors import UserError


def network(edges, **nodes) -> nx.MultiDiGraph:
    """A supply network from (supplier, client, sku, share[, lead_time_days]) and node attributes."""
    G = nx.MultiDiGraph()
    for company, attrs in nodes.items():
        G.add_node(company, **attrs)
    for supplier, client, sku, share, *lead in edges:
        G.add_edge(supplier, client, key=sku, share=share, lead_time_days=lead[0] if lead else None)
    return G


def story() -> nx.MultiDiGraph:
    """The seed story: ABC Steel Suppliers -> XYZ Manufacturing Inc. -> XYZ's own clients.

    XYZ buys all its steel sheets from ABC (a single source); Detroit Motors buys 70% of its brake
    assemblies from XYZ and 30% from Lakeside; Great Lakes Trucks buys 40% of its axles from XYZ
    and 60% from Ohio Axle.
    """
    def company(name, region, revenue, customers):
        return {"name": name, "region": region, "revenue": revenue, "customers": frozenset(customers)}

    return network(
        [("ABC", "XYZ", "steel-sheet", 100.0, 45), ("XYZ", "DET", "brake-assembly", 70.0, 20),
         ("LAK", "DET", "brake-assembly", 30.0, 10), ("XYZ", "GLT", "axle", 40.0, 15),
         ("OHA", "GLT", "axle", 60.0, None)],
        ABC=company("ABC Steel Suppliers", "Midwest", 2_000_000.0, {"XYZ"}),
        XYZ=company("XYZ Manufacturing Inc.", "Midwest", 5_000_000.0, {"DET", "GLT"}),
        DET=company("Detroit Motors", "Great Lakes", 3_000_000.0, {"P-JOHN", "P-JANE"}),
        GLT=company("Great Lakes Trucks", "Great Lakes", 4_000_000.0, {"P-JOHN"}),
        LAK=company("Lakeside Components", "Great Lakes", 1_000_000.0, {"DET"}),
        OHA=company("Ohio Axle Co", "Ohio Valley", 500_000.0, {"GLT"}),
    )


def cascade_rows(cascade):
    return [(i.id, i.round, i.max_loss) for i in cascade.impacted]


@pytest.mark.parametrize("module", [risk.__name__] + [f"{risk.__name__}.{m.name}"
                                                       for m in pkgutil.iter_modules(risk.__path__)])
def test_doctests(module):
    assert doctest.testmod(importlib.import_module(module)).failed == 0


def test_one_module_per_family():
    families = {m.name for m in pkgutil.iter_modules(risk.__path__)}
    assert families == {"sourcing", "reachability", "cascade", "ranking"}
    assert sorted(risk.__all__) == sorted(name for family in families
                                          for name in importlib.import_module(f"{risk.__name__}.{family}").__all__)


# --- the seed story -------------------------------------------------------------------------

def test_story_single_source_and_concentration():
    G = story()
    assert single_source_links(G) == [SingleSource("XYZ", "steel-sheet", "ABC")]
    rows = [(c.id, c.sku, c.hhi, c.level) for c in concentration(G)]
    # XYZ: one supplier -> 10000; DET: 0.7^2 + 0.3^2 = 0.58 -> 5800; GLT: 0.4^2 + 0.6^2 = 0.52 -> 5200
    assert rows == [("XYZ", "steel-sheet", 10000.0, "highly concentrated"),
                    ("DET", "brake-assembly", pytest.approx(5800.0), "highly concentrated"),
                    ("GLT", "axle", pytest.approx(5200.0), "highly concentrated")]
    assert concentration(G)[0].name == "XYZ Manufacturing Inc."


def test_story_cascade_from_abc_steel():
    G = story()
    cascade = disruption_cascade(G, ["ABC"])
    # round 1: XYZ loses 100% of its steel; round 2: DET loses 70% of its brake assemblies;
    # GLT loses only 40% of its axles and holds.
    assert cascade.failed == ["ABC"]
    assert cascade.impacted == [Impact("XYZ", "XYZ Manufacturing Inc.", 1, 1.0),
                                Impact("DET", "Detroit Motors", 2, 0.7)]
    assert revenue_at_risk(G, cascade) == 2_000_000 + 5_000_000 + 3_000_000
    # ABC sold to XYZ; XYZ to DET and GLT; DET to John and Jane: 5 distinct customers
    assert customers_affected(G, cascade) == 5
    # XYZ is back 45 days after ABC delivers again, DET 20 days after XYZ: 65
    assert time_to_recover(G, cascade) == 65.0


def test_story_what_if_is_the_cascade_and_its_consequences():
    G = story()
    result = what_if(G, ["ABC"])
    cascade = disruption_cascade(G, ["ABC"])
    assert (result.threshold, result.failed, result.impacted) == (0.5, cascade.failed, cascade.impacted)
    assert (result.revenue_at_risk, result.customers_affected, result.time_to_recover_days) == (
        revenue_at_risk(G, cascade), customers_affected(G, cascade), time_to_recover(G, cascade))
    assert asdict(result) == {
        "threshold": 0.5, "failed": ["ABC"],
        "impacted": [{"id": "XYZ", "name": "XYZ Manufacturing Inc.", "round": 1, "max_loss": 1.0},
                     {"id": "DET", "name": "Detroit Motors", "round": 2, "max_loss": 0.7}],
        "revenue_at_risk": 10_000_000.0, "customers_affected": 5, "time_to_recover_days": 65.0}
    region = what_if(G, region="Midwest", threshold=0.75)
    assert (region.failed, region.impacted, region.threshold) == (["ABC", "XYZ"], [], 0.75)


def test_story_downstream():
    G = story()
    assert downstream_counts(G) == {"ABC": 3, "XYZ": 2, "DET": 0, "GLT": 0, "LAK": 1, "OHA": 1}


def test_story_ranking():
    ranking = supplier_ranking(story())
    # impacted / revenue at risk / sole links / betweenness (largest: 2, 10M, 1, 2):
    # ABC 2 / 10M / 1 / 0        -> 100 x (0.3 + 0.3 + 0.2)                = 80
    # XYZ 1 / 8M / 0 / 2 (ABC->DET, ABC->GLT) -> 100 x (0.15 + 0.24 + 0.2) = 59
    # OHA 1 (GLT loses 60%) / 4.5M / 0 / 0    -> 100 x (0.15 + 0.135)      = 28.5
    # LAK 0 (DET loses 30%) / 1M / 0 / 0      -> 100 x 0.03                = 3
    assert [(r.id, r.risk_score) for r in ranking] == [("ABC", 80.0), ("XYZ", 59.0), ("OHA", 28.5),
                                                        ("LAK", 3.0)]
    abc = ranking[0]
    assert (abc.name, abc.direct_clients, abc.downstream, abc.single_source_links, abc.impacted,
            abc.revenue_at_risk) == ("ABC Steel Suppliers", 1, 3, 1, 2, 10_000_000.0)
    assert ranking[1].betweenness == 2.0


def test_story_region():
    G = story()
    assert companies_in_region(G, "Midwest") == ["ABC", "XYZ"]
    cascade = disruption_cascade(G, region="Midwest")
    # DET loses 70% and fails in round 1; GLT loses 40% and holds
    assert cascade.failed == ["ABC", "XYZ"]
    assert cascade_rows(cascade) == [("DET", 1, 0.7)]
    with pytest.raises(UserError, match="no company is in region 'Atlantis'.*Great Lakes, Midwest") as raised:
        disruption_cascade(G, region="Atlantis")
    assert raised.value.field == "region"


# --- small known graphs ---------------------------------------------------------------------

def test_two_tiers():
    G = network([("ore", "steel", "iron", 100.0), ("steel", "xyz", "sheet", 100.0)])
    assert cascade_rows(disruption_cascade(G, ["ore"])) == [("steel", 1, 1.0), ("xyz", 2, 1.0)]
    assert downstream_counts(G) == {"ore": 2, "steel": 1, "xyz": 0}


def test_diamond():
    # a supplies b and c with sku p; b and c each supply half of d's sku x
    G = network([("a", "b", "p", 100.0), ("a", "c", "p", 100.0), ("b", "d", "x", 50.0), ("c", "d", "x", 50.0)])
    assert downstream_counts(G) == {"a": 3, "b": 1, "c": 1, "d": 0}
    assert cascade_rows(disruption_cascade(G, ["a"])) == [("b", 1, 1.0), ("c", 1, 1.0), ("d", 2, 1.0)]
    # d loses exactly half of x when b fails: at the default threshold 0.5 it fails, above it holds
    assert cascade_rows(disruption_cascade(G, ["b"])) == [("d", 1, 0.5)]
    assert cascade_rows(disruption_cascade(G, ["b"], threshold=0.51)) == []
    assert single_source_links(G) == [SingleSource("b", "p", "a"), SingleSource("c", "p", "a")]
    assert [asdict(link) for link in single_source_links(G)][0] == {"client_id": "b", "sku": "p", "supplier_id": "a"}


def test_cycle_terminates():
    # a -> b -> c -> a, and c -> d: every company of the cycle reaches the other two and d
    G = network([("a", "b", "x", 100.0), ("b", "c", "x", 100.0), ("c", "a", "x", 100.0), ("c", "d", "y", 100.0)])
    assert downstream_counts(G) == {"a": 3, "b": 3, "c": 3, "d": 0}
    assert cascade_rows(disruption_cascade(G, ["a"])) == [("b", 1, 1.0), ("c", 2, 1.0), ("d", 3, 1.0)]
    assert time_to_recover(G, disruption_cascade(G, ["a"]), default_lead_time=10) == 30.0
    # every cascade takes the other three down; sole links a 1, b 1, c 2; betweenness: a on c->b,
    # b on a->c and a->d, c on a->d, b->a and b->d. No revenue. Scores (largest: 3, 2, 3):
    # a 100 x (0.3 + 0.1 + 0.2/3) = 46.67, b 100 x (0.3 + 0.1 + 0.4/3) = 53.33, c 100 x 0.7 = 70
    ranking = supplier_ranking(G)
    assert [(r.id, r.impacted, r.betweenness) for r in ranking] == [("c", 3, 3.0), ("b", 3, 2.0), ("a", 3, 1.0)]
    assert [r.risk_score for r in ranking] == pytest.approx([70.0, 53.333333, 46.666667])


def test_self_loop():
    G = network([("a", "a", "x", 100.0), ("a", "b", "x", 100.0)])
    assert downstream_counts(G) == {"a": 1, "b": 0}
    assert cascade_rows(disruption_cascade(G, ["a"])) == [("b", 1, 1.0)]


def test_rounds_are_synchronous():
    # a fails; b loses all of x in round 1. c buys y half from a, half from b: in round 1 only a
    # had failed (loss 0.5 < 0.6); in round 2 b had failed too (loss 1.0), so c fails in round 2.
    G = network([("a", "b", "x", 100.0), ("a", "c", "y", 50.0), ("b", "c", "y", 50.0)])
    assert cascade_rows(disruption_cascade(G, ["a"], threshold=0.6)) == [("b", 1, 1.0), ("c", 2, 1.0)]
    # at 0.5, c already fails in round 1 with the loss it had then
    assert cascade_rows(disruption_cascade(G, ["a"])) == [("b", 1, 1.0), ("c", 1, 0.5)]


def test_max_loss_is_the_largest_over_skus():
    # c loses 30% of x and 80% of y when s fails
    G = network([("s", "c", "x", 30.0), ("t", "c", "x", 70.0), ("s", "c", "y", 80.0), ("u", "c", "y", 20.0)])
    assert cascade_rows(disruption_cascade(G, ["s"])) == [("c", 1, pytest.approx(0.8))]


def test_shares_need_not_sum_to_100():
    # bolts: 30 from s1, 10 from s2 (40 in all); HHI = (30/40)^2 + (10/40)^2 = 0.625 -> 6250
    G = network([("s1", "c", "bolt", 30.0), ("s2", "c", "bolt", 10.0)])
    assert [(c.id, c.hhi) for c in concentration(G)] == [("c", 6250.0)]
    assert cascade_rows(disruption_cascade(G, ["s1"])) == [("c", 1, 0.75)]
    assert cascade_rows(disruption_cascade(G, ["s2"])) == []


def test_loss_exactly_at_threshold_fails_despite_rounding():
    # s1 and s2 (0.1 + 4.3 = 4.4) fail out of 8.0: the loss is exactly 0.55, although in floats
    # 4.4 / 8.0 computes as 0.5499999999999999
    G = network([("s1", "c", "x", 0.1), ("s2", "c", "x", 4.3), ("s3", "c", "x", 3.6)])
    assert (0.1 + 4.3) / (0.1 + 4.3 + 3.6) < 0.55
    assert [i.id for i in disruption_cascade(G, ["s1", "s2"], threshold=0.55).impacted] == ["c"]


def test_loss_just_below_threshold_holds():
    G = network([("s1", "c", "x", 49.99), ("s2", "c", "x", 50.01)])
    assert disruption_cascade(G, ["s1"]).impacted == []
    assert cascade_rows(disruption_cascade(G, ["s1"], threshold=0.4999)) == [("c", 1, pytest.approx(0.4999))]


def test_concentration_reports_the_worst_sku():
    G = network([("a", "c", "x", 50.0), ("b", "c", "x", 50.0), ("a", "c", "y", 90.0), ("b", "c", "y", 10.0)])
    # x: 0.25 + 0.25 -> 5000; y: 0.81 + 0.01 -> 8200
    [row] = concentration(G)
    assert (row.sku, row.hhi) == ("y", pytest.approx(8200.0))
    assert [risk.hhi_level(h) for h in (1499.9, 1500, 2500, 2500.1)] == [
        "unconcentrated", "moderately concentrated", "moderately concentrated", "highly concentrated"]


def test_time_to_recover_takes_the_longest_failed_path():
    # d fails in round 2 through b (10 + 5) and c (20 + 30); a fails: d is back after 50 days
    G = network([("a", "b", "p", 100.0, 10), ("a", "c", "p", 100.0, 20),
                 ("b", "d", "x", 50.0, 5), ("c", "d", "x", 50.0, 30)])
    assert time_to_recover(G, disruption_cascade(G, ["a"])) == 50.0
    # nothing impacted: nothing to recover
    assert time_to_recover(G, disruption_cascade(G, ["d"])) == 0.0
    # unknown lead times count the default
    G = network([("a", "b", "p", 100.0)])
    assert time_to_recover(G, disruption_cascade(G, ["a"])) == risk.DEFAULT_LEAD_TIME_DAYS


def test_ranking_order_and_scores():
    G = network([("hub", f"c{i}", "x", 100.0) for i in range(5)]
                + [("side", "c0", "y", 10.0), ("other", "c0", "y", 90.0)])
    ranking = supplier_ranking(G)
    # hub takes down its five clients and is the sole source of five links: 100 x (0.3 + 0.2) = 50;
    # other takes c0 (90% of y) down: 100 x 0.3 x 1/5 = 6; side (10% of y) nothing: 0. Nobody has
    # revenue or betweenness, so those measures add nothing.
    assert [(r.id, r.risk_score) for r in ranking] == [("hub", 50.0), ("other", 6.0), ("side", 0.0)]
    assert [r.direct_clients for r in ranking] == [5, 1, 1]


# --- edge cases -----------------------------------------------------------------------------

def test_empty_network():
    G = nx.MultiDiGraph()
    assert single_source_links(G) == []
    assert concentration(G) == []
    assert downstream_counts(G) == {}
    assert supplier_ranking(G) == []
    with pytest.raises(UserError, match="unknown company id: x"):
        disruption_cascade(G, ["x"])
    with pytest.raises(UserError, match="known regions: none"):
        disruption_cascade(G, region="Midwest")


def test_one_company():
    G = network([], solo={"name": "Solo", "region": "North", "revenue": 7.0, "customers": frozenset("ab")})
    assert downstream_counts(G) == {"solo": 0}
    assert supplier_ranking(G) == []
    assert concentration(G) == []
    cascade = disruption_cascade(G, ["solo"])
    assert (cascade.failed, cascade.impacted) == (["solo"], [])
    assert (revenue_at_risk(G, cascade), customers_affected(G, cascade), time_to_recover(G, cascade)) == (7.0, 2, 0.0)


@pytest.mark.parametrize("threshold", [0, -0.1, 1.01, float("nan")])
def test_threshold_out_of_range(threshold):
    with pytest.raises(UserError, match="threshold must be in") as raised:
        disruption_cascade(story(), ["ABC"], threshold=threshold)
    assert raised.value.field == "threshold"


def test_bad_failed_sets():
    G = story()
    with pytest.raises(UserError, match="unknown company id: NOPE") as raised:
        disruption_cascade(G, ["ABC", "NOPE"])
    assert raised.value.field == "failed"
    with pytest.raises(UserError, match="at least one") as raised:
        disruption_cascade(G, [])
    assert raised.value.field == "failed"
    with pytest.raises(UserError, match="either"):
        disruption_cascade(G)
    with pytest.raises(UserError, match="either"):
        disruption_cascade(G, ["ABC"], region="Midwest")


def test_threshold_one_needs_a_total_loss():
    G = story()
    assert cascade_rows(disruption_cascade(G, ["ABC"], threshold=1.0)) == [("XYZ", 1, 1.0)]


# --- against the definitions, on random networks with cycles ---------------------------------

def random_network(seed: int, n: int = 40) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n))
    for u, v in nx.gnp_random_graph(n, 0.08, seed=seed, directed=True).edges():
        G.add_edge(u, v, key=rng.choice("xyz"), share=rng.choice([10.0, 25.0, 50.0, 100.0]))
    return G


def reference_cascade(G, failed, threshold):
    """The definition, word for word: each round recomputes every loss from the failures so far."""
    down, impacted, round_ = set(failed), [], 0
    while True:
        round_ += 1
        new = []
        for c in sorted(set(G) - down):
            total, lost = defaultdict(float), defaultdict(float)
            for s, _, sku, share in G.in_edges(c, keys=True, data="share"):
                total[sku] += share
                lost[sku] += share if s in down else 0.0
            worst = max((lost[m] / total[m] for m in total), default=0.0)
            if worst >= threshold:
                new.append((c, round_, worst))
        if not new:
            return impacted
        down.update(c for c, _, _ in new)
        impacted.extend(new)


@pytest.mark.parametrize("seed", range(8))
def test_matches_the_definitions_on_random_networks(seed):
    G = random_network(seed)
    assert downstream_counts(G) == {n: len(nx.descendants(G, n)) for n in G}
    for threshold in (0.25, 0.5, 1.0):
        failed = [seed, seed + 1]
        expected = reference_cascade(G, failed, threshold)
        assert cascade_rows(disruption_cascade(G, failed, threshold=threshold)) == [
            (c, r, pytest.approx(loss)) for c, r, loss in expected]


def test_betweenness_is_exact_below_the_sample_size_and_reproducible_above():
    G = random_network(3)
    exact = nx.betweenness_centrality(nx.DiGraph(G), normalized=False)
    assert all(r.betweenness == pytest.approx(exact[r.id]) for r in supplier_ranking(G))
    sampled = [supplier_ranking(G, betweenness_samples=5, seed=7) for _ in range(2)]
    assert sampled[0] == sampled[1]
    assert all(0 <= r.risk_score <= 100 for r in sampled[0])
    with pytest.raises(UserError, match="threshold"):
        supplier_ranking(G, threshold=0)


def test_errors_are_value_errors_in_plain_words():
    with pytest.raises(ValueError, match="^the threshold must be in") as raised:
        risk.check_threshold(2)
    assert "--" not in str(raised.value)
