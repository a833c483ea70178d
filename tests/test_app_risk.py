"""The Supply risk page through streamlit.testing: ranking, single sources, concentration and the what-if."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.demo import ABC_STEEL, XYZ
from loaders.load import load_demo
from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server

# ABC Steel supplies all of XYZ's steel; XYZ supplies 60% of OEM's parts, Other the remaining 40%.
SUPPLY = """
CREATE (abc:Company:Supplier {companyId: 'c-abc', name: 'ABC Steel Suppliers', region: 'Midwest'})
CREATE (xyz:Company:Supplier {companyId: 'c-xyz', name: 'XYZ Manufacturing Inc.', region: 'Midwest'})
CREATE (oem:Company {companyId: 'c-oem', name: 'Detroit Motors', region: 'Great Lakes'})
CREATE (other:Company:Supplier {companyId: 'c-other', name: 'Other Parts', region: 'South'})
CREATE (abc)-[:SUPPLIES {sku: 'steel-sheet', sharePct: 100.0, leadTimeDays: 45}]->(xyz)
CREATE (xyz)-[:SUPPLIES {sku: 'brake', sharePct: 60.0, leadTimeDays: 20}]->(oem)
CREATE (other)-[:SUPPLIES {sku: 'brake', sharePct: 40.0}]->(oem)
CREATE (john:Person:Customer {personId: 'p-john', name: 'John Smith'})
CREATE (john)-[:PLACED]->(:Order {orderId: 'o1', total: 1000.0})-[:SOLD_BY]->(oem)
CREATE (oem)-[:PLACED]->(:Order {orderId: 'o2', total: 500.0})-[:SOLD_BY]->(xyz)
"""


def risk_page(tab: str | None = None, **query: str) -> AppTest:
    """The page opened at a URL with `query`, with `tab` open (tabs are lazy: only the open one runs)."""
    app = AppTest.from_file(str(REPO / "ui" / "risk.py"), default_timeout=60)
    if tab:
        app.session_state["risk-tab"] = tab
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


@pytest.fixture
def supply(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(SUPPLY)
    return db


def test_ranking_shows_suppliers_riskiest_first(supply):
    app = risk_page()
    assert not app.exception
    ranking = app.dataframe[0].value
    assert list(ranking["id"])[0] == "c-abc"
    assert set(ranking["id"]) == {"c-abc", "c-xyz", "c-other"}
    assert ranking.set_index("id").loc["c-abc", "impacted"] == 2  # XYZ, then Detroit Motors


def test_single_sources_and_concentration(supply):
    links = risk_page("Single sources").dataframe[0].value
    assert list(links["client"]) == ["XYZ Manufacturing Inc."] and list(links["supplier_id"]) == ["c-abc"]
    clients = risk_page("Concentration").dataframe[0].value.set_index("id")
    assert clients.loc["c-xyz", "hhi"] == pytest.approx(10000)
    assert clients.loc["c-oem", "hhi"] == pytest.approx(5200)  # 0.6^2 + 0.4^2
    assert clients.loc["c-oem", "level"] == "highly concentrated"


def test_disrupt_link_opens_the_what_if(supply):
    app = risk_page(disrupt="c-abc")
    assert not app.exception
    assert app.multiselect(key="risk-disrupt").value == ["c-abc"]
    impacted = app.dataframe[-1].value
    assert list(impacted["name"]) == ["XYZ Manufacturing Inc.", "Detroit Motors"]
    assert list(impacted["round"]) == [1, 2]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Impacted"] == "2"
    assert metrics["Revenue at risk"] == "1,500"  # o2 sold by XYZ + o1 sold by Detroit Motors
    assert metrics["Customers affected"] == "2"
    assert metrics["Time to recover"] == "65 days"  # 45 + 20


def test_threshold_and_selection_change_the_cascade(supply):
    app = risk_page(disrupt="c-abc")
    app.slider(key="risk-threshold").set_value(0.65).run()
    assert list(app.dataframe[-1].value["id"]) == ["c-xyz"]  # Detroit Motors loses only 60% of its brakes
    app.multiselect(key="risk-disrupt").set_value(["c-other"]).run()
    assert app.query_params["disrupt"] == "c-other"
    assert any("No other company fails" in s.value for s in app.success)


def test_region_what_if_and_unknown_ids(supply):
    app = risk_page(region="Midwest")
    assert app.selectbox(key="risk-region").value == "Midwest"
    assert {m.label: m.value for m in app.metric}["Failed"] == "2"
    app = risk_page(disrupt="c-abc,nope")
    assert any("not in the database" in w.value for w in app.warning)
    assert app.multiselect(key="risk-disrupt").value == ["c-abc"]


def test_empty_supply_network_says_what_to_do(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = risk_page()
    assert not app.exception
    assert any("Load the demo" in i.value for i in app.info)


def test_unreachable_neo4j_shows_the_banner(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    app = AppTest.from_file(str(REPO / "ui" / "risk.py"), default_timeout=60).run()
    assert not app.exception
    assert any("Neo4j is unreachable" in e.value for e in app.error)


def test_disrupting_abc_steel_in_the_demo_takes_down_xyz(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    load_demo(db)
    app = risk_page(disrupt=ABC_STEEL)
    assert not app.exception
    impacted = app.dataframe[-1].value.set_index("id")
    assert impacted.loc[XYZ, "name"] == "XYZ Manufacturing Inc." and impacted.loc[XYZ, "round"] == 1
    assert impacted["round"].max() > 1  # and, tier by tier, XYZ's own customers
