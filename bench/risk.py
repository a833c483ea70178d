"""Benchmark of the supplier ranking against its floor: one ``nx.descendants`` per supplier.

    python bench/risk.py [--customers N]         # the synthetic database (default 1,000,000 customers)
    python bench/risk.py --random-companies N    # a random layered supply network, no database

Both are timed in the same run on the same projected graph; the ratio ranking / floor is the figure
to watch (target: 3 or less). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import networkx as nx

from graph.analysis.risk import supplier_ranking
from graph.projection import supply_network

REPO = Path(__file__).resolve().parent.parent


def random_supply_network(companies: int, seed: int = 1) -> nx.MultiDiGraph:
    """A layered random supply network: raw materials -> parts -> assemblers -> sellers, plus a few cycles.

    Each company below the top tier buys one to three skus, each from one to three companies of
    the tier above (shares drawn at random, not summing to 100); one edge in 200 goes back up a
    tier, so the network has cycles.
    """
    rng = random.Random(seed)
    sizes = [max(1, int(companies * f)) for f in (0.01, 0.04, 0.15)]
    tiers, start = [], 0
    for size in [*sizes, companies - sum(sizes)]:
        tiers.append([f"C{i}" for i in range(start, start + size)])
        start += size
    skus = [f"sku{i}" for i in range(100)]
    G = nx.MultiDiGraph()
    for tier in tiers:
        G.add_nodes_from((c, {"name": c, "region": f"R{rng.randrange(8)}", "revenue": rng.uniform(1e3, 1e6),
                              "customers": frozenset()}) for c in tier)
    for upper, lower in zip(tiers, tiers[1:], strict=False):
        for client in lower:
            for sku in rng.sample(skus, 3)[:rng.randint(1, 3)]:
                for supplier in rng.sample(upper, min(len(upper), rng.randint(1, 3))):
                    G.add_edge(supplier, client, key=sku, share=rng.uniform(5, 100),
                               lead_time_days=rng.choice([None, 7, 14, 30, 60]), annual_volume=None)
                    if rng.random() < 0.005:
                        G.add_edge(client, supplier, key="service", share=rng.uniform(5, 100),
                                   lead_time_days=None, annual_volume=None)
    return G


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(G: nx.MultiDiGraph) -> None:
    suppliers = [n for n in G if G.succ[n]]
    print(f"graph: {G.number_of_nodes():,} companies, {G.number_of_edges():,} SUPPLIES edges, "
          f"{len(suppliers):,} suppliers; peak memory so far {peak_mib():,.0f} MiB")
    began = time.perf_counter()
    reached = sum(len(nx.descendants(G, s)) for s in suppliers)
    floor = time.perf_counter() - began
    print(f"floor   (nx.descendants per supplier): {floor:8.2f} s  ({reached:,} companies reached)")
    began = time.perf_counter()
    ranking = supplier_ranking(G)
    elapsed = time.perf_counter() - began
    print(f"ranking (supplier_ranking, full):      {elapsed:8.2f} s  ({len(ranking):,} suppliers)")
    print(f"ratio ranking / floor: {elapsed / floor:.2f}   peak memory {peak_mib():,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="size of the synthetic database")
    parser.add_argument("--random-companies", type=int, default=None,
                        help="instead, a random layered supply network of this many companies (no database)")
    args = parser.parse_args()
    if args.random_companies:
        began = time.perf_counter()
        G = random_supply_network(args.random_companies)
        print(f"generated in {time.perf_counter() - began:.1f} s")
    else:
        sys.path.insert(0, str(REPO))
        from bench.common import synthetic_database

        with synthetic_database(args.customers, seed=1) as db:
            began = time.perf_counter()
            G = supply_network(db)
            print(f"projected in {time.perf_counter() - began:.1f} s")
    bench(G)


if __name__ == "__main__":
    main()
