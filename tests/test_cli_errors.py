"""Every user error on the command line exits 2 with one clear line, fast, and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import neo4j.exceptions
import networkx as nx
import pytest

import cli.query
from cli.main import main
from graph.analysis import reach
from graph.errors import UserError
from tests.conftest import REPO


def relgraph_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The real CLI with `env` on top of this process's environment (no server needed: it fails first)."""
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


def assert_one_line(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relgraph: "), done.stderr
    assert all(word in lines[0] for word in words), lines[0]


@pytest.mark.parametrize("args, words", [
    (["query", "top_customers", "--param", "limit=99999999999999999999"], ["--param", "out of range"]),
    (["query", "search_names", "--param", "text=" + "long name " * 100], ["too long"]),
    (["reach", "--spread", "P1", "--prob", "0.1", "--seed", "-1"], ["--seed", "0 or more"]),
    (["query", "--cypher", "RETURN 1", "--timeout", "nan"], ["--timeout", "more than 0"]),
    (["query", "--cypher", "RETURN 1", "--timeout", "inf"], ["--timeout", "at most"]),
    (["query", "--cypher", "RETURN 1", "--timeout", "1e308"], ["--timeout", "at most"]),
    (["reach", "--campaign", "3", "--prob", "0.1", "--runs", "1000000000"], ["--runs", "100,000"]),
])
def test_bad_values_exit_2_before_any_work(relgraph, args, words):
    began = time.monotonic()
    assert_one_line(relgraph(*args), *words)
    assert time.monotonic() - began < 30


@pytest.mark.parametrize("value", ["abc", "-5", "0", "nan", "1e308"])
def test_a_query_timeout_that_is_no_timeout_is_refused(value):
    done = relgraph_with({"RELGRAPH_QUERY_TIMEOUT": value}, "query", "--cypher", "RETURN 1")
    assert_one_line(done, "RELGRAPH_QUERY_TIMEOUT")


@pytest.mark.parametrize("uri", ["not a uri", "http://127.0.0.1:7474"])
def test_a_uri_that_is_not_neo4j_is_refused(uri):
    assert_one_line(relgraph_with({"NEO4J_URI": uri}, "query", "--cypher", "RETURN 1"), "NEO4J_URI")


@pytest.mark.parametrize("action", ["start", "status", "stop"])
def test_a_server_home_under_a_file_is_refused(tmp_path, action):
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")
    assert_one_line(relgraph_with({}, "db", action, "--home", str(a_file / "sub"), "--bolt-port", "7999"),
                    "--home", "is a file")


def test_neo4j_going_away_during_a_command_is_one_line_and_exit_1(monkeypatch, capsys):
    def lose_the_server(args):
        raise neo4j.exceptions.ServiceUnavailable("connection reset")

    monkeypatch.setattr(cli.query, "run", lose_the_server)
    assert main(["query", "--list"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lost the connection to Neo4j" in err[0]


def test_a_celf_too_big_for_memory_is_refused_before_allocating():
    star = nx.DiGraph((0, i) for i in range(1, 12_000))
    began = time.monotonic()
    with pytest.raises(UserError, match="runs fit") as refused:
        reach.campaign(star, 2, 0.1, runs=100_000, method="celf")
    assert refused.value.field == "runs" and time.monotonic() - began < 5
