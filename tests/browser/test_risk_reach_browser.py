"""Overview, Supply risk and Word of mouth in real Chromium, on the demo: figures with their units, names that
read as names (each a link to its card), tables sent a page at a time, and a what-if that keeps its state.

Each test saves what it checked to test-artifacts/ (see the `screenshot` fixture).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from graph.analysis.risk import supplier_ranking
from graph.projection import supply_network
from loaders.demo import ABC_STEEL
from tests.browser.test_pages_browser import TALL, cells, open_page

pytestmark = pytest.mark.browser


def charts(page: Page):
    return page.locator("[data-testid=stVegaLiteChart]")


def test_overview_shows_money_labels_and_names(page: Page, app_url: str, demo, screenshot):
    top = [row.name for row in supplier_ranking(supply_network(demo))[:5]]
    open_page(page, app_url)
    page.set_viewport_size(TALL)
    revenue = page.get_by_test_id("stMetric").filter(has_text="Revenue")
    expect(revenue).to_contain_text(re.compile(r"USD \d+(\.\d)? M"))
    expect(charts(page)).to_have_count(3)
    first = charts(page).first
    for name in top:  # every one of the five bars has its label (not 3 of 5)
        expect(first.locator("svg text", has_text=name).first).to_be_attached()
    expect(first.locator("svg text", has_text="Risk score")).not_to_have_count(0)
    # the region chart is tall enough for every region's label
    regions = charts(page).nth(2)
    for region in ("Midwest", "South", "West", "Northeast"):
        expect(regions.locator("svg text", has_text=region).first).to_be_attached()
    assert regions.bounding_box()["height"] >= 4 * 30
    # tables: names shown as names (links to their cards), money with its currency, human headers
    expect(cells(page, "ABC Steel Suppliers")).not_to_have_count(0)
    expect(cells(page, "John Smith")).not_to_have_count(0)
    expect(cells(page, "/explore?id=")).to_have_count(0)
    expect(cells(page, "USD ")).not_to_have_count(0)
    expect(page.get_by_role("columnheader", name="Revenue at risk")).not_to_have_count(0)
    expect(page.get_by_role("columnheader", name=re.compile("revenue_at_risk"))).to_have_count(0)
    screenshot("overview")


def test_supply_risk_ranking_formats_and_links(page: Page, app_url: str, demo, screenshot):
    open_page(page, f"{app_url}/risk")
    page.set_viewport_size(TALL)
    expect(charts(page).first.locator("svg")).to_be_visible()
    expect(cells(page, "ABC Steel Suppliers")).not_to_have_count(0)
    expect(cells(page, re.compile(r"^USD \d{1,3}(,\d{3})+$"))).not_to_have_count(0)
    expect(cells(page, "open what-if")).not_to_have_count(0)
    expect(cells(page, "/explore?id=")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^1–\d+ of \d+ suppliers$"))).to_be_visible()
    screenshot("risk-ranking")


def test_what_if_switches_to_a_region_and_region_links_open_it(page: Page, app_url: str, demo, screenshot):
    region = demo.read("MATCH (c:Company {companyId: $id}) RETURN c.region AS region", {"id": ABC_STEEL})[0]["region"]
    open_page(page, f"{app_url}/risk?disrupt={quote(ABC_STEEL)}")
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible()
    expect(page.locator(".rg-network[data-drawn='true']")).to_have_count(1, timeout=60_000)  # the cascade's tree
    page.set_viewport_size(TALL)
    expect(page.get_by_test_id("stMetric").filter(has_text="Revenue at risk")).to_contain_text("USD")
    expect(cells(page, "XYZ Manufacturing Inc.")).not_to_have_count(0)
    screenshot("risk-what-if-abc-steel")
    page.get_by_role("button", name="A region").click()
    expect(page).to_have_url(re.compile(r"[?&]region=" + re.escape(quote(region))), timeout=30_000)
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible()  # not back on Ranking
    expect(page.get_by_test_id("stSelectbox").filter(has_text=region)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_be_visible()
    screenshot("risk-what-if-region-switched")
    page.get_by_role("button", name="Suppliers").click()
    expect(page).to_have_url(re.compile(r"[?&]disrupt=" + re.escape(ABC_STEEL)), timeout=30_000)
    expect(page.get_by_test_id("stMultiSelect")).to_contain_text("ABC Steel Suppliers")  # the scenario kept
    # a shared region link opens the What-if with that scenario
    open_page(page, f"{app_url}/risk?region={quote(region)}")
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible()
    expect(page.get_by_test_id("stSelectbox").filter(has_text=region)).to_be_visible()
    expect(page.get_by_text("Impacted companies")).to_be_visible(timeout=60_000)
    page.set_viewport_size(TALL)
    screenshot("risk-what-if-region-link")


def test_word_of_mouth_pages_its_referrers(page: Page, app_url: str, demo, screenshot):
    open_page(page, f"{app_url}/reach")
    page.set_viewport_size(TALL)
    expect(cells(page, "John Smith")).not_to_have_count(0)
    expect(cells(page, re.compile(r"^\d[\d,]*\.\d ×$"))).not_to_have_count(0)  # influence relative to the average
    expect(cells(page, re.compile(r"^USD \d"))).not_to_have_count(0)
    expect(cells(page, "/explore?id=")).to_have_count(0)
    first_page = page.get_by_text(re.compile(r"^1–20 of \d+ customers$"))
    expect(first_page).to_be_visible()
    total = re.search(r"of (\d+) customers", first_page.inner_text()).group(1)
    screenshot("reach-influencers")
    page.get_by_test_id("stPaginationNext").click()
    expect(page.get_by_text(f"21–40 of {total} customers")).to_be_visible()
    expect(cells(page, "John Smith")).to_have_count(0)  # the first page's top referrer is not sent again
    page.get_by_role("tab", name="Cascades").click()
    expect(page.locator(".rg-network[data-drawn='true']")).to_have_count(1, timeout=30_000)
    expect(page.get_by_text(re.compile("Expected reach is a forecast"))).to_be_visible()
    page.wait_for_timeout(1000)
    screenshot("reach-cascade")
