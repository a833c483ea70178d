"""The demo data set carries both stories and makes every analysis interesting."""

from __future__ import annotations

from datetime import date

import pytest

from graph.analysis.reach import referral_metrics
from graph.analysis.risk import disruption_cascade, revenue_at_risk, single_source_links
from graph.projection import referral_network, supply_network
from loaders.demo import (
    ABC_ELECTRONICS,
    ABC_STEEL,
    JOHN_SMITH,
    LAKEVIEW_TECH,
    LAPTOP,
    XYZ,
    demo_rows,
    referral_problems,
    write_demo_folder,
)
from loaders.validate import validate_folder


@pytest.fixture(scope="module")
def demo(session_db, relgraph):
    """The demo, loaded once for this module through the real CLI."""
    from graph.store.schema import wipe

    wipe(session_db)
    done = relgraph("load", "demo")
    assert done.returncode == 0, done.stderr
    return session_db


def test_demo_is_deterministic():
    assert demo_rows() == demo_rows()


def test_john_smiths_story(demo):
    john = demo.read("MATCH (p:Person {personId: $id}) RETURN p.name AS name, p.age AS age, "
                     "p.occupation AS job, p.city AS city", {"id": JOHN_SMITH})
    assert john == [{"name": "John Smith", "age": 35, "job": "marketing professional", "city": "Chicago"}]
    order = demo.read("""
        MATCH (:Person {personId: $id})-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Company),
              (o)-[line:INCLUDES]->(p:Product {sku: $laptop})
        RETURN s.name AS seller, p.name AS product, line.warrantyYears AS warranty, o.paymentMethod AS pay""",
                      {"id": JOHN_SMITH, "laptop": LAPTOP})
    assert order == [{"seller": "ABC Electronics", "product": "High-Performance Laptop ProBook X15",
                      "warranty": 3, "pay": "credit card"}]
    job = demo.read("MATCH (:Person {personId: $id})-[w:WORKS_AT]->(c:Company) RETURN c.companyId AS c, w.since AS s",
                    {"id": JOHN_SMITH})
    assert job[0]["c"] == LAKEVIEW_TECH and job[0]["s"].year == 2020
    account = demo.read("MATCH (:Person {personId: $id})-[a:CUSTOMER_OF]->(:Company {companyId: $abc}) "
                        "RETURN a.satisfaction AS s", {"id": JOHN_SMITH, "abc": ABC_ELECTRONICS})
    assert account == [{"s": 5}]
    colleagues = demo.read("""
        MATCH (:Person {personId: $id})-[:REFERRED {converted: true}]->(f:Person)
              -[:WORKS_AT]->(:Company {companyId: $tech})
        RETURN count(f) AS n""", {"id": JOHN_SMITH, "tech": LAKEVIEW_TECH})
    assert colleagues[0]["n"] >= 2


def test_xyz_and_abc_steel_story(demo):
    supply = demo.read("MATCH (:Company {companyId: $steel})-[r:SUPPLIES]->(:Company {companyId: $xyz}) "
                       "RETURN r.sku AS sku, r.sharePct AS share, r.contractId AS contract",
                       {"steel": ABC_STEEL, "xyz": XYZ})
    assert supply == [{"sku": "STEEL-SHEET-CR", "share": 70.0, "contract": "CT-ABC-XYZ-2025"}]
    graph = supply_network(demo)
    cascade = disruption_cascade(graph, [ABC_STEEL])
    rounds = {i.id: i.round for i in cascade.impacted}
    assert rounds[XYZ] == 1
    xyz_clients = {c for _, c in graph.out_edges(XYZ)}
    assert xyz_clients & {i.id for i in cascade.impacted if i.round == 2}  # XYZ's own customers are hit
    assert revenue_at_risk(graph, cascade) > 0


def test_demo_is_big_and_varied_enough(demo):
    counts = {r["label"]: r["n"] for r in demo.read(
        "UNWIND ['Person', 'Company', 'Customer', 'Supplier', 'Region', 'Order', 'Interaction'] AS label "
        "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS n } RETURN label, n")}
    assert counts["Customer"] >= 300 and counts["Supplier"] >= 24 and counts["Region"] >= 3
    graph = supply_network(demo)
    assert single_source_links(graph)
    metrics = {m.id: m for m in referral_metrics(referral_network(demo))}
    assert metrics[JOHN_SMITH].cascade_depth >= 3 and metrics[JOHN_SMITH].direct_referrals >= 4


def test_if_empty_leaves_a_database_with_data_alone(demo, relgraph):
    before = demo.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    done = relgraph("load", "demo", "--if-empty")
    assert done.returncode == 0 and "already holds data" in done.stdout
    assert demo.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before


def test_demo_passes_the_csv_validation(tmp_path):
    """Its keys are unique, which the writer relies on when it CREATEs into an empty graph."""
    validation = validate_folder(write_demo_folder(tmp_path))
    assert validation.ok, validation.problems[:5]


def test_every_referral_holds_up_converted_iff_an_order_on_or_after_its_date(demo):
    """Read back from Neo4j, over the whole demo: converted means the referred customer placed an
    order on or after the referral date, not converted means they placed none."""
    referrals = demo.read("""
        MATCH (a)-[r:REFERRED]->(b)
        RETURN coalesce(a.personId, a.companyId) AS referrer, coalesce(b.personId, b.companyId) AS referred,
               r.date AS date, coalesce(r.converted, true) AS converted,
               COUNT { (b)-[:PLACED]->(o:Order) WHERE o.date >= r.date } AS after,
               COUNT { (b)-[:PLACED]->(o:Order) WHERE o.date < r.date } AS before""")
    assert len(referrals) > 150
    wrong = [r for r in referrals if (r["after"] > 0) != r["converted"]]
    assert wrong == []
    assert sum(not r["converted"] for r in referrals) >= 2  # both kinds occur, so the check can fail
    assert any(r["converted"] and r["before"] for r in referrals)  # some bought before being referred, and again after
    assert any(not r["converted"] and r["before"] for r in referrals)  # a customer before, but not converted by it


def test_referral_problems_finds_a_referral_that_does_not_hold_up():
    rows = demo_rows()
    assert referral_problems(rows) == []
    first = rows["referrals.csv"][0]
    rows["referrals.csv"].append({**first, "converted": False})  # the same referral, said not to convert
    assert referral_problems(rows) == [f"{first['referrer_id']} -> {first['referred_id']} on {first['date']}: "
                                       "converted=False, 1 order(s) on or after"]


def test_johns_referrals_bought_after_he_referred_them(demo):
    rows = demo.read("""
        MATCH (:Person {personId: $id})-[r:REFERRED]->(f:Person)
        OPTIONAL MATCH (f)-[:PLACED]->(o:Order)
        WHERE o.date >= r.date
        RETURN f.personId AS id, r.converted AS converted, r.date AS referred, min(o.date) AS first""",
                     {"id": JOHN_SMITH})
    assert len(rows) >= 5
    for row in rows:
        assert row["referred"].to_native() >= date(2025, 9, 14)  # after his own purchase
        assert (row["first"] is not None) == row["converted"]
