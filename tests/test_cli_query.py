"""`relgraph query` against a real Neo4j: --list, JSON shape, tables, refusals and exit codes."""

from __future__ import annotations

import json
import resource
from collections.abc import Iterator

import pytest

from graph import audit
from graph.store.db import Database
from tests.test_audit import clear_audit

SEED = """
CREATE (john:Person:Customer {personId: 'P-JOHN', name: 'John Smith', city: 'Chicago'})
CREATE (abc:Company {companyId: 'C-ABC', name: 'ABC Electronics'})
CREATE (john)-[:PLACED]->(o:Order {orderId: 'O-1', date: date('2024-03-15'), total: 1899.0,
                                   paymentMethod: 'credit card'})-[:SOLD_BY]->(abc)
CREATE (o)-[:INCLUDES {quantity: 1, unitPrice: 1899.0, warrantyYears: 3}]->(:Product {sku: 'LAP-1', name: 'Laptop'})
"""


@pytest.fixture
def seeded(db: Database) -> Iterator[Database]:
    """The seed, with an empty audit trail (which the wipe before each test keeps)."""
    clear_audit(db)
    db.write(SEED)
    yield db
    clear_audit(db)


def ok(relgraph, *args: str):
    result = relgraph("query", *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def refused(relgraph, *args: str) -> str:
    result = relgraph("query", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("relgraph: ")
    return result.stderr


def test_list(relgraph):
    listed = json.loads(ok(relgraph, "--list", "--json").stdout)
    by_name = {q["name"]: q for q in listed}
    assert len(by_name) >= 15 and "customer_360" in by_name
    assert by_name["referrals_out"]["params"] == [
        {"name": "id", "type": "string", "required": True, "default": None},
        {"name": "depth", "type": "int", "required": False, "default": 3}]
    table = ok(relgraph, "--list").stdout
    assert "customer_360" in table and "id: string" in table


def test_named_query_as_json(seeded, relgraph):
    rows = json.loads(ok(relgraph, "customer_360", "--param", "id=P-JOHN", "--json").stdout)
    assert [(r["name"], r["seller"], r["product"], r["warrantyYears"], r["paymentMethod"], r["date"])
            for r in rows] == [("John Smith", "ABC Electronics", "Laptop", 3, "credit card", "2024-03-15")]


def test_json_shape_of_nodes_and_relationships(seeded, relgraph):
    rows = json.loads(ok(relgraph, "--cypher", "MATCH (p:Person)-[r:PLACED]->(o) RETURN p, r, o.total AS total",
                         "--json").stdout)
    assert rows == [{
        "p": {"labels": ["Customer", "Person"],
              "properties": {"personId": "P-JOHN", "name": "John Smith", "city": "Chicago"}},
        "r": {"type": "PLACED", "properties": {}},
        "total": 1899.0}]


def test_table_by_default(seeded, relgraph):
    out = ok(relgraph, "--cypher", "MATCH (p:Person) RETURN p.name AS name, p.city AS city").stdout.splitlines()
    assert out[0].split() == ["name", "city"] and out[2].split() == ["John", "Smith", "Chicago"]
    assert ok(relgraph, "--cypher", "MATCH (n:Nothing) RETURN n").stdout.strip() == "(no rows)"


def test_parameters_of_ad_hoc_cypher(seeded, relgraph):
    rows = json.loads(ok(relgraph, "--cypher", "RETURN $n + 1 AS n, $id AS id, $ids AS ids", "--param", "n=41",
                         "--param", "id=007", "--param", 'ids=["a","b"]', "--json").stdout)
    assert rows == [{"n": 42, "id": "007", "ids": ["a", "b"]}]


def test_limit_and_truncation_note_on_stderr(seeded, relgraph):
    result = ok(relgraph, "--cypher", "UNWIND range(1, 50) AS i RETURN i", "--limit", "5", "--json")
    assert json.loads(result.stdout) == [{"i": i} for i in range(1, 6)]
    assert "first 5 rows" in result.stderr and "--limit" in result.stderr


def test_writes_are_refused_with_exit_2_and_allowed_with_write(seeded, relgraph):
    message = refused(relgraph, "--cypher", "MATCH (n) DETACH DELETE n", "--json")
    assert "read-only" in message and "--write" in message
    assert seeded.read("MATCH (n) RETURN count(n) AS n") == [{"n": 4}]
    result = ok(relgraph, "--cypher", "CREATE (:Region {name: 'West'})", "--write")
    assert "nodes created: 1" in result.stderr
    assert seeded.read("MATCH (r:Region) RETURN r.name AS name") == [{"name": "West"}]
    [written] = audit.entries(seeded)  # the write, and not the refused read-only attempt
    assert (written.what, written.via, written.ok) == ("CREATE (:Region {name: 'West'})", "cli", True)


def test_user_errors_exit_2_without_traceback(seeded, relgraph):
    assert "Syntax error" in refused(relgraph, "--cypher", "MATCH (n RETURN n")
    needs = refused(relgraph, "customer_360")
    assert "--param" in needs and "needs a value for id" in needs  # the library's words, the CLI's flag
    assert "no parameter nme" in refused(relgraph, "customer_360", "--param", "nme=x")
    assert "must be an integer" in refused(relgraph, "referrals_out", "--param", "id=P-JOHN", "--param", "depth=x")
    assert "key=value" in refused(relgraph, "customer_360", "--param", "id")
    assert "No named query" in refused(relgraph, "no_such_query")
    assert "exactly one of" in refused(relgraph)
    assert "exactly one of" in refused(relgraph, "customer_360", "--cypher", "RETURN 1")
    assert "--write applies to --cypher" in refused(relgraph, "customer_360", "--param", "id=x", "--write")
    missing = refused(relgraph, "--cypher", "RETURN $x AS x")
    assert "Missing parameter(s): x" in missing and "--param" in missing
    stopped = refused(relgraph, "--cypher", "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) "
                                            "AS b RETURN count(*) AS n", "--timeout", "1")
    assert "1 s limit" in stopped and "--timeout" in stopped
    assert "one statement at a time" in refused(relgraph, "--cypher", "RETURN 1; RETURN 2")


def test_disclosures_and_administration_are_refused_with_exit_2(seeded, relgraph):
    assert "SHOW SETTINGS is not run here" in refused(relgraph, "--cypher", "SHOW SETTINGS")
    assert "procedure db.stats.collect is not called here" in refused(
        relgraph, "--cypher", "CALL db.stats.collect('QUERIES')", "--write")
    users = seeded.driver.execute_query("SHOW USERS YIELD user", database_="system", routing_="r").records
    for text in ("CREATE USER mallory SET PASSWORD 'secret-password'",
                 "ALTER CURRENT USER SET PASSWORD FROM 'x' TO 'another-password'"):
        message = refused(relgraph, "--cypher", text, "--write")
        assert "not run here, writes allowed or not" in message and "--write" not in message
    assert "LOAD CSV" in refused(relgraph, "--cypher", "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS l "
                                                       "CREATE (:Junk {l: l})", "--write")
    assert seeded.driver.execute_query("SHOW USERS YIELD user", database_="system", routing_="r").records == users
    # the data as it was (the refused writes are in the audit trail)
    assert seeded.read("MATCH (n) WHERE NOT n:AuditEntry|AuditHead RETURN count(n) AS n") == [{"n": 4}]


def test_a_result_over_the_budget_exits_2_in_one_line_with_bounded_memory(seeded, relgraph):
    result = relgraph("query", "--cypher", "RETURN range(1, 10000000) AS r", "--json")  # about 50 MB on the wire
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("relgraph: The result grew past the 16 MB") and result.stderr.count("\n") == 1
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest CLI run so far
    assert peak_mb < 400, peak_mb
