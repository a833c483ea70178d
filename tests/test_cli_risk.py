"""`relgraph risk` against a real Neo4j: JSON shapes, the seed story's numbers and user errors."""

from __future__ import annotations

import json

import pytest

from cli.main import main
from graph.store.db import Database

# ABC Steel Suppliers -> XYZ Manufacturing Inc. (all its steel sheets) -> Detroit Motors (70% of its
# brake assemblies; Lakeside has 30%) and Great Lakes Trucks (40% of its axles; Ohio Axle has 60%).
STORY = """
CREATE (abc:Company:Supplier {companyId: 'ABC', name: 'ABC Steel Suppliers', region: 'Midwest'})
CREATE (xyz:Company:Supplier:Customer {companyId: 'XYZ', name: 'XYZ Manufacturing Inc.', region: 'Midwest'})
CREATE (det:Company:Customer {companyId: 'DET', name: 'Detroit Motors', region: 'Great Lakes'})
CREATE (glt:Company:Customer {companyId: 'GLT', name: 'Great Lakes Trucks', region: 'Great Lakes'})
CREATE (lak:Company:Supplier {companyId: 'LAK', name: 'Lakeside Components', region: 'Great Lakes'})
CREATE (oha:Company:Supplier {companyId: 'OHA', name: 'Ohio Axle Co', region: 'Ohio Valley'})
CREATE (john:Person:Customer {personId: 'P-JOHN', name: 'John Smith'})
CREATE (jane:Person:Customer {personId: 'P-JANE', name: 'Jane Doe'})
CREATE (abc)-[:SUPPLIES {sku: 'steel-sheet', sharePct: 100.0, leadTimeDays: 45}]->(xyz)
CREATE (xyz)-[:SUPPLIES {sku: 'brake-assembly', sharePct: 70.0, leadTimeDays: 20}]->(det)
CREATE (lak)-[:SUPPLIES {sku: 'brake-assembly', sharePct: 30.0, leadTimeDays: 10}]->(det)
CREATE (xyz)-[:SUPPLIES {sku: 'axle', sharePct: 40.0, leadTimeDays: 15}]->(glt)
CREATE (oha)-[:SUPPLIES {sku: 'axle', sharePct: 60.0}]->(glt)
"""

ORDERS = [
    {"id": "O1", "buyer": "XYZ", "seller": "ABC", "total": 2_000_000.0},
    {"id": "O2", "buyer": "DET", "seller": "XYZ", "total": 3_000_000.0},
    {"id": "O3", "buyer": "GLT", "seller": "XYZ", "total": 2_000_000.0},
    {"id": "O4", "buyer": "P-JOHN", "seller": "DET", "total": 1_500.0},
    {"id": "O5", "buyer": "P-JANE", "seller": "DET", "total": 2_500.0},
]


PLACE_ORDERS = """
UNWIND $orders AS row
OPTIONAL MATCH (company:Company {companyId: row.buyer})
OPTIONAL MATCH (person:Person {personId: row.buyer})
WITH row, coalesce(company, person) AS buyer
MATCH (seller:Company {companyId: row.seller})
CREATE (buyer)-[:PLACED]->(:Order {orderId: row.id, total: row.total})-[:SOLD_BY]->(seller)
"""


@pytest.fixture
def story(db: Database) -> Database:
    db.write(STORY)
    db.write(PLACE_ORDERS, {"orders": ORDERS})
    return db


