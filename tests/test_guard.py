"""The read-only guard of run_query: writes refused with the database unchanged, timeouts, row caps, errors."""

from __future__ import annotations

import pytest

from graph.errors import UserError
from graph.store.db import Database
from queries.execute import run_named, run_query

SEED = """
CREATE (a:Person:Customer {personId: 'P1', name: 'Ann'})-[:REFERRED {converted: true}]->
       (b:Person {personId: 'P2', name: 'Ben'})
CREATE (c:Company {companyId: 'C1', name: 'Acme', region: 'West'})
CREATE (a)-[:WORKS_AT {role: 'Buyer'}]->(c)
"""

# Everything a console user might try that changes the database, its schema, its users or the
# server, or that reaches outside the graph (files, other users' transactions).
WRITES = [
    "CREATE (:Person {personId: 'P9'})",
    "MERGE (p:Person {personId: 'P1'}) ON MATCH SET p.name = 'Eve'",
    "MATCH (p:Person) SET p.name = 'Eve'",
    "MATCH (p:Person) SET p:Hacked",
    "MATCH (p:Person) REMOVE p.name",
    "MATCH (p:Person) REMOVE p:Customer",
    "MATCH (n) DETACH DELETE n",
    "MATCH ()-[r:REFERRED]->() DELETE r",
    "MATCH (a:Person {personId: 'P1'}), (c:Company) CREATE (a)-[:CUSTOMER_OF]->(c)",
    "FOREACH (i IN range(1, 3) | CREATE (:Junk))",
    "CALL () { CREATE (:Junk) } RETURN 1 AS one",
    "UNWIND range(1, 3) AS i CALL (i) { CREATE (:Junk {i: i}) } IN TRANSACTIONS OF 1 ROW",
    "MATCH (n) RETURN n UNION MATCH (n) DETACH DELETE n RETURN n",
    "CREATE INDEX junk_index IF NOT EXISTS FOR (n:Junk) ON (n.i)",
    "DROP CONSTRAINT person_personId IF EXISTS",
    "CREATE CONSTRAINT junk_key IF NOT EXISTS FOR (n:Junk) REQUIRE n.i IS UNIQUE",
    "CALL db.createLabel('Junk')",
    "CALL db.createProperty('junk')",
    "CALL db.clearQueryCaches()",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD CSV FROM 'file:///etc/passwd' AS line CREATE (:Junk {line: line})",
    "SHOW USERS",
    "CREATE USER mallory SET PASSWORD 'secret-password'",
    "ALTER USER neo4j SET PASSWORD 'another-password'",
    "CREATE DATABASE junk",
    "STOP DATABASE neo4j",
    "GRANT ROLE admin TO neo4j",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n",
    "EXPLAIN CREATE (:Junk)",
    "PROFILE CREATE (:Junk)",
]


def fingerprint(db: Database) -> dict[str, object]:
    """Counts of nodes, relationships, properties and labels, and the schema's names."""
    [row] = db.read("""
        MATCH (n)
        RETURN count(n) AS nodes,
               sum(size(keys(n))) AS nodeProps,
               sum(size(labels(n))) AS labels,
               COUNT { ()-[]->() } AS rels,
               COLLECT { MATCH ()-[r]->() RETURN size(keys(r)) } AS relProps,
               collect(n.name) AS names
        """)
    row["indexes"] = sorted(r["name"] for r in db.read("SHOW INDEXES YIELD name"))
    row["constraints"] = sorted(r["name"] for r in db.read("SHOW CONSTRAINTS YIELD name"))
    return row


@pytest.fixture
def seeded(db: Database) -> Database:
    db.write(SEED)
    return db


@pytest.mark.parametrize("text", WRITES)
def test_writes_are_refused_and_nothing_changes(seeded: Database, text: str):
    before = fingerprint(seeded)
    with pytest.raises(UserError) as refused:
        run_query(seeded, text)
    assert "Traceback" not in str(refused.value)
    assert fingerprint(seeded) == before


def test_the_refusal_says_read_only_and_names_the_way_out(seeded: Database):
    with pytest.raises(UserError, match=r"read-only.*allow writes") as refused:
        run_query(seeded, "MATCH (p:Person) SET p.name = 'Eve'")
    assert refused.value.field == "write" and "--" not in str(refused.value)  # the CLI adds --write
    with pytest.raises(UserError, match="LOAD CSV"):
        run_query(seeded, "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line")
    for several in ("RETURN 1; RETURN 2", "RETURN ';' AS a;\n// two\nMATCH (n) RETURN n", "RETURN 1 /* ; */; RETURN 2"):
        with pytest.raises(UserError, match="one statement at a time"):
            run_query(seeded, several)
    for one in ("RETURN ';' AS semicolon", "RETURN 1 /* ; RETURN 2 */", "RETURN 1; // a final semicolon, a comment"):
        assert run_query(seeded, one).rows
    with pytest.raises(UserError, match="Syntax error"):
        run_query(seeded, "RETURN 1;;")  # not a second statement: the server's syntax error stands


