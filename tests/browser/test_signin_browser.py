"""Sign-in and roles end to end: the app behind st.login, a real OpenID provider, real Chromium.

The accounts are tests/oidc/accounts.json: vera (groups: viewer), anna (analyst), adam (admin),
nora (no role anywhere) and fred (no group, analyst by the roles file). Here the browser shows
what each role is offered; tests/test_access.py sends what the widgets would not (a disabled
editor's text, the writes toggle) straight to the server and sees it refused.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from graph import audit
from loaders.demo import ABC_STEEL, JOHN_SMITH

pytestmark = pytest.mark.browser

TALL = {"width": 1400, "height": 2400}
DEEP_LINKS = ["/", f"/explore?id={JOHN_SMITH}", f"/risk?disrupt={quote(ABC_STEEL)}", "/risk?region=Midwest",
              "/cypher?query=top_customers", "/reach", "/data", "/no-such-page"]
DATA = ["John Smith", "ABC Steel", "XYZ Manufacturing", "top_customers", "MATCH"]  # what no anonymous eye may see



def settle(page: Page) -> None:
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=60_000)


def sign_in(page: Page, url: str, login: str, password: str | None = None) -> None:
    """Through the app's sign-in page and the provider's login form, back to the app signed in."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(password or f"{login}-pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/**")
    settle(page)


def sign_out(page: Page, url: str) -> None:
    """Sign out of the app, and of the provider, which asks first, then back to the app's sign-in page."""
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{url}/**")
    settle(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_anonymous_visitor_sees_only_the_sign_in_page(signin_app, demo, page: Page, screenshot) -> None:
    for path in DEEP_LINKS:
        page.goto(signin_app.url + path)
        settle(page)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        text = page.locator("body").inner_text()
        assert not [word for word in DATA if word in text], path
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        if path.startswith("/explore"):
            screenshot("signin-anonymous-deep-link")


def test_wrong_password_does_not_sign_in(signin_app, page: Page, screenshot) -> None:
    page.goto(signin_app.url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Username").fill("adam")
    page.get_by_label("Password").fill("guess")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    assert page.url.startswith(signin_app.issuer)
    page.goto(signin_app.url + "/data")
    settle(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_user_without_a_role_sees_no_data(signin_app, demo, page: Page, screenshot) -> None:
    sign_in(page, signin_app.url, "nora")
    expect(page.get_by_text("you have no role in relgraph")).to_be_visible()
    assert not [word for word in DATA if word in page.locator("body").inner_text()]
    screenshot("signin-no-role")
    sign_out(page, signin_app.url)


def test_viewer_runs_named_queries_only(signin_app, demo, page: Page, screenshot) -> None:
    sign_in(page, signin_app.url, "vera")
    expect(page.get_by_text("Signed in as vera@example.test (viewer)")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Cypher")).to_be_visible()
    expect(nav.get_by_role("link", name="Data")).to_have_count(0)

    page.goto(f"{signin_app.url}/cypher?query=top_customers")
    settle(page)
    editor = page.get_by_label("Query (Ctrl+Enter runs it)")
    expect(editor).to_be_disabled()
    expect(page.get_by_role("switch", name="Allow writes")).to_be_disabled()
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text(re.compile(r"^10 rows in"))).to_be_visible()
    expect(page.get_by_role("button", name="Download CSV")).to_have_count(0)
    screenshot("signin-viewer-named-query")

    page.goto(f"{signin_app.url}/data")
    settle(page)
    expect(page.get_by_role("button", name="Load the demo data")).to_have_count(0)
    page.goto(f"{signin_app.url}/risk")
    settle(page)
    expect(page.get_by_text("ABC Steel Suppliers").first).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Download the ranking (CSV)")).to_have_count(0)


def test_analyst_runs_read_only_cypher_but_cannot_write(signin_app, demo, page: Page, screenshot) -> None:
    before = demo.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    sign_in(page, signin_app.url, "anna")
    page.goto(f"{signin_app.url}/cypher")
    settle(page)
    editor = page.get_by_label("Query (Ctrl+Enter runs it)")
    expect(editor).to_be_enabled()
    editor.fill("MATCH (c:Customer) RETURN c.name AS name ORDER BY name LIMIT 3")
    editor.press("Control+Enter")
    expect(page.get_by_text(re.compile(r"^3 rows in"))).to_be_visible()
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
    expect(page.get_by_role("switch", name="Allow writes")).to_be_disabled()
    page.set_viewport_size(TALL)
    screenshot("signin-analyst-cypher")
    editor.fill("CREATE (:Person {personId: 'X-ANALYST', name: 'Nobody'})")
    editor.press("Control+Enter")
    expect(page.get_by_text(re.compile("Refused"))).to_be_visible()
    assert demo.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before

    page.goto(f"{signin_app.url}/data")
    settle(page)
    expect(page.get_by_role("button", name="Load the demo data")).to_have_count(0)


def test_roles_file_gives_a_role(signin_app, demo, page: Page) -> None:
    sign_in(page, signin_app.url, "fred")
    expect(page.get_by_text("Signed in as fred@example.test (analyst)")).to_be_visible()


def test_admin_reaches_writes_and_loads(signin_app, demo, page: Page, screenshot) -> None:
    sign_in(page, signin_app.url, "adam")
    expect(page.get_by_text("Signed in as adam@example.test (admin)")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data")).to_be_visible()
    page.goto(f"{signin_app.url}/cypher")
    settle(page)
    expect(page.get_by_role("switch", name="Allow writes")).to_be_enabled()
    page.goto(f"{signin_app.url}/data")
    settle(page)
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Load the demo data")).to_be_visible()
    expect(page.get_by_text("Figures computed")).to_be_visible()  # the counts are drawn, not their skeletons
    expect(page.get_by_test_id("stDataFrame").first.locator("canvas").first).to_be_visible()
    screenshot("signin-admin-data")
    sign_out(page, signin_app.url)
    page.goto(f"{signin_app.url}/data")
    settle(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_admin_writes_after_confirming_and_the_audit_shows_it(signin_app, demo, page: Page, screenshot) -> None:
    sign_in(page, signin_app.url, "adam")
    page.goto(f"{signin_app.url}/cypher")
    settle(page)
    page.locator("label").filter(has_text="Allow writes").click()  # the switch's label takes the click
    expect(page.get_by_text("Writes are on.")).to_be_visible()
    editor = page.get_by_label("Query (Ctrl+Enter runs it)")
    editor.fill("CREATE (:Person {personId: 'P-ADAM-WROTE', name: 'Written by Adam'})")
    editor.press("Control+Enter")
    expect(page.get_by_text("Confirm this write")).to_be_visible()
    expect(page.get_by_text(re.compile("It will change: nodes created 1"))).to_be_visible()
    assert not demo.read("MATCH (p:Person {personId: 'P-ADAM-WROTE'}) RETURN p")  # previewed, rolled back
    screenshot("signin-admin-confirm-write")
    page.get_by_role("button", name="Write", exact=True).click()
    settle(page)
    expect(page.get_by_role("switch", name="Allow writes")).not_to_be_checked()  # off again after the write
    assert demo.read("MATCH (p:Person {personId: 'P-ADAM-WROTE'}) RETURN p.name AS name") == [
        {"name": "Written by Adam"}]
    newest = audit.entries(demo, limit=1)[0]
    assert (newest.who, newest.via, newest.action, newest.ok) == ("adam@example.test", "app", "write", True)
    assert "P-ADAM-WROTE" in newest.what and newest.counters.get("nodes_created") == 1
    page.goto(f"{signin_app.url}/data")
    settle(page)
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    page.get_by_role("heading", name="Audit trail").scroll_into_view_if_needed()
    screenshot("signin-admin-audit-trail")
    demo.write("MATCH (p:Person {personId: 'P-ADAM-WROTE'}) DELETE p")