def risk_json(relgraph, *args: str):
    result = relgraph("risk", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # the whole of stdout is one JSON document


def test_ranking(story, relgraph):
    suppliers = risk_json(relgraph)["suppliers"]
    assert all(set(row) == {"id", "name", "direct_clients", "downstream", "single_source_links", "impacted",
                            "revenue_at_risk", "betweenness", "risk_score"} for row in suppliers)
    assert [row["id"] for row in suppliers] == ["ABC", "XYZ", "OHA", "LAK"]
    abc = suppliers[0]
    # ABC's failure takes XYZ (round 1) and Detroit Motors (round 2): 2M + 5M + 4,000 of sales
    assert abc == {"id": "ABC", "name": "ABC Steel Suppliers", "direct_clients": 1, "downstream": 3,
                   "single_source_links": 1, "impacted": 2, "revenue_at_risk": 7_004_000.0,
                   "betweenness": 0.0, "risk_score": abc["risk_score"]}
    scores = [row["risk_score"] for row in suppliers]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert [row["id"] for row in risk_json(relgraph, "--top", "2")["suppliers"]] == ["ABC", "XYZ"]


def test_disrupt(story, relgraph):
    result = risk_json(relgraph, "--disrupt", "ABC")
    assert result == {
        "threshold": 0.5,
        "failed": ["ABC"],
        "impacted": [{"id": "XYZ", "name": "XYZ Manufacturing Inc.", "round": 1, "max_loss": 1.0},
                     {"id": "DET", "name": "Detroit Motors", "round": 2, "max_loss": 0.7}],
        "revenue_at_risk": 7_004_000.0,
        "customers_affected": 5,  # XYZ, DET, GLT, John, Jane
        "time_to_recover_days": 65.0,  # 45 days of steel, then 20 of brake assemblies
    }
    # at 0.75 Detroit Motors (70% lost) holds
    result = risk_json(relgraph, "--disrupt", "ABC", "--threshold", "0.75")
    assert [row["id"] for row in result["impacted"]] == ["XYZ"]
    # two ids, spaces tolerated: both in round 0
    result = risk_json(relgraph, "--disrupt", "LAK, OHA")
    assert result["failed"] == ["LAK", "OHA"]
    assert result["impacted"] == [{"id": "GLT", "name": "Great Lakes Trucks", "round": 1, "max_loss": 0.6}]


def test_region(story, relgraph):
    result = risk_json(relgraph, "--region", "Midwest")
    assert result["failed"] == ["ABC", "XYZ"]
    assert result["impacted"] == [{"id": "DET", "name": "Detroit Motors", "round": 1, "max_loss": 0.7}]
    assert result["revenue_at_risk"] == 7_004_000.0
    assert result["customers_affected"] == 5


def test_single_source_and_concentration(story, relgraph):
    assert risk_json(relgraph, "--single-source") == {
        "links": [{"client_id": "XYZ", "sku": "steel-sheet", "supplier_id": "ABC"}]}
    clients = risk_json(relgraph, "--concentration")["clients"]
    # XYZ: one supplier; DET: 0.7^2 + 0.3^2; GLT: 0.4^2 + 0.6^2
    assert [(c["id"], c["name"], round(c["hhi"], 6), c["sku"]) for c in clients] == [
        ("XYZ", "XYZ Manufacturing Inc.", 10000.0, "steel-sheet"),
        ("DET", "Detroit Motors", 5800.0, "brake-assembly"),
        ("GLT", "Great Lakes Trucks", 5200.0, "axle")]


def test_tables(story, relgraph):
    result = relgraph("risk")
    assert result.returncode == 0, result.stderr
    assert "risk_score" in result.stdout and "ABC Steel Suppliers" in result.stdout
    result = relgraph("risk", "--disrupt", "ABC")
    assert result.returncode == 0, result.stderr
    assert "Detroit Motors" in result.stdout and "7,004,000.00" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--disrupt", "NOPE"], "relgraph: --disrupt: unknown company id: NOPE"),
    (["--disrupt", ","], "at least one company id"),
    (["--region", "Atlantis"], "relgraph: --region: no company is in region 'Atlantis'"),
    (["--threshold", "0"], "relgraph: --threshold: the threshold must be in (0, 1]"),
    (["--disrupt", "ABC", "--threshold", "1.5"], "threshold must be in (0, 1]"),
    (["--top", "-1"], "--top must be 0 or more"),
])
def test_user_errors(story, relgraph, args, message):
    result = relgraph("risk", *args, "--json")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1


def test_library_errors_name_the_flag_before_connecting(capsys):
    assert main(["risk", "--disrupt", "ABC", "--threshold", "2"]) == 2
    assert capsys.readouterr().err == "relgraph: --threshold: the threshold must be in (0, 1], got 2.0\n"


def test_empty_database(db, relgraph):
    assert risk_json(relgraph) == {"suppliers": []}
    assert risk_json(relgraph, "--single-source") == {"links": []}
    assert risk_json(relgraph, "--concentration") == {"clients": []}
