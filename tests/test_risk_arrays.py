"""The what-if on a supply network given as columns (graph.analysis.risk.cascade.what_if_on_table) answers
exactly what the what-if on the graph answers: no database needed."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.analysis.risk import SupplyTable, what_if, what_if_on_table
from graph.errors import UserError
from graph.results.compact import supply_tables
from tests.test_risk import story


def table_of(G: nx.MultiDiGraph) -> SupplyTable:
    """The columns the analysis stores for `G` (graph.results.compact), with the sales counted as a store would."""
    tables = supply_tables(G)
    companies, links, sales = tables["companies"], tables["supplies"], tables["sales"]

    def count_customers(rows: list[int]) -> int:
        wanted = set(rows)
        return len({c for seller, c in zip(sales["seller"], sales["customer"], strict=True) if seller in wanted})

    return SupplyTable(id=companies["id"], name=companies["name"], region=companies["region"],
                       revenue=companies["revenue"], supplier=links["supplier"], client=links["client"],
                       sku=links["sku"], share=links["share"], lead_time_days=links["lead_time_days"],
                       count_customers=count_customers)


def shuffled_network(seed: int, n: int = 60) -> nx.MultiDiGraph:
    """A random network whose ids are not in row order, with regions, revenue, customers and lead times."""
    rng = random.Random(seed)
    ids = [f"C{rng.randrange(10**6):06d}" for _ in range(n)]
    G = nx.MultiDiGraph()
    for company in ids:
        G.add_node(company, name=rng.choice([None, f"Company {company}"]), region=rng.choice([None, "East", "West"]),
                   revenue=rng.choice([0.0, 0.1, 1e6 / 3, 7.7]),
                   customers=frozenset(f"P{rng.randrange(30)}" for _ in range(rng.randrange(4))))
    for u, v in nx.gnp_random_graph(n, 0.06, seed=seed, directed=True).edges():
        G.add_edge(ids[u], ids[v], key=rng.choice("xyz"), share=rng.choice([10.0, 25.0, 33.3, 50.0, 100.0]),
                   lead_time_days=rng.choice([None, 5.0, 12.5]))
    return G


def test_the_story_as_columns():
    G = story()
    table = table_of(G)
    for failed in (["ABC"], ["XYZ"], ["LAK", "OHA"], ["DET"]):
        for threshold in (0.3, 0.5, 1.0):
            assert what_if_on_table(table, failed, threshold=threshold) == what_if(G, failed, threshold=threshold)
    assert what_if_on_table(table, region="Midwest") == what_if(G, region="Midwest")
    assert table.name_of("XYZ") == "XYZ Manufacturing Inc."
    prepared = table_of(G)
    assert prepared.prepare() is prepared and set(prepared.row) == set(G)  # the same table, its lookups built
    assert {"row", "deliveries", "_supply"} <= vars(prepared).keys()  # by prepare(), before any what-if
    assert what_if_on_table(prepared, ["ABC"]) == what_if(G, ["ABC"])
    assert table.suppliers_of("DET") == ["XYZ", "LAK"] and table.suppliers_of("ABC") == []


@pytest.mark.parametrize("seed", range(10))
def test_matches_the_graph_on_random_networks(seed):
    G = shuffled_network(seed)
    table = table_of(G)
    suppliers = sorted(n for n in G if G.succ[n])
    rng = random.Random(seed)
    for threshold in (0.2, 0.5, 1.0):
        for failed in ([suppliers[0]], rng.sample(suppliers, 3), suppliers):
            assert what_if_on_table(table, failed, threshold=threshold) == what_if(G, failed, threshold=threshold)
        for region in ("East", "West"):
            assert what_if_on_table(table, region=region, threshold=threshold) == what_if(
                G, region=region, threshold=threshold)


@pytest.mark.parametrize("failed, region, threshold", [
    (None, None, 0.5), (["ABC"], "Midwest", 0.5), ([], None, 0.5), (["ABC", "NOPE", "GONE"], None, 0.5),
    (None, "Atlantis", 0.5), (["ABC"], None, 1.5)])
def test_the_same_errors_in_the_same_words(failed, region, threshold):
    G = story()
    with pytest.raises(UserError) as on_graph:
        what_if(G, failed, region=region, threshold=threshold)
    with pytest.raises(UserError) as on_table:
        what_if_on_table(table_of(G), failed, region=region, threshold=threshold)
    assert (str(on_table.value), on_table.value.field) == (str(on_graph.value), on_graph.value.field)


def test_empty_network():
    G = nx.MultiDiGraph()
    G.add_node("A", region="East")
    assert what_if_on_table(table_of(G), ["A"]) == what_if(G, ["A"])
