"""Analyses stored once per data version and shared: the store, the analysis, and `relgraph analyse`."""

from __future__ import annotations

import gc
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graph.analysis import reach, risk
from graph.errors import UserError
from graph.gcpause import gc_paused
from graph.projection import referral_network, supply_network
from graph.results import (
    ResultStore,
    analyse,
    current,
    customer_groups,
    graph_counts,
    referral_arrays,
    referral_graph,
    supply_graph,
)
from graph.results.store import KEEP, RowIds, RowPositions
from loaders.demo import JOHN_SMITH
from loaders.load import load_demo
from queries import stats
from tests.conftest import REPO, cli_env, stop_process


@dataclass(frozen=True)
class Row:
    id: str
    score: float
    members: list[str]


def test_a_saved_analysis_reads_back_by_page_by_id_and_in_order(tmp_path):
    store = ResultStore(tmp_path)
    rows = [Row("a", 3.0, ["x"]), Row("b", 1.0, []), Row("c", 2.0, ["y", "z"])]
    stored = store.save("v1", {"edges": {"src": [0, 1], "dst": [1, 2]}}, {"rows": (rows, Row)}, time.perf_counter())
    assert stored.rows == {"edges": 2, "rows": 3}
    assert stored.results("rows", Row) == rows
    assert stored.results("rows", Row, limit=1, offset=1) == [rows[1]]
    assert [r.id for r in stored.results("rows", Row, order_by="score", descending=False)] == ["b", "c", "a"]
    assert stored.result("rows", Row, "c") == rows[2] and stored.result("rows", Row, "nobody") is None
    assert stored.columns("edges") == {"src": [0, 1], "dst": [1, 2]}
    assert store.get("v1") == stored and store.get("v2") is None
    with pytest.raises(KeyError):
        stored.columns("rows; DROP TABLE meta")


def test_stored_rows_read_only_what_is_asked_and_sort_like_the_tables(tmp_path):
    rows = [Row("a", 3.0, ["x"]), Row("B", None, []), Row("c", 2.0, ["y", "z"]), Row("d", 2.0, [])]
    stored = ResultStore(tmp_path).save("v1", {"people": {"id": ["p", "q", "r"], "name": ["Pat", None, "Rae"]}},
                                        {"rows": (rows, Row)},
                                        time.perf_counter(), arrays={"ptr": np.array([0, 2, 5], dtype=np.int32)})
    lazy = stored.rows_of("rows", Row)
    assert len(lazy) == 4 and lazy[0] == rows[0] and lazy[-1] == rows[3] and lazy[1:3] == rows[1:3]
    assert list(lazy) == rows
    # missing values last either way, ties in rank order, text case-insensitively
    assert [r.id for r in lazy.ordered("score")] == ["a", "c", "d", "B"]
    assert [r.id for r in lazy.ordered("score", descending=False)] == ["c", "d", "a", "B"]
    assert [r.id for r in lazy.ordered("id", descending=False)] == ["a", "B", "c", "d"]
    with pytest.raises(IndexError):
        lazy[4]
    ids, positions = RowIds(stored, "people"), RowPositions(stored, "people")
    assert len(ids) == 3 and ids[2] == "r" and ids[-3] == "p" and list(ids) == ["p", "q", "r"]
    assert positions["q"] == 1 and "nobody" not in positions and list(positions) == ["p", "q", "r"]
    assert stored.array("ptr").tolist() == [0, 2, 5] and stored.array("ptr").dtype == np.int32
    assert stored.names("people", ["r", "q", "nobody", "r"]) == {"r": "Rae", "q": None, "nobody": None}


def test_an_analysis_of_another_format_is_not_read_and_goes_at_the_next_save(tmp_path):
    store = ResultStore(tmp_path)
    stored = store.save("v1", {}, {}, time.perf_counter())
    with sqlite3.connect(stored.path) as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'format'")
    db.close()
    assert store.get("v1") is None
    store.save("v2", {}, {}, time.perf_counter())
    assert not stored.path.exists() and store.get("v2") is not None


def test_the_analysis_just_saved_is_kept_when_others_share_its_second(tmp_path, monkeypatch):
    """computed_at has whole seconds, and a small graph's analyses finish several a second (the tests do)."""
    import graph.results.store as store_module

    class SameSecond(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 1, tzinfo=tz)

    monkeypatch.setattr(store_module, "datetime", SameSecond)
    store = ResultStore(tmp_path)
    for i in range(3 * KEEP):
        assert store.save(f"v{i}", {}, {}, time.perf_counter()).data_version == f"v{i}"
        assert store.get(f"v{i}") is not None
    assert len(list(tmp_path.glob("*.sqlite"))) == KEEP


