"""The read-only guard of run_query: writes refused with the database unchanged, timeouts, row caps, errors."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from neo4j.exceptions import ClientError

from graph.errors import UserError
from graph.store.db import Database
from queries.execute import ALLOWED_PROCEDURES, MAX_RESULT_BYTES, TIMEOUT_GRACE_S, preview_write, run_named, run_query

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


# What shows other users' work or the server's configuration, or acts on the server, in every form
# an analyst might write it: refused, writes allowed or not.
DISCLOSURES = [
    "SHOW TRANSACTIONS",
    "SHOW TRANSACTIONS YIELD *",
    "SHOW TRANSACTIONS YIELD * WHERE true RETURN currentQuery, parameters",
    "SHOW SETTINGS",
    "SHOW SETTINGS YIELD name, value WHERE name STARTS WITH 'dbms' RETURN name, value",
    "CALL db.stats.collect('QUERIES')",
    "CALL db.stats.retrieve('QUERIES')",
    "CALL db.stats.retrieveAllAnonymized('graph')",
    "CALL db.stats.stop('QUERIES')",
    "CALL db.stats.clear('QUERIES')",
    "CALL db.stats.status()",
    "CALL db.resampleIndex('entityNames')",
    "CALL db.resampleOutdatedIndexes()",
    "CALL db.prepareForReplanning()",
    "CALL db.clearQueryCaches()",
    "CALL db.awaitIndexes(10)",
    "CALL dbms.listConfig()",
    "CALL dbms.listConnections()",
    "CALL dbms.killConnections(['bolt-1'])",
    "CALL dbms.queryJmx('*:*')",
    "CALL dbms.components()",
    "CALL tx.setMetaData({app: 'evil'})",
    "SHOW DATABASES",
    "SHOW CURRENT USER",
    "USE system CALL dbms.showCurrentUser()",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    # procedures in subqueries, in a UNION, and in subqueries the planner keeps inside an expression
    "CALL () { CALL db.stats.retrieve('QUERIES') YIELD data RETURN data } RETURN data",
    "CALL db.labels() YIELD label RETURN label UNION CALL db.stats.retrieve('QUERIES') YIELD data RETURN data AS label",
    "MATCH (n) WHERE EXISTS { CALL db.stats.collect('QUERIES') YIELD success RETURN success } RETURN n",
    "RETURN COUNT { CALL db.stats.stop('QUERIES') YIELD success RETURN success } AS x",
    "RETURN CASE WHEN rand() < 2 THEN COLLECT { CALL db.stats.retrieve('QUERIES') YIELD data RETURN data } END AS x",
    "RETURN [i IN [1] | COUNT { CALL db.stats.collect('QUERIES') YIELD success RETURN success }] AS x",
    "RETURN CASE WHEN rand() < 2 THEN COLLECT { LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l } END AS x",
]
# What an analyst needs of the server besides the graph: its vocabulary, schema, indexes and language.
ALLOWED = [
    "CALL db.labels()",
    "CALL db.relationshipTypes()",
    "CALL db.propertyKeys()",
    "CALL db.schema.visualization()",
    "CALL db.schema.nodeTypeProperties()",
    "CALL db.schema.relTypeProperties()",
    "CALL db.index.fulltext.listAvailableAnalyzers()",
    "CALL db.index.fulltext.queryNodes('entityNames', 'Ann') YIELD node RETURN node.name AS name",
    "SHOW INDEXES",
    "SHOW CONSTRAINTS YIELD name, type",
    "SHOW PROCEDURES",
    "SHOW FUNCTIONS YIELD name WHERE name STARTS WITH 'db.' RETURN name",
    "RETURN CASE WHEN rand() < 2 THEN COLLECT { CALL db.labels() YIELD label RETURN label } END AS labels",
]
# Never run, even with writes allowed: user and security administration, LOAD CSV (files and URLs).
NEVER = [
    "CREATE USER mallory SET PASSWORD 'secret-password'",
    "CREATE USER mallory IF NOT EXISTS SET PLAINTEXT PASSWORD 'secret-password' CHANGE NOT REQUIRED",
    "ALTER CURRENT USER SET PASSWORD FROM 'relgraph-test-pw' TO 'another-password'",
    "ALTER USER neo4j SET PASSWORD 'another-password'",
    "DROP USER neo4j",
    "SHOW USERS",
    "SHOW PRIVILEGES",
    "GRANT ROLE admin TO neo4j",
    "CREATE ROLE evil",
    "CREATE DATABASE junk",
    "STOP DATABASE neo4j",
    "LOAD CSV FROM 'file:///etc/passwd' AS line CREATE (:Junk {line: line})",
    "LOAD CSV FROM 'http://127.0.0.1:9/people.csv' AS line CREATE (:Junk {line: line})",
    "LOAD CSV WITH HEADERS FROM $url AS row MERGE (p:Person {personId: row.id}) SET p.name = row.name",
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
    labels = run_query(seeded, "CALL db.labels() YIELD label RETURN label ORDER BY label").rows
    assert {"label": "Company"} in labels and {"label": "Person"} in labels
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
    with pytest.raises(UserError, match=r"Missing parameter\(s\): b\.") as at_run:  # writes are checked too
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


def users(db: Database) -> list[dict[str, object]]:
    """The server's users and whether each must change its password, read on the system database."""
    records, _, _ = db.driver.execute_query("SHOW USERS YIELD user, passwordChangeRequired", database_="system",
                                            routing_="r")
    return [dict(record) for record in records]


