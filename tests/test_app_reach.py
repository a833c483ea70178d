"""The Word of mouth page through streamlit.testing: influencers, a cascade, expected reach, a campaign."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server

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


def test_cascade_of_the_chosen_referrer(referrals):
    app = reach_page("Cascades")
    assert app.selectbox(key="reach-root").value == "p-john"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Cascade size"] == "3" and metrics["Referred revenue"] == "300"


def test_expected_reach_with_certain_referrals(referrals):
    app = reach_page("Expected reach")
    app.multiselect(key="reach-seeds").set_value(["p-john", "p-dan"])
    app.slider(key="reach-spread-p").set_value(1.0)
    app.button[0].click().run()  # the form's submit button: ties convert for sure, so the spread is exact
    assert {m.label: m.value for m in app.metric}["Expected reach"] == "6.0 ± 0.0"


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


def test_communities_with_their_top_referrers(referrals):
    communities = reach_page("Communities").dataframe[0].value
    assert communities["size"].sum() == 6  # every customer of the referral network, once
    referrers = {name for names in communities["top_referrers"] for name in names.split(", ") if name}
    assert referrers == {"John Smith", "Ann"}  # those with converted referrals


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
