"""Browser fixtures: the real app (`streamlit run app.py`) against the test Neo4j, and headless Chromium.

Chromium is Debian's (/usr/bin/chromium). Without it the browser tests skip with a reason, except
in CI (CI=true), where they must run. The sign-in tests also run the app behind sign-in
(`signin_app`): `relgraph app` with an ``[auth]`` secrets.toml, against a real OpenID Connect
provider (tests/oidc: panva's certified oidc-provider on Node, set up by `make install`), both on
free loopback ports and stopped with the session.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.store.config import Settings
from graph.store.schema import wipe
from loaders.load import load_demo
from tests.conftest import REPO, cli_env, free_port, stop_process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"
# The app under test: the repository's app.py unless RELGRAPH_APP names another entry point.
APP = Path(os.environ.get("RELGRAPH_APP") or REPO / "app.py")
OIDC = REPO / "tests" / "oidc"
# The test provider's one client; made up for the tests, it opens nothing anywhere else.
CLIENT_ID, CLIENT_SECRET = "relgraph", secrets.token_urlsafe(24)  # made for this test session, kept nowhere


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@pytest.fixture(scope="session")
def app_url(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the real app, started with `streamlit run` on a free port for this session."""
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=cli_env(neo4j_settings), stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        stop_process(process)


def _start_provider(port: int, redirect_uri: str, log: Path) -> subprocess.Popen:
    """The OpenID provider on 127.0.0.1:`port`, once it says it listens."""
    if not (OIDC / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"the test OpenID provider is not installed in {OIDC}: run `make install`")
    with log.open("wb") as out:
        process = subprocess.Popen(["node", "provider.mjs", str(port), CLIENT_ID, CLIENT_SECRET, redirect_uri],
                                   cwd=OIDC, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while b"ready " not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"the OpenID provider did not start: {log.read_text(errors='replace')}")
        time.sleep(0.1)
    return process


@dataclass(frozen=True)
class SignInApp:
    """The app behind sign-in: its base URL, the provider's issuer, and the roles file it reads."""

    url: str
    issuer: str
    roles_file: Path


@pytest.fixture(scope="session")
def signin_app(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInApp]:
    """`relgraph app` behind sign-in, as a team deploys it: an ``[auth]`` section in ~/.streamlit/secrets.toml
    (a HOME of its own), roles from the ``groups`` claim and from a roles file, no default role, and
    console writes allowed for admins."""
    home = tmp_path_factory.mktemp("signin-home")
    app_port, provider_port = free_port(), free_port()
    url, issuer = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{provider_port}"
    (home / ".streamlit").mkdir()
    (home / ".streamlit" / "secrets.toml").write_text(f"""\
[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile groups", prompt = "login" }}
""")
    roles_file = home / "roles.toml"
    roles_file.write_text('"fred@example.test" = "analyst"\n')
    provider = _start_provider(provider_port, f"{url}/oauth2callback", home / "provider.log")
    env = dict(cli_env(neo4j_settings), HOME=str(home), RELGRAPH_ROLES_FILE=str(roles_file),
               RELGRAPH_ALLOW_WRITES="1", STREAMLIT_SERVER_FILE_WATCHER_TYPE="none")
    env.pop("RELGRAPH_DEFAULT_ROLE", None)
    env.pop("RELGRAPH_PUBLISHED_ON", None)
    with (home / "streamlit.log").open("wb") as out:
        app = subprocess.Popen([sys.executable, "-m", "cli.main", "app", "--port", str(app_port)], cwd=REPO, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, app)
        yield SignInApp(url=url, issuer=issuer, roles_file=roles_file)
    finally:
        stop_process(app)
        stop_process(provider)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Headless Chromium through Playwright."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # the first page of a fresh server imports and connects
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page in its own browser context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def dialogs(page) -> list[str]:
    """The messages of every JavaScript dialog (alert, confirm, prompt) the page opens; each is dismissed."""
    messages: list[str] = []

    def on_dialog(dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return messages


@pytest.fixture
def screenshot(page) -> Iterator:
    """``screenshot(name)`` saves the whole page to test-artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    yield save


@pytest.fixture(scope="module")
def demo(session_db):
    """The demo data set, loaded once for a module as `relgraph load demo` loads it."""
    wipe(session_db)
    load_demo(session_db)
    yield session_db
    wipe(session_db)
