"""The Data page through streamlit.testing: uploads checked before writing, loading, demo, schema, counts."""

from __future__ import annotations

import tomllib

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.lock import load_lock
from loaders.validate import validate_folder
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


def plain(markdown: str) -> str:
    """Text shown as markdown, its escapes taken out."""
    return markdown.replace("\\", "")


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


def test_a_running_load_is_shown_and_a_second_one_refused(page, db):
    with load_lock(db, "relgraph load csv /data/big"):
        page.run()
        assert any("A load is running: relgraph load csv /data/big by " in i.value for i in page.info)
        page.button(key="data-demo").click().run()
        assert not page.exception
        assert any("another load is running: relgraph load csv /data/big by " in plain(e.value) for e in page.error)
        upload(page, ("people.csv", PEOPLE))
        page.button(key="data-load").click().run()
        assert any("another load is running" in plain(e.value) for e in page.error)
        assert page.file_uploader[0].value  # the upload stays, to be loaded once the other load is done
    assert node_count(db) == 0


def test_uploads_are_checked_from_disk_without_keeping_rows(page, db, monkeypatch):
    checked = []
    real = validate_folder

    def spy(folder, db=None, keep_rows=True, progress=None):
        checked.append((sorted(p.name for p in folder.iterdir()), keep_rows))
        return real(folder, db, keep_rows=keep_rows, progress=progress)

    monkeypatch.setattr("loaders.validate.validate_folder", spy)
    monkeypatch.setattr("loaders.load.validate_folder", spy)
    upload(page, ("people.csv", PEOPLE), ("referrals.csv", REFERRALS))
    page.run()  # a rerun checks nothing again
    page.button(key="data-load").click().run()
    assert not page.exception
    assert checked == [(["people.csv", "referrals.csv"], False)] * 2  # on upload, then again under the load lock
    assert node_count(db) == 2


def test_uploads_have_a_size_limit_set_on_purpose(page):
    """The server enforces .streamlit/config.toml (read by `streamlit run app.py` from the repository root)."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 100
    assert page.file_uploader[0].proto.max_upload_size_mb == 100  # the page asks the same of the browser
