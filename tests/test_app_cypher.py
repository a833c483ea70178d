"""The Cypher page through streamlit.testing: reads, refused writes, errors, named queries, history."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph import audit
from graph.access import Action, local_user
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


def run(app: AppTest, text: str) -> AppTest:
    app.text_area(key="cypher-text").input(text)
    app.button[0].click()  # the form's Run button
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
    assert "LIMIT $limit" in app.text_area(key="cypher-text").value
    assert list(app.dataframe[0].value["value"]) == ["10"]  # the header's default, typed int when sent
    app.button[0].click().run()
    assert not app.error
    assert list(results(app)["name"]) == ["John Smith"]


def test_choosing_a_named_query_sets_the_url_and_history_keeps_runs(people):
    app = cypher_page()
    app.selectbox(key="cypher-named").set_value("top_customers").run()
    assert app.query_params["query"] == "top_customers"
    assert app.text_area(key="cypher-text").value.startswith("// name: top_customers")
    run(app, "RETURN 1 AS one")
    assert app.selectbox(key="cypher-named").value is None and "query" not in app.query_params  # edited away
    run(app, "RETURN 2 AS two")
    history = app.dataframe[-1].value
    assert list(history["query"]) == ["RETURN 2 AS two", "RETURN 1 AS one"]


def test_unknown_named_query_in_the_link(people):
    app = cypher_page(query="nope")
    assert any("no named query" in w.value for w in app.warning)


def test_unreachable_neo4j_shows_the_banner(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    app = run(cypher_page(), "RETURN 1")
    assert not app.exception
    assert any("Neo4j is unreachable" in e.value for e in app.error)
