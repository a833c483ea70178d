"""The Cypher page through streamlit.testing: reads, refused writes, errors, named queries, plans, history, favourites.

The editor is a browser component, which AppTest does not draw: these tests put the query where the
editor leaves it (session state "cypher-text") and press the page's buttons; tests/browser/
test_cypher_browser.py types into the real editor.
"""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph import audit
from graph.access import Action, local_user
from queries.registry import load_queries
from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server
from tests.test_audit import ADMIN, clear_audit

PEOPLE = """
CREATE (:Person:Customer {personId: 'p-john', name: 'John Smith', city: 'Chicago'})
       -[:REFERRED {converted: true}]->(:Person {personId: 'p-ann', name: 'Ann'})
"""


@pytest.fixture
def people(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(PEOPLE)
    return db


def cypher_page(**query: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "ui" / "cypher.py"), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def run(app: AppTest, text: str, mode: str = "run") -> AppTest:
    """Type `text` as the editor would leave it, and press Run (or Explain, Profile)."""
    app.session_state["cypher-text"] = text
    app.button(key=f"cypher-{mode}").click()
    return app.run()


def results(app: AppTest):
    """The result table: the first data frame after the parameter editor."""
    return app.dataframe[1].value


def person_count(db) -> int:
    return db.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]


def test_a_read_shows_its_rows(people):
    app = run(cypher_page(), "MATCH (p:Person) RETURN p.name AS name, p.city AS city ORDER BY name")
    assert not app.exception and not app.error
    table = results(app)
    assert list(table.columns) == ["name", "city"] and list(table["name"]) == ["Ann", "John Smith"]
    assert any(c.value.startswith("2 rows") for c in app.caption)


def test_a_write_is_refused_and_changes_nothing(people):
    app = run(cypher_page(), "CREATE (:Person {personId: 'p-new', name: 'Intruder'})")
    assert any("Refused" in e.value and "writes" in e.value for e in app.error)
    assert person_count(people) == 2


@pytest.fixture
def writable(people, monkeypatch):
    """The people, in a deployment that allows admins to write from the console, with an empty audit trail."""
    monkeypatch.setenv("RELGRAPH_ALLOW_WRITES", "1")
    clear_audit(people)
    yield people
    clear_audit(people)


def test_an_admin_writes_after_confirming_and_the_write_is_audited(writable):
    app = cypher_page()
    assert not app.warning  # no banner while writes are off
    app.toggle(key="cypher-writes").set_value(True).run()
    assert any("Writes are on" in w.value for w in app.warning)
    run(app, "CREATE (:Person {personId: 'p-new', name: 'New'})\nRETURN 1 AS one")
    assert not app.error and any("nodes created 1" in m.value for m in app.markdown)
    assert person_count(writable) == 2 and audit.entries(writable) == []  # only previewed, and rolled back
    app.button(key="cypher-confirm").click().run()
    assert not app.exception and not app.error
    assert any("nodes created 1" in s.value for s in app.success) and person_count(writable) == 3
    assert app.toggle(key="cypher-writes").value is False and not app.warning  # off again after the write
    [entry] = audit.entries(writable)
    assert (entry.who, entry.via, entry.action, entry.ok) == (local_user().name, "app", "write", True)
    assert entry.counters == {"nodes_created": 1, "labels_added": 1, "properties_set": 2}
    assert entry.what == "CREATE (:Person {personId: 'p-new', name: 'New'})\nRETURN 1 AS one"


def test_cancel_writes_nothing_and_turns_writes_off(writable):
    app = cypher_page()
    app.toggle(key="cypher-writes").set_value(True).run()
    run(app, "MATCH (p:Person) SET p.name = 'Overwritten'")
    assert any("properties set 2" in m.value for m in app.markdown)
    app.button(key="cypher-cancel").click().run()
    assert app.toggle(key="cypher-writes").value is False and not app.get("code")
    assert writable.read("MATCH (p:Person {personId: 'p-john'}) RETURN p.name AS n")[0]["n"] == "John Smith"
    assert audit.entries(writable) == []


def test_writes_are_off_unless_the_deployment_allows_them(people):
    clear_audit(people)
    app = cypher_page()
    toggle = app.toggle(key="cypher-writes")
    assert toggle.disabled and "off in this deployment" in toggle.help
    app.session_state["cypher-writes"] = True  # as if the toggle had been on: the server refuses anyway
    run(app, "CREATE (:Person {personId: 'p-new', name: 'Intruder'})")
    assert any("writes are off in this deployment" in e.value for e in app.error)
    assert person_count(people) == 2
    [refused] = audit.entries(people)
    assert not refused.ok and "off in this deployment" in refused.error
    clear_audit(people)


