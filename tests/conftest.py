"""Test fixtures: one throwaway Neo4j server per test session, unless RELGRAPH_TEST_NEO4J_URI names one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graph.store import schema, server
from graph.store.config import Settings, settings_from_env
from graph.store.db import Database, connect

REPO = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "relgraph-test-pw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state directory (stored analyses, console history) of this test session only, inherited by
    every process the tests start: nothing is read from or left in the user's own."""
    path = tmp_path_factory.mktemp("relgraph-state")
    previous = os.environ.get("RELGRAPH_STATE_DIR")
    os.environ["RELGRAPH_STATE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("RELGRAPH_STATE_DIR", None)
    else:
        os.environ["RELGRAPH_STATE_DIR"] = previous


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the test server: a server started for this session, or the one
    $RELGRAPH_TEST_NEO4J_URI names (with RELGRAPH_TEST_NEO4J_USER, _PASSWORD, _DATABASE).

    Tests empty the server they use, so they never take $NEO4J_URI, which names the user's own
    (a test run in a shell that pointed there once wiped a million-customer database). For the
    session, NEO4J_* point at the test server, so pages and processes the tests start use it too.
    """
    if os.environ.get("RELGRAPH_TEST_NEO4J_URI"):
        settings = settings_from_env({name.removeprefix("RELGRAPH_TEST_"): value for name, value in os.environ.items()
                                      if name.startswith("RELGRAPH_TEST_NEO4J_")})
        with _environment(settings):
            yield settings
        return
    home = tmp_path_factory.mktemp("neo4j-home")
    port = free_port()
    server.start(home, port, TEST_PASSWORD, quiet=True)
    try:
        settings = Settings(uri=f"bolt://127.0.0.1:{port}", password=TEST_PASSWORD)
        with _environment(settings):
            yield settings
    finally:
        server.stop(home)


@contextmanager
def _environment(settings: Settings) -> Iterator[None]:
    """NEO4J_* set to `settings` in this process's environment, and put back as they were after."""
    names = {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password,
             "NEO4J_DATABASE": settings.database}
    previous = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def session_db(neo4j_settings: Settings) -> Iterator[Database]:
    db = connect(neo4j_settings)
    schema.ensure_schema(db)
    yield db
    db.close()


@pytest.fixture
def db(session_db: Database) -> Database:
    """The test database, emptied before the test: data, and the audit trail that wipe keeps (schema kept)."""
    schema.wipe(session_db)
    session_db.write("MATCH (n) WHERE any(label IN labels(n) WHERE label IN $bookkeeping) DETACH DELETE n",
                     {"bookkeeping": list(schema.BOOKKEEPING_LABELS)})
    return session_db


def cli_env(settings: Settings) -> dict[str, str]:
    return dict(os.environ, NEO4J_URI=settings.uri, NEO4J_USER=settings.user,
                NEO4J_PASSWORD=settings.password, NEO4J_DATABASE=settings.database)


@pytest.fixture(scope="session")
def relgraph(neo4j_settings: Settings) -> Callable[..., subprocess.CompletedProcess]:
    """Run the real `relgraph` CLI against the test server: relgraph("risk", "--json")."""
    env = cli_env(neo4j_settings)

    def run(*args: str, input: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, input=input,
                              capture_output=True, text=True, timeout=timeout)

    return run



def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """End a process a test started: politely, then by force if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
