"""The Explore page in real Chromium on the demo: the 360 card, growing the network by clicking, hostile names."""

from __future__ import annotations

import re
from urllib.parse import quote

import networkx as nx
import pytest
from playwright.sync_api import Page, expect

from graph.store.schema import wipe
from graph.visual import MORE, VisualNode, node_id
from loaders.demo import ABC_ELECTRONICS, JOHN_SMITH
from loaders.load import load_demo
from queries.neighbourhood import neighbourhood

pytestmark = pytest.mark.browser

EVIL = "P-EVIL"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def demo(session_db):
    """The demo as `relgraph load demo` loads it, plus a friend John referred whose name is an attack."""
    wipe(session_db)
    load_demo(session_db)
    session_db.write("MATCH (j:Person {personId: $john}) CREATE (x:Person {personId: $evil, name: $hostile}) "
                     "CREATE (j)-[:REFERRED {date: date('2025-10-01'), channel: 'word of mouth'}]->(x)",
                     {"john": JOHN_SMITH, "evil": EVIL, "hostile": HOSTILE})
    return session_db


def network(page: Page):
    """The drawn network view; its data-nodes attribute counts the nodes on screen."""
    view = page.locator(".rg-network[data-drawn='true']")
    expect(view).to_have_count(1, timeout=30_000)
    return view


def node_count(page: Page) -> int:
    return int(network(page).get_attribute("data-nodes"))


def click_node(page: Page, target: str) -> None:
    """A real mouse click where vis-network says the node is on the canvas."""
    canvas = page.locator(".rg-canvas canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    point = network(page).evaluate("(el, id) => { const net = el.relgraphNetwork; "
                                   "return net.canvasToDOM(net.getPositions([id])[id]); }", target)
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def drawn_ids(page: Page) -> list[str]:
    return network(page).evaluate("(el) => el.relgraphNetwork.body.data.nodes.getIds()")


def click_grows_the_network(page: Page, target: str) -> None:
    """Click a drawn node and wait for the view to redraw with more nodes than before."""
    before = node_count(page)
    click_node(page, target)
    expect(network(page)).not_to_have_attribute("data-nodes", str(before))
    assert node_count(page) > before


def person_whose_expansion_adds(db, root: str) -> VisualNode:
    """A person the page draws around `root` whose own neighbours are not all drawn yet (as the page reads them)."""
    view = neighbourhood(db, root, depth=2, limit=200)
    drawn = {node["id"] for node in view["nodes"]}
    people = [node for node in view["nodes"] if node["kind"] == "Person" and node["id"] != root]
    return next(person for person in people
                if {n["id"] for n in neighbourhood(db, person["id"], limit=200)["nodes"]} - drawn)


def test_deep_link_shows_the_360_card_and_clicks_grow_the_network(demo, app_url, page, dialogs, screenshot):
    page.goto(f"{app_url}/explore?id={JOHN_SMITH}")
    expect(page.get_by_role("heading", name="John Smith")).to_be_visible()
    main = page.get_by_test_id("stMain")
    for text in ("ABC Electronics", "High-Performance Laptop ProBook X15", "3-year warranty", "paid by credit card"):
        expect(main.get_by_text(text).first).to_be_visible()
    rim = person_whose_expansion_adds(demo, node_id("Person", JOHN_SMITH))
    assert rim["id"] in drawn_ids(page)
    click_grows_the_network(page, rim["id"])
    expect(page.get_by_role("button", name=f"Open the card of {rim['name']}")).to_be_visible()
    screenshot("explore-john-smith")
    assert dialogs == []


def test_more_node_draws_the_next_nodes(demo, app_url, page, dialogs, screenshot):
    page.goto(f"{app_url}/explore?id={quote(ABC_ELECTRONICS)}")
    expect(page.get_by_role("heading", name="ABC Electronics")).to_be_visible()
    more = next((node for node in drawn_ids(page) if node.startswith("More:")), None)
    assert more, "a retailer with hundreds of customers fills the default cap of 200 nodes"
    expect(page.get_by_text(re.compile(r"more to draw up to 200 more"))).to_be_visible()
    click_grows_the_network(page, more)
    expect(page.get_by_role("button", name="Reset the network")).to_be_visible()
    screenshot("explore-abc-electronics-more")
    assert dialogs == []


def test_hostile_name_is_text_and_never_runs(demo, app_url, page, dialogs, screenshot):
    page.goto(f"{app_url}/explore?id={EVIL}")
    expect(page.get_by_role("heading", name=HOSTILE)).to_be_visible()
    expect(page.get_by_text(re.compile("Referred by")).first).to_be_visible()
    network(page).hover()
    screenshot("explore-hostile-name")
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []


def test_the_graphml_download_is_the_network_on_screen(demo, app_url, page, dialogs, tmp_path):
    # It failed for every entity (a node's "name" property collided with the picture's own).
    page.goto(f"{app_url}/explore?id={JOHN_SMITH}")
    expect(page.get_by_role("heading", name="John Smith")).to_be_visible()
    on_screen = {i for i in drawn_ids(page) if not i.startswith(f"{MORE}:")}  # "+N more" stands for the rest
    button = page.get_by_role("button", name="Download GraphML")
    button.scroll_into_view_if_needed()
    with page.expect_download() as download:
        button.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == f"relgraph-{JOHN_SMITH}.graphml"
    graph = nx.read_graphml(path, force_multigraph=True)
    assert on_screen <= set(graph.nodes) and node_id("Person", JOHN_SMITH) in graph
    assert graph.nodes[node_id("Person", JOHN_SMITH)]["name"] == "John Smith"
    assert graph.number_of_edges() > 0
    assert dialogs == []