def test_a_console_write_may_not_delete_the_audit_trail(writable):
    audit.record(writable, ADMIN, "cli", Action.WIPE, "relgraph db wipe --yes")
    app = cypher_page()
    app.toggle(key="cypher-writes").set_value(True).run()
    run(app, "MATCH (n) DETACH DELETE n")
    app.button(key="cypher-confirm").click().run()
    assert any("audit trail" in e.value and "nothing was written" in e.value for e in app.error)
    assert person_count(writable) == 2
    refused, wipe = audit.entries(writable)
    assert (refused.what, refused.ok, wipe.what) == ("MATCH (n) DETACH DELETE n", False, "relgraph db wipe --yes")
    assert audit.verify(writable) == []


def test_user_administration_is_refused_and_recorded_even_with_writes_on(writable):
    app = cypher_page()
    app.toggle(key="cypher-writes").set_value(True).run()
    run(app, "CREATE USER intruder SET PASSWORD 'secret-secret'")
    assert any("Refused" in e.value for e in app.error) and not app.get("code")  # nothing to confirm
    [refused] = audit.entries(writable)
    assert refused.what.startswith("CREATE USER") and not refused.ok


def test_a_syntax_error_is_shown_inline(people):
    app = run(cypher_page(), "MATCH (p:Person RETURN p")
    assert any("Syntax error" in e.value for e in app.error)
    assert any("^" in c.value for c in app.code)  # the offending line, marked with a caret


def test_parameters_are_typed(people):
    app = AppTest.from_file(str(REPO / "ui" / "cypher.py"), default_timeout=60)
    app.session_state["cypher-params"] = pd.DataFrame(
        [{"name": "n", "type": "json", "value": "41"}, {"name": "who", "type": "json", "value": "Ann"},
         {"name": "ids", "type": "list", "value": "a, b"}, {"name": "unused", "type": "int", "value": ""}])
    run(app.run(), "RETURN $n + 1 AS next, $who AS who, size($ids) AS ids")
    assert not app.error
    row = results(app).iloc[0]
    assert (row["next"], row["who"], row["ids"]) == (42, "Ann", 2)


def test_named_query_link_fills_the_editor_and_runs(people):
    app = cypher_page(query="top_referrers")
    assert app.selectbox(key="cypher-named").value == "top_referrers"
    assert "LIMIT $limit" in app.session_state["cypher-text"]
    assert list(app.dataframe[0].value["value"]) == ["10"]  # the header's default, typed int when sent
    app.button(key="cypher-run").click().run()
    assert not app.error
    assert list(results(app)["name"]) == ["John Smith"]


def test_choosing_a_named_query_sets_the_url_and_history_keeps_runs(people):
    app = cypher_page()
    app.selectbox(key="cypher-named").set_value("top_customers").run()
    assert app.query_params["query"] == "top_customers"
    assert app.session_state["cypher-text"].startswith("// name: top_customers")
    run(app, "RETURN 1 AS one")
    assert app.selectbox(key="cypher-named").value is None and "query" not in app.query_params  # edited away
    run(app, "RETURN 2 AS two")
    history = app.dataframe[-1].value
    assert list(history["query"][:2]) == ["RETURN 2 AS two", "RETURN 1 AS one"]


def test_unknown_named_query_in_the_link(people):
    app = cypher_page(query="nope")
    assert any("no named query" in w.value for w in app.warning)