def test_reads_pass_the_guard(seeded: Database):
    result = run_query(seeded, "MATCH (p:Person)-[r:REFERRED]->(q) RETURN p, r, q.name AS name")
    assert result.columns == ["p", "r", "name"]
    assert result.query_type == "r" and not result.truncated and result.counters == {}
    [row] = result.rows
    assert (row["p"]["name"], row["r"].type, row["name"]) == ("Ann", "REFERRED", "Ben")
    assert run_query(seeded, "CALL db.labels() YIELD label RETURN label ORDER BY label").rows[0] == {
        "label": "Company"}
    assert run_query(seeded, "SHOW INDEXES YIELD name WHERE name = 'entityNames' RETURN name").rows == [
        {"name": "entityNames"}]


def test_write_mode_is_an_explicit_opt_in(seeded: Database):
    result = run_query(seeded, "MATCH (p:Person {personId: 'P2'}) SET p.age = 41 RETURN p.age AS age", write=True)
    assert result.rows == [{"age": 41}] and result.query_type == "rw"
    assert result.counters == {"properties_set": 1}
    assert seeded.read("MATCH (p:Person {personId: 'P2'}) RETURN p.age AS age") == [{"age": 41}]


def test_a_runaway_query_is_stopped_by_the_timeout(seeded: Database):
    runaway = "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS n"
    with pytest.raises(UserError, match=r"longer than its 1 s limit.*allow more time") as stopped:
        run_query(seeded, runaway, timeout=1)
    assert stopped.value.field == "timeout"
    assert stopped.value.__cause__.code.startswith("Neo.ClientError.Transaction.TransactionTimedOut")
    with pytest.raises(UserError, match="more than 0 seconds") as bad:
        run_query(seeded, "RETURN 1", timeout=-1)
    assert bad.value.field == "timeout"


def test_the_default_timeout_comes_from_the_settings(seeded: Database, monkeypatch: pytest.MonkeyPatch):
    from dataclasses import replace

    monkeypatch.setattr(seeded, "settings", replace(seeded.settings, query_timeout=1.0))
    with pytest.raises(UserError, match="1 s limit"):
        run_query(seeded, "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS n")


def test_the_row_cap_sets_truncated(seeded: Database):
    capped = run_query(seeded, "UNWIND range(1, 5000) AS i RETURN i", limit=10)
    assert [row["i"] for row in capped.rows] == list(range(1, 11)) and capped.truncated
    assert len(run_query(seeded, "UNWIND range(1, 5000) AS i RETURN i").rows) == 1000  # the default cap
    exact = run_query(seeded, "UNWIND range(1, 10) AS i RETURN i", limit=10)
    assert len(exact.rows) == 10 and not exact.truncated
    with pytest.raises(UserError, match="1 or more") as bad:
        run_query(seeded, "RETURN 1", limit=0)
    assert bad.value.field == "limit"


def test_syntax_errors_give_the_servers_message_and_the_position_in_the_users_text(seeded: Database):
    with pytest.raises(UserError) as error:
        run_query(seeded, "MATCH (n:Person RETURN n")
    message = str(error.value)
    assert message.startswith("Syntax error: Invalid input 'RETURN'")
    assert "(line 1, column 17 (offset: 16))" in message
    assert message.endswith("  MATCH (n:Person RETURN n\n                  ^")
    with pytest.raises(UserError, match=r"line 2, column 11 \(offset: 20\)") as second:
        run_query(seeded, "MATCH (n)\nRETURN n +")
    assert str(second.value).endswith("  RETURN n +\n            ^")
    with pytest.raises(UserError, match="empty"):
        run_query(seeded, "  ")


def test_parameters_missing_or_of_the_wrong_type(seeded: Database):
    with pytest.raises(UserError, match=r"Missing parameter\(s\): name\.") as missing:
        run_query(seeded, "MATCH (p:Person {name: $name}) RETURN p")
    assert missing.value.field == "params"
    with pytest.raises(UserError, match=r"Missing parameter\(s\): b, `c`\."):  # named from the query, not the server
        run_query(seeded, "RETURN $a + $b + $```c``` AS x // $d", {"a": 1})
    with pytest.raises(UserError, match=r"Missing parameter\(s\): b\.") as at_run:  # no EXPLAIN when writing
        run_query(seeded, "CREATE (j:Junk {a: $a, b: $b}) RETURN j", {"a": 1}, write=True)
    assert at_run.value.field == "params"
    assert run_query(seeded, "MATCH (p:Person {name: $name}) RETURN p.personId AS id", {"name": "Ann"}).rows == [
        {"id": "P1"}]
    with pytest.raises(UserError, match="server refused the query"):
        run_query(seeded, "RETURN 1 / $zero AS x", {"zero": 0})
    with pytest.raises(UserError, match="no parameter nme"):
        run_named(seeded, "customer_360", {"nme": "x"})
    with pytest.raises(UserError, match="needs a value for id") as needs:
        run_named(seeded, "customer_360", {})
    assert needs.value.field == "params"
    with pytest.raises(UserError, match="depth must be an integer, got 'deep'"):
        run_named(seeded, "referrals_out", {"id": "P1", "depth": "deep"})
    with pytest.raises(UserError, match="No named query"):
        run_named(seeded, "drop_everything", {})
