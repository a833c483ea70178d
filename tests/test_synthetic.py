"""The synthetic network: deterministic, valid, realistic in shape, streamed, and loadable."""

from __future__ import annotations

import tracemalloc
from collections import Counter

import networkx as nx

from loaders.synthetic import generate, write_csv_folder
from loaders.validate import validate_folder


def rows(customers: int, seed: int = 1) -> dict[str, list[dict]]:
    return {name: list(gen) for name, gen in generate(customers, seed).items()}


def test_same_seed_same_rows_other_seed_other_rows():
    assert rows(500, 3) == rows(500, 3)
    assert rows(500, 3)["referrals.csv"] != rows(500, 4)["referrals.csv"]


def test_shape_of_the_network():
    data = rows(2000)
    customers = {r["customer_id"] for r in data["orders.csv"]}
    assert len(customers) == 2000
    assert sum(c.startswith("CB") for c in customers) == 200  # a tenth are businesses
    totals = sorted(r["total"] for r in data["orders.csv"])
    assert totals[-1] > 5 * totals[len(totals) // 2]  # skewed: the largest order far above the median
    per_pair = Counter((r["client_id"], r["sku"]) for r in data["supplies.csv"])
    assert 1 in per_pair.values() and max(per_pair.values()) > 1  # single and multiple sources
    shares = Counter()
    for r in data["supplies.csv"]:
        shares[(r["client_id"], r["sku"])] += r["share_pct"]
    assert all(abs(total - 100) < 0.5 for total in shares.values())
    referrals = nx.DiGraph((r["referrer_id"], r["referred_id"]) for r in data["referrals.csv"] if r["converted"])
    assert nx.dag_longest_path_length(referrals) >= 3  # cascades several levels deep
    out_degrees = sorted((d for _, d in referrals.out_degree()), reverse=True)
    assert out_degrees[0] >= 5 * max(1, out_degrees[len(out_degrees) // 2])  # heavy-tailed


def test_csv_folder_validates_cleanly(tmp_path):
    counts = write_csv_folder(tmp_path, 1500, seed=2)
    validation = validate_folder(tmp_path)
    assert validation.problems == []
    assert {name: len(parsed.rows) for name, parsed in validation.files.items()} == counts


def test_rows_are_streamed_not_held():
    """Generating holds no rows: peak memory per customer is a few bytes (the referral pool), not kilobytes."""
    customers = 15_000
    tracemalloc.start()
    produced = sum(1 for gen in generate(customers).values() for _ in gen)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert produced > 5 * customers
    assert peak / customers < 100, peak  # a row alone is several hundred bytes


def test_round_trip_synthetic_csv_load_counts(tmp_path, db, relgraph):
    counts = write_csv_folder(tmp_path, 800, seed=5)
    done = relgraph("load", "csv", str(tmp_path))
    assert done.returncode == 0, done.stderr
    people = db.read("MATCH (n:Person) RETURN count(n) AS n")[0]["n"]
    orders = db.read("MATCH (n:Order) RETURN count(n) AS n")[0]["n"]
    lines = db.read("MATCH ()-[r:INCLUDES]->() RETURN count(r) AS n")[0]["n"]
    referrals = db.read("MATCH ()-[r:REFERRED]->() RETURN count(r) AS n")[0]["n"]
    supplies = db.read("MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS n")[0]["n"]
    assert (people, orders, lines, referrals, supplies) == (
        counts["people.csv"], counts["orders.csv"], counts["order_lines.csv"], counts["referrals.csv"],
        counts["supplies.csv"])
    direct = relgraph("load", "synthetic", "--customers", "800", "--seed", "5")  # straight in: the same graph
    assert direct.returncode == 0, direct.stderr
    assert "created 0 nodes and 0 relationships" in direct.stdout


def test_bad_options_exit_2_with_one_line(tmp_path, relgraph):
    (tmp_path / "file").write_text("")
    for args, message in [(["--seed", "-1"], "--seed must be 0 or more"),
                          (["--customers", "0"], "--customers must be at least 1"),
                          (["--out", str(tmp_path / "file" / "sub")], "cannot write the folder there")]:
        done = relgraph("load", "synthetic", "--customers", "5", *args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
