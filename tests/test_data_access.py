"""ui/data_access: every page's answers come from one cache, computed once per data version per process."""

from __future__ import annotations

from collections import Counter

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph import projection
from graph.analysis import reach, risk
from graph.projection import networks
from graph.results import ResultStore, compute
from loaders.demo import ABC_STEEL, JOHN_SMITH, XYZ
from loaders.load import load_demo
from tests.conftest import REPO
from tests.test_app_overview import use_server

PAGES = [("overview", {}), ("explore", {"id": XYZ}), ("explore", {"id": JOHN_SMITH}), ("risk", {}),
         ("risk", {"disrupt": ABC_STEEL}), ("reach", {})]


@pytest.fixture(scope="module")
def demo(session_db):
    from graph.store import schema

    schema.wipe(session_db)
    load_demo(session_db)
    return session_db


@pytest.fixture
def calls(demo, neo4j_settings, monkeypatch) -> Counter:
    """How often each projection and whole-graph analysis ran, counted behind the data-access layer."""
    use_server(monkeypatch, neo4j_settings)
    counter: Counter = Counter()

    def counted(name, *modules):
        real = getattr(modules[0], name)

        def wrapper(*args, **kwargs):
            counter[name] += 1
            return real(*args, **kwargs)

        for module in modules:  # wherever a page could take it from
            monkeypatch.setattr(module, name, wrapper)

    for name in ["supply_network", "referral_network"]:
        counted(name, compute, projection, networks)
    for name in ["supplier_ranking", "concentration"]:
        counted(name, risk)
    counted("referral_metrics", reach)
    return counter


def open_page(page: str, query: dict[str, str]) -> AppTest:
    """A new visitor's page, opened through the app's navigation (pages link to each other)."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    if page == "risk" and "disrupt" in query:
        app.session_state["risk-tab"] = "What-if"
    app.run()
    return app if page == "overview" else app.switch_page(f"ui/{page}.py").run()


def test_every_page_shares_one_projection_and_ranking_per_data_version(calls, demo):
    computed = len(ResultStore().computations())
    for page, query in PAGES * 2:  # every page, twice, as different visitors would
        assert not open_page(page, query).exception, (page, query)
    assert len(ResultStore().computations()) == computed + 1  # one analysis, stored for every process
    assert calls == {"supply_network": 1, "referral_network": 1, "supplier_ranking": 1, "concentration": 1,
                     "referral_metrics": 1}


def test_a_write_makes_every_answer_fresh(calls, demo):
    before = open_page("overview", {})
    people = {m.label: m.value for m in before.metric}["People"]
    assert calls["supply_network"] <= 1  # 0 when an earlier test had the demo analysed already
    projected, ranked = calls["supply_network"], calls["supplier_ranking"]
    demo.write("CREATE (:Person {personId: 'P-NEW-VISITOR', name: 'New Visitor'})")
    try:
        after = open_page("overview", {})
        assert {m.label: m.value for m in after.metric}["People"] == f"{int(people.replace(',', '')) + 1:,}"
        fresh = (projected + 1, ranked + 1)  # a new data version: analysed once more
        assert (calls["supply_network"], calls["supplier_ranking"]) == fresh
        open_page("risk", {})
        assert (calls["supply_network"], calls["supplier_ranking"]) == fresh
    finally:
        demo.write("MATCH (p:Person {personId: 'P-NEW-VISITOR'}) DELETE p")
    st.cache_resource.clear()
