"""ui.history: the console's lasting history and favourites, in SQLite, per user; no Neo4j needed."""

from __future__ import annotations

import sqlite3

import pytest

from graph.errors import UserError
from ui.history import KEEP, History, console_history, first_line

PARAMS = [{"name": "city", "type": "string", "value": "Chicago"}]


@pytest.fixture
def store(tmp_path) -> History:
    return History(tmp_path / "console.sqlite3")


def test_runs_are_kept_newest_first_with_what_a_user_needs(store):
    store.record("ann", "// name: top\nMATCH (n) RETURN n", PARAMS, named="top", rows=10, elapsed_ms=12.5,
                 outcome="10 rows")
    store.record("ann", "RETURN 1", [], mode="explain", outcome="plan of 1 operators")
    newest, oldest = store.recent("ann")
    assert (newest.query, newest.mode, newest.rows, newest.title) == ("RETURN 1", "explain", None, "RETURN 1")
    assert (oldest.named, oldest.title, oldest.params, oldest.rows, oldest.elapsed_ms) == (
        "top", "top", PARAMS, 10, 12.5)
    assert newest.at >= oldest.at and newest.at.tzinfo is not None


def test_history_outlives_the_store_object(tmp_path):
    History(tmp_path / "h.sqlite3").record("ann", "RETURN 1", [], outcome="1 row")
    assert [e.query for e in History(tmp_path / "h.sqlite3").recent("ann")] == ["RETURN 1"]


def test_each_user_sees_their_own(store):
    store.record("ann", "RETURN 'ann'", [])
    store.record("bob", "RETURN 'bob'", [])
    store.save_favourite("bob", "mine", "RETURN 'bob'", [])
    assert [e.query for e in store.recent("ann")] == ["RETURN 'ann'"]
    assert store.favourites("ann") == [] and store.favourite("ann", "mine") is None


def test_only_the_newest_are_kept(store):
    for i in range(KEEP + 5):
        store.record("ann", f"RETURN {i}", [])
    store.record("bob", "RETURN 'bob'", [])
    kept = store.recent("ann", limit=KEEP * 2)
    assert len(kept) == KEEP and kept[0].query == f"RETURN {KEEP + 4}" and kept[-1].query == "RETURN 5"
    assert len(store.recent("bob")) == 1
    store.clear("ann")
    assert store.recent("ann") == [] and len(store.recent("bob")) == 1


def test_favourites_are_named_replaced_and_forgotten(store):
    store.save_favourite("ann", "  Chicago   people ", "MATCH (p) WHERE p.city = $city RETURN p", PARAMS)
    store.save_favourite("ann", "alpha", "RETURN 1", [])
    assert [f.name for f in store.favourites("ann")] == ["alpha", "Chicago people"]
    store.save_favourite("ann", "Chicago people", "RETURN 2", [])
    assert store.favourite("ann", "Chicago people").query == "RETURN 2"
    store.delete_favourite("ann", "alpha")
    assert [f.name for f in store.favourites("ann")] == ["Chicago people"]


def test_bad_favourites_are_refused(store):
    with pytest.raises(UserError, match="name"):
        store.save_favourite("ann", "  ", "RETURN 1", [])
    with pytest.raises(UserError, match="at most"):
        store.save_favourite("ann", "x" * 81, "RETURN 1", [])
    with pytest.raises(UserError, match="empty"):
        store.save_favourite("ann", "blank", "  \n", [])


def test_text_is_stored_as_given_never_as_sql(store):
    nasty = "'); DROP TABLE entries; --"
    store.record(nasty, nasty, [{"name": nasty, "type": "string", "value": nasty}])
    store.save_favourite(nasty, nasty, nasty, [])
    assert store.recent(nasty)[0].query == nasty and store.favourite(nasty, nasty).query == nasty


def test_the_console_store_is_in_the_state_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("RELGRAPH_STATE_DIR", str(tmp_path / "state"))
    console_history().record("ann", "RETURN 1", [])
    with sqlite3.connect(tmp_path / "state" / "console.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone() == (1,)


def test_first_line_skips_header_comments():
    assert first_line("// name: x\n// description: y\n\n  MATCH (n)\nRETURN n") == "MATCH (n)"
    assert first_line("// only a comment") == "// only a comment" and first_line("") == ""
