"""`relgraph app`: loopback by default (the listening socket says so); a public address needs sign-in."""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port, stop_process

SECRETS = """\
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secret}"
client_id = "relgraph"
client_secret = "{secret}"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The environment with a HOME of the test's own, so that no secrets.toml of the user's counts."""
    env = {k: v for k, v in os.environ.items() if k != "RELGRAPH_PUBLISHED_ON"}
    return dict(env, HOME=str(home), **extra)


def _relgraph_app(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "app", *args], cwd=REPO, env=_env(home, **env),
                          capture_output=True, text=True, timeout=60)


def _listening(port: int) -> set[str]:
    """The addresses with a TCP socket listening on `port`, read from the kernel's tables."""
    addresses = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(host)
                # The kernel prints each 32-bit word in host (little-endian) order.
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, width, 4))
                addresses.add(str(ipaddress.ip_address(raw)))
    return addresses


def _serve(home: Path, *args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "app", "--port", str(port), *args], cwd=REPO,
                               env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, f"relgraph app exited with status {process.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    pytest.fail("relgraph app did not answer within 90 s")


def test_listens_on_loopback_only_by_default(tmp_path: Path) -> None:
    process, port = _serve(tmp_path)
    try:
        assert _listening(port) == {"127.0.0.1"}
    finally:
        stop_process(process)


@pytest.mark.parametrize("address", ["0.0.0.0", "::", ""])
def test_refuses_every_interface_without_sign_in(tmp_path: Path, address: str) -> None:
    result = _relgraph_app(tmp_path, "--address", address, "--port", str(free_port()))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("relgraph: --address: refusing to serve")
    assert "[auth]" in result.stderr and "secrets.toml" in result.stderr


def test_refuses_a_port_published_beyond_loopback(tmp_path: Path) -> None:
    """In a container the app listens on 0.0.0.0; what counts is where the host publishes it."""
    result = _relgraph_app(tmp_path, "--address", "0.0.0.0", RELGRAPH_PUBLISHED_ON="0.0.0.0")
    assert result.returncode == 2
    assert result.stderr.startswith("relgraph: refusing to serve 0.0.0.0 without sign-in")


def test_refuses_a_bad_port(tmp_path: Path) -> None:
    result = _relgraph_app(tmp_path, "--port", "70000")
    assert (result.returncode, result.stderr) == (2, "relgraph: --port: 70000 is not a port number\n")


def test_unreadable_secrets_name_the_file(tmp_path: Path) -> None:
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text("[auth\n")
    result = _relgraph_app(tmp_path, "--address", "0.0.0.0")
    assert result.returncode == 2
    assert str(secrets) in result.stderr and len(result.stderr.splitlines()) == 1


def test_incomplete_sign_in_counts_as_none(tmp_path: Path) -> None:
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    result = _relgraph_app(tmp_path, "--address", "0.0.0.0")
    assert result.returncode == 2 and "refusing to serve" in result.stderr


def test_serves_every_interface_with_sign_in(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(SECRETS.format(port=8501, secret=secrets.token_urlsafe(24)))
    process, port = _serve(tmp_path, "--address", "0.0.0.0")
    try:
        assert _listening(port) == {"0.0.0.0"}
    finally:
        stop_process(process)
