"""The local server's memory bounds: what the JVM's command line and neo4j.conf carry (no server needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.errors import UserError
from graph.store.server import JVM_ENVIRONMENT, Memory, _config, parse_size, server_command
from tests.conftest import REPO

MIB = 2**20
GIB = 2**30


def settings(conf: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in conf.splitlines() if line and not line.startswith("#"))


def flag(command: list[str], prefix: str) -> int:
    """The size a JVM flag such as -Xmx or -XX:MaxDirectMemorySize= sets, in bytes (exactly one such flag)."""
    values = [arg[len(prefix):] for arg in command if arg.startswith(prefix)]
    assert len(values) == 1, (prefix, values)
    return parse_size(values[0], prefix)


@pytest.mark.parametrize("environ", [{}, {"RELGRAPH_NEO4J_HEAP": "4g"}, {"RELGRAPH_NEO4J_HEAP": "512m"},
                                     {"RELGRAPH_NEO4J_HEAP": "3000m", "RELGRAPH_NEO4J_PAGECACHE": "2g"}])
def test_the_jvm_gets_the_heap_and_every_other_bound_on_its_command_line(environ):
    # The JVM reads no heap size from neo4j.conf: without -Xmx it took a quarter of the machine's RAM.
    memory = Memory.from_environment(environ)
    command = server_command("java", Path("/lib"), Path("/home"), memory)
    heap = parse_size(environ.get("RELGRAPH_NEO4J_HEAP", "1g"), "heap")
    assert flag(command, "-Xmx") == flag(command, "-Xms") == heap
    assert flag(command, "-XX:MaxDirectMemorySize=") <= heap
    assert flag(command, "-XX:MaxMetaspaceSize=") <= 256 * MIB
    # The flags come before the class path and the entry point, or the JVM would pass them to Neo4j.
    assert command.index("-cp") > max(i for i, arg in enumerate(command) if arg.startswith("-X"))
    conf = settings(_config(7687, memory))
    assert parse_size(conf["server.memory.heap.max_size"], "conf") == heap
    assert parse_size(conf["server.memory.pagecache.size"], "conf") == parse_size(
        environ.get("RELGRAPH_NEO4J_PAGECACHE", "512m"), "pagecache")


@pytest.mark.parametrize("heap", ["256m", "1g", "1500m", "4g", "16g"])
def test_transaction_caps_stay_inside_the_heap(heap):
    conf = settings(_config(7687, Memory.from_environment({"RELGRAPH_NEO4J_HEAP": heap})))
    heap_bytes = parse_size(heap, "heap")
    total = parse_size(conf["db.memory.transaction.total.max"], "total")
    each = parse_size(conf["db.memory.transaction.max"], "each")
    assert 0 < each < total <= heap_bytes // 2
    assert total >= 10 * MIB  # Neo4j refuses a smaller total cap


def test_the_defaults():
    memory = Memory.from_environment({})
    assert (memory.heap, memory.pagecache, memory.tx_total, memory.tx_each, memory.direct) == (
        GIB, 512 * MIB, 512 * MIB, 256 * MIB, GIB)
    assert JVM_ENVIRONMENT == {"MALLOC_ARENA_MAX": "2"}


def test_each_bound_can_be_set_on_its_own():
    memory = Memory.from_environment({"RELGRAPH_NEO4J_HEAP": "2g", "RELGRAPH_NEO4J_TX_MEMORY": "1500m",
                                      "RELGRAPH_NEO4J_TX_MEMORY_EACH": "1g",
                                      "RELGRAPH_NEO4J_DIRECT_MEMORY": "128m"})
    assert (memory.heap, memory.tx_total, memory.tx_each, memory.direct) == (2 * GIB, 1500 * MIB, GIB, 128 * MIB)
    # A total cap set below the default single cap lowers the single cap with it.
    assert Memory.from_environment({"RELGRAPH_NEO4J_TX_MEMORY": "100m"}).tx_each == 100 * MIB


@pytest.mark.parametrize(("environ", "message"), [
    ({"RELGRAPH_NEO4J_TX_MEMORY": "2g"}, "RELGRAPH_NEO4J_TX_MEMORY=2g does not fit in the heap"),
    ({"RELGRAPH_NEO4J_HEAP": "2g", "RELGRAPH_NEO4J_TX_MEMORY": "2g"}, "does not fit in the heap"),
    ({"RELGRAPH_NEO4J_TX_MEMORY_EACH": "600m"}, "RELGRAPH_NEO4J_TX_MEMORY_EACH=600m is more than all"),
    ({"RELGRAPH_NEO4J_HEAP": "a lot"}, "RELGRAPH_NEO4J_HEAP=a lot is not a size"),
])
def test_caps_that_do_not_fit_are_refused_in_plain_words(environ, message):
    with pytest.raises(UserError, match=re.escape(message)):
        Memory.from_environment(environ)


def test_docker_compose_carries_the_same_bounds():
    compose = (REPO / "docker-compose.yml").read_text()
    memory = Memory.from_environment({})

    def value(name: str) -> int:
        match = re.search(rf"^\s+{re.escape(name)}: (\S+)$", compose, re.M)
        assert match, name
        return parse_size(match.group(1).strip("\"'").removeprefix("-XX:MaxDirectMemorySize="), name)

    assert value("NEO4J_server_memory_heap_max__size") == value("NEO4J_server_memory_heap_initial__size") == memory.heap
    assert value("NEO4J_server_memory_pagecache_size") == memory.pagecache
    assert value("NEO4J_db_memory_transaction_total_max") == memory.tx_total
    assert value("NEO4J_db_memory_transaction_max") == memory.tx_each
    assert value("NEO4J_server_jvm_additional") == memory.direct
    assert re.search(r'^\s+MALLOC_ARENA_MAX: "2"$', compose, re.M)
