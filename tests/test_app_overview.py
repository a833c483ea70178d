"""The app frame and the Overview page through streamlit.testing, with and without Neo4j."""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.store.config import Settings
from loaders.demo import ABC_STEEL, JOHN_SMITH, XYZ
from queries.stats import UNKNOWN_REGION, customers_by_region
from tests.conftest import REPO, free_port
from ui.format import card_link


def use_server(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("NEO4J_URI", settings.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", settings.password)
    st.cache_resource.clear()
    st.cache_data.clear()


def run_app() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    return app.run()


def test_overview_shows_live_counts(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write("UNWIND range(1, 3) AS i CREATE (:Person {personId: 'p' + i, name: 'P' + i})")
    db.write("CREATE (:Company {companyId: 'c1', name: 'C'})<-[:SOLD_BY]-(:Order {orderId: 'o1', total: 250.0})")
    app = run_app()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["People"] == "3" and metrics["Companies"] == "1"
    assert metrics["Orders"] == "1" and metrics["Revenue"] == "USD 250"
    db.write("CREATE (:Person {personId: 'p4', name: 'P4'})")
    app.run()
    assert {m.label: m.value for m in app.metric}["People"] == "4"  # the cache follows the data


def test_overview_says_empty_database(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = run_app()
    assert any("database is empty" in i.value for i in app.info)


def test_unreachable_neo4j_shows_a_banner_and_recovers(db, neo4j_settings, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    app = run_app()
    assert not app.exception
    assert any("Neo4j is unreachable" in e.value and "relgraph db start" in e.value for e in app.error)
    assert not app.metric
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)  # Neo4j is back
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)
    app.run()
    assert not app.error and {m.label for m in app.metric} >= {"People", "Companies"}


def test_overview_of_the_demo_names_top_risks_and_referrers(db, neo4j_settings, monkeypatch, relgraph):
    assert relgraph("load", "demo").returncode == 0
    use_server(monkeypatch, neo4j_settings)
    app = run_app()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Revenue"].startswith("USD ") and metrics["Revenue"].endswith(" M")  # compact, never cut off
    assert re.fullmatch(r"USD \d{1,3}(,\d{3})+ over all orders", next(m.help for m in app.metric
                                                                      if m.label == "Revenue"))
    assert int(metrics["Customers: people"].replace(",", "")) > 0
    assert int(metrics["Customers: businesses"].replace(",", "")) > 0
    assert [s.value for s in app.subheader][:3] == ["Top supply risks", "Top referrers", "Customers by region"]
    charts = app.get("vega_lite_chart")
    assert len(charts) == 3  # top risks, top referrers, customers by region
    specs = [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False) + str(chart.proto) for chart in charts]
    assert "ABC Steel Suppliers" in specs[0] or "XYZ Manufacturing Inc." in specs[0]
    assert "John Smith" in specs[1]
    assert "Midwest" in specs[2] and "people" in specs[2] and "businesses" in specs[2]
    assert "Revenue at risk (USD)" in specs[0] and "Influence (× average)" in specs[1]
    assert "Referred revenue (USD)" in specs[1] and "Customers" in specs[2]
    # every bar has room for its label: a fixed step per bar, never a squashed fixed height
    assert all('"height": {"step": 30}' in spec for spec in specs)
    # each name opens its card; each supplier its what-if, its id in the URL
    risks, referrers = (table.value for table in app.dataframe[:2])
    assert len(risks) == len(referrers) == 5
    assert {f"/risk?disrupt={ABC_STEEL}", f"/risk?disrupt={XYZ}"} & set(risks["what_if"])
    assert all(link.startswith("/explore?id=") for link in [*risks["supplier"], *referrers["customer"]])
    assert card_link(JOHN_SMITH, "John Smith") in set(referrers["customer"])
    headers = {c.get("label") for table in app.dataframe[:2] for c in json.loads(table.proto.columns).values()}
    assert {"Supplier", "Risk score", "Revenue at risk", "Customer", "Influence (× average)"} <= headers
    links = " ".join(str(link.proto) for link in app.get("page_link"))
    assert all(page in links for page in ("risk", "reach", "explore", "data"))


def test_customers_by_region_places_people_by_their_city(db):
    db.write("""
        CREATE (:Company:Customer {companyId: 'c1', name: 'Acme', city: 'Chicago', country: 'USA', region: 'Midwest'}),
               (:Company {companyId: 'c2', name: 'Other', city: 'Boston', country: 'USA', region: 'Northeast'}),
               (:Person:Customer {personId: 'p1', name: 'A', city: 'Chicago', country: 'USA'}),
               (:Person:Customer {personId: 'p2', name: 'B', city: 'Boston', country: 'USA'}),
               (:Person:Customer {personId: 'p3', name: 'C', city: 'Chicago', country: 'USA'}),
               (:Person:Customer {personId: 'p4', name: 'D', city: 'Nowhere'}),
               (:Person {personId: 'p5', name: 'not a customer', city: 'Chicago', country: 'USA'})""")
    assert customers_by_region(db) == [
        ("people", "Midwest", 2), ("people", "Northeast", 1), ("people", UNKNOWN_REGION, 1),
        ("businesses", "Midwest", 1)]
