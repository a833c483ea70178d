"""The local server: start, stop, status, wipe and their error cases, on servers of their own."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graph import audit
from graph.errors import UserError
from graph.store import schema, server
from graph.store.config import Settings
from graph.store.db import connect
from tests.conftest import REPO, free_port

PASSWORD = "server-test-pw"


def relgraph(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    full_env.update({"NEO4J_PASSWORD": PASSWORD, **env})
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, env=full_env,
                          capture_output=True, text=True, timeout=300)


def our_jvms(home: Path) -> list[str]:
    out = subprocess.run(["pgrep", "-f", f"home-dir={home.resolve()}"], capture_output=True, text=True).stdout
    return out.split()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory):
    """A server of this module's own, started through the CLI and stopped at the end."""
    home = tmp_path_factory.mktemp("server-home")
    port = free_port()
    done = relgraph("db", "start", "--home", str(home), "--bolt-port", str(port))
    assert done.returncode == 0, done.stderr
    yield home, port, done
    relgraph("db", "stop", "--home", str(home))


def test_start_prints_uri_and_answers_bolt(running):
    home, port, done = running
    assert f"bolt://127.0.0.1:{port}" in done.stdout.splitlines()
    db = connect(Settings(uri=f"bolt://127.0.0.1:{port}", password=PASSWORD))
    assert db.server_version() == f"{server.NEO4J_VERSION} community"
    db.close()


def test_server_listens_on_loopback_only(running):
    home, port, _ = running
    conf = (home / "conf" / "neo4j.conf").read_text()
    assert f"server.bolt.listen_address=127.0.0.1:{port}" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert re.search(r"^db\.transaction\.timeout=\d+s$", conf, re.M)
    assert re.search(r"^db\.memory\.transaction\.total\.max=\w+$", conf, re.M)


def test_status_reports_running_uri_and_version(running):
    home, port, _ = running
    done = relgraph("db", "status", "--home", str(home), "--bolt-port", str(port))
    assert done.returncode == 0
    assert "running" in done.stdout and f"bolt://127.0.0.1:{port}" in done.stdout
    assert server.NEO4J_VERSION in done.stdout


def test_start_again_is_a_no_op(running):
    home, port, _ = running
    pids = our_jvms(home)
    done = relgraph("db", "start", "--home", str(home), "--bolt-port", str(port))
    assert done.returncode == 0 and "already running" in done.stdout
    assert our_jvms(home) == pids


def test_port_already_taken(tmp_path, running):
    _, port, _ = running
    done = relgraph("db", "start", "--home", str(tmp_path / "other"), "--bolt-port", str(port))
    assert done.returncode == 2
    assert f"port {port} is already in use" in done.stderr
    assert "Traceback" not in done.stderr


def test_home_in_use_by_another_server(running):
    home, port, _ = running
    done = relgraph("db", "start", "--home", str(home), "--bolt-port", str(free_port()))
    assert done.returncode == 2
    assert "in use by another server" in done.stderr


def test_wrong_password_is_refused(running):
    home, port, _ = running
    uri = f"bolt://127.0.0.1:{port}"
    done = relgraph("db", "wipe", "--yes", NEO4J_URI=uri, NEO4J_PASSWORD="not-the-password")
    assert done.returncode == 2
    assert "wrong password" in done.stderr and "Traceback" not in done.stderr
    again = relgraph("db", "start", "--home", str(home), "--bolt-port", str(port), NEO4J_PASSWORD="nope-nope-nope")
    assert again.returncode == 2 and "refused the password" in again.stderr


def test_wipe_needs_yes_and_keeps_schema(running):
    home, port, _ = running
    uri = f"bolt://127.0.0.1:{port}"
    db = connect(Settings(uri=uri, password=PASSWORD))
    schema.ensure_schema(db)
    db.write("UNWIND range(1, 25000) AS i CREATE (:Person {personId: 'p' + i})")
    refused = relgraph("db", "wipe", NEO4J_URI=uri)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert db.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 25000
    done = relgraph("db", "wipe", "--yes", NEO4J_URI=uri)
    assert done.returncode == 0, done.stderr
    assert db.read("MATCH (n) WHERE NOT n:AuditEntry AND NOT n:AuditHead RETURN count(n) AS n")[0]["n"] == 0
    constraints = {r["name"] for r in db.read("SHOW CONSTRAINTS YIELD name")}
    assert "person_personId" in constraints
    [wiped] = audit.entries(db)  # the wipe is in the audit trail, which it kept
    assert (wiped.action, wiped.via, wiped.counters, wiped.ok) == ("wipe", "cli", {"nodes_deleted": 25000}, True)
    db.close()


