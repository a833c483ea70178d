"""The Data page through streamlit.testing: uploads checked, previewed and confirmed before writing, loading, the
demo, schema, counts, and the audit trail."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph import audit
from graph.access import Action, local_user
from loaders.lock import load_lock
from loaders.validate import validate_folder
from tests.conftest import REPO, free_port
from tests.test_app_overview import use_server
from tests.test_audit import ADMIN, clear_audit

PEOPLE = b"person_id,name,age,city\nP-1,Ann Example,34,Chicago\nP-2,Bob Example,41,Denver\n"
BAD_PEOPLE = b"person_id,name,age,city\nP-1,Ann Example,34,Chicago\nP-2,Bob Example,old,Denver\n"
REFERRALS = b"referrer_id,referred_id,date\nP-1,P-2,2024-05-01\n"


@pytest.fixture
def page(db, neo4j_settings, monkeypatch) -> AppTest:
    use_server(monkeypatch, neo4j_settings)
    clear_audit(db)
    yield AppTest.from_file(str(REPO / "ui" / "data.py"), default_timeout=120).run()
    clear_audit(db)


def node_count(db) -> int:
    """Nodes of data: the audit trail, which a wipe keeps, aside."""
    return db.read("MATCH (n) WHERE NOT n:AuditEntry AND NOT n:AuditHead RETURN count(n) AS n")[0]["n"]


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


def table_with(app: AppTest, column: str):
    """The first data frame on the page that has `column`."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def test_a_valid_upload_is_previewed_and_its_load_audited(page, db):
    upload(page, ("people.csv", PEOPLE), ("referrals.csv", REFERRALS))
    preview = table_with(page, "changed").set_index("file")
    assert preview.loc["people.csv", ["rows", "new", "changed"]].tolist() == [2, "2", "0"]
    assert preview.loc["referrals.csv", "new"] == ""  # relationship rows are counted, not split
    assert not page.checkbox  # nothing to overwrite, nothing to tick
    page.button(key="data-load").click().run()
    [entry] = audit.entries(db)
    assert (entry.who, entry.via, entry.action, entry.ok) == (local_user().name, "app", "load", True)
    assert entry.what == "an upload of people.csv, referrals.csv"
    assert entry.counters == {"rows": 3, "nodes_created": 2, "relationships_created": 1}


def test_an_upload_overwrites_nobody_without_an_admins_confirmation(page, db):
    db.write("CREATE (:Person {personId: 'P-1', name: 'Ann Original', email: 'ann@example.com', age: 34})")
    upload(page, ("people.csv", PEOPLE))
    preview = table_with(page, "changed").set_index("file")
    assert preview.loc["people.csv", ["new", "changed", "unchanged"]].tolist() == ["1", "1", "0"]
    assert any("overwrites 1 existing record" in w.value for w in page.warning)
    assert page.button(key="data-load").disabled
    page.checkbox[0].check().run()
    page.checkbox[0].uncheck()
    page.button(key="data-load").click().run()  # the tick taken back in the same run: no load on the server
    assert not page.success[1:] and node_count(db) == 1 and audit.entries(db) == []
    assert db.read("MATCH (p:Person {personId: 'P-1'}) RETURN p.name AS name")[0]["name"] == "Ann Original"
    page.checkbox[0].check().run()
    page.button(key="data-load").click().run()
    assert not page.exception and any("Loaded people.csv" in s.value for s in page.success)
    person = db.read("MATCH (p:Person {personId: 'P-1'}) RETURN p.name AS name, p.email AS email")[0]
    assert person == {"name": "Ann Example", "email": "ann@example.com"}  # an empty cell changes nothing
    assert audit.entries(db)[0].counters == {"rows": 2, "nodes_created": 1, "relationships_created": 0}


def test_a_load_whose_preview_went_out_of_date_writes_nothing(page, db):
    upload(page, ("people.csv", PEOPLE))
    db.write("CREATE (:Person {personId: 'P-2', name: 'Bob Meanwhile'})")  # another admin, between preview and load
    page.button(key="data-load").click().run()
    assert any("changed since the preview" in plain(e.value) for e in page.error)
    assert node_count(db) == 1 and audit.entries(db) == []
    page.run()  # the new preview asks for a confirmation
    assert table_with(page, "changed").set_index("file").loc["people.csv", "changed"] == "1"
    assert page.button(key="data-load").disabled


def test_the_demo_refuses_a_database_that_holds_data(page, db):
    db.write("CREATE (:Company {companyId: 'C-1', name: 'Real Customer Inc.'})")  # after the page was drawn
    page.button(key="data-demo").click().run()  # refused under the load lock, before writing
    assert any("already holds data" in plain(e.value) for e in page.error)
    assert node_count(db) == 1 and audit.entries(db) == []
    assert any("already holds data" in c.value for c in page.caption)  # said before the next click, too


def test_the_demo_load_is_audited(page, db):
    page.button(key="data-demo").click().run()
    [entry] = audit.entries(db)
    assert (entry.what, entry.via, entry.ok) == ("the demo data set", "app", True)
    assert entry.counters["nodes_created"] > 300


def test_the_audit_trail_newest_first_and_from_a_date(page, db):
    audit.record(db, ADMIN, "cli", Action.WIPE, "relgraph db wipe --yes", counters={"nodes_deleted": 7})
    audit.record(db, ADMIN, "app", Action.WRITE, "CREATE (:Oops)", ok=False, error="Syntax error")
    page.run()
    trail = table_with(page, "who")
    assert list(trail["action"]) == ["write", "wipe"] and list(trail["ok"]) == [False, True]
    assert list(trail["changes"]) == ["", "nodes deleted 7"] and trail["error"][0] == "Syntax error"
    page.date_input(key="data-audit-since").set_value(date.today() + timedelta(days=2)).run()
    assert not any("who" in frame.value.columns for frame in page.dataframe)
    assert any(c.value == "No entries since then." for c in page.caption)


def test_the_audit_view_shows_tampering(page, db):
    audit.record(db, ADMIN, "cli", Action.WIPE, "relgraph db wipe --yes")
    db.write("MATCH (e:AuditEntry) SET e.who = 'someone else'")
    page.run()
    assert any("altered outside relgraph: entry 1 was changed" in plain(e.value) for e in page.error)
