"""The named query library (headers, parameter typing, every query) and the read models built from it,
on a small hand-made graph: the 360 card, search, the neighbourhood, counts and schema."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from graph.errors import UserError
from graph.store.db import Database, plain
from queries import card as card_module
from queries.card import (
    Match,
    average_satisfaction,
    card_queries,
    colleagues_by_company,
    entity_card,
    orders,
    search_entities,
    spent,
    supplier_tiers,
)
from queries.compose import plan_named_queries
from queries.execute import run_named
from queries.neighbourhood import story as story_of
from queries.registry import Param, get_query, load_queries, lucene_fuzzy, parse_header, parse_param_args
from queries.schema_info import schema_overview
from queries.stats import graph_counts, is_empty

# John Smith bought a laptop at ABC Electronics and referred Jane and Bob; Jane referred Amy,
# Bob invited Tom (not converted). Iron Ore Co -> ABC Steel Suppliers -> XYZ Manufacturing ->
# Detroit Motors (with Lakeside as second source of brakes). The laptop holds a CPU holding 4 chips.
STORY = """
CREATE (midwest:Region {name: 'Midwest', country: 'US'})
CREATE (west:Region {name: 'West', country: 'US'})
CREATE (john:Person:Customer {personId: 'P-JOHN', name: 'John Smith', age: 35, occupation: 'Marketing Manager',
                              city: 'Chicago', country: 'US'})
CREATE (jane:Person:Customer {personId: 'P-JANE', name: 'Jane Doe', city: 'Chicago'})
CREATE (bob:Person {personId: 'P-BOB', name: 'Bob Lee', occupation: 'Engineer'})
CREATE (amy:Person {personId: 'P-AMY', name: 'Amy Chen'})
CREATE (tom:Person {personId: 'P-TOM', name: 'Tom Park'})
CREATE (abcel:Company {companyId: 'C-ABCEL', name: 'ABC Electronics', industry: 'Electronics retail',
                       city: 'Chicago', region: 'Midwest'})
CREATE (tech:Company {companyId: 'C-TECH', name: 'TechCorp', industry: 'Software', region: 'Midwest'})
CREATE (xyz:Company:Customer:Supplier {companyId: 'C-XYZ', name: 'XYZ Manufacturing Inc.',
                                       industry: 'Automotive components', region: 'Midwest'})
CREATE (steel:Company:Supplier {companyId: 'C-STEEL', name: 'ABC Steel Suppliers', industry: 'Steel',
                                city: 'Gary', region: 'Midwest'})
CREATE (ore:Company:Supplier {companyId: 'C-ORE', name: 'Iron Ore Co', region: 'West'})
CREATE (lak:Company:Supplier {companyId: 'C-LAK', name: 'Lakeside Components', region: 'West'})
CREATE (det:Company:Customer {companyId: 'C-DET', name: 'Detroit Motors', region: 'Midwest'})
CREATE (laptop:Product {sku: 'LAP-1', name: 'ProBook 15 Laptop', category: 'Laptops', unitPrice: 1899.0,
                        currency: 'USD'})
CREATE (cpu:Product {sku: 'CPU-1', name: 'Fast CPU', category: 'Parts'})
CREATE (chip:Product {sku: 'CHIP-1', name: 'Memory chip', category: 'Parts'})
CREATE (sheet:Product {sku: 'SHEET-1', name: 'Steel sheet', category: 'Steel'})
CREATE (brake:Product {sku: 'BRAKE-1', name: 'Brake assembly', category: 'Automotive'})
CREATE (abcel)-[:LOCATED_IN]->(midwest), (steel)-[:LOCATED_IN]->(midwest), (ore)-[:LOCATED_IN]->(west)
CREATE (john)-[:PLACED]->(o1:Order {orderId: 'O-1', date: date('2024-03-15'), total: 1899.0, currency: 'USD',
                                    channel: 'store', paymentMethod: 'credit card'})
CREATE (o1)-[:INCLUDES {quantity: 1, unitPrice: 1899.0, warrantyYears: 3}]->(laptop)
CREATE (o1)-[:SOLD_BY]->(abcel)
CREATE (jane)-[:PLACED]->(o2:Order {orderId: 'O-2', date: date('2024-05-02'), total: 3798.0,
                                    paymentMethod: 'debit card'})
CREATE (o2)-[:INCLUDES {quantity: 2, unitPrice: 1899.0, warrantyYears: 1}]->(laptop)
CREATE (o2)-[:SOLD_BY]->(abcel)
CREATE (xyz)-[:PLACED]->(o3:Order {orderId: 'O-3', date: date('2024-01-10'), total: 250000.0,
                                   paymentMethod: 'invoice'})