def collector(db: Database) -> list[dict[str, object]]:
    """The state of the server's query collector (db.stats), read outside the guard."""
    return db.read("CALL db.stats.status() YIELD section, status RETURN section, status")


@pytest.mark.parametrize("write", [False, True], ids=["read-only", "writes-allowed"])
@pytest.mark.parametrize("text", DISCLOSURES)
def test_disclosures_and_server_side_effects_are_refused(seeded: Database, text: str, write: bool):
    before = fingerprint(seeded), collector(seeded)
    with pytest.raises(UserError, match="^Refused: ") as refused:
        run_query(seeded, text, write=write)
    assert refused.value.field is None  # allowing writes does not help
    assert (fingerprint(seeded), collector(seeded)) == before


def test_the_refusal_names_the_command_or_procedure_and_what_is_allowed(seeded: Database):
    with pytest.raises(UserError, match=r"SHOW TRANSACTIONS is not run here.*SHOW INDEXES.*other users' work"):
        run_query(seeded, "SHOW TRANSACTIONS YIELD *")
    with pytest.raises(UserError, match=r"SHOW SETTINGS is not run here"):
        run_query(seeded, "SHOW SETTINGS")
    with pytest.raises(UserError, match=r"procedure db\.stats\.collect is not called here.*db\.labels"):
        run_query(seeded, "CALL db.stats.collect('QUERIES')")
    with pytest.raises(UserError, match=r"procedure db\.stats\.retrieve is not called here"):  # nested in a CASE
        run_query(seeded, "RETURN CASE WHEN rand() < 2 THEN COLLECT { CALL db.stats.retrieve('QUERIES') "
                          "YIELD data RETURN data } END AS x")
    with pytest.raises(UserError, match="commands on users, roles, privileges and databases are not run here"):
        run_query(seeded, "SHOW CURRENT USER")


@pytest.mark.parametrize("text", ALLOWED)
def test_what_an_analyst_needs_passes(seeded: Database, text: str):
    assert run_query(seeded, text).query_type == "r"


def test_the_allowed_procedures_exist(seeded: Database):
    """A misspelt name on the allow-list would refuse what it means to allow."""
    names = {row["name"] for row in seeded.read("SHOW PROCEDURES YIELD name")}
    assert ALLOWED_PROCEDURES <= names


@pytest.mark.parametrize("text", NEVER)
def test_administration_and_load_csv_are_refused_even_with_writes_allowed(seeded: Database, text: str):
    before = fingerprint(seeded), users(seeded)
    for run in (lambda: run_query(seeded, text, {"url": "http://127.0.0.1:9/x.csv"}, write=True),
                lambda: preview_write(seeded, text, {"url": "http://127.0.0.1:9/x.csv"})):
        with pytest.raises(UserError) as refused:
            run()
        assert refused.value.field is None and "Traceback" not in str(refused.value)
    assert (fingerprint(seeded), users(seeded)) == before


def test_the_refusals_with_writes_allowed_say_what_and_that_writes_do_not_matter(seeded: Database):
    for text in ("CREATE USER mallory SET PASSWORD 'secret-password'",
                 "ALTER CURRENT USER SET PASSWORD FROM 'relgraph-test-pw' TO 'another-password'"):
        with pytest.raises(UserError, match=r"commands on users, roles, privileges and databases are not run here, "
                                            r"writes allowed or not"):
            run_query(seeded, text, write=True)
    with pytest.raises(UserError, match=r"LOAD CSV reads files and URLs from the server.*writes allowed or not"):
        run_query(seeded, "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS l CREATE (:Junk {l: l})", write=True)


def test_schema_commands_run_with_writes_allowed(seeded: Database):
    result = run_query(seeded, "CREATE INDEX guard_test_index IF NOT EXISTS FOR (n:Junk) ON (n.i)", write=True)
    try:
        assert result.counters == {"indexes_added": 1} and result.query_type == "s"
    finally:
        seeded.write("DROP INDEX guard_test_index IF EXISTS")


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback serving a CSV file, and the paths it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            asked.append(self.path)
            body = b"id,name\nP1,Mallory\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/people.csv", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="the local server's own configuration is tested")
