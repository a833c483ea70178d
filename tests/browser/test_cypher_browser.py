"""The Cypher console in real Chromium: the editor's completion from the live schema, plans, lasting
history, favourites as links, parameters that follow the chosen query, and an editor that needs no network."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_offline_browser import _outside

pytestmark = pytest.mark.browser

TALL = {"width": 1400, "height": 2200}


def open_console(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.locator(".rg-cypher[data-ready='true']")).to_have_count(1, timeout=60_000)
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=60_000)


def editor(page: Page):
    return page.locator(".rg-cypher .cm-content")


def type_query(page: Page, text: str) -> None:
    """Replace the editor's text by typing, as a user would (completion may open on the way)."""
    editor(page).click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.keyboard.press("Escape")  # close completion, if open


def cells(page: Page, text: str):
    return page.locator("[data-testid=stDataFrame] [role=gridcell]", has_text=text)


def test_completion_offers_labels_of_the_live_schema(page: Page, app_url: str, demo, screenshot):
    open_console(page, f"{app_url}/cypher")
    editor(page).click()
    page.keyboard.type("MATCH (c:Cust")
    completion = page.locator(".cm-tooltip-autocomplete")
    expect(completion).to_be_visible()
    expect(completion.get_by_text("Customer", exact=False).first).to_be_visible()
    screenshot("cypher-completion")
    page.keyboard.press("Enter")  # accept the label
    expect(editor(page)).to_contain_text("MATCH (c:Customer")


def test_explain_and_profile_show_the_operators(page: Page, app_url: str, demo, screenshot):
    open_console(page, f"{app_url}/cypher")
    type_query(page, "MATCH (p:Person)-[:REFERRED]->(q:Person)\nWHERE p.city = 'Chicago'\nRETURN p.name, q.name")
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_text(re.compile(r"Plan \(EXPLAIN: nothing was run\)"))).to_be_visible()
    expect(cells(page, "ProduceResults")).not_to_have_count(0)
    page.get_by_role("button", name="Profile").click()
    expect(page.get_by_text(re.compile(r"db hits in all"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"costliest: \w+"))).to_be_visible()  # the costliest operator named
    page.set_viewport_size(TALL)
    screenshot("cypher-plan")
    type_query(page, "CREATE (:Person {personId: 'P-PROFILED', name: 'Profiled'})")
    page.get_by_role("button", name="Profile").click()
    expect(page.get_by_text(re.compile("Refused: this query writes"))).to_be_visible()
    assert demo.read("MATCH (p:Person {personId: 'P-PROFILED'}) RETURN p") == []


def test_a_run_is_in_the_history_after_a_reload(page: Page, app_url: str, demo, screenshot):
    marker = f"history-{int(time.time())}"
    open_console(page, f"{app_url}/cypher")
    type_query(page, f"RETURN '{marker}' AS marker")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text(re.compile(r"^1 row in"))).to_be_visible()
    page.reload()
    open_console(page, f"{app_url}/cypher")
    page.set_viewport_size(TALL)
    expect(cells(page, marker)).not_to_have_count(0)
    screenshot("cypher-history")
    type_query(page, "RETURN 'something else'")
    history = page.locator("[data-testid=stDataFrame]").last  # newest first: the run is its first row
    box = history.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection marker: one click opens it
    expect(editor(page)).to_contain_text(marker)


def test_a_favourite_opens_from_its_link(page: Page, app_url: str, demo):
    open_console(page, f"{app_url}/cypher")
    type_query(page, "MATCH (c:Company) RETURN c.name AS favourite_company ORDER BY c.name LIMIT 3")
    page.get_by_text("Favourites (").click()
    page.get_by_label("Save the query in the editor as").fill("Three companies")
    page.get_by_role("button", name="Save favourite").click()
    link = page.get_by_role("link", name="open it")
    expect(link).to_have_attribute("href", "/cypher?query=Three%20companies")
    open_console(page, f"{app_url}/cypher?query=Three%20companies")
    expect(editor(page)).to_contain_text("favourite_company")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"^3 rows in"))).to_be_visible()


def choose_named(page: Page, name: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="Named query").click()
    page.keyboard.type(name)
    page.get_by_role("option", name=re.compile(f"^{name}:")).click()


def test_choosing_another_query_resets_the_parameters(page: Page, app_url: str, demo):
    open_console(page, f"{app_url}/cypher?query=top_referrers")
    params = page.locator("[data-testid=stDataFrame]").first
    expect(params.locator("[role=gridcell]", has_text="limit")).to_have_count(1)
    choose_named(page, "customer_360")
    expect(editor(page)).to_contain_text("name: customer_360")
    expect(params.locator("[role=gridcell]", has_text="limit")).to_have_count(0)
    expect(params.locator("[role=gridcell]", has_text=re.compile(r"^id$"))).to_have_count(1)


def test_the_editor_loads_with_no_network(page: Page, app_url: str, demo):
    outside = _outside(page)
    open_console(page, f"{app_url}/cypher?query=top_customers")
    expect(editor(page)).to_contain_text("name: top_customers")
    expect(page.locator(".rg-cypher .cm-lineNumbers")).to_be_visible()  # drawn by the bundled CodeMirror
    page.wait_for_load_state("networkidle")
    assert outside == []
