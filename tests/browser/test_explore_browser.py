"""The Explore page in real Chromium: the 360 card, growing the network by clicking, hostile names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

JOHN = "P-JOHN"
HOSTILE = "<img src=x onerror=alert(1)>"
# John Smith's story (shared/seeds): a laptop from ABC Electronics, paid by credit card, with an
# extended warranty; works for a tech company; referred a friend - here one with a hostile name.
STORY = """
CREATE (j:Person:Customer {personId: 'P-JOHN', name: 'John Smith', age: 35, occupation: 'Marketing professional',
                           city: 'Chicago', country: 'US'})
CREATE (e:Company:Supplier {companyId: 'C-ABCE', name: 'ABC Electronics', industry: 'Electronics retail'})
CREATE (t:Company {companyId: 'C-TECH', name: 'Brightwave Tech', industry: 'Software'})
CREATE (l:Product {sku: 'SKU-LAPTOP', name: 'High-Performance Laptop', category: 'Computers', unitPrice: 1899.0})
CREATE (o:Order {orderId: 'O-1', date: date('2024-03-02'), total: 1899.0, currency: 'USD', channel: 'store',
                 paymentMethod: 'credit card'})
CREATE (j)-[:PLACED]->(o)-[:INCLUDES {quantity: 1, unitPrice: 1899.0, warrantyYears: 3}]->(l), (o)-[:SOLD_BY]->(e)
CREATE (j)-[:WORKS_AT {role: 'Marketing manager', since: date('2019-01-01')}]->(t)
CREATE (j)-[:CUSTOMER_OF {since: date('2024-03-02'), satisfaction: 5, status: 'active'}]->(e)
CREATE (x:Person:Customer {personId: 'P-EVIL', name: $hostile})
CREATE (j)-[:REFERRED {date: date('2024-04-01'), channel: 'word of mouth', converted: true}]->(x)
CREATE (x)-[:PLACED]->(:Order {orderId: 'O-2', total: 10.0})-[:SOLD_BY]->(e)
WITH e
UNWIND range(1, 5) AS i
CREATE (c:Person:Customer {personId: 'P-' + i, name: 'Customer ' + i})-[:CUSTOMER_OF]->(e)
CREATE (c)-[:PLACED]->(:Order {orderId: 'O-C' + i, total: 20.0})
"""


@pytest.fixture
def story(db) -> None:
    db.write(STORY, {"hostile": HOSTILE})


def network(page: Page):
    """The drawn network view; its data-nodes attribute counts the nodes on screen."""
    view = page.locator(".rg-network[data-drawn='true']")
    expect(view).to_have_count(1, timeout=30_000)
    return view


def node_count(page: Page) -> int:
    return int(network(page).get_attribute("data-nodes"))


def test_deep_link_shows_the_360_card_and_clicks_grow_the_network(story, app_url, page, dialogs, screenshot):
    page.goto(f"{app_url}/explore?id={JOHN}")
    expect(page.get_by_role("heading", name="John Smith")).to_be_visible()
    main = page.get_by_test_id("stMain")
    for text in ("ABC Electronics", "High-Performance Laptop", "3-year warranty", "paid by credit card"):
        expect(main.get_by_text(text).first).to_be_visible()
    before = node_count(page)
    # A real mouse click on Customer 1 (two hops out, via ABC Electronics): its order is three hops
    # out, so only the expansion brings it in. vis-network says where on the canvas the node is.
    canvas = page.locator(".rg-canvas canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    point = network(page).evaluate("""(el) => {
        const net = el.relgraphNetwork;
        return net.canvasToDOM(net.getPositions(['Person:P-1'])['Person:P-1']);
    }""")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(network(page)).to_have_attribute("data-nodes", str(before + 1))
    expect(page.get_by_role("button", name="Open the card of Customer 1")).to_be_visible()
    screenshot("explore-john-smith")
    assert dialogs == []


def test_hostile_name_is_text_and_never_runs(story, app_url, page, dialogs, screenshot):
    page.goto(f"{app_url}/explore?id=P-EVIL")
    expect(page.get_by_role("heading", name=HOSTILE)).to_be_visible()
    expect(page.get_by_text(re.compile("Referred by")).first).to_be_visible()
    network(page).hover()
    screenshot("explore-hostile-name")
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
