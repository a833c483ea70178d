"""ui/data_access: every page's answers come from one cache, computed once per data version per process."""

from __future__ import annotations

from collections import Counter

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph import projection
from graph.analysis import reach, risk
from graph.projection import networks
from graph.results import ResultStore, Stored, compute
from graph.store.db import Database
from loaders.demo import ABC_STEEL, JOHN_SMITH, XYZ
from loaders.load import load_demo
from tests.conftest import REPO
from tests.test_app_overview import use_server
from ui import data_access

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


@pytest.fixture
def loads(calls, monkeypatch) -> Counter:
    """Whole networks built and stored rows read behind the data-access layer: ``referral_graph`` (asked
    for by a page, or built), ``("rows", table)`` (rows read), ``("sorted", table)``
    (reads sorted by SQLite) and ``("whole", table)`` (reads of a whole table: every row, or its columns)."""
    counter: Counter = Counter()

    def counted(module, name, key):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            counter[key] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counted(data_access, "referral_graph", "referral_graph")  # what a page asks for
    counted(data_access, "stored_referral_graph", "referral_graph")  # what builds it, whoever asks
    results, columns = Stored.results, Stored.columns

    def read_rows(self, name, result_type, limit=None, offset=0, order_by=None, descending=True):
        rows = results(self, name, result_type, limit, offset, order_by, descending)
        counter["rows", name] += len(rows)
        if order_by is not None:
            counter["sorted", name] += 1
        if limit is None:
            counter["whole", name] += 1
        return rows

    def read_columns(self, name):
        counter["whole", name] += 1
        return columns(self, name)

    monkeypatch.setattr(Stored, "results", read_rows)
    monkeypatch.setattr(Stored, "columns", read_columns)
    return counter


def open_tab(page: str, tab: str | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "ui" / f"{page}.py"), default_timeout=120)
    if tab:
        app.session_state[f"{page}-tab"] = tab
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, (page, tab, app.exception)
    return app


def test_first_visits_build_no_network_and_read_only_the_rows_shown(loads, demo):
    open_tab("reach")  # analysed here if no test before had the demo analysed; nothing counted yet
    data_access.wait_for_start_up()
    stored = ResultStore().get(demo.data_version())
    customers, suppliers = stored.rows["referral_metrics"], stored.rows["supplier_ranking"]
    assert customers > 20 and suppliers > 20  # more than a page
    loads.clear()
    open_tab("reach")  # Influencers: the chart's top 15 and the table's first page of 20 (the ranking's), nothing else
    assert loads == {("rows", "referral_metrics"): min(15, customers) + 20}
    loads.clear()
    open_tab("risk")  # Ranking: the same
    assert loads == {("rows", "supplier_ranking"): min(15, suppliers) + 20}
    loads.clear()
    assert not open_page("overview", {}).exception  # the top 5 of each ranking, and the graph's stored counts
    assert loads == {("rows", "supplier_ranking"): 5, ("rows", "referral_metrics"): 5, ("whole", "counts"): 1,
                     ("whole", "customer_groups"): 1}
    # the other tabs that need no network build none: names and seeds are read row by row, the
    # simulations run on the stored arrays
    loads.clear()
    open_tab("reach", "Expected reach")  # runs a spread from the most influential customer at once
    campaign = open_tab("reach", "Campaign")
    campaign.number_input(key="reach-k").set_value(2)
    campaign.button[0].click().run()
    assert {m.label for m in campaign.metric} == {"Expected reach of the campaign"}
    open_tab("reach", "Communities")
    open_tab("risk", "Single sources")
    open_tab("risk", "Concentration")
    assert not loads["referral_graph"]
    assert {k for k in loads if k[0] == "whole"} == {("whole", "concentration")}  # its HHI histogram
    # the tabs that walk a network read it, once per data version: the cascade tree builds the referral
    # network; the what-if reads the supply links and companies as columns (no graph) and never the sales whole
    open_tab("reach", "Cascades")
    assert loads["referral_graph"] == 1 + 1  # asked for, built once
    data_access._supply.clear()  # as if the app's start had not read it already (see the next test)
    loads.clear()
    open_tab("risk", "What-if", disrupt=ABC_STEEL)
    open_tab("risk", "What-if", disrupt=ABC_STEEL)
    assert {k: n for k, n in loads.items() if k[0] == "whole"} == {("whole", "companies"): 1, ("whole", "supplies"): 1}


def test_the_app_start_reads_the_supply_table_so_the_first_what_if_reads_nothing_whole(loads, demo):
    open_tab("risk")  # the demo analysed and stored, if no test before had it analysed
    data_access.wait_for_start_up()
    st.cache_resource.clear()
    loads.clear()
    data_access.database()  # a new app process's first connection: its start-up work begins, in the background
    data_access.wait_for_start_up()
    assert {k: n for k, n in loads.items() if k[0] == "whole"} == {("whole", "companies"): 1, ("whole", "supplies"): 1}
    loads.clear()
    what_if = open_tab("risk", "What-if", disrupt=ABC_STEEL)
    assert [m.label for m in what_if.metric][:2] == ["Failed", "Impacted"]
    assert not [k for k in loads if k[0] == "whole"]


def test_a_what_if_counts_its_customers_in_the_stored_sales_as_the_graph_does(demo, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    G = networks.supply_network(demo)
    regions = sorted({r for _, r in G.nodes(data="region") if r})
    assert len(regions) > 1
    for failed, region in [((ABC_STEEL,), None), ((XYZ,), None), *((None, r) for r in regions)]:
        found = data_access.what_if(failed, region, 0.5)
        assert found == risk.what_if(G, failed, region=region), (failed, region)
    assert data_access.what_if(None, regions[0], 0.5).customers_affected > 0


def test_a_script_run_reads_the_data_version_once_and_keeps_it(demo, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    reads: Counter = Counter()
    real = Database.data_version

    def data_version(self):
        reads["version"] += 1
        return real(self)

    monkeypatch.setattr(Database, "data_version", data_version)
    app = open_page("explore", {"id": XYZ})
    data_access.wait_for_start_up()  # the app's start-up work reads the version too, in the background
    reads.clear()
    app.run()  # a rerun, as a click makes: a company's card, its figures, its network
    assert not app.exception and reads["version"] == 1
    reads.clear()
    with data_access.script_run():
        before = data_access.version()
        stored = data_access.analysis()
        demo.write("CREATE (:Person {personId: 'P-MID-RUN', name: 'Mid Run'})")
        try:
            # a write that commits mid-run does not make half the page answer for the new data
            assert data_access.version() == before and data_access.analysis() is stored
            assert data_access.card(XYZ)["id"] == XYZ and data_access.supplier_risk(ABC_STEEL) is not None
            assert reads["version"] == 1
        finally:
            demo.write("MATCH (p:Person {personId: 'P-MID-RUN'}) DELETE p")
    assert data_access.version() != before  # outside a run: read at each call
    assert reads["version"] == 2
    st.cache_resource.clear()
