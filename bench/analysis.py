"""Benchmark of the stored analyses: the analysis after a load, then the warm commands that read it.

    python bench/analysis.py [--customers N]   # a synthetic database (default 1,000,000 customers)

Anchors measured in the same run: the CLI's own start-up and round trip
(`relgraph query --cypher "RETURN 1" --json`), and the plain Cypher export of what the projection
reads (the same rows, one record each, every record fetched and dropped). Printed: the projection against that
export (target: at most 2x); `relgraph analyse --force` wall time and peak memory (targets: 60 s,
2 GB at 1M); and each warm command against the start-up anchor (targets: risk, reach --top 10
and reach --spread within 3x; reach --campaign 5 within 5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import synthetic_database  # noqa: E402
from graph.projection import networks  # noqa: E402
from graph.store.db import Database  # noqa: E402

RUNS = 3


def cli(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Wall time of one `relgraph` call and its stdout (the console script's own entry point)."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from cli.main import console; console()", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - began, done.stdout


def median_cli(env: dict[str, str], *args: str) -> float:
    return statistics.median(cli(env, *args)[0] for _ in range(RUNS))


# The anchor: what the projection reads, as plain queries that return one record per row (the
# projection's own queries send their rows as lists, many rows to a record; see networks._IN_CHUNKS).
PLAIN_EXPORT = [
    "MATCH (c:Company) RETURN c.companyId AS id, c.name AS name, c.region AS region",
    """MATCH (s:Company)-[r:SUPPLIES]->(c:Company)
       RETURN s.companyId AS supplier, c.companyId AS client, r.sku AS sku, r.sharePct AS share,
              r.leadTimeDays AS leadTimeDays, r.annualVolume AS annualVolume""",
    networks._SALES_BY_SELLER,
    """MATCH (n)-[:REFERRED]-()
       WITH DISTINCT n
       RETURN coalesce(n.personId, n.companyId) AS id, n.name AS name,
              CASE WHEN n:Person THEN 'Person' ELSE 'Company' END AS kind""",
    """MATCH (a)-[r:REFERRED]->(n)
       WHERE a <> n AND coalesce(r.converted, true)
       WITH n, min(r.date) AS since, count(r.date) < count(r) AS undated
       MATCH (n)-[:PLACED]->(o:Order)
       WHERE undated OR o.date >= since
       RETURN coalesce(n.personId, n.companyId) AS id, sum(o.total) AS revenue""",
    """MATCH (a)-[r:REFERRED]->(b)
       RETURN coalesce(a.personId, a.companyId) AS referrer, coalesce(b.personId, b.companyId) AS referred,
              coalesce(r.converted, true) AS converted""",
]


def plain_export(db: Database) -> float:
    """Seconds to fetch every record of the plain export, building nothing (the anchor)."""
    began = time.perf_counter()
    for query in PLAIN_EXPORT:
        db.stream_tx(lambda tx, q=query: sum(1 for _ in tx.run(q)))
    return time.perf_counter() - began


def projection(db: Database) -> float:
    began = time.perf_counter()
    networks.supply_network(db)
    networks.referral_network(db)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="size of the synthetic database")
    args = parser.parse_args()
    with synthetic_database(args.customers) as db, tempfile.TemporaryDirectory(prefix="relgraph-state-") as state:
        env = dict(os.environ, NEO4J_URI=db.settings.uri, NEO4J_USER=db.settings.user,
                   NEO4J_PASSWORD=db.settings.password, RELGRAPH_STATE_DIR=state)
        anchor = median_cli(env, "query", "--cypher", "RETURN 1", "--json")
        export = plain_export(db)  # twice, around the projection, so both find the page cache as warm
        projected = projection(db)
        export = min(export, plain_export(db))
        print(f"customers: {args.customers:,}")
        print(f"anchor   relgraph query --cypher 'RETURN 1' --json: {anchor:7.2f} s (median of {RUNS})")
        print(f"anchor   plain Cypher export of the projected rows: {export:7.2f} s")
        print(f"projection (supply + referral networks):             {projected:7.2f} s   "
              f"ratio {projected / export:.2f} (target <= 2)")
        seconds, out = cli(env, "analyse", "--force", "--json")
        report = json.loads(out)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"relgraph analyse --force: {seconds:7.2f} s wall ({report['seconds']:.2f} s computing), "
              f"peak RSS of a child so far {peak:,.0f} MiB (targets: 60 s, 2,048 MiB at 1M)")
        top = json.loads(cli(env, "reach", "--top", "1", "--json")[1])["people"][0]["id"]
        for label, command, target in [
            ("risk --json", ("risk", "--json"), 3.0),
            ("reach --top 10 --json", ("reach", "--top", "10", "--json"), 3.0),
            ("reach --spread TOP --prob 0.1 --json", ("reach", "--spread", top, "--prob", "0.1", "--json"), 3.0),
            ("reach --campaign 5 --prob 0.1 --json", ("reach", "--campaign", "5", "--prob", "0.1", "--json"), None),
        ]:
            elapsed = median_cli(env, *command)
            goal = f"target <= {target:g}x" if target else "target <= 5 s"
            print(f"warm {label:<40} {elapsed:7.2f} s   ratio to the anchor {elapsed / anchor:5.2f} ({goal})")


if __name__ == "__main__":
    main()