def test_only_the_last_analyses_are_kept_and_a_partial_one_is_never_read(tmp_path):
    store = ResultStore(tmp_path)
    (tmp_path / "0123456789abcdef.partial-99.sqlite").write_bytes(b"half written")
    for i in range(KEEP + 2):
        store.save(f"v{i}", {}, {}, time.perf_counter())
        time.sleep(1.01)  # computed_at has whole seconds
    assert [store.get(f"v{i}") is not None for i in range(KEEP + 2)] == [False] * 2 + [True] * KEEP
    assert not list(tmp_path.glob("*.partial-*"))
    assert len(store.computations()) == KEEP + 2


def test_the_lock_is_seen_as_busy_from_outside(tmp_path):
    store = ResultStore(tmp_path)
    assert not store.busy() and store.progress() is None
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from graph.results import ResultStore\n"
        f"store = ResultStore(Path({str(tmp_path)!r}))\n"
        "with store.lock():\n"
        "    store.report('v9', 0.4, 'measuring referrals', 'now'); print('held', flush=True); time.sleep(60)\n")],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert store.busy()
        with store.lock(wait=False) as mine:
            assert not mine
        assert (store.progress().fraction, store.progress().step) == (0.4, "measuring referrals")
    finally:
        holder.kill()
        holder.wait()
    assert not store.busy() and store.progress() is None  # a dead holder lets go by itself


@pytest.fixture(scope="module")
def demo_loaded(session_db):
    from graph.store import schema

    schema.wipe(session_db)
    load_demo(session_db)
    return session_db


def test_the_stored_results_are_the_analyses_of_the_data(demo_loaded, tmp_path):
    store = ResultStore(tmp_path)
    outcome = analyse(demo_loaded, store)
    assert outcome.computed and outcome.stored.data_version == demo_loaded.data_version()
    stored = outcome.stored
    supply, referral = supply_network(demo_loaded), referral_network(demo_loaded)
    assert stored.results("supplier_ranking", risk.SupplierRisk) == risk.supplier_ranking(supply)
    assert stored.results("single_sources", risk.SingleSource) == risk.single_source_links(supply)
    assert stored.results("concentration", risk.Concentration) == risk.concentration(supply)
    assert stored.results("referral_metrics", reach.Referrer) == reach.referral_metrics(referral)
    assert stored.results("communities", reach.Community) == reach.communities(referral, seed=0)
    john = stored.result("referral_metrics", reach.Referrer, JOHN_SMITH)
    assert john == next(row for row in reach.referral_metrics(referral) if row.id == JOHN_SMITH)


def test_the_stored_networks_are_the_projected_ones(demo_loaded, tmp_path):
    stored = analyse(demo_loaded, ResultStore(tmp_path)).stored
    for rebuilt, projected in ((supply_graph(stored), supply_network(demo_loaded)),
                               (referral_graph(stored), referral_network(demo_loaded))):
        assert type(rebuilt) is type(projected)
        assert dict(rebuilt.nodes(data=True)) == dict(projected.nodes(data=True))
        assert sorted(rebuilt.edges(data=True), key=repr) == sorted(projected.edges(data=True), key=repr)
    G = referral_graph(stored)
    seeds = [row.id for row in stored.results("referral_metrics", reach.Referrer, limit=3)]
    on_stored = reach.expected_spread(G, seeds, 0.3, runs=200, seed=4)
    assert on_stored == reach.expected_spread(nx.DiGraph(referral_network(demo_loaded)), seeds, 0.3, runs=200, seed=4)


def test_the_stored_counts_are_the_counts_of_the_data(demo_loaded, tmp_path):
    stored = analyse(demo_loaded, ResultStore(tmp_path)).stored
    assert graph_counts(stored) == stats.graph_counts(demo_loaded)
    assert customer_groups(stored) == stats.customers_by_region(demo_loaded)
    assert graph_counts(stored)["labels"]["Person"] > 0 and customer_groups(stored)


def test_the_analysis_leaves_the_garbage_collector_as_it_found_it(demo_loaded, tmp_path):
    assert gc.isenabled()
    analyse(demo_loaded, ResultStore(tmp_path))
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()


