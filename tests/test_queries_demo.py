"""The named queries on the demo data set: the two seed stories told by the library.

Entities are found by name through search_names, as a user finds them, so the tests hold the
stories (John Smith's laptop, XYZ's steel) and not the demo's ids.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.store import schema
from graph.store.db import Database, plain
from queries.card import SECTION_LIMIT, card_queries, entity_card, supplier_tiers
from queries.execute import run_named
from queries.registry import load_queries

pytest.importorskip("loaders.demo", reason="the demo data set (loaders/demo.py) is not there yet")


@pytest.fixture(scope="module")
def demo(session_db: Database, relgraph) -> Database:
    schema.wipe(session_db)
    loaded = relgraph("load", "demo")
    assert loaded.returncode == 0, loaded.stderr
    return session_db


def rows(db: Database, name: str, **values: Any) -> list[dict[str, Any]]:
    return plain(run_named(db, name, values).rows)


def find(db: Database, name: str) -> str:
    """The id of the person or company with exactly this name."""
    return next(r["id"] for r in rows(db, "search_names", text=name, limit=20) if r["name"] == name)


def test_john_smiths_360(demo: Database):
    john = find(demo, "John Smith")
    lines = rows(demo, "customer_360", id=john)
    [profile] = {(r["name"], r["city"]) for r in lines}
    assert profile[0] == "John Smith" and "Chicago" in profile[1]
    laptop = [r for r in lines if r["seller"] == "ABC Electronics" and "laptop" in (r["product"] or "").lower()]
    assert laptop, lines
    assert laptop[0]["warrantyYears"] and laptop[0]["warrantyYears"] > 1  # the extended warranty
    assert "credit" in laptop[0]["paymentMethod"].lower()
    accounts = rows(demo, "customer_accounts", id=john)
    assert any(a["company"] == "ABC Electronics" and a["satisfaction"] >= 4 for a in accounts)


def test_john_referred_friends_and_colleagues(demo: Database):
    john = find(demo, "John Smith")
    referred = {r["id"] for r in rows(demo, "referrals_out", id=john, depth=1)}
    colleagues = {r["id"] for r in rows(demo, "colleagues", id=john)}
    assert referred - colleagues and referred & colleagues  # friends, and colleagues too
    assert [r["id"] for r in rows(demo, "top_referrers", limit=1000)].count(john) == 1


def test_xyz_buys_steel_from_abc_steel_and_sells_on(demo: Database):
    xyz = find(demo, "XYZ Manufacturing Inc.")
    suppliers = rows(demo, "company_suppliers", id=xyz)
    direct = [s for s in suppliers if s["tier"] == 1 and s["name"] == "ABC Steel Suppliers"]
    assert direct, suppliers
    assert any(s["tier"] >= 2 for s in suppliers)  # several supply tiers
    assert rows(demo, "company_customers", id=xyz)  # XYZ's own customers, whom a disruption reaches
    [card] = rows(demo, "company_360", id=xyz)
    assert card["suppliers"] >= 1 and card["products"]


def test_abc_steel_is_found_by_region_and_on_a_path_to_xyz(demo: Database):
    steel = find(demo, "ABC Steel Suppliers")
    [card] = rows(demo, "company_360", id=steel)
    assert steel in {r["id"] for r in rows(demo, "suppliers_by_region", region=card["region"])}
    [path] = rows(demo, "shortest_path", fromId=steel, toId=find(demo, "XYZ Manufacturing Inc."), types="SUPPLIES")
    assert path["hops"] == 1


def test_search_tolerates_typos_on_the_demo(demo: Database):
    assert rows(demo, "search_names", text="jon smth")[0]["name"] == "John Smith"
    assert rows(demo, "search_names", text="xyz manufacturing")[0]["name"] == "XYZ Manufacturing Inc."


def test_every_query_runs_on_the_demo(demo: Database):
    john, xyz = find(demo, "John Smith"), find(demo, "XYZ Manufacturing Inc.")
    sku = rows(demo, "customer_360", id=john)[0]["sku"]
    values = {"id": john, "sku": sku, "region": "Midwest", "text": "john", "fromId": john, "toId": xyz,
              "label": "Person", "key": john}
    for query in load_queries().values():
        required = {p.name: values[p.name] for p in query.params if p.required}
        run_named(demo, query.name, required)
    assert len(rows(demo, "top_customers")) == 10
    assert rows(demo, "single_source_links")
    assert rows(demo, "neighbours", id=xyz, limit=5)


def test_each_card_section_is_its_named_query_on_the_demo(demo: Database):
    """The card, `relgraph query NAME` and the Cypher page give one answer: the same rows."""
    for name in ("John Smith", "XYZ Manufacturing Inc.", "ABC Steel Suppliers", "ABC Electronics"):
        entity_id = find(demo, name)
        card = entity_card(demo, entity_id)
        for section, (query, values) in card_queries(entity_id, card["kind"]).items():
            assert card[section] == rows(demo, query, **values)[:SECTION_LIMIT], (name, section)


def test_the_cards_supplier_tiers_and_referrals_on_the_demo(demo: Database):
    xyz = find(demo, "XYZ Manufacturing Inc.")
    card = entity_card(demo, xyz)
    assert card["suppliers"] == rows(demo, "company_suppliers", id=xyz)  # the query's own default tiers
    tiers = supplier_tiers(card)
    assert "ABC Steel Suppliers" in [s["name"] for s in tiers[1]] and len(tiers) >= 2
    john = find(demo, "John Smith")
    referred = entity_card(demo, john)["referred"]
    assert referred == rows(demo, "referrals_out", id=john, depth=1)
    assert referred == [r for r in rows(demo, "referrals_out", id=john) if r["distance"] == 1]