def test_the_server_itself_refuses_load_csv_from_urls(seeded: Database, web_server: tuple[str, list[str]]):
    """Even a raw driver session, past the guard: the server's configuration blocks every address."""
    url, asked = web_server
    for text in ("LOAD CSV FROM $url AS line RETURN line",
                 "LOAD CSV FROM $url AS line CREATE (:Junk {line: line})"):
        with pytest.raises(ClientError) as refused:
            seeded.driver.execute_query(text, {"url": url}, database_=seeded.settings.database)
        assert refused.value.code == "Neo.ClientError.Statement.ExternalResourceFailed"
        assert "cypher_ip_blocklist" in refused.value.message
    for other in (url.replace("127.0.0.1", "localhost"), url.replace("127.0.0.1", "[::1]")):
        with pytest.raises(ClientError):
            seeded.driver.execute_query("LOAD CSV FROM $url AS line RETURN line", {"url": other},
                                        database_=seeded.settings.database)
    assert asked == [] and seeded.read("MATCH (j:Junk) RETURN count(j) AS n") == [{"n": 0}]


def test_preview_write_reports_the_counters_and_changes_nothing(seeded: Database):
    before = fingerprint(seeded)
    create = "CREATE (:Person {personId: $id, name: $name})-[:WORKS_AT]->(:Company {companyId: 'C9'})"
    assert preview_write(seeded, create, {"id": "P9", "name": "Eve"}) == {
        "nodes_created": 2, "relationships_created": 1, "properties_set": 3, "labels_added": 2}
    assert preview_write(seeded, "MATCH (p:Person) SET p.name = 'Eve'") == {"properties_set": 2}
    assert preview_write(seeded, "MATCH (n) DETACH DELETE n") == {"nodes_deleted": 3, "relationships_deleted": 2}
    assert preview_write(seeded, "CREATE INDEX preview_index IF NOT EXISTS FOR (n:Junk) ON (n.i)") == {
        "indexes_added": 1}
    assert preview_write(seeded, "MATCH (p:Person) RETURN p.name AS name") == {}
    assert preview_write(seeded, "MATCH (p:Person {personId: 'nobody'}) SET p.name = 'Eve'") == {}
    assert fingerprint(seeded) == before


def test_preview_write_errors(seeded: Database):
    with pytest.raises(UserError, match="empty"):
        preview_write(seeded, " ")
    with pytest.raises(UserError, match="more than 0 seconds") as bad:
        preview_write(seeded, "CREATE (:Junk)", timeout=-1)
    assert bad.value.field == "timeout"
    with pytest.raises(UserError, match="Syntax error"):
        preview_write(seeded, "CREATE (:Junk")
    with pytest.raises(UserError, match=r"Missing parameter\(s\): b\.") as missing:
        preview_write(seeded, "CREATE (:Junk {a: $a, b: $b})", {"a": 1})
    assert missing.value.field == "params"
    with pytest.raises(UserError, match="one statement at a time"):
        preview_write(seeded, "CREATE (:Junk); CREATE (:Junk)")
    with pytest.raises(UserError, match=r"longer than its 1 s limit") as slow:
        preview_write(seeded, "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b WITH count(*) AS n "
                              "CREATE (:Junk {n: n})", timeout=1)
    assert slow.value.field == "timeout"
    assert seeded.read("MATCH (j:Junk) RETURN count(j) AS n") == [{"n": 0}]


def peak_rss_mb() -> float:
    """This process's peak resident memory since the last reset_peak_rss(), in MB."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def reset_peak_rss() -> float:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    return peak_rss_mb()


BIG = MAX_RESULT_BYTES / 2**20


@pytest.mark.parametrize("text", [
    "RETURN range(1, 10000000) AS r",  # one value of 10 million elements (about 50 MB on the wire)
    "RETURN reduce(s = 'xxxxxxxx', i IN range(1, 22) | s + s) AS s",  # a 32 MB string
    "UNWIND range(1, 1000) AS i RETURN i, reduce(s = 'x', j IN range(1, 15) | s + s) AS s",  # 1,000 rows of 32 KB
])
def test_a_result_larger_than_the_budget_is_stopped_with_bounded_memory(seeded: Database, text: str):
    before = reset_peak_rss()
    with pytest.raises(UserError, match=f"grew past the {BIG:g} MB a query may return.*LIMIT") as stopped:
        run_query(seeded, text, timeout=120)
    assert stopped.value.field is None
    assert peak_rss_mb() - before < 4 * BIG
    assert run_query(seeded, "RETURN 1 AS one").rows == [{"one": 1}]  # the connection dropped, the next one works


def test_a_result_within_the_budget_is_read_whole(seeded: Database):
    [row] = run_query(seeded, "RETURN range(1, 1000000) AS r").rows  # about 5 MB on the wire
    assert len(row["r"]) == 1_000_000 and row["r"][-1] == 1_000_000


def test_a_hundred_million_elements_end_within_the_timeout_with_bounded_memory(seeded: Database):
    """The server's timeout ends when the row is made; sending and decoding it are bounded by the client.

    Last in this module: the server goes on serialising the value for a while after the client has gone.
    """
    before = reset_peak_rss()
    began = time.monotonic()
    with pytest.raises(UserError, match=r"longer than its 3 s limit") as stopped:
        run_query(seeded, "RETURN range(1, 100000000) AS r", timeout=3)
    elapsed = time.monotonic() - began
    assert stopped.value.field == "timeout"
    assert elapsed < 3 + TIMEOUT_GRACE_S + 1.5, elapsed
    assert peak_rss_mb() - before < 4 * BIG
