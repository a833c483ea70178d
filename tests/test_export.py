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
    john = graph.nodes["Person:P1"]
    assert john["name"] == "<b>John</b>" and john["since"] == "2020-01-01"
    assert john["label"] == "Customer:Person" and john["nodeKey"] == john["personId"] == "P1"
    supplies = [(u, v, d["sku"], d["sharePct"])
                for u, v, d in graph.edges(data=True) if d["relationship"] == "SUPPLIES"]
    assert supplies == [("Company:C2", "Company:C1", "S1", 70.0)]


def test_equal_keys_of_different_labels_stay_apart(db, relgraph, tmp_path):
    # Keys are unique per label only: a sku and an order id may be equal, and must not merge into one node.
    db.write("""
        CREATE (o:Order {orderId: 'X', total: 10.0})-[:INCLUDES {quantity: 1}]->(:Product {sku: 'X', name: 'Gadget'})
        CREATE (:Person {personId: 'X', name: 'Xavier'})-[:PLACED]->(o)""")
    path = tmp_path / "g.graphml"
    done = relgraph("export", "graphml", str(path))
    assert done.returncode == 0, done.stderr
    graph = nx.read_graphml(path)
    assert sorted(graph.nodes) == ["Order:X", "Person:X", "Product:X"]
    assert {graph.nodes[n]["nodeKey"] for n in graph.nodes} == {"X"}
    assert sorted((u, v, d["relationship"]) for u, v, d in graph.edges(data=True)) == [
        ("Order:X", "Product:X", "INCLUDES"), ("Person:X", "Order:X", "PLACED")]


def test_gexf_of_a_label_subset(db, relgraph, tmp_path):
    small_graph(db)
    path = tmp_path / "g.gexf"
    done = relgraph("export", "gexf", str(path), "--labels", "Company")
    assert done.returncode == 0, done.stderr
    graph = nx.read_gexf(path)
    assert sorted(graph.nodes) == ["Company:C1", "Company:C2"] and graph.number_of_edges() == 1
    assert graph.nodes["Company:C1"]["nodeKey"] == "C1"
    edges = list(graph.edges(data=True))  # GEXF's own edge type stays directed; the relationship's is an attribute
    assert [(d["relationship"], d.get("type", "directed")) for _, _, d in edges] == [("SUPPLIES", "directed")]


def test_a_file_that_cannot_be_written_exits_2_in_one_line(db, relgraph, tmp_path):
    done = relgraph("export", "graphml", str(tmp_path / "missing" / "x.graphml"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "cannot write" in done.stderr and "x.graphml" in done.stderr


def test_unknown_label_is_refused(db, relgraph, tmp_path):
    done = relgraph("export", "gexf", str(tmp_path / "x.gexf"), "--labels", "Person,Hacker")
    assert done.returncode == 2 and "unknown label Hacker" in done.stderr
    assert not (tmp_path / "x.gexf").exists()
