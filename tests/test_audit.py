"""The audit trail: CLI writes, loads and wipes recorded; `relgraph audit`; the trail kept and protected."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph import audit
from graph.access import Action, Forbidden, Role, User, local_user
from graph.errors import UserError
from graph.store.db import Database
from graph.store.schema import wipe
from queries.execute import run_query

ADMIN = User("ada@example.com", Role.ADMIN)
TRAIL = "MATCH (n:AuditEntry|AuditHead) RETURN count(n) AS n"


def clear_audit(db: Database) -> None:
    """Delete the trail behind relgraph's back: each test starts with none and leaves none to the next."""
    db.write("MATCH (n:AuditEntry|AuditHead) DELETE n")


@pytest.fixture
def trail(db: Database) -> Iterator[Database]:
    """The empty test database with an empty audit trail."""
    clear_audit(db)
    yield db
    clear_audit(db)


def data_nodes(db: Database) -> int:
    return db.read("MATCH (n) WHERE NOT n:AuditEntry AND NOT n:AuditHead RETURN count(n) AS n")[0]["n"]


def cli_entries(relgraph, *args: str) -> list[dict]:
    done = relgraph("audit", "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["entries"]


def write(db: Database, text: str, user: User = ADMIN, **params):
    """A console write as the app and `relgraph query --write` run it."""
    with audit.guarded_write(db, user, "app", text, params) as guarded:
        return run_query(guarded, text, params, write=True)


def people_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text("person_id,name\nP1,Ann\nP2,Bob\n")
    return folder


# The command line

def test_a_cli_write_is_audited_with_its_counters(trail, relgraph):
    done = relgraph("query", "--cypher", "CREATE (:Person {personId: $id, name: 'Ann'})", "--param", "id=P1",
                    "--write")
    assert done.returncode == 0, done.stderr
    [entry] = cli_entries(relgraph)
    assert set(entry) == {"at", "who", "via", "what", "counters", "ok"}
    assert entry["who"] == local_user().name and entry["via"] == "cli" and entry["ok"] is True
    assert entry["counters"] == {"nodes_created": 1, "labels_added": 1, "properties_set": 2}
    assert entry["what"] == 'CREATE (:Person {personId: $id, name: \'Ann\'})\n// parameters: {"id": "P1"}'
    assert datetime.fromisoformat(entry["at"]) > datetime.now(UTC) - timedelta(minutes=5)


def test_a_failed_cli_write_is_audited_and_a_read_is_not(trail, relgraph):
    failed = relgraph("query", "--cypher", "CREATE (:Person {personId: 'P1'}) WITH 1 AS one RETURN one / 0", "--write")
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert relgraph("query", "--cypher", "MATCH (n) RETURN count(n)").returncode == 0
    [entry] = cli_entries(relgraph)
    assert entry["ok"] is False and entry["counters"] == {} and entry["what"].startswith("CREATE (:Person")
    assert data_nodes(trail) == 0  # the write and its entry were one transaction: neither committed


def test_cli_loads_are_audited_and_refused_ones_leave_no_entry(trail, relgraph, tmp_path):
    folder = people_folder(tmp_path)
    assert relgraph("load", "csv", str(folder), "--dry-run").returncode == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "people.csv").write_text("person_id,name,age\nP9,Eve,old\n")
    assert relgraph("load", "csv", str(bad)).returncode == 2
    assert cli_entries(relgraph) == []  # a dry run and a folder that does not validate write nothing
    assert relgraph("load", "csv", str(folder)).returncode == 0
    assert relgraph("load", "synthetic", "--customers", "5").returncode == 0
    synthetic, csv = cli_entries(relgraph)
    assert csv["what"] == f"relgraph load csv {folder.resolve()}" and csv["via"] == "cli" and csv["ok"]
    assert csv["counters"] == {"rows": 2, "nodes_created": 2, "relationships_created": 0}
    assert synthetic["what"] == "relgraph load synthetic --customers 5 --seed 1" and synthetic["ok"]
    assert synthetic["counters"]["nodes_created"] > 5


def test_the_demo_load_is_audited(trail, relgraph):
    assert relgraph("load", "demo").returncode == 0
    [entry] = cli_entries(relgraph)
    assert entry["what"] == "relgraph load demo" and entry["ok"] and entry["counters"]["nodes_created"] > 300


def test_wipe_is_audited_and_keeps_the_trail(trail, relgraph):
    write(trail, "UNWIND range(1, 3) AS i CREATE (:Person {personId: 'p' + i})")
    done = relgraph("db", "wipe", "--yes")
    assert done.returncode == 0 and "audit trail" in done.stdout
    assert data_nodes(trail) == 0
    wiped, written = cli_entries(relgraph)
    assert wiped["what"] == "relgraph db wipe --yes" and wiped["counters"] == {"nodes_deleted": 3}
    assert written["via"] == "app" and written["who"] == ADMIN.name
    wipe(trail)  # the library's wipe, as tests and scripts call it, keeps it too
    assert len(audit.entries(trail)) == 2 and audit.verify(trail) == []


