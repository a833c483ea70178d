"""queries.neighbourhood.story on a hub of its own: its neighbours fold into one node that opens page by page."""

from __future__ import annotations

from graph.store.db import Database
from queries.neighbourhood import FOLD_AT, PAGE, fold_id
from queries.neighbourhood import story as story_of


def test_the_story_folds_a_hubs_neighbours_and_opens_them_page_by_page(db: Database):
    db.write("""
        CREATE (ann:Person {personId: 'P-ANN', name: 'Ann'})-[:PLACED]->(mine:Order {orderId: 'O-ANN'})
        CREATE (mine)-[:SOLD_BY]->(shop:Company {companyId: 'C-SHOP', name: 'Big Shop'})
        WITH shop
        UNWIND range(1, 40) AS i
        CREATE (:Order {orderId: 'O-' + i})-[:SOLD_BY]->(shop)""")
    fold = fold_id("Company:C-SHOP", "SOLD_BY", "in")
    view = story_of(db, "Person:P-ANN", depth=2)
    by_id = {node["id"]: node for node in view["nodes"]}
    assert len(view["nodes"]) == 4  # Ann, her order, the shop, and the shop's other 40 orders folded
    assert by_id[fold]["name"] == "Big Shop · 40 other orders" and by_id[fold]["kind"] == "More"
    assert ("Company:C-SHOP", fold) in {(e["source"], e["target"]) for e in view["edges"]}
    opened = story_of(db, "Person:P-ANN", depth=2, pages={fold: 1})
    orders = [n for n in opened["nodes"] if n["kind"] == "Order"]
    assert len(orders) == 1 + PAGE and {n["id"]: n for n in opened["nodes"]}[fold]["name"] == (
        f"Big Shop · {40 - PAGE} other orders")
    everything = story_of(db, "Person:P-ANN", depth=2, pages={fold: 2})
    assert fold not in {n["id"] for n in everything["nodes"]} and len(everything["nodes"]) == 3 + 40
    # As the start, the shop shows its orders folded from the first hop: nothing of them is drawn yet.
    shop = story_of(db, "Company:C-SHOP")
    assert [n["name"] for n in shop["nodes"]] == ["Big Shop", "Big Shop · 41 orders"] and FOLD_AT < 41
