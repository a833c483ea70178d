"""The Word of mouth page through streamlit.testing: influencers, a cascade, expected reach, a campaign."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server
from ui.format import MONEY_FORMAT, card_link

# John referred Ann and Bob, Ann referred Cat (all converted); Dan's referral of Eve did not convert.
REFERRALS = """
CREATE (john:Person:Customer {personId: 'p-john', name: 'John Smith'})
CREATE (ann:Person {personId: 'p-ann', name: 'Ann'})
CREATE (bob:Person {personId: 'p-bob', name: 'Bob'})
CREATE (cat:Person {personId: 'p-cat', name: 'Cat'})
CREATE (dan:Person {personId: 'p-dan', name: 'Dan'})
CREATE (eve:Company {companyId: 'c-eve', name: 'Eve Corp'})
CREATE (john)-[:REFERRED {converted: true}]->(ann)
CREATE (john)-[:REFERRED {converted: true}]->(bob)
CREATE (ann)-[:REFERRED {converted: true}]->(cat)
CREATE (dan)-[:REFERRED {converted: false}]->(eve)
CREATE (cat)-[:PLACED]->(:Order {orderId: 'o1', total: 300.0})
"""


@pytest.fixture
def referrals(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(REFERRALS)
    return db


def chart_spec(app: AppTest, index: int = 0) -> str:
    """The Vega-Lite spec of a chart on the page, as text (titles, tooltips)."""
    return json.dumps(json.loads(app.get("vega_lite_chart")[index].proto.spec), ensure_ascii=False)


def reach_page(tab: str = "Influencers") -> AppTest:
    """The page with `tab` open: tabs are lazy, only the open one runs."""
    app = AppTest.from_file(str(REPO / "ui" / "reach.py"), default_timeout=60)
    app.session_state["reach-tab"] = tab
    return app.run()


def test_influencers_lead_with_the_biggest_cascade(referrals):
    app = reach_page()
    assert not app.exception
    people = app.dataframe[0].value
    assert people.iloc[0]["name"] == "John Smith"
    john = people.set_index("id").loc["p-john"]
    assert (john["direct_referrals"], john["cascade_size"], john["cascade_depth"]) == (2, 3, 2)
    assert john["referred_revenue"] == pytest.approx(300.0)
    assert john["customer"] == card_link("p-john", "John Smith")  # the name opens John's card
    # influence reads relative to the average customer (PageRank sums to 1 over the 6 customers)
    assert john["influence_x"] == pytest.approx(john["influence"] * 6)
    assert john["influence_x"] > 1 > people.set_index("id").loc["c-eve", "influence_x"]
    settings = json.loads(app.dataframe[0].proto.columns)
    assert settings["referred_revenue"]["type_config"]["format"] == MONEY_FORMAT
    assert settings["influence_x"]["label"] == "Influence (× average)" and "average" in settings["influence_x"]["help"]
    assert settings["cascade_size"]["label"] == "Cascade size"
    chart = chart_spec(app)
    assert "Influence (× average)" in chart and "Referred revenue (USD)" in chart


def test_cascade_of_the_chosen_referrer(referrals):
    app = reach_page("Cascades")
    assert app.selectbox(key="reach-root").value == "p-john"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Cascade size"] == "3" and metrics["Referred revenue"] == "USD 300"
    assert any("Expected reach" in c.value and "Cascade size" in c.value for c in app.caption)  # why they differ


def test_expected_reach_with_certain_referrals(referrals):
    app = reach_page("Expected reach")
    app.multiselect(key="reach-seeds").set_value(["p-john", "p-dan"])
    app.slider(key="reach-spread-p").set_value(1.0)
    app.button[0].click().run()  # the form's submit button: ties convert for sure, so the spread is exact
    assert {m.label: m.value for m in app.metric}["Expected reach"] == "6.0 ± 0.0"
    assert any("cascades so far: 3 customers" in c.value for c in app.caption)  # John's 3, Dan's 0


def test_campaign_chooses_seeds_on_request(referrals):
    app = reach_page("Campaign")
    assert not app.metric
    app.number_input(key="reach-k").set_value(2)
    app.slider(key="reach-campaign-p").set_value(1.0)
    app.button[0].click().run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Expected reach of the campaign"] == "6.0 ± 0.0"
    seeds = app.dataframe[0].value
    assert set(seeds["seed"]) == {"p-john", "p-dan"} and list(seeds["expected_spread"]) == [4.0, 6.0]
    assert list(seeds["customer"])[0] == card_link("p-john", "John Smith")
    chart = chart_spec(app)
    assert "Expected reach" in chart and "expected spread" not in chart.lower()


def test_communities_with_their_top_referrers(referrals):
    app = reach_page("Communities")
    communities = app.dataframe[0].value
    assert communities["size"].sum() == 6  # every customer of the referral network, once
    leads = set(communities["lead_referrer"].dropna())
    others = {name for names in communities["other_referrers"] for name in names.split(", ") if name}
    assert card_link("p-john", "John Smith") in leads  # the lead referrer opens their card
    assert len(leads) + len(others) == 2 and (card_link("p-ann", "Ann") in leads or "Ann" in others)
    app.segmented_control(key="reach-communities:order").set_value("Ascending").run()
    smallest_first = app.dataframe[0].value  # each keeps its number, its rank by size
    assert list(smallest_first["size"]) == sorted(communities["size"])
    assert list(smallest_first["community"]) == list(communities["community"])[::-1]


def test_the_referrers_table_pages_on_the_server(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write("""
        UNWIND range(1, 30) AS i
        CREATE (:Person {personId: 'r' + i, name: 'Referrer ' + i})-[:REFERRED {converted: true}]->
               (:Person {personId: 'n' + i, name: 'New ' + i})""")
    app = reach_page()
    assert len(app.dataframe[0].value) == 20  # one page of the 60 customers is sent, not all
    assert any(c.value == "1–20 of 60 customers" for c in app.caption)
    app.pagination(key="reach-referrers:page").set_value(3).run()
    assert len(app.dataframe[0].value) == 20 and any(c.value == "41–60 of 60 customers" for c in app.caption)
    app.selectbox(key="reach-referrers:sort").set_value("name").run()
    app.segmented_control(key="reach-referrers:order").set_value("Ascending").run()
    assert list(app.dataframe[0].value["name"])[:3] == ["New 1", "New 10", "New 11"]  # by name, from page 1


def test_no_referrals_says_what_to_do(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = reach_page()
    assert any("No referrals yet" in i.value for i in app.info)


def test_unreachable_neo4j_shows_the_banner(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    app = AppTest.from_file(str(REPO / "ui" / "reach.py"), default_timeout=60).run()
    assert not app.exception
    assert any("Neo4j is unreachable" in e.value for e in app.error)
