"""Latency of the per-entity named queries on a synthetic database: p50 and p95, warm.

    python bench/named_queries.py [--customers N] [--samples S]

Each query runs the way the CLI and the app run it (queries.execute.run_named: the read-only
guard's EXPLAIN, then the query in a read transaction), once per sampled entity, after one warm-up
pass over the same entities so plans and pages are cached. Target: p95 <= 50 ms per query.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from graph.store.db import Database
from queries.execute import run_named

REPO = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0


def sample(db: Database, query: str, size: int, rng: random.Random) -> list[Any]:
    """``size`` values of the one column of ``query``, drawn at random (with replacement).

    ``query`` is given ``$pool``: candidates are the first ``20 * size`` of their kind.
    """
    values = [next(iter(row.values())) for row in db.read(query, {"pool": 20 * size}, timeout=600)]
    if not values:
        return []
    return [rng.choice(values) for _ in range(size)]


def workloads(db: Database, size: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Parameters for each per-entity query: entities drawn from the database itself."""
    rng = random.Random(seed)
    people = sample(db, "MATCH (p:Person:Customer) RETURN p.personId AS id LIMIT $pool", size, rng)
    workers = sample(db, "MATCH (p:Person)-[:WORKS_AT]->() RETURN DISTINCT p.personId AS id LIMIT $pool", size,
                     rng)
    referred = sample(db, "MATCH ()-[:REFERRED]->(p) RETURN DISTINCT coalesce(p.personId, p.companyId) AS id "
                          "LIMIT $pool", size, rng)
    referrers = sample(db, "MATCH (p)-[:REFERRED]->() RETURN DISTINCT coalesce(p.personId, p.companyId) AS id "
                           "LIMIT $pool", size, rng)
    companies = sample(db, "MATCH (c:Company) RETURN c.companyId AS id LIMIT $pool", size, rng)
    sellers = sample(db, "MATCH (c:Company) WHERE EXISTS { (c)<-[:SOLD_BY]-() } RETURN c.companyId AS id "
                         "LIMIT $pool", size, rng)
    clients = sample(db, "MATCH (c:Company) WHERE EXISTS { (c)<-[:SUPPLIES]-() } RETURN c.companyId AS id "
                         "LIMIT $pool", size, rng)
    suppliers = sample(db, "MATCH (c:Supplier) RETURN c.companyId AS id LIMIT $pool", size, rng)
    makers = sample(db, "MATCH (c:Company) WHERE EXISTS { (c)-[:MAKES]->() } RETURN c.companyId AS id "
                        "LIMIT $pool", size, rng)
    skus = sample(db, "MATCH (p:Product) RETURN p.sku AS sku LIMIT $pool", size, rng)
    regions = sample(db, "MATCH (c:Supplier) RETURN DISTINCT c.region AS region", size, rng)
    names = sample(db, "MATCH (p:Person) RETURN p.name AS name LIMIT $pool", size, rng)
    return {
        "entity": [{"id": i} for i in people],
        "node": [{"label": "Company", "key": i} for i in companies],
        "customer_360": [{"id": i} for i in people],
        "customer_accounts": [{"id": i} for i in people],
        "customer_interactions": [{"id": i} for i in people],
        "referrals_out": [{"id": i} for i in referrers],
        "referrals_in": [{"id": i} for i in referred],
        "colleagues": [{"id": i} for i in workers],
        "employers": [{"id": i} for i in workers],
        "company_360": [{"id": i} for i in companies],
        "company_customers": [{"id": i} for i in sellers],
        "company_suppliers": [{"id": i} for i in clients],
        "company_clients": [{"id": i} for i in suppliers],
        "company_products": [{"id": i} for i in makers],
        "company_employees": [{"id": i} for i in companies],
        "single_source_links": [{"clientId": i} for i in clients],
        "suppliers_by_region": [{"region": r} for r in regions if r is not None],
        "product_360": [{"sku": s} for s in skus],
        "product_buyers": [{"sku": s} for s in skus],
        "product_bom": [{"sku": s} for s in skus],
        "search_names": [{"text": n[:-1] + "x"} for n in names if n],  # a typo in the last letter
        "search_ids": [{"text": i[:-1]} for i in people],  # a prefix
        "neighbours": [{"id": i} for i in people],
        "shortest_path": [{"fromId": a, "toId": b} for a, b in zip(people, referred, strict=False)],
    }


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def bench(db: Database, size: int, seed: int = 1) -> list[tuple[str, float, float]]:
    """(query, p50 ms, p95 ms) for each per-entity query, printed as they are measured."""
    results = []
    print(f"{'query':24} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8}  rows/run")
    for name, runs in workloads(db, size, seed).items():
        if not runs:
            print(f"{name:24} (no entities of this kind in the database)")
            continue
        for params in runs:  # warm-up: plans compiled, pages cached
            _timed(db, name, params)
        measured = [_timed(db, name, params) for params in runs]
        latencies = [ms for ms, _ in measured]
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        mark = "" if p95 <= TARGET_P95_MS else "  over target"
        rows = statistics.mean(n for _, n in measured)
        print(f"{name:24} {len(runs):5d} {p50:8.1f} {p95:8.1f}  {rows:8.1f}{mark}", flush=True)
        results.append((name, p50, p95))
    over = [name for name, _, p95 in results if p95 > TARGET_P95_MS]
    verdict = f"missed by {', '.join(over)}" if over else "met by every query"
    print(f"target p95 <= {TARGET_P95_MS:g} ms: {verdict}")
    return results


def _timed(db: Database, name: str, params: dict[str, Any]) -> tuple[float, int]:
    began = time.perf_counter()
    rows = len(run_named(db, name, params).rows)
    return (time.perf_counter() - began) * 1000, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="size of the synthetic database")
    parser.add_argument("--samples", type=int, default=200, help="entities (runs) per query")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from bench.common import synthetic_database

    with synthetic_database(args.customers, seed=1) as db:
        bench(db, args.samples)


if __name__ == "__main__":
    main()
