"""Benchmark of word-of-mouth reach: cascade metrics, Monte Carlo spread and campaign seeds.

    python bench/reach.py [--customers N]   # synthetic databases (default 1,000,000 customers)
    python bench/reach.py --random N        # random referral forests, no database

Timed on the referral network of N customers: the per-customer metrics (first call: the arrays,
the cascades, PageRank and one row per customer) against nx.pagerank alone on a prepared graph;
the expected spread of the 10 most influential customers with 1,000 runs against the plain
per-run Python loop (BFS with random.random per edge) on the same network (target: 20x or more
once the arrays are cached; the first call also converts the network); a campaign of k = 20 on
N / 10 customers; and on N / 100 customers the spread of IMM's seeds against CELF's, for three
random seeds (target: 0.95 or more for each).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from graph.analysis import reach
from graph.analysis.reach import campaign, expected_spread, referral_metrics

REPO = Path(__file__).resolve().parent.parent

PROB, RUNS, SEED = 0.1, 1000, 1


def random_referral_network(customers: int, seed: int = 1) -> nx.DiGraph:
    """A heavy-tailed random referral forest of `customers` nodes, with a few merges and cycles.

    Two customers in five come in on their own; the others are referred by an earlier customer
    chosen with probability proportional to 1 + the referrals they already made (preferential
    attachment, so a few customers refer hundreds). One referral in ten did not convert; one
    customer in fifty was also referred by a second, random customer, and one in a thousand
    referred an earlier one (a cycle). Revenue is log-normal.
    """
    rng = random.Random(seed)
    G = nx.DiGraph()
    urn: list[int] = []
    for v in range(customers):
        G.add_node(v, name=f"Customer {v}", kind="Person", revenue=round(rng.lognormvariate(5, 1), 2))
        if urn and rng.random() < 0.6:
            referrer = rng.choice(urn)
            G.add_edge(referrer, v, converted=rng.random() < 0.9)
            urn.append(referrer)
            if rng.random() < 0.02:
                G.add_edge(rng.randrange(v), v, converted=True)
            if rng.random() < 0.001:
                G.add_edge(v, rng.randrange(v), converted=True)
        urn.append(v)
    return G


def plain_spread(G: nx.DiGraph, seeds: list, p: float, runs: int, seed: int) -> float:
    """The anchor: one Python breadth-first search per run, a random.random() per edge tried."""
    rng = random.Random(seed)
    total = 0
    for _ in range(runs):
        active, frontier = set(seeds), list(seeds)
        while frontier:
            nxt = []
            for u in frontier:
                for v in G.succ[u]:
                    if v not in active and rng.random() < p:
                        active.add(v)
                        nxt.append(v)
            frontier = nxt
        total += len(active)
    return total / runs


def timed(label: str, work: Callable[[], object], repeat: int = 1) -> tuple[object, float]:
    """The result of `work` and its best wall-clock time over `repeat` calls, printed."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    print(f"{label:<60} {best:8.3f} s")
    return result, best


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reversed_pagerank(G: nx.DiGraph) -> float:
    """The anchor of the metrics: seconds of nx.pagerank on the reversed converted graph, built beforehand."""
    C = nx.DiGraph((v, u) for u, v, c in G.edges(data="converted") if c and u != v)
    C.add_nodes_from(G)
    return timed("anchor: nx.pagerank of the reversed converted graph", lambda: nx.pagerank(C, alpha=0.85))[1]


def bench_metrics_and_spread(G: nx.DiGraph) -> None:
    converted = sum(1 for *_, c in G.edges(data="converted") if c)
    print(f"referral network: {G.number_of_nodes():,} customers, {G.number_of_edges():,} referrals "
          f"({converted:,} converted)")
    anchor = reversed_pagerank(G)
    rows, elapsed = timed("referral_metrics (arrays, cascades, PageRank)", lambda: referral_metrics(G))
    print(f"ratio metrics / pagerank: {elapsed / anchor:.2f}; largest cascade "
          f"{max(r.cascade_size for r in rows):,}, deepest {max(r.cascade_depth for r in rows)}")
    seeds = [r.id for r in rows[:10]]

    def spread() -> reach.Spread:
        return expected_spread(G, seeds, PROB, RUNS, SEED)

    plain, anchor = timed(f"anchor: plain Python spread of 10 seeds, {RUNS:,} runs (best of 3)",
                          lambda: plain_spread(G, seeds, PROB, RUNS, SEED), repeat=3)
    ours, elapsed = timed(f"expected_spread of 10 seeds, {RUNS:,} runs (best of 3)", spread, repeat=3)
    G.__networkx_cache__.clear()
    _, cold = timed("expected_spread, arrays not cached (first call)", spread)
    print(f"spread {ours.expected_spread:,.1f} +- {ours.stderr:.1f} (plain loop: {plain:,.1f}); speed-up "
          f"{anchor / elapsed:.1f}x, {anchor / cold:.1f}x with the conversion")
    print(f"peak memory {peak_mib():,.0f} MiB")


def bench_campaign(G: nx.DiGraph) -> None:
    print(f"campaign network: {G.number_of_nodes():,} customers, {G.number_of_edges():,} referrals")
    result, _ = timed("campaign k=20 (auto)", lambda: campaign(G, 20, PROB, RUNS, SEED))
    print(f"method {result.method}: expected spread {result.expected_spread:,.1f} +- {result.stderr:.1f}   "
          f"peak memory {peak_mib():,.0f} MiB")


def bench_quality(G: nx.DiGraph) -> None:
    """IMM's spread against CELF's for a few random seeds: one lucky draw would prove little."""
    print(f"quality network: {G.number_of_nodes():,} customers, {G.number_of_edges():,} referrals")
    ratios = []
    for seed in range(SEED, SEED + 3):
        celf, _ = timed(f"campaign k=20, CELF, seed {seed}",
                        lambda s=seed: campaign(G, 20, PROB, RUNS, s, method="celf"))
        imm, _ = timed(f"campaign k=20, IMM, seed {seed}", lambda s=seed: campaign(G, 20, PROB, RUNS, s, method="imm"))
        ratios.append(imm.expected_spread / celf.expected_spread)
        print(f"spread IMM {imm.expected_spread:,.1f} vs CELF {celf.expected_spread:,.1f}: ratio {ratios[-1]:.3f}")
    print(f"lowest ratio IMM / CELF: {min(ratios):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="size of the synthetic database")
    parser.add_argument("--random", type=int, default=None, metavar="N",
                        help="instead, random referral forests of N, N/10 and N/100 customers (no database)")
    args = parser.parse_args()
    size = args.random or args.customers
    steps = [(size, bench_metrics_and_spread), (size // 10, bench_campaign), (size // 100, bench_quality)]
    for customers, work in steps:
        print()
        if args.random:
            G, _ = timed(f"random referral network of {customers:,} customers",
                         lambda n=customers: random_referral_network(n))
        else:
            sys.path.insert(0, str(REPO))
            from bench.common import synthetic_database
            from graph.projection import referral_network

            with synthetic_database(customers, seed=1) as db:
                G, _ = timed(f"projected the referral network of {customers:,} customers",
                             lambda db=db: referral_network(db))
        work(G)


if __name__ == "__main__":
    main()