def test_stop_ends_our_jvm_and_frees_the_port(tmp_path):
    home, port = tmp_path / "home", free_port()
    assert relgraph("db", "start", "--home", str(home), "--bolt-port", str(port)).returncode == 0
    assert our_jvms(home)
    done = relgraph("db", "stop", "--home", str(home))
    assert done.returncode == 0 and "Stopped" in done.stdout
    assert our_jvms(home) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)  # nothing listens any more
    with socket.socket() as sock:  # and a new server can bind it (as servers do, with SO_REUSEADDR)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    status = relgraph("db", "status", "--home", str(home), "--bolt-port", str(port))
    assert status.returncode == 0 and status.stdout.startswith("not running")
    assert "No server of ours" in relgraph("db", "stop", "--home", str(home)).stdout


def test_no_java(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    with pytest.raises(UserError, match="no Java found"):
        server.start(tmp_path / "home", free_port(), PASSWORD)


def test_no_maven(tmp_path, monkeypatch):
    monkeypatch.setenv("RELGRAPH_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(UserError, match="Maven"):
        server.ensure_jars(quiet=True)


def test_no_java_through_the_cli(tmp_path):
    done = relgraph("db", "start", "--home", str(tmp_path / "h"), "--bolt-port", str(free_port()),
                    JAVA_HOME=str(tmp_path / "no-jdk"))
    assert done.returncode == 2 and "no Java found" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_docker_compose_uses_the_same_version():
    compose = (REPO / "docker-compose.yml").read_text()
    assert f"image: neo4j:{server.NEO4J_VERSION}-community" in compose
    pom = (REPO / "graph" / "store" / "neo4j-server.pom.xml").read_text()  # the pom shipped beside server.py
    assert f"<neo4j.version>{server.NEO4J_VERSION}</neo4j.version>" in pom


def test_the_servers_files_are_its_owners_only(running):
    home, _, _ = running
    auth = home / "data" / "dbms" / "auth.ini"
    assert auth.exists() and auth.stat().st_mode & 0o077 == 0
    for folder in ("conf", "data", "logs", "run"):
        assert (home / folder).stat().st_mode & 0o077 == 0, folder
    store = [p for p in (home / "data" / "databases").rglob("*") if p.is_file()]
    assert store and all(p.stat().st_mode & 0o077 == 0 for p in store)
    assert not list((home / "run").glob("*.args"))  # the password's argument file is gone


def test_a_pid_file_naming_another_process_is_not_our_server(tmp_path):
    # A pid file outlives its server, and the pid may come back as another home's Neo4j: whatever
    # runs there is left alone unless it is the entry point started with this very home.
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", server.ENTRY_POINT,
                              f"--home-dir={tmp_path / 'another-home'}"])
    try:
        (home / "run" / "relgraph-neo4j.pid").write_text(str(other.pid))
        assert not server.status(home, free_port(), PASSWORD).running
        assert server.stop(home) is False
        assert other.poll() is None  # still running: not ours to stop
    finally:
        other.kill()
        other.wait()


def test_a_password_with_quotes_and_backslashes_starts_a_server(tmp_path):
    # The first password reaches Neo4j's admin tool through an argument file, never a command line.
    home, port, password = tmp_path / "home", free_port(), 'a "quoted" \\ pass word'
    state = server.start(home, port, password, quiet=True)
    try:
        db = connect(Settings(uri=state.uri, password=password))
        assert db.read("RETURN 1 AS one") == [{"one": 1}]
        db.close()
    finally:
        server.stop(home)


def test_a_start_without_room_on_disk_is_refused_and_an_empty_log_says_why(tmp_path):
    # A full disk made db start fail and point at an empty log; now it is refused first, and an empty
    # log is named as what it most often means.
    import doctest

    assert doctest.testmod(server).failed == 0
    with pytest.raises(UserError, match="only 0 MB free .* at least 200 MB"):
        server.check_free_space(tmp_path, 0)
    (tmp_path / "console.log").write_text("")
    assert "the log is empty" in server._tail(tmp_path / "console.log")
