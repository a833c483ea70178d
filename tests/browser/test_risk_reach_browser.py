"""Overview, Supply risk and Word of mouth in real Chromium, on the demo: figures with their units, names that
link to their cards, tables sent a page at a time, and a what-if that keeps its state.

Each test saves what it checked to test-artifacts/ (see the `screenshot` fixture). st.dataframe draws on a
canvas; its accessible cells (role=gridcell) hold each cell's value: a link's target, a number's raw value.
How they are drawn (a name for a link, "USD 1,234" for an amount) is in the screenshots and in the column
settings that tests/test_app_*.py check.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from graph.analysis.risk import supplier_ranking
from graph.projection import supply_network
from loaders.demo import ABC_STEEL, JOHN_SMITH, XYZ
from tests.browser.test_pages_browser import TALL, cells, open_page
from ui.format import card_link

pytestmark = pytest.mark.browser


def charts(page: Page):
    return page.locator("[data-testid=stVegaLiteChart]")


def test_overview_shows_money_labels_and_names(page: Page, app_url: str, demo, screenshot):
    riskiest = supplier_ranking(supply_network(demo))[:5]
    top = [row.name for row in riskiest]
    open_page(page, app_url)
    page.set_viewport_size(TALL)
    revenue = page.get_by_test_id("stMetric").filter(has_text="Revenue")
    expect(revenue).to_contain_text(re.compile(r"USD \d+(\.\d)? M"), timeout=120_000)  # a busy machine
    expect(charts(page)).to_have_count(3, timeout=120_000)
    first = charts(page).first
    for name in top:  # every one of the five bars has its label (not 3 of 5)
        expect(first.locator("svg text", has_text=name).first).to_be_attached()
    expect(first.locator("svg text", has_text="Risk score")).not_to_have_count(0)
    # the region chart is tall enough for every region's label
    regions = charts(page).nth(2)
    for region in ("Midwest", "South", "West", "Northeast"):
        expect(regions.locator("svg text", has_text=region).first).to_be_attached()
    assert regions.bounding_box()["height"] >= 4 * 30
    # tables: each name links to its card
    expect(cells(page, card_link(JOHN_SMITH, "John Smith"))).to_have_count(1)
    for row in riskiest:  # the five suppliers, each linked to its card and to its what-if
        expect(cells(page, card_link(row.id, row.name)).first).to_be_attached()
        expect(cells(page, f"/risk?disrupt={quote(row.id)}")).to_have_count(1)
    screenshot("overview")


def test_supply_risk_ranking_formats_and_links(page: Page, app_url: str, demo, screenshot):
    open_page(page, f"{app_url}/risk")
    page.set_viewport_size(TALL)
    expect(charts(page).first.locator("svg")).to_be_visible(timeout=120_000)
    expect(cells(page, card_link(ABC_STEEL, "ABC Steel Suppliers"))).to_have_count(1)
    expect(cells(page, f"/risk?disrupt={ABC_STEEL}")).to_have_count(1)
    expect(page.get_by_text(re.compile(r"^1–\d+ of \d+ suppliers$"))).to_be_visible()
    screenshot("risk-ranking")


def test_what_if_switches_to_a_region_and_region_links_open_it(page: Page, app_url: str, demo, screenshot):
    region = demo.read("MATCH (c:Company {companyId: $id}) RETURN c.region AS region", {"id": ABC_STEEL})[0]["region"]
    open_page(page, f"{app_url}/risk?disrupt={quote(ABC_STEEL)}")
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible(timeout=120_000)
    expect(page.locator(".rg-network[data-drawn='true']")).to_have_count(1, timeout=60_000)  # the cascade's tree
    page.set_viewport_size(TALL)
    expect(page.get_by_test_id("stMetric").filter(has_text="Revenue at risk")).to_contain_text("USD")
    expect(cells(page, card_link(XYZ, "XYZ Manufacturing Inc."))).to_have_count(1)
    screenshot("risk-what-if-abc-steel")
    page.get_by_text("A region", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]region=" + re.escape(quote(region))), timeout=30_000)
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible()  # not back on Ranking
    expect(page.get_by_role("combobox", name="Region")).to_have_value(region)
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_be_visible()
    screenshot("risk-what-if-region-switched")
    page.get_by_text("Suppliers", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]disrupt=" + re.escape(ABC_STEEL)), timeout=30_000)
    expect(page.get_by_test_id("stMultiSelect")).to_contain_text("ABC Steel Suppliers")  # the scenario kept
    # a shared region link opens the What-if with that scenario
    open_page(page, f"{app_url}/risk?region={quote(region)}")
    expect(page.get_by_role("tab", name="What-if", selected=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Region")).to_have_value(region)
    expect(page.get_by_role("heading", name="Impacted companies")).to_be_visible(timeout=60_000)
    page.set_viewport_size(TALL)
    screenshot("risk-what-if-region-link")


def test_word_of_mouth_pages_its_referrers(page: Page, app_url: str, demo, screenshot):
    open_page(page, f"{app_url}/reach")
    page.set_viewport_size(TALL)
    john = cells(page, card_link(JOHN_SMITH, "John Smith"))
    expect(john).to_have_count(1, timeout=120_000)
    first_page = page.get_by_text(re.compile(r"^1–20 of \d+ customers$"))
    expect(first_page).to_be_visible()
    total = re.search(r"of (\d+) customers", first_page.inner_text()).group(1)
    screenshot("reach-influencers")
    page.get_by_test_id("stPaginationNext").click()
    expect(page.get_by_text(f"21–40 of {total} customers")).to_be_visible()
    expect(john).to_have_count(0)  # the first page's top referrer is not sent again
    expect(cells(page, re.compile(r"^/explore\?id="))).to_have_count(20)
    page.get_by_role("tab", name="Cascades").click()
    expect(page.locator(".rg-network[data-drawn='true']")).to_have_count(1, timeout=30_000)
    expect(page.get_by_text(re.compile("Expected reach is a forecast"))).to_be_visible()
    page.wait_for_timeout(1000)
    screenshot("reach-cascade")