CREATE (o3)-[:INCLUDES {quantity: 500, unitPrice: 500.0}]->(sheet)
CREATE (o3)-[:SOLD_BY]->(steel)
CREATE (det)-[:PLACED]->(o4:Order {orderId: 'O-4', date: date('2024-02-01'), total: 80000.0})
CREATE (o4)-[:INCLUDES {quantity: 200, unitPrice: 400.0}]->(brake)
CREATE (o4)-[:SOLD_BY]->(xyz)
CREATE (ore)-[:SUPPLIES {sku: 'ORE-1', sharePct: 100.0, leadTimeDays: 60}]->(steel)
CREATE (steel)-[:SUPPLIES {sku: 'SHEET-1', sharePct: 100.0, leadTimeDays: 45, contractId: 'K-7'}]->(xyz)
CREATE (xyz)-[:SUPPLIES {sku: 'BRAKE-1', sharePct: 70.0, leadTimeDays: 20}]->(det)
CREATE (lak)-[:SUPPLIES {sku: 'BRAKE-1', sharePct: 30.0, leadTimeDays: 10}]->(det)
CREATE (tech)-[:MAKES]->(laptop), (steel)-[:MAKES]->(sheet), (xyz)-[:MAKES]->(brake)
CREATE (cpu)-[:COMPONENT_OF {quantity: 1}]->(laptop)
CREATE (chip)-[:COMPONENT_OF {quantity: 4}]->(cpu)
CREATE (sheet)-[:COMPONENT_OF {quantity: 2}]->(brake)
CREATE (john)-[:REFERRED {date: date('2024-04-01'), channel: 'word of mouth', converted: true}]->(jane)
CREATE (john)-[:REFERRED {date: date('2024-04-20'), channel: 'email', converted: true}]->(bob)
CREATE (jane)-[:REFERRED {date: date('2024-06-01'), channel: 'social', converted: true}]->(amy)
CREATE (bob)-[:REFERRED {date: date('2024-07-01'), channel: 'email', converted: false}]->(tom)
CREATE (john)-[:WORKS_AT {role: 'Marketing Manager', since: date('2019-06-01')}]->(tech)
CREATE (bob)-[:WORKS_AT {role: 'Engineer', since: date('2021-01-01')}]->(tech)
CREATE (amy)-[:WORKS_AT {role: 'Buyer'}]->(xyz)
CREATE (john)-[:CUSTOMER_OF {since: date('2024-03-15'), satisfaction: 5, status: 'active',
                             accountManager: 'Maria Garcia'}]->(abcel)
CREATE (xyz)-[:CUSTOMER_OF {since: date('2018-01-01'), satisfaction: 4, status: 'active'}]->(steel)
CREATE (john)-[:HAD]->(:Interaction {interactionId: 'I-1', date: date('2024-03-10'), kind: 'store visit',
                                     channel: 'store', sentiment: 'positive'})-[:WITH]->(abcel)
CREATE (john)-[:HAD]->(:Interaction {interactionId: 'I-2', date: date('2024-04-05'), kind: 'support call',
                                     channel: 'phone', sentiment: 'positive', note: 'setup help'})-[:WITH]->(abcel)