def test_audit_since_and_newest_first(trail, relgraph):
    for i in range(3):
        write(trail, "CREATE (:Person {personId: $id})", id=f"p{i}")
    entries = cli_entries(relgraph)
    assert [e["what"].split('"')[-2] for e in entries] == ["p2", "p1", "p0"]
    since_second = cli_entries(relgraph, "--since", entries[1]["at"])
    assert since_second == entries[:2]
    assert cli_entries(relgraph, "--since", "2000-01-01") == entries
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert cli_entries(relgraph, "--since", tomorrow) == []
    table = relgraph("audit", "--since", "2000-01-01")
    assert table.returncode == 0 and table.stdout.count(" write ") == 3


def test_audit_refuses_a_bad_date(trail, relgraph):
    done = relgraph("audit", "--since", "last week")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("relgraph: --since: expected a date") and "Traceback" not in done.stderr


# Protection of the trail

@pytest.mark.parametrize("attack", [
    "MATCH (n) DETACH DELETE n",
    "MATCH (e:AuditEntry) SET e.who = 'nobody'",
    "MATCH (e:AuditEntry) REMOVE e:AuditEntry",
    "MATCH (h:AuditHead) SET h.seq = 0",
    "CREATE (:AuditEntry {seq: 99, who: 'forged'})",
    "MATCH (p:Person) SET p:AuditEntry",
    "MATCH (e:AuditEntry), (p:Person) CREATE (e)-[:HIDES]->(p)",
])
def test_a_console_write_may_not_touch_the_trail(trail, attack):
    write(trail, "CREATE (:Person {personId: 'p1'})")
    before = audit.entries(trail)
    with pytest.raises(audit.AuditProtected, match="audit trail"):
        write(trail, attack)
    refused, *rest = audit.entries(trail)
    assert rest == before and audit.verify(trail) == []  # untouched, and the attempt recorded
    assert (refused.what, refused.ok, refused.counters) == (attack, False, {})
    assert "audit trail" in refused.error
    assert data_nodes(trail) == 1


def test_tampering_from_outside_shows(trail, relgraph):
    for i in range(3):
        write(trail, "CREATE (:Person {personId: $id})", id=f"p{i}")
    trail.write("MATCH (e:AuditEntry {seq: 2}) SET e.who = 'someone else'")
    assert audit.verify(trail) == ["entry 2 was changed after it was recorded"]
    trail.write("MATCH (e:AuditEntry {seq: 3}) DELETE e")
    done = relgraph("audit", "--json")
    assert done.returncode == 1 and len(json.loads(done.stdout)["entries"]) == 2
    assert "entries at its end were deleted" in done.stderr and "entry 2 was changed" in done.stderr


def test_a_write_commits_with_its_entry(trail):
    result = write(trail, "CREATE (:Person {personId: 'p1'})")
    [entry] = audit.entries(trail)
    assert entry.counters == result.counters == {"nodes_created": 1, "labels_added": 1, "properties_set": 1}
    assert (entry.who, entry.via, entry.action) == (ADMIN.name, "app", "write")


def test_a_schema_command_is_audited_after_it_commits(trail):
    write(trail, "CREATE INDEX audit_test_index IF NOT EXISTS FOR (n:Person) ON (n.email)")
    try:
        [entry] = audit.entries(trail)
        assert entry.counters == {"indexes_added": 1} and entry.ok
    finally:
        trail.write("DROP INDEX audit_test_index IF EXISTS")


# Access

@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_admins_write_load_or_wipe(trail, role):
    user = User("val@example.com", role)
    with pytest.raises(Forbidden, match="needs the admin role"):
        write(trail, "CREATE (:Person {personId: 'p1'})", user=user)
    for action in (Action.LOAD, Action.WIPE):
        with pytest.raises(Forbidden), audit.recorded(trail, user, "app", action, "anything"):
            pytest.fail("the body of a refused action ran")
    assert data_nodes(trail) == 0 and trail.read(TRAIL)[0]["n"] == 0


def test_a_failed_load_is_recorded_with_its_error(trail):
    with pytest.raises(RuntimeError), audit.recorded(trail, ADMIN, "app", Action.LOAD, "an upload") as counters:
        counters["rows"] = 10
        raise RuntimeError("Neo4j went away")
    [entry] = audit.entries(trail)
    assert (entry.ok, entry.error, entry.counters, entry.action) == (False, "Neo4j went away", {"rows": 10}, "load")


def test_parse_since():
    assert audit.parse_since("2025-06-01") == datetime(2025, 6, 1, tzinfo=UTC)
    assert audit.parse_since("2025-06-01T09:30+02:00") == datetime(2025, 6, 1, 7, 30, tzinfo=UTC)
    with pytest.raises(UserError) as refused:
        audit.parse_since("June")
    assert refused.value.field == "since"