def test_spreads_and_campaigns_run_on_the_stored_arrays_as_on_the_graph(demo_loaded, tmp_path):
    stored = analyse(demo_loaded, ResultStore(tmp_path)).stored
    G, arrays = referral_graph(stored), referral_arrays(stored)
    assert len(arrays.nodes) == len(G) and list(arrays.nodes) == list(G)
    assert all(arrays.index[v] == i for i, v in enumerate(G))
    seeds = [row.id for row in stored.results("referral_metrics", reach.Referrer, limit=2)]
    assert reach.expected_spread(arrays, seeds, 0.2, runs=300, seed=1) == reach.expected_spread(G, seeds, 0.2,
                                                                                                runs=300, seed=1)
    for method in ("celf", "imm"):
        assert (reach.campaign(arrays, 2, 0.2, runs=100, seed=3, method=method)
                == reach.campaign(G, 2, 0.2, runs=100, seed=3, method=method))
    with pytest.raises(UserError, match="not in the referral network.*NOBODY"):
        reach.expected_spread(arrays, ["NOBODY"], 0.2)


def test_computed_once_then_read_and_a_write_makes_it_stale(db, tmp_path):
    load_demo(db)
    store = ResultStore(tmp_path)
    first = analyse(db, store)
    again = analyse(db, store)
    assert (first.computed, again.computed) == (True, False)
    assert current(db, store) == first.stored == again.stored
    assert len(store.computations()) == 1
    db.write("CREATE (:Company:Supplier {companyId: 'C-NEW', name: 'New Steel'})")
    assert store.get(db.data_version()) is None  # the old analysis is not the data's any more
    renewed = current(db, store)
    assert renewed.data_version == db.data_version() != first.stored.data_version
    assert len(store.computations()) == 2
    assert "C-NEW" in supply_graph(renewed) and "C-NEW" not in supply_graph(first.stored)


def _analyse_command(neo4j_settings, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli.main", "analyse", *args], cwd=REPO,
                            env=cli_env(neo4j_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_share_one_analysis(db, neo4j_settings, state_dir):
    load_demo(db)
    store = ResultStore(state_dir / "analysis")
    before = len(store.computations())
    first, second = _analyse_command(neo4j_settings, "--json"), _analyse_command(neo4j_settings, "--json")
    reports = [json.loads(process.communicate(timeout=300)[0]) for process in (first, second)]
    assert sorted(report["computed"] for report in reports) == [False, True]
    assert reports[0]["computed_at"] == reports[1]["computed_at"]
    assert len(store.computations()) == before + 1


def test_a_killed_analysis_leaves_the_previous_one_and_the_next_run_completes(db, neo4j_settings, state_dir, relgraph):
    load_demo(db)
    store = ResultStore(state_dir / "analysis")
    previous = current(db, store)
    db.write("MATCH (c:Company) WITH c LIMIT 1 SET c.name = c.name + ' (renamed)'")
    process = subprocess.Popen([sys.executable, "-c", (
        "import time, graph.analysis.reach as reach\n"
        "real = reach.referral_metrics\n"
        "def slow(G):\n"
        "    print('measuring', flush=True); time.sleep(60); return real(G)\n"
        "reach.referral_metrics = slow\n"
        "from cli.main import main; main(['analyse'])\n")],
        cwd=REPO, env=cli_env(neo4j_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "measuring", process.communicate()[1]
        assert store.progress() is not None and store.progress().step == "measuring referrals"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        stop_process(process)
    assert not store.busy()
    assert store.get(previous.data_version) == previous  # still whole and readable
    assert previous.results("supplier_ranking", risk.SupplierRisk, limit=1)
    assert store.get(db.data_version()) is None
    result = relgraph("analyse", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["computed"] and Path(report["path"]).exists()
    assert not list(Path(report["path"]).parent.glob("*.partial-*"))


def test_distinct_values_are_counted_for_a_few_rows_or_most_of_them_through_the_indexes(tmp_path):
    rng = np.random.default_rng(5)
    sales = {"seller": rng.integers(40, size=400).tolist(), "customer": [f"P{c}" for c in rng.integers(150, size=400)]}
    stored = ResultStore(tmp_path).save("v1", {"sales": sales}, {}, time.perf_counter())
    # none, one seller, a few (repeated), half of them (more than an eighth of the rows: the other index), all
    for sellers in ([], [7], [3, 3, 9], list(range(0, 40, 2)), list(range(40))):
        expected = {c for s, c in zip(sales["seller"], sales["customer"], strict=True) if s in sellers}
        assert stored.count_distinct("sales", "customer", "seller", sellers) == len(expected)
    db = sqlite3.connect(stored.path)
    indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'sales'")}
    db.close()
    assert indexes == {"sales", "sales_seller_customer", "sales_customer_seller"}
    for name, column, where in [("sales; DROP TABLE meta", "customer", "seller"), ("meta", "key", "value"),
                                ("sales", 'customer") FROM meta --', "seller"), ("sales", "customer", "nobody")]:
        with pytest.raises(KeyError):
            stored.count_distinct(name, column, where, [1])
