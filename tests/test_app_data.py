"""The Data page through streamlit.testing: uploads checked before writing, loading, demo, schema, counts."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server

PEOPLE = b"person_id,name,age,city\nP-1,Ann Example,34,Chicago\nP-2,Bob Example,41,Denver\n"
BAD_PEOPLE = b"person_id,name,age,city\nP-1,Ann Example,34,Chicago\nP-2,Bob Example,old,Denver\n"
REFERRALS = b"referrer_id,referred_id,date\nP-1,P-2,2024-05-01\n"


@pytest.fixture
def page(db, neo4j_settings, monkeypatch) -> AppTest:
    use_server(monkeypatch, neo4j_settings)
    return AppTest.from_file(str(REPO / "ui" / "data.py"), default_timeout=120).run()


def node_count(db) -> int:
    return db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]


def upload(app: AppTest, *files: tuple[str, bytes]) -> AppTest:
    app.file_uploader[0].set_value([(name, content, "text/csv") for name, content in files])
    return app.run()


def test_an_upload_with_an_error_shows_it_and_writes_nothing(page, db):
    upload(page, ("people.csv", BAD_PEOPLE), ("referrals.csv", REFERRALS))
    assert not page.exception
    assert any("nothing was written" in e.value for e in page.error)
    problems = page.dataframe[0].value
    assert "people.csv:3: age" in set(problems["where"]), problems
    assert [b.key for b in page.button] == ["data-demo"]  # no button to load the uploaded files
    assert node_count(db) == 0


def test_a_valid_upload_loads_with_a_progress_bar(page, db):
    upload(page, ("people.csv", PEOPLE), ("referrals.csv", REFERRALS))
    assert not page.error
    load = next(b for b in page.button if b.label == "Load 2 files")
    load.click().run()
    assert not page.exception
    assert any("Loaded people.csv, referrals.csv" in s.value for s in page.success)
    assert db.read("MATCH (:Person {personId: 'P-1'})-[r:REFERRED]->(:Person {personId: 'P-2'}) "
                   "RETURN count(r) AS n")[0]["n"] == 1
    counts = page.dataframe[0].value.set_index("label")["nodes"]
    assert counts["Person"] == 2  # the page shows the new data at once


def test_schema_and_counts(page):
    labels = set(page.dataframe[0].value["label"])
    assert {"Person", "Company", "Order"} <= labels
    constraints = page.dataframe[2].value
    assert "person_personId" in set(constraints["name"])
    indexes = page.dataframe[3].value
    assert set(indexes["state"]) == {"ONLINE"}


def test_load_the_demo(page, db):
    page.button(key="data-demo").click().run()
    assert not page.exception
    assert any("Loaded the demo data" in s.value for s in page.success)
    assert db.read("MATCH (c:Company {name: 'ABC Steel Suppliers'}) RETURN count(c) AS n")[0]["n"] == 1


def test_unreachable_neo4j_shows_the_banner(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    app = AppTest.from_file(str(REPO / "ui" / "data.py"), default_timeout=60).run()
    assert not app.exception
    assert any("Neo4j is unreachable" in e.value for e in app.error)
