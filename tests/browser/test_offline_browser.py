"""Nothing leaves the deployment: every request the browser makes, on every page, goes to this machine.

The app is started here with a bare `streamlit run app.py`, not through `relgraph app`, so that
what keeps usage statistics off is the app's own .streamlit/config.toml. Requests to any other
host are recorded and aborted, so the test holds offline too.
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from loaders.demo import ABC_STEEL, JOHN_SMITH
from tests.browser.conftest import _wait_healthy
from tests.conftest import REPO, cli_env, free_port, stop_process

pytestmark = pytest.mark.browser

PAGES = ["/", f"/explore?id={JOHN_SMITH}", "/cypher?query=top_customers", f"/risk?disrupt={quote(ABC_STEEL)}",
         "/reach", "/data"]



@pytest.fixture(scope="module")
def bare_app(neo4j_settings, tmp_path_factory) -> Iterator[str]:
    """`streamlit run app.py` from the repository root with no flag about usage statistics."""
    home = tmp_path_factory.mktemp("bare-home")  # no ~/.streamlit of the user's
    port = free_port()
    with (home / "streamlit.log").open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                    "--server.address", "127.0.0.1", "--server.headless", "true"],
                                   cwd=REPO, env=dict(cli_env(neo4j_settings), HOME=str(home)),
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        stop_process(process)


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _outside(page: Page) -> list[str]:
    """Record, and abort, every request the page makes to a host other than this machine."""
    outside: list[str] = []

    def check(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or _loopback(url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", check)
    return outside


def _visit(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=60_000)
    page.wait_for_load_state("networkidle")


def test_every_page_asks_this_machine_only(bare_app: str, demo, page: Page, screenshot) -> None:
    outside = _outside(page)
    for path in PAGES:
        _visit(page, bare_app + path)
    expect(page.get_by_role("button", name="Load the demo data")).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot("offline-data-page")
    assert outside == []


def test_the_sign_in_page_asks_this_machine_only(signin_app, page: Page) -> None:
    outside = _outside(page)
    _visit(page, signin_app.url + "/explore")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert outside == []