"""


def load_story(db: Database) -> Database:
    from graph.store import schema

    schema.wipe(db)
    db.write(STORY)
    db.write("CALL db.awaitIndexes(60)")
    return db


@pytest.fixture(scope="module")
def story(session_db: Database) -> Database:
    """The story graph, loaded once for the module: every test here only reads (but one, which reloads it)."""
    return load_story(session_db)


def rows(db: Database, name: str, **values: Any) -> list[dict[str, Any]]:
    return plain(run_named(db, name, values).rows)


def column(result: list[dict[str, Any]], key: str) -> list[Any]:
    return [row[key] for row in result]


# --- the registry --------------------------------------------------------------------------------

def test_library_has_at_least_15_documented_queries():
    queries = load_queries()
    assert len(queries) >= 15
    for query in queries.values():
        assert query.description and query.text.startswith("// name: " + query.name)


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_header_declares_exactly_the_parameters_the_cypher_uses(name: str):
    query = load_queries()[name]
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("//"))
    assert set(re.findall(r"\$([A-Za-z_]\w*)", body)) == {p.name for p in query.params}
    assert all(p.name[0].islower() and "_" not in p.name for p in query.params)  # camelCase


def test_parameters_are_typed_by_the_header():
    query = parse_header("q", "// name: q\n// description: d\n// param: id: string\n// param: depth: int = 2\n"
                              "// param: share: float = 0.5\n// param: on: bool = true\n// param: tags: list = []\n"
                              "// param: client: string = null\nRETURN 1")
    assert query.bind({"id": "007"}) == {"id": "007", "depth": 2, "share": 0.5, "on": True, "tags": [],
                                         "client": None}
    assert query.bind({"id": "x", "depth": "4", "share": "12", "on": "no", "tags": "A, B,", "client": "C1"}) == \
        {"id": "x", "depth": 4, "share": 12.0, "on": False, "tags": ["A", "B"], "client": "C1"}
    assert query.bind({"id": "x", "depth": 3, "share": 1, "tags": ["A"]})["share"] == 1.0


@pytest.mark.parametrize("values, message", [
    ({"id": "x", "dpth": "2"}, "has no parameter dpth"),
    ({}, "needs a value for id"),
    ({"id": "x", "depth": "two"}, "depth must be an integer, got 'two'"),
    ({"id": "x", "depth": 2.5}, "depth must be an integer"),
    ({"id": "x", "depth": True}, "depth must be an integer"),
])
def test_parameter_errors(values: dict[str, Any], message: str):
    query = parse_header("q", "// name: q\n// description: d\n// param: id: string\n// param: depth: int = 2\nRETURN 1")
    with pytest.raises(UserError, match=re.escape(message)) as error:
        query.bind(values)
    assert error.value.field == "params" and "--" not in str(error.value)  # plain words; the CLI adds its flag


def test_bad_headers_are_caught():
    with pytest.raises(ValueError, match="name: q"):
        parse_header("q", "// name: other\n// description: d\nRETURN 1")
    with pytest.raises(ValueError, match="bad parameter"):
        parse_header("q", "// name: q\n// description: d\n// param: id: text\nRETURN 1")


def test_param_arguments_and_unknown_queries():
    assert parse_param_args(["id=P-1", "note=a=b", "empty="]) == {"id": "P-1", "note": "a=b", "empty": ""}
    with pytest.raises(UserError, match="key=value") as malformed:
        parse_param_args(["id"])
    with pytest.raises(UserError, match="twice") as repeated:
        parse_param_args(["id=1", "id=2"])
    assert malformed.value.field == repeated.value.field == "params"
    with pytest.raises(UserError, match="No named query 'custmer_360'.*customer_360"):
        get_query("custmer_360")


def test_lucene_fuzzy_escapes_what_users_type():
    assert lucene_fuzzy("John  SMYTH") == "(john* OR john~1) AND (smyth* OR smyth~2)"
    assert lucene_fuzzy('AT&T (x) "a" b:c OR') == (r'(at\&t* OR at\&t~1) AND (\(x\)* OR \(x\)~1) AND '
                                                   r'(\"a\"* OR \"a\"~1) AND (b\:c* OR b\:c~1) AND (or* OR or~1)')
    with pytest.raises(UserError, match="empty"):
        lucene_fuzzy("   ")
    assert Param("t", "fuzzy").convert("x") == "(x* OR x~1)"


# --- every query on the story graph ----------------------------------------------------------------

def test_is_empty_says_whether_any_node_is_there(db: Database):
    assert is_empty(db)
    db.write("CREATE (:LoadLock {name: 'load'})")  # a running load's lock is no data
    assert is_empty(db)
    load_story(db)  # as the story fixture leaves it, whichever test runs first
    assert not is_empty(db)


def test_entity(story: Database):
    [xyz] = rows(story, "entity", id="C-XYZ")
    assert (xyz["id"], xyz["kind"], xyz["name"], sorted(xyz["labels"])) == (
        "C-XYZ", "Company", "XYZ Manufacturing Inc.", ["Company", "Customer", "Supplier"])
    assert xyz["properties"]["region"] == "Midwest"
    assert rows(story, "entity", id="P-JOHN")[0]["properties"]["age"] == 35
    assert rows(story, "entity", id="LAP-1") == []  # products have no card


def test_search_ids_by_prefix(story: Database):
    assert column(rows(story, "search_ids", text="P-J"), "id") == ["P-JANE", "P-JOHN"]
    assert rows(story, "search_ids", text="C-X") == [{"id": "C-XYZ", "name": "XYZ Manufacturing Inc.",
                                                       "kind": "Company", "detail": "Automotive components",
                                                       "city": None}]
    assert column(rows(story, "search_ids", text="C-", limit=2), "id") == ["C-ABCEL", "C-DET"]


def test_employers_and_company_employees(story: Database):
    assert rows(story, "employers", id="P-JOHN") == [{"companyId": "C-TECH", "company": "TechCorp",
                                                      "role": "Marketing Manager", "since": "2019-06-01"}]
    assert [(r["id"], r["role"]) for r in rows(story, "company_employees", id="C-TECH")] == [
        ("P-BOB", "Engineer"), ("P-JOHN", "Marketing Manager")]
    assert column(rows(story, "company_employees", id="C-TECH", limit=1), "id") == ["P-BOB"]


def test_company_clients(story: Database):
    assert rows(story, "company_clients", id="C-XYZ") == [{
        "id": "C-DET", "name": "Detroit Motors", "sku": "BRAKE-1", "sharePct": 70.0, "leadTimeDays": 20,
        "annualVolume": None, "contractId": None}]
    assert column(rows(story, "company_clients", id="C-STEEL"), "contractId") == ["K-7"]
    assert rows(story, "company_clients", id="C-DET") == []


def test_company_products(story: Database):
    assert rows(story, "company_products", id="C-TECH") == [{
        "sku": "LAP-1", "name": "ProBook 15 Laptop", "category": "Laptops", "unitPrice": 1899.0, "currency": "USD"}]
    assert column(rows(story, "company_products", id="C-XYZ"), "sku") == ["BRAKE-1"]


def test_node_by_label_and_key(story: Database):
    [laptop] = rows(story, "node", label="Product", key="LAP-1")
    assert laptop["node"]["properties"]["name"] == "ProBook 15 Laptop" and laptop["elementId"]
    assert column(rows(story, "node", label="Region", key="West"), "node") == [
        {"labels": ["Region"], "properties": {"name": "West", "country": "US"}}]
    assert rows(story, "node", label="Company", key="P-JOHN") == []  # the key of another label

def test_customer_360(story: Database):
    result = rows(story, "customer_360", id="P-JOHN")
    assert len(result) == 1
    row = result[0]
    assert (row["name"], row["kind"], row["city"], row["occupation"]) == \
        ("John Smith", "Person", "Chicago", "Marketing Manager")
    assert (row["orderId"], row["date"], row["seller"], row["product"], row["quantity"], row["warrantyYears"],
            row["paymentMethod"], row["total"]) == \
        ("O-1", "2024-03-15", "ABC Electronics", "ProBook 15 Laptop", 1, 3, "credit card", 1899.0)


def test_customer_360_of_a_company_and_of_a_customer_without_orders(story: Database):
    xyz = rows(story, "customer_360", id="C-XYZ")
    assert [(r["kind"], r["seller"], r["sku"], r["quantity"]) for r in xyz] == [("Company", "ABC Steel Suppliers",
                                                                                  "SHEET-1", 500)]
    amy = rows(story, "customer_360", id="P-AMY")
    assert [(r["name"], r["orderId"]) for r in amy] == [("Amy Chen", None)]
    assert rows(story, "customer_360", id="nobody") == []


def test_customer_accounts(story: Database):
    assert rows(story, "customer_accounts", id="P-JOHN") == [{
        "companyId": "C-ABCEL", "company": "ABC Electronics", "since": "2024-03-15", "satisfaction": 5,
        "status": "active", "accountManager": "Maria Garcia"}]


def test_customer_interactions_newest_first(story: Database):
    result = rows(story, "customer_interactions", id="P-JOHN")
    assert column(result, "interactionId") == ["I-2", "I-1"]
    assert (result[0]["kind"], result[0]["company"], result[0]["note"]) == ("support call", "ABC Electronics",
                                                                            "setup help")
    assert column(rows(story, "customer_interactions", id="P-JOHN", limit=1), "interactionId") == ["I-2"]


def test_referrals_out_by_depth(story: Database):
    result = rows(story, "referrals_out", id="P-JOHN")
    assert [(r["distance"], r["id"], r["referredById"], r["converted"]) for r in result] == [
        (1, "P-JANE", "P-JOHN", True), (1, "P-BOB", "P-JOHN", True),
        (2, "P-AMY", "P-JANE", True), (2, "P-TOM", "P-BOB", False)]
    assert column(rows(story, "referrals_out", id="P-JOHN", depth=1), "id") == ["P-JANE", "P-BOB"]
    assert rows(story, "referrals_out", id="P-AMY") == []


def test_referrals_in_up_the_chain(story: Database):
    result = rows(story, "referrals_in", id="P-AMY")
    assert [(r["distance"], r["id"], r["referredId"], r["channel"]) for r in result] == [
        (1, "P-JANE", "P-AMY", "social"), (2, "P-JOHN", "P-JANE", "word of mouth")]
    assert column(rows(story, "referrals_in", id="P-AMY", depth=1), "id") == ["P-JANE"]


def test_colleagues(story: Database):
    assert rows(story, "colleagues", id="P-JOHN") == [{
        "companyId": "C-TECH", "company": "TechCorp", "id": "P-BOB", "name": "Bob Lee", "role": "Engineer",
        "since": "2021-01-01"}]
    assert rows(story, "colleagues", id="P-AMY") == []


def test_company_360(story: Database):
    [xyz] = rows(story, "company_360", id="C-XYZ")
    assert (xyz["name"], sorted(xyz["roles"]), xyz["orders"], xyz["revenue"], xyz["accounts"], xyz["suppliers"],
            xyz["clients"], xyz["employees"]) == ("XYZ Manufacturing Inc.", ["Customer", "Supplier"], 1, 80000.0,
                                                  0, 1, 1, 1)
    assert xyz["products"] == [{"sku": "BRAKE-1", "name": "Brake assembly", "category": "Automotive"}]
    [abc] = rows(story, "company_360", id="C-ABCEL")
    assert (abc["orders"], abc["revenue"], abc["accounts"], abc["roles"]) == (2, 5697.0, 1, [])


def test_company_customers_by_revenue(story: Database):
    result = rows(story, "company_customers", id="C-ABCEL")
    assert [(r["id"], r["orders"], r["revenue"], r["satisfaction"]) for r in result] == [
        ("P-JANE", 1, 3798.0, None), ("P-JOHN", 1, 1899.0, 5)]
    assert column(rows(story, "company_customers", id="C-ABCEL", limit=1), "id") == ["P-JANE"]


def test_company_suppliers_tier_by_tier(story: Database):
    result = rows(story, "company_suppliers", id="C-DET")
    assert [(r["tier"], r["id"], r["suppliesId"], r["sku"]) for r in result] == [
        (1, "C-LAK", "C-DET", "BRAKE-1"), (1, "C-XYZ", "C-DET", "BRAKE-1"),
        (2, "C-STEEL", "C-XYZ", "SHEET-1"), (3, "C-ORE", "C-STEEL", "ORE-1")]
    assert column(rows(story, "company_suppliers", id="C-DET", tiers=2), "id") == ["C-LAK", "C-XYZ", "C-STEEL"]
    xyz = rows(story, "company_suppliers", id="C-XYZ", tiers=1)
    assert [(r["name"], r["sharePct"], r["leadTimeDays"]) for r in xyz] == [("ABC Steel Suppliers", 100.0, 45)]


def test_product_360(story: Database):
    [laptop] = rows(story, "product_360", sku="LAP-1")
    assert (laptop["name"], laptop["unitPrice"], laptop["orderLines"]) == ("ProBook 15 Laptop", 1899.0, 2)
    assert laptop["makers"] == [{"id": "C-TECH", "name": "TechCorp"}]
    assert laptop["components"] == [{"sku": "CPU-1", "name": "Fast CPU", "quantity": 1}]
    assert laptop["usedIn"] == []
    [sheet] = rows(story, "product_360", sku="SHEET-1")
    assert sheet["usedIn"] == [{"sku": "BRAKE-1", "name": "Brake assembly", "quantity": 2}]


def test_product_sales_and_the_suppliers_of_its_makers(story: Database):
    # O-1: 1 x 1,899 (John); O-2: 2 x 1,899 (Jane).
    assert rows(story, "product_sales", sku="LAP-1") == [{"orders": 2, "units": 3, "buyers": 2, "revenue": 5697.0}]
    assert rows(story, "product_sales", sku="CPU-1") == [{"orders": 0, "units": 0, "buyers": 0, "revenue": 0}]
    brake = rows(story, "product_maker_suppliers", sku="BRAKE-1")
    assert [(r["maker"], r["supplier"], r["sku"]) for r in brake] == [("XYZ Manufacturing Inc.",
                                                                      "ABC Steel Suppliers", "SHEET-1")]


def test_referral_outcomes_say_who_bought_after_the_referral(story: Database):
    out = {r["otherId"]: r for r in rows(story, "referral_outcomes", id="P-JOHN")}
    # Jane was referred on 2024-04-01 and bought on 2024-05-02; Bob never bought.
    assert (out["P-JANE"]["direction"], out["P-JANE"]["firstOrder"], out["P-JANE"]["ordersAfter"],
            out["P-JANE"]["boughtAfter"]) == ("out", "2024-05-02", 1, 3798.0)
    assert (out["P-BOB"]["firstOrder"], out["P-BOB"]["ordersAfter"], out["P-BOB"]["boughtAfter"]) == (None, 0, 0)
    jane = rows(story, "referral_outcomes", id="P-JANE")
    assert [(r["direction"], r["otherId"], r["firstOrder"]) for r in jane] == [("in", "P-JOHN", "2024-05-02"),
                                                                            ("out", "P-AMY", None)]


def test_product_buyers_newest_first(story: Database):
    result = rows(story, "product_buyers", sku="LAP-1")
    assert [(r["customerId"], r["seller"], r["quantity"], r["warrantyYears"]) for r in result] == [
        ("P-JANE", "ABC Electronics", 2, 1), ("P-JOHN", "ABC Electronics", 1, 3)]


def test_product_bom(story: Database):
    result = rows(story, "product_bom", sku="LAP-1")
    assert [(r["level"], r["sku"], r["partOf"], r["quantity"]) for r in result] == [
        (1, "CPU-1", "LAP-1", 1), (2, "CHIP-1", "CPU-1", 4)]
    assert column(rows(story, "product_bom", sku="LAP-1", depth=1), "sku") == ["CPU-1"]
    assert rows(story, "product_bom", sku="BRAKE-1")[0]["makers"] == ["ABC Steel Suppliers"]


def test_single_source_links(story: Database):
    result = rows(story, "single_source_links")
    assert [(r["clientId"], r["sku"], r["supplierId"]) for r in result] == [
        ("C-STEEL", "ORE-1", "C-ORE"), ("C-XYZ", "SHEET-1", "C-STEEL")]
    assert column(rows(story, "single_source_links", clientId="C-XYZ"), "supplier") == ["ABC Steel Suppliers"]
    assert rows(story, "single_source_links", clientId="C-DET") == []  # brakes come from two suppliers


def test_suppliers_by_region(story: Database):
    result = rows(story, "suppliers_by_region", region="Midwest")
    assert [(r["id"], r["clients"], r["skus"]) for r in result] == [("C-STEEL", 1, ["SHEET-1"]),
                                                                     ("C-XYZ", 1, ["BRAKE-1"])]
    assert column(rows(story, "suppliers_by_region", region="West"), "id") == ["C-ORE", "C-LAK"]
    assert rows(story, "suppliers_by_region", region="midwest") == []  # regions are names, matched exactly


def test_top_customers(story: Database):
    result = rows(story, "top_customers", limit=3)
    assert [(r["id"], r["kind"], r["revenue"]) for r in result] == [
        ("C-XYZ", "Company", 250000.0), ("C-DET", "Company", 80000.0), ("P-JANE", "Person", 3798.0)]


def test_top_referrers(story: Database):
    result = rows(story, "top_referrers")
    assert [(r["id"], r["referrals"], r["invitations"], r["referredRevenue"]) for r in result] == [
        ("P-JOHN", 2, 2, 3798.0), ("P-JANE", 1, 1, 0.0)]  # Bob's one invitation did not convert


def test_shortest_path(story: Database):
    [path] = rows(story, "shortest_path", fromId="P-JOHN", toId="C-STEEL")
    # John is a customer of ABC Electronics, which is in the Midwest, like ABC Steel Suppliers.
    assert path["hops"] == 3
    assert (path["names"][0], path["names"][-1]) == ("John Smith", "ABC Steel Suppliers")
    assert len(path["path"]["relationships"]) == path["hops"]
    [referral] = rows(story, "shortest_path", fromId="P-JOHN", toId="P-AMY", types="REFERRED")
    assert (referral["hops"], referral["names"]) == (2, ["John Smith", "Jane Doe", "Amy Chen"])
    assert rows(story, "shortest_path", fromId="P-JOHN", toId="P-AMY", types="MAKES") == []


def test_search_names_tolerates_case_and_typos(story: Database):
    assert rows(story, "search_names", text="jon smyth")[0]["id"] == "P-JOHN"
    assert rows(story, "search_names", text="JOHN")[0]["name"] == "John Smith"
    assert rows(story, "search_names", text="xyz manufactring")[0]["id"] == "C-XYZ"
    assert rows(story, "search_names", text="laptp")[0] | {"score": 0} == {
        "id": "LAP-1", "name": "ProBook 15 Laptop", "kind": "Product", "detail": "Laptops", "city": None, "score": 0}
    assert rows(story, "search_names", text='AT&T (") OR ~*') == []  # Lucene syntax is escaped, not parsed


def test_neighbours_for_the_explorer(story: Database):
    result = run_named(story, "neighbours", {"id": "P-JOHN"}).rows
    assert {row["node"]["personId"] for row in result} == {"P-JOHN"}
    assert sorted(row["relationship"].type for row in result) == sorted(
        ["PLACED", "REFERRED", "REFERRED", "WORKS_AT", "CUSTOMER_OF", "HAD", "HAD"])
    referred = run_named(story, "neighbours", {"id": "P-JOHN", "types": "REFERRED,WORKS_AT"}).rows
    assert sorted(row["neighbour"]["name"] for row in referred) == ["Bob Lee", "Jane Doe", "TechCorp"]
    assert len(run_named(story, "neighbours", {"id": "C-ABCEL", "limit": 2}).rows) == 2
    order = run_named(story, "neighbours", {"id": "O-1"}).rows
    assert sorted(row["relationship"].type for row in order) == ["INCLUDES", "PLACED", "SOLD_BY"]
    # The UI expands a node it drew by its elementId, whatever its label.
    laptop = next(row["neighbour"] for row in order if row["relationship"].type == "INCLUDES")
    expanded = run_named(story, "neighbours", {"id": laptop.element_id, "types": ["MAKES", "COMPONENT_OF"]}).rows
    assert sorted(row["neighbour"]["name"] for row in expanded) == ["Fast CPU", "TechCorp"]


def test_schema_queries(story: Database):
    constraints = rows(story, "schema_constraints")
    assert {"person_personId", "company_companyId"} <= set(column(constraints, "name"))
    indexes = {r["name"]: r for r in rows(story, "schema_indexes")}
    assert indexes["entityNames"]["state"] == "ONLINE" and indexes["company_companyId"]["owningConstraint"]


# --- the 360 card: a composition of named queries --------------------------------------------------

def test_card_of_a_person(story: Database):
    card = entity_card(story, "P-JOHN")
    assert (card["id"], card["kind"], card["name"], card["properties"]["age"]) == ("P-JOHN", "Person", "John Smith",
                                                                                   35)
    [order] = orders(card)
    assert (order["orderId"], order["date"], order["seller"], order["paymentMethod"], order["channel"]) == (
        "O-1", "2024-03-15", "ABC Electronics", "credit card", "store")
    assert order["lines"] == [{"sku": "LAP-1", "product": "ProBook 15 Laptop", "quantity": 1, "unitPrice": 1899.0,
                               "warrantyYears": 3}]
    assert spent(card) == 1899.0 and average_satisfaction(card) == 5
    assert [(a["company"], a["accountManager"]) for a in card["accounts"]] == [("ABC Electronics", "Maria Garcia")]
    # Direct referrals only: Amy and Tom, whom Jane and Bob referred, are two hops away.
    assert [(r["id"], r["converted"]) for r in card["referred"]] == [("P-JANE", True), ("P-BOB", True)]
    assert card["referredBy"] == []
    assert [(j["company"], j["role"]) for j in card["employers"]] == [("TechCorp", "Marketing Manager")]
    assert colleagues_by_company(card) == {"C-TECH": ["Bob Lee"]}
    assert column(card["interactions"], "interactionId") == ["I-2", "I-1"]
    assert card["truncated"] == [] and supplier_tiers(card) == {}


def test_card_of_a_person_without_orders(story: Database):
    amy = entity_card(story, "P-AMY")
    assert orders(amy) == [] and spent(amy) == 0 and average_satisfaction(amy) is None
    assert [(r["id"], r["referred"]) for r in amy["referredBy"]] == [("P-JANE", "Amy Chen")]
    assert column(amy["employers"], "company") == ["XYZ Manufacturing Inc."] and colleagues_by_company(amy) == {}
    tom = entity_card(story, "P-TOM")
    assert [(r["id"], r["converted"]) for r in tom["referredBy"]] == [("P-BOB", False)]


def test_card_of_a_company(story: Database):
    card = entity_card(story, "C-XYZ")
    assert (card["kind"], card["name"]) == ("Company", "XYZ Manufacturing Inc.")
    [company] = card["company"]
    assert (company["orders"], company["revenue"]) == (1, 80000.0)
    assert {tier: column(rows_, "id") for tier, rows_ in supplier_tiers(card).items()} == {1: ["C-STEEL"],
                                                                                            2: ["C-ORE"]}
    assert [(r["id"], r["orders"], r["revenue"]) for r in card["customers"]] == [("C-DET", 1, 80000.0)]
    assert [(r["id"], r["sku"], r["sharePct"]) for r in card["clients"]] == [("C-DET", "BRAKE-1", 70.0)]
    assert column(card["products"], "sku") == ["BRAKE-1"]
    assert [(r["sku"], r["supplierId"]) for r in card["singleSources"]] == [("SHEET-1", "C-STEEL")]
    assert column(card["employees"], "name") == ["Amy Chen"]
    assert [(o["orderId"], o["seller"]) for o in orders(card)] == [("O-3", "ABC Steel Suppliers")]
    assert average_satisfaction(card) == 4 and "employers" not in card


def test_card_supplier_tiers_and_referrals_are_the_named_queries(story: Database):
    """One answer per question: the card's tiers are `relgraph query company_suppliers`'s rows."""
    detroit = entity_card(story, "C-DET")
    assert detroit["suppliers"] == rows(story, "company_suppliers", id="C-DET")
    assert [(r["tier"], r["id"]) for r in detroit["suppliers"]] == [(1, "C-LAK"), (1, "C-XYZ"), (2, "C-STEEL"),
                                                                    (3, "C-ORE")]
    john = entity_card(story, "P-JOHN")
    assert john["referred"] == [r for r in rows(story, "referrals_out", id="P-JOHN") if r["distance"] == 1]


@pytest.mark.parametrize("entity_id", ["P-JOHN", "P-AMY", "C-XYZ", "C-DET", "C-ABCEL", "C-ORE"])
def test_each_card_section_is_its_named_query(story: Database, entity_id: str):
    card = entity_card(story, entity_id)
    sections = card_queries(entity_id, card["kind"])
    assert set(sections) <= set(card)
    for section, (name, values) in sections.items():
        assert card[section] == rows(story, name, **values), section


def test_card_sections_are_cut_at_the_limit(story: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(card_module, "SECTION_LIMIT", 1)
    abc = entity_card(story, "C-ABCEL")
    assert column(abc["customers"], "id") == ["P-JANE"] and abc["truncated"] == ["customers"]
    john = entity_card(story, "P-JOHN")
    assert len(john["interactions"]) == len(john["referred"]) == 1
    assert sorted(john["truncated"]) == ["interactions", "referralOutcomes", "referred"]


def test_card_of_an_unknown_id(story: Database):
    assert entity_card(story, "NOBODY") is None



def test_card_of_a_product_by_its_sku(story: Database):
    laptop = entity_card(story, "LAP-1")
    assert (laptop["kind"], laptop["name"], laptop["truncated"]) == ("Product", "ProBook 15 Laptop", [])
    assert laptop["product"][0]["makers"] == [{"id": "C-TECH", "name": "TechCorp"}]
    assert laptop["sales"] == [{"orders": 2, "units": 3, "buyers": 2, "revenue": 5697.0}]
    assert [(r["level"], r["sku"]) for r in laptop["bom"]] == [(1, "CPU-1"), (2, "CHIP-1")]
    assert [r["customerId"] for r in laptop["buyers"]] == ["P-JANE", "P-JOHN"]  # newest first


def test_search_entities_by_id_then_name(story: Database):
    assert [m["id"] for m in search_entities(story, "C-")] == ["C-ABCEL", "C-DET", "C-LAK", "C-ORE", "C-STEEL",
                                                               "C-TECH", "C-XYZ"]
    assert search_entities(story, "jon smyth")[0] == Match(id="P-JOHN", kind="Person", name="John Smith",
                                                           detail="Marketing Manager Chicago")
    assert search_entities(story, "probook") == [Match(id="LAP-1", kind="Product", name="ProBook 15 Laptop",
                                                       detail="Laptops")]  # a product's card opens by its sku
    assert len(search_entities(story, "P-", limit=2)) == 2
    assert search_entities(story, "  ") == []


# --- the neighbourhood, counts and schema -----------------------------------------------------------

@pytest.mark.parametrize("start, types, message", [
    ("Person:NOBODY", ("REFERRED",), "No Person with personId 'NOBODY'"),
    ("Thing:x", ("REFERRED",), "Not a node id"),
    ("Person:P-JOHN", ("LIKES",), "Unknown relationship type(s): LIKES"),
])
def test_the_story_refuses_what_it_cannot_draw(story: Database, start: str, types: tuple[str, ...], message: str):
    with pytest.raises(UserError, match=re.escape(message)):
        story_of(story, start, types)


def test_the_story_of_a_customer_draws_the_order_with_its_products_and_seller(story: Database):
    view = story_of(story, "Person:P-JOHN")  # depth 1
    ids = [node["id"] for node in view["nodes"]]
    assert ids[0] == "Person:P-JOHN"
    # His order comes with its product and seller, first; then referrals, employer, account, interactions.
    assert ids[1:4] == ["Order:O-1", "Product:LAP-1", "Company:C-ABCEL"]
    assert set(ids[4:6]) == {"Person:P-JANE", "Person:P-BOB"} and ids[6] == "Company:C-TECH"
    assert set(ids[7:]) == {"Interaction:I-1", "Interaction:I-2"}
    pairs = {(e["source"], e["type"], e["target"]) for e in view["edges"]}
    assert {("Order:O-1", "SOLD_BY", "Company:C-ABCEL"), ("Person:P-JOHN", "CUSTOMER_OF", "Company:C-ABCEL"),
            ("Order:O-1", "INCLUDES", "Product:LAP-1")} <= pairs
    assert len(view["edges"]) == 9 and view["omitted"] == 0  # 7 of his, and the order's INCLUDES and SOLD_BY
    assert story_of(story, "Person:P-JOHN") == view  # the same picture every time
    two = story_of(story, "Person:P-JOHN", depth=2)
    assert {"Person:P-AMY", "Person:P-TOM", "Order:O-2", "Product:CPU-1"} <= {n["id"] for n in two["nodes"]}


def test_graph_counts(story: Database):
    counts = graph_counts(story)
    assert (counts["labels"]["Person"], counts["labels"]["Supplier"], counts["relationships"]["REFERRED"]) == (5, 4, 4)
    assert counts["revenue"] == 1899.0 + 3798.0 + 250000.0 + 80000.0
    assert not is_empty(story)


def test_schema_overview_is_the_schema_queries(story: Database):
    overview = schema_overview(story)
    assert overview.constraints == rows(story, "schema_constraints")
    assert overview.indexes == rows(story, "schema_indexes")


def test_every_named_query_is_planned_ahead_with_values_of_its_parameter_types(db, caplog):
    with caplog.at_level(logging.WARNING, logger="neo4j"):
        assert plan_named_queries(db) == len(load_queries())
    assert not [r for r in caplog.records if "parameter missing" in r.getMessage()]
