"""The Cypher, Supply risk, Word of mouth and Data pages in real Chromium, on the demo data.

Each test saves a screenshot of what it checked to test-artifacts/ (see the `screenshot` fixture).
Tables (st.dataframe) are drawn on a canvas; their text is read from the grid's accessible cells.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from loaders.demo import ABC_STEEL, JOHN_SMITH, XYZ
from ui.format import card_link

pytestmark = pytest.mark.browser

TALL = {"width": 1400, "height": 2400}  # the app scrolls inside its own container: a tall window shows it all



def counts(db) -> tuple[int, int]:
    row = db.read("MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels")[0]
    return row["nodes"], row["rels"]


def cells(page: Page, text: str):
    """The table cells that contain `text`: st.dataframe draws on a canvas, but exposes its cells to
    screen readers as role=gridcell."""
    return page.locator("[data-testid=stDataFrame] [role=gridcell]", has_text=text)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=60_000)


def test_disrupting_abc_steel_takes_down_xyz(page: Page, app_url: str, demo, screenshot):
    open_page(page, f"{app_url}/risk?disrupt={quote(ABC_STEEL)}")
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible()
    expect(page.get_by_text("ABC Steel Suppliers", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Impacted companies")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=stDataFrame]").last).to_be_visible()
    page.set_viewport_size(TALL)
    expect(cells(page, card_link(XYZ, "XYZ Manufacturing Inc."))).not_to_have_count(0)  # a cell's text: its link
    screenshot("risk-what-if-abc-steel")
    open_page(page, f"{app_url}/risk")
    page.set_viewport_size(TALL)
    expect(cells(page, card_link(ABC_STEEL, "ABC Steel Suppliers"))).not_to_have_count(0)
    expect(page.locator("[data-testid=stVegaLiteChart] svg").first).to_be_visible()  # the bar chart drawn
    screenshot("risk-ranking")


def test_cypher_runs_a_read_and_refuses_a_write(page: Page, app_url: str, demo, screenshot):
    before = counts(demo)
    open_page(page, f"{app_url}/cypher?query=top_customers")
    editor = page.get_by_label("Query (Ctrl+Enter runs it)")
    expect(editor).to_contain_text(re.compile("name: top_customers"))
    editor.click()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text(re.compile(r"^10 rows in"))).to_be_visible()
    page.set_viewport_size(TALL)
    screenshot("cypher-named-query")
    editor.fill("MATCH (n) DETACH DELETE n")
    page.keyboard.press("Control+Enter")
    refused = page.get_by_test_id("stAlert").filter(has_text=re.compile("Refused: this query writes"))
    expect(refused).to_be_visible()  # the page's error (the history table below names it too)
    assert counts(demo) == before
    editor.fill("MATCH p = (:Person)-[:REFERRED]->(:Person) RETURN p LIMIT 20")
    page.get_by_role("button", name="Run").click()
    page.get_by_role("tab", name="Graph").click()
    expect(page.locator(".rg-network[data-drawn='true']")).to_have_count(1, timeout=30_000)
    screenshot("cypher-graph")


def test_upload_with_an_error_writes_nothing(page: Page, app_url: str, demo, screenshot, tmp_path):
    before = counts(demo)
    bad = tmp_path / "people.csv"
    bad.write_text("person_id,name,age\nP-NEW-1,Ann Example,34\nP-NEW-2,Bob Example,old\n", encoding="utf-8")
    open_page(page, f"{app_url}/data")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(bad)])
    expect(page.get_by_text(re.compile("1 problem"))).to_be_visible(timeout=30_000)
    page.set_viewport_size(TALL)
    expect(cells(page, "people.csv:3")).not_to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Load \d+ file"))).to_have_count(0)
    assert counts(demo) == before
    screenshot("data-upload-error")


def test_word_of_mouth_cascade_and_campaign(page: Page, app_url: str, demo, screenshot):
    open_page(page, f"{app_url}/reach")
    page.set_viewport_size(TALL)
    expect(cells(page, card_link(JOHN_SMITH, "John Smith"))).not_to_have_count(0)
    page.get_by_role("tab", name="Cascades").click()
    expect(page.locator(".rg-network[data-drawn='true']")).to_have_count(1, timeout=30_000)
    screenshot("reach-cascade")
    page.get_by_role("tab", name="Campaign").click()
    page.get_by_role("button", name="Choose the seeds").click()
    expect(page.get_by_text("Expected reach of the campaign")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # the curve draws after the metric
    screenshot("reach-campaign")


def test_every_page_renders(page: Page, app_url: str, demo, screenshot, dialogs):
    for path, marker in [("", "relgraph"), ("explore", "Explore"), ("cypher", "Cypher"), ("risk", "Supply risk"),
                         ("reach", "Word of mouth"), ("data", "Data")]:
        open_page(page, f"{app_url}/{path}")
        expect(page.get_by_role("heading", name=marker).first).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.set_viewport_size(TALL)
        page.wait_for_timeout(1500)  # charts and the network view draw after the page settles
        screenshot(f"page-{path or 'overview'}")
        page.set_viewport_size({"width": 1400, "height": 1000})
    assert dialogs == []
