"""`relgraph reach` end to end: a small referral network in a real Neo4j, the CLI as a subprocess."""

from __future__ import annotations

import json

import pytest

from cli import query, reach
from cli.main import main, user_message
from graph.errors import UserError

PEOPLE_KEYS = {"id", "name", "direct_referrals", "cascade_size", "cascade_depth", "referred_revenue",
               "influence"}

# John referred Jane and XYZ (both bought); Jane referred Raj (bought); Raj's referral of Ana did
# not convert. ABC Electronics sells but refers nobody, so it is not in the referral network.
NETWORK = """
CREATE (john:Person:Customer {personId: 'P1', name: 'John Smith'}),
       (jane:Person:Customer {personId: 'P2', name: 'Jane Doe'}),
       (raj:Person:Customer {personId: 'P3', name: 'Raj Patel'}),
       (ana:Person {personId: 'P4', name: 'Ana Lopez'}),
       (xyz:Company:Customer {companyId: 'C1', name: 'XYZ Manufacturing Inc.'}),
       (abc:Company {companyId: 'C2', name: 'ABC Electronics'}),
       (john)-[:REFERRED {date: date('2024-01-10'), channel: 'email', converted: true}]->(jane),
       (john)-[:REFERRED {date: date('2024-02-01'), converted: true}]->(xyz),
       (jane)-[:REFERRED {date: date('2024-03-05'), converted: true}]->(raj),
       (raj)-[:REFERRED {date: date('2024-04-20'), converted: false}]->(ana),
       (john)-[:PLACED]->(:Order {orderId: 'O1', date: date('2024-01-02'), total: 1500.0})-[:SOLD_BY]->(abc),
       (jane)-[:PLACED]->(:Order {orderId: 'O2', date: date('2024-01-20'), total: 200.0})-[:SOLD_BY]->(abc),
       (raj)-[:PLACED]->(:Order {orderId: 'O3', date: date('2024-03-09'), total: 300.0})-[:SOLD_BY]->(abc),
       (xyz)-[:PLACED]->(:Order {orderId: 'O4', date: date('2024-02-11'), total: 10000.0})-[:SOLD_BY]->(abc)
"""


@pytest.fixture
def network(db):
    db.write(NETWORK)
    return db


def ok_json(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # stdout holds the JSON document and nothing else


def refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_people_most_influential_first(network, relgraph):
    people = ok_json(relgraph("reach", "--json"))["people"]
    assert all(set(row) == PEOPLE_KEYS for row in people)
    assert sorted(row["id"] for row in people) == ["C1", "P1", "P2", "P3", "P4"]
    john = people[0]
    assert (john["id"], john["name"]) == ("P1", "John Smith")
    measures = ("direct_referrals", "cascade_size", "cascade_depth", "referred_revenue")
    assert [john[key] for key in measures] == [2, 3, 2, 10500.0]
    by_id = {row["id"]: row for row in people}
    assert (by_id["P2"]["cascade_size"], by_id["P2"]["referred_revenue"]) == (1, 300.0)
    assert by_id["P3"]["direct_referrals"] == 0  # Ana did not convert
    assert [row["influence"] for row in people] == sorted((row["influence"] for row in people), reverse=True)
    assert [row["id"] for row in ok_json(relgraph("reach", "--json", "--top", "2"))["people"]] == [
        row["id"] for row in people[:2]]


def test_spread_is_exact_at_p_one_and_reproducible_with_a_seed(network, relgraph):
    assert ok_json(relgraph("reach", "--spread", "P1", "--prob", "1", "--json")) == {
        "seeds": ["P1"], "expected_spread": 5.0, "stderr": 0.0, "runs": 1000}  # the unconverted tie to Ana counts
    args = ("reach", "--spread", "P2, C1", "--prob", "0.5", "--runs", "400", "--seed", "7", "--json")
    first = ok_json(relgraph(*args))
    assert first["seeds"] == ["P2", "C1"] and 2 <= first["expected_spread"] <= 4 and first["stderr"] > 0
    assert ok_json(relgraph(*args)) == first


def test_campaign_picks_the_referrer_and_is_reproducible(network, relgraph):
    result = ok_json(relgraph("reach", "--campaign", "1", "--prob", "1", "--runs", "10", "--json"))
    assert (result["seeds"], result["expected_spread"]) == (["P1"], 5.0)
    args = ("reach", "--campaign", "2", "--prob", "0.3", "--runs", "300", "--seed", "3", "--json")
    first = ok_json(relgraph(*args))
    assert {"seeds", "expected_spread"} <= set(first) and len(first["seeds"]) == 2
    assert first["seeds"][0] == "P1" and first["curve"][-1] == first["expected_spread"]
    assert ok_json(relgraph(*args)) == first


def test_tables_without_json(network, relgraph):
    result = relgraph("reach", "--top", "3")
    assert result.returncode == 0 and "John Smith" in result.stdout and "cascade_depth" in result.stdout
    result = relgraph("reach", "--campaign", "1", "--prob", "1", "--runs", "5")
    assert result.returncode == 0 and "John Smith" in result.stdout


@pytest.mark.parametrize("args, words", [
    (("--spread", "P1", "--prob", "1.5"), ("probability", "1.5", "relgraph: --prob: the probability")),
    (("--spread", "P1", "--prob", "-0.1"), ("probability",)),
    (("--spread", "P1,NOBODY", "--prob", "0.1"), ("NOBODY", "relgraph: --spread: not in the referral network")),
    (("--spread", "P1"), ("--prob",)),
    (("--spread", " , "), ("--spread",)),
    (("--campaign", "0", "--prob", "0.1"), ("seeds", "relgraph: --campaign: the number of seeds")),
    (("--campaign", "2", "--prob", "0.1", "--runs", "0"), ("runs", "relgraph: --runs: the number of runs")),
])
def test_bad_input_exits_2_with_a_message(network, relgraph, args, words):
    refused(relgraph("reach", *args, "--json"), *words)


def test_library_errors_name_the_flag_before_connecting(capsys):
    assert main(["reach", "--spread", "P1", "--prob", "1.5"]) == 2
    assert capsys.readouterr().err == "relgraph: --prob: the probability must be between 0 and 1, got 1.5\n"


def test_user_message_leads_with_the_flag_of_the_field():
    assert user_message(UserError("the number of rows must be 0 or more", field="top"), reach.run) == (
        "--top: the number of rows must be 0 or more")
    # a parameter the command has no flag for, or no field at all: the library's words alone
    assert user_message(UserError("epsilon must be positive", field="epsilon"), reach.run) == "epsilon must be positive"
    assert user_message(UserError("plain"), reach.run) == "plain"
    fields = ("params", "write", "timeout", "limit")
    assert [user_message(UserError("x", field=field), query.run) for field in fields] == [
        "--param: x", "--write: x", "--timeout: x", "--limit: x"]


def test_empty_database(db, relgraph):
    assert ok_json(relgraph("reach", "--json")) == {"people": []}
    result = ok_json(relgraph("reach", "--campaign", "3", "--prob", "0.1", "--seed", "1", "--json"))
    assert (result["seeds"], result["expected_spread"]) == ([], 0.0)
