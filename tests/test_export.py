"""`relgraph export graphml|gexf`: files Gephi and networkx read back."""

from __future__ import annotations

import networkx as nx


def small_graph(db) -> None:
    db.write("""
        CREATE (p:Person:Customer {personId: 'P1', name: '<b>John</b>', since: date('2020-01-01')})
        CREATE (c:Company {companyId: 'C1', name: 'ABC Electronics', region: 'Midwest'})
        CREATE (s:Company:Supplier {companyId: 'C2', name: 'ABC Steel'})
        CREATE (o:Order {orderId: 'O1', total: 99.5, tags: ['a', 'b']})
        CREATE (p)-[:PLACED]->(o)-[:SOLD_BY]->(c), (s)-[:SUPPLIES {sku: 'S1', sharePct: 70.0}]->(c)""")


def test_graphml_round_trip(db, relgraph, tmp_path):
    small_graph(db)
    path = tmp_path / "g.graphml"
    done = relgraph("export", "graphml", str(path))
    assert done.returncode == 0, done.stderr
    graph = nx.read_graphml(path)
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 3
    assert graph.nodes["P1"]["name"] == "<b>John</b>" and graph.nodes["P1"]["since"] == "2020-01-01"
    assert graph.nodes["P1"]["label"] == "Customer:Person"
    supplies = [(u, v, d["sku"], d["sharePct"]) for u, v, d in graph.edges(data=True) if d["type"] == "SUPPLIES"]
    assert supplies == [("C2", "C1", "S1", 70.0)]


def test_gexf_of_a_label_subset(db, relgraph, tmp_path):
    small_graph(db)
    path = tmp_path / "g.gexf"
    done = relgraph("export", "gexf", str(path), "--labels", "Company")
    assert done.returncode == 0, done.stderr
    graph = nx.read_gexf(path)
    assert sorted(graph.nodes) == ["C1", "C2"] and graph.number_of_edges() == 1


def test_unknown_label_is_refused(db, relgraph, tmp_path):
    done = relgraph("export", "gexf", str(tmp_path / "x.gexf"), "--labels", "Person,Hacker")
    assert done.returncode == 2 and "unknown label Hacker" in done.stderr
    assert not (tmp_path / "x.gexf").exists()
