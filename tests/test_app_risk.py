"""The Supply risk page through streamlit.testing: ranking, single sources, concentration and the what-if."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.demo import ABC_STEEL, XYZ
from loaders.load import load_demo
from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server
from ui.format import MONEY_FORMAT, card_link

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


def column_settings(table) -> dict:
    """The column settings a table sends to the browser: header label, format, link text, per column."""
    return json.loads(table.proto.columns)


def test_ranking_shows_suppliers_riskiest_first(supply):
    app = risk_page()
    assert not app.exception
    ranking = app.dataframe[0].value
    assert list(ranking["id"])[0] == "c-abc"
    assert set(ranking["id"]) == {"c-abc", "c-xyz", "c-other"}
    assert ranking.set_index("id").loc["c-abc", "impacted"] == 2  # XYZ, then Detroit Motors
    # the supplier's name opens its card; the what-if is one click away
    abc = ranking.set_index("id").loc["c-abc"]
    assert abc["supplier"] == card_link("c-abc", "ABC Steel Suppliers")
    assert abc["supplier"].startswith("/explore?id=c-abc#") and abc["what_if"] == "/risk?disrupt=c-abc"
    settings = column_settings(app.dataframe[0])
    assert settings["revenue_at_risk"]["label"] == "Revenue at risk"
    assert settings["revenue_at_risk"]["type_config"]["format"] == MONEY_FORMAT == "USD %,.0f"
    assert settings["supplier"]["label"] == "Supplier" and settings["direct_clients"]["label"] == "Direct clients"
    chart = str(app.get("vega_lite_chart")[0].proto)
    assert "Revenue at risk (USD)" in chart and "Risk score" in chart and "risk_score\"" not in chart.lower()


def test_single_sources_and_concentration(supply):
    links = risk_page("Single sources").dataframe[0].value
    assert list(links["client"]) == [card_link("c-xyz", "XYZ Manufacturing Inc.")]
    assert list(links["supplier_id"]) == ["c-abc"]
    assert list(links["supplier"]) == [card_link("c-abc", "ABC Steel Suppliers")]
    clients = risk_page("Concentration").dataframe[0].value.set_index("id")
    assert clients.loc["c-xyz", "hhi"] == pytest.approx(10000)
    assert clients.loc["c-oem", "hhi"] == pytest.approx(5200)  # 0.6^2 + 0.4^2
    assert clients.loc["c-oem", "level"] == "highly concentrated"
    assert clients.loc["c-oem", "client"] == card_link("c-oem", "Detroit Motors")


MANY = """
UNWIND range(1, 44) AS i
WITH i, right('0' + toString(i), 2) AS n
CREATE (s:Company:Supplier {companyId: 's' + n, name: 'Supplier ' + n})
WITH s, i
MATCH (c:Company {companyId: 'c-oem'})
CREATE (s)-[:SUPPLIES {sku: 'part-' + i, sharePct: 100.0}]->(c)
"""


def test_the_ranking_sends_one_page_and_turns_pages(supply):
    supply.write(MANY)  # 44 more suppliers, 47 in all: three pages of 20
    app = risk_page()
    first = app.dataframe[0].value
    assert len(first) == 20
    pager = app.pagination(key="risk-ranking:page")
    assert pager.value == 1 and pager.num_pages == 3
    assert any(c.value == "1–20 of 47 suppliers" for c in app.caption)
    pager.set_value(2).run()
    second = app.dataframe[0].value
    assert len(second) == 20 and not set(second["id"]) & set(first["id"])
    assert any(c.value == "21–40 of 47 suppliers" for c in app.caption)
    app.pagination(key="risk-ranking:page").set_value(3).run()
    assert len(app.dataframe[0].value) == 7
    # sorting is done on the server, over every supplier, and starts again at page 1
    app.selectbox(key="risk-ranking:sort").set_value("name").run()
    app.segmented_control(key="risk-ranking:order").set_value("Ascending").run()
    assert app.pagination(key="risk-ranking:page").value == 1
    assert list(app.dataframe[0].value["id"])[:2] == ["c-abc", "c-other"]  # ABC Steel, Other Parts, Supplier 01...
    app.segmented_control(key="risk-ranking:order").set_value("Descending").run()
    assert list(app.dataframe[0].value["id"])[0] == "c-xyz"  # XYZ Manufacturing Inc. is last by name
    # the chart shows the top N, and says where the rest are
    assert app.slider(key="risk-chart-top").value == 15
    assert any("15 riskiest of 47 suppliers" in c.value for c in app.caption)


def test_disrupt_link_opens_the_what_if(supply):
    app = risk_page(disrupt="c-abc")
    assert not app.exception
    assert app.multiselect(key="risk-disrupt").value == ["c-abc"]
    impacted = app.dataframe[-1].value
    assert list(impacted["id"]) == ["c-xyz", "c-oem"]
    assert list(impacted["round"]) == [1, 2]
    assert list(impacted["company"]) == [card_link("c-xyz", "XYZ Manufacturing Inc."),
                                         card_link("c-oem", "Detroit Motors")]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Impacted"] == "2"
    assert metrics["Revenue at risk"] == "USD 1.5 k"  # o2 sold by XYZ + o1 sold by Detroit Motors
    assert "USD 1,500" in next(m for m in app.metric if m.label == "Revenue at risk").help
    assert metrics["Customers affected"] == "2"
    assert metrics["Time to recover"] == "65 days"  # 45 + 20


def test_threshold_and_selection_change_the_cascade(supply):
    app = risk_page(disrupt="c-abc")
    app.slider(key="risk-threshold").set_value(0.65).run()
    assert list(app.dataframe[-1].value["id"]) == ["c-xyz"]  # Detroit Motors loses only 60% of its brakes
    app.multiselect(key="risk-disrupt").set_value(["c-other"]).run()
    assert app.query_params["disrupt"] == "c-other"
    assert any("No other company fails" in s.value for s in app.success)


def test_a_company_typed_by_name_or_id_joins_the_scenario(supply):
    app = risk_page(disrupt="c-abc")
    app.multiselect(key="risk-disrupt").set_value(["c-abc", "other parts"]).run()  # a name, case aside
    assert app.multiselect(key="risk-disrupt").value == ["c-abc", "c-other"]
    assert app.query_params["disrupt"] == "c-abc,c-other"
    app.multiselect(key="risk-disrupt").set_value(["c-abc", "C-OEM"]).run()  # not a supplier, but it can fail
    assert app.query_params["disrupt"] == "c-abc,c-oem"
    app.multiselect(key="risk-disrupt").set_value(["c-abc", "motors"]).run()  # the one name that contains it
    assert app.query_params["disrupt"] == "c-abc,c-oem"
    app.multiselect(key="risk-disrupt").set_value(["c-abc", "T"]).run()  # four names contain it: no guess
    assert app.multiselect(key="risk-disrupt").value == ["c-abc"]
    assert any("could be 4 companies" in i.value and "Detroit Motors (`c-oem`)" in i.value for i in app.info)
    app.multiselect(key="risk-disrupt").set_value(["c-abc", "Nobody Inc"]).run()
    assert any("No company has the id or a name like" in w.value for w in app.warning)


def test_region_what_if_and_unknown_ids(supply):
    app = risk_page(region="Midwest")
    assert app.session_state["risk-tab"] == "What-if"  # a scenario link opens the What-if
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
    assert impacted.loc[XYZ, "company"] == card_link(XYZ, "XYZ Manufacturing Inc.")
    assert impacted.loc[XYZ, "round"] == 1
    assert impacted["round"].max() > 1  # and, tier by tier, XYZ's own customers


def test_switching_to_a_region_keeps_the_what_if_and_its_url(supply):
    app = risk_page(disrupt="c-abc")
    app.segmented_control(key="risk-mode").set_value("A region").run()
    assert not app.exception
    assert app.session_state["risk-tab"] == "What-if"  # not back on Ranking
    assert app.selectbox(key="risk-region").value == "Midwest"  # ABC Steel's region, opened at once
    assert app.query_params["region"] == "Midwest" and "disrupt" not in app.query_params
    assert {m.label: m.value for m in app.metric}["Failed"] == "2"  # ABC Steel and XYZ, both in the Midwest
    app.selectbox(key="risk-region").set_value("South").run()
    assert app.query_params["region"] == "South"
    app.segmented_control(key="risk-mode").set_value("Suppliers").run()
    assert app.session_state["risk-tab"] == "What-if"
    assert app.multiselect(key="risk-disrupt").value == ["c-abc"]  # the suppliers' scenario kept
    assert app.query_params["disrupt"] == "c-abc" and "region" not in app.query_params