def test_unreachable_neo4j_shows_the_banner(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    app = cypher_page()  # the editor's completion reads the schema: the banner shows at once
    assert not app.exception
    assert any("Neo4j is unreachable" in e.value for e in app.error)


def test_switching_named_queries_resets_the_parameters(people):
    app = cypher_page(query="top_referrers")
    assert list(app.dataframe[0].value["name"]) == ["limit"]
    app.selectbox(key="cypher-named").set_value("customer_360").run()
    params = app.dataframe[0].value
    assert list(params["name"]) == [p.name for p in load_queries()["customer_360"].params]
    assert "limit" not in list(params["name"])  # nothing of the previous query stays
    app.selectbox(key="cypher-named").set_value("top_referrers").run()
    assert list(app.dataframe[0].value["value"]) == ["10"]


def test_explain_shows_the_plan_and_runs_nothing(people):
    app = run(cypher_page(), "MATCH (p:Person) WHERE p.city = 'Chicago' RETURN p.name AS name", "explain")
    assert not app.exception and not app.error
    plan = app.dataframe[1].value
    operators = " ".join(plan["operator"])
    assert "ProduceResults" in operators and ("Filter" in operators or "NodeByLabelScan" in operators)
    assert "estimated rows" in plan.columns and "db hits" not in plan.columns  # explained, not profiled
    assert any("nothing was run" in m.value for m in app.markdown)


def test_explain_of_a_write_shows_its_plan_and_writes_nothing(people):
    app = run(cypher_page(), "CREATE (:Person {personId: 'p-new', name: 'Planned'})", "explain")
    assert not app.error
    assert "Create" in " ".join(app.dataframe[1].value["operator"])
    assert person_count(people) == 2


def test_profile_shows_rows_and_db_hits_with_the_costliest_marked(people):
    app = run(cypher_page(), "MATCH (p:Person) RETURN p.name AS name ORDER BY name", "profile")
    assert not app.exception and not app.error
    plan = app.dataframe[1].value
    assert {"rows", "db hits"} <= set(plan.columns) and plan["db hits"].sum() > 0
    assert plan["costliest"].sum() >= 1
    assert list(app.dataframe[2].value["name"]) == ["Ann", "John Smith"]  # the rows, as a run shows them


def test_profile_of_a_write_is_refused_while_writes_are_off(people):
    app = run(cypher_page(), "CREATE (:Person {personId: 'p-new', name: 'Profiled'})", "profile")
    assert any("Refused" in e.value and "writes" in e.value for e in app.error)
    assert person_count(people) == 2


def test_profile_of_a_write_with_writes_on_is_rolled_back(writable):
    app = cypher_page()
    app.toggle(key="cypher-writes").set_value(True).run()
    run(app, "CREATE (:Person {personId: 'p-new', name: 'Profiled'})", "profile")
    assert not app.error and any("rolled back" in i.value for i in app.info)
    assert "Create" in " ".join(app.dataframe[1].value["operator"])
    assert person_count(writable) == 2


def test_history_lasts_beyond_the_session(people):
    first = run(cypher_page(), "MATCH (p:Person) RETURN count(p) AS people // lasting")
    assert not first.error
    again = cypher_page()  # a new session, as after a reload
    history = again.dataframe[-1].value
    assert history["query"][0] == "MATCH (p:Person) RETURN count(p) AS people // lasting"
    assert history["rows"][0] == 1 and history["mode"][0] == "run"


def test_a_favourite_is_saved_and_opens_from_its_link(people):
    app = cypher_page()
    app.session_state["cypher-text"] = "MATCH (p:Person) WHERE p.city = $city RETURN p.name AS name"
    app.session_state["cypher-params"] = pd.DataFrame([{"name": "city", "type": "string", "value": "Chicago"}])
    app.run()
    app.text_input(key="cypher-favourite-name").input("Chicago people")
    app.button(key="FormSubmitter:cypher-favourite-Save favourite").click().run()
    assert not app.error and any("/cypher?query=Chicago%20people" in s.value for s in app.success)
    opened = cypher_page(query="Chicago people")
    assert opened.session_state["cypher-text"].startswith("MATCH (p:Person) WHERE p.city = $city")
    assert list(opened.dataframe[0].value["value"]) == ["Chicago"]
    opened.button(key="cypher-run").click().run()
    assert list(opened.dataframe[1].value["name"]) == ["John Smith"]


def test_a_link_may_carry_the_query_text(people):
    app = cypher_page(query="MATCH (p:Person) RETURN p.name AS name ORDER BY name")
    assert app.session_state["cypher-text"] == "MATCH (p:Person) RETURN p.name AS name ORDER BY name"
    assert not app.warning


def test_results_read_well_and_export_raw(people):
    app = run(cypher_page(), "MATCH p = (:Person {personId: 'p-john'})-[:REFERRED]->(:Person) "
                             "RETURN p, date('2024-05-01') AS day, 45074040 AS big")
    row = results(app).iloc[0]
    assert row["p"] == "(John Smith)-[:REFERRED]->(Ann)"
    assert str(row["day"]) == "2024-05-01"
    assert row["big"] == 45074040  # a number, shown with separators by its column's format


def test_long_text_is_cut_in_the_table_and_whole_in_the_selected_row(people):
    app = run(cypher_page(),
              "RETURN 'start ' + reduce(s = '', i IN range(1, 40) | s + 'word ') + 'end' AS long, 1 AS n")
    shown = results(app).iloc[0]["long"]
    assert len(shown) == 80 and shown.startswith("start word") and shown.endswith("…")
    assert any("select a row to read it whole" in c.value for c in app.caption)
    assert not [c for c in app.code if "end" in c.value]
    app.session_state["cypher-last-rows"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    [whole] = [c.value for c in app.code if c.value.startswith("long: ")]
    assert whole.endswith("word end\nn: 1")


def test_a_pinned_result_stays_beside_the_next(people):
    app = run(cypher_page(), "RETURN 1 AS first")
    app.button(key="cypher-pin").click().run()
    run(app, "RETURN 2 AS second")
    frames = [f.value for f in app.dataframe[1:3]]
    assert list(frames[0].columns) == ["first"] and list(frames[1].columns) == ["second"]
    assert any(m.value.startswith("**Pinned**") for m in app.markdown)
