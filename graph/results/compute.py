"""The default analyses, computed once per data version and stored for every process to read.

After a load, one process projects the networks and computes the supplier ranking, single
sources, concentration, the referral metrics (influence included) and the communities, and
stores them with the projected networks (graph.results.store). Every other caller, in any
process, reads them: :func:`current` returns the stored analysis of the data as it is now,
computing it only when nobody has, and waiting for a computation already under way rather than
repeating it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

import networkx as nx

from graph.analysis import reach, risk
from graph.errors import UserError
from graph.gcpause import gc_paused
from graph.projection import referral_network, supply_network
from graph.results.compact import (
    referral_array_parts,
    referral_from_tables,
    referral_tables,
    supply_from_tables,
    supply_tables,
)
from graph.results.counts import count_tables
from graph.results.store import ResultStore, Stored
from graph.store.db import Database

__all__ = ["RESULTS", "Outcome", "ProgressFn", "analyse", "current", "referral_graph", "supply_graph", "supply_table"]

ProgressFn = Callable[[float, str], None]
"""Told the fraction done (0..1) and the step under way."""

RESULTS = {
    "supplier_ranking": risk.SupplierRisk,
    "single_sources": risk.SingleSource,
    "concentration": risk.Concentration,
    "referral_metrics": reach.Referrer,
    "communities": reach.Community,
}
"""The stored results and the dataclass of their rows; the projected networks are stored too
(tables ``companies``, ``supplies``, ``sales``, ``people``, ``referrals``), and the graph's counts
(graph.results.counts)."""

ATTEMPTS = 3  # analyses started again when the data changed while they read it

# (step, share of the time it takes), as measured at 1M on a quiet machine (33.5 s: reading 12.2 s,
# referral metrics 3.1 s, communities 2.5 s, the supply read already done, ranking 4.4 s, storing 11.3 s)
_STEPS = [("reading the networks", 0.36), ("measuring referrals", 0.09), ("finding communities", 0.08),
          ("reading the supply network", 0.01), ("ranking suppliers", 0.13), ("storing", 0.33)]


@dataclass(frozen=True)
class Outcome:
    """What a call of :func:`analyse` did: the analysis now stored, and whether this call computed it."""

    stored: Stored
    computed: bool


def supply_graph(stored: Stored) -> nx.MultiDiGraph:
    """The supply network an analysis was computed on, rebuilt from its stored tables (no Neo4j read)."""
    with gc_paused():
        return supply_from_tables({name: stored.columns(name) for name in ("companies", "supplies", "sales")})


def supply_table(stored: Stored) -> risk.SupplyTable:
    """The supply network an analysis was computed on, as the columns a what-if runs on: the stored
    companies and links (no graph is built), customers counted in the stored sales of the failed
    companies only."""
    companies, links = stored.columns("companies"), stored.columns("supplies")
    return risk.SupplyTable(id=companies["id"], name=companies["name"], region=companies["region"],
                            revenue=companies["revenue"], supplier=links["supplier"], client=links["client"],
                            sku=links["sku"], share=links["share"], lead_time_days=links["lead_time_days"],
                            count_customers=partial(stored.count_distinct, "sales", "customer", "seller"))


def referral_graph(stored: Stored) -> nx.DiGraph:
    """The referral network an analysis was computed on, rebuilt from its stored tables (no Neo4j read)."""
    with gc_paused():
        return referral_from_tables({name: stored.columns(name) for name in ("people", "referrals")})


def _ignore(fraction: float, step: str) -> None:
    pass


def current(db: Database, store: ResultStore | None = None, progress: ProgressFn = _ignore) -> Stored:
    """The stored analysis of the data as it is now: read when there is one, else computed (or
    waited for, when another process is computing it)."""
    return analyse(db, store, progress).stored


def analyse(db: Database, store: ResultStore | None = None, progress: ProgressFn = _ignore,
            force: bool = False) -> Outcome:
    """Compute and store the default analyses of the data now, unless they are stored already.

    One process at a time computes (a lock beside the store); a caller that finds another one at
    work waits for it, reporting its progress, and then uses what it stored. With `force`, the
    analysis is computed again even when stored.
    """
    store = store or ResultStore()
    while True:
        version = db.data_version()
        if not force and (stored := store.get(version)):
            return Outcome(stored, computed=False)
        with store.lock(wait=False) as mine:
            if mine:
                if not force and (stored := store.get(db.data_version())):
                    return Outcome(stored, computed=False)  # finished by another process just before
                return Outcome(_compute(db, store, progress), computed=True)
        _wait(store, progress)
        force = False  # what the other process stored is as fresh as ours would be


def _wait(store: ResultStore, progress: ProgressFn) -> None:
    """Follow another process's analysis until it lets go of the lock."""
    while store.busy():
        running = store.progress()
        if running is not None:
            progress(running.fraction, running.step)
        time.sleep(0.2)


def _compute(db: Database, store: ResultStore, progress: ProgressFn) -> Stored:
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    for _ in range(ATTEMPTS):
        version = db.data_version()

        def step(number: int, version: str = version) -> None:
            done = sum(share for _, share in _STEPS[:number])
            store.report(version, done, _STEPS[number][0], started_at)
            progress(done, _STEPS[number][0])

        # Neo4j answers the supply and count queries on its own threads while this one reads the
        # referral network and measures it: on two cores the slowest read (sales per seller) then
        # costs no wall time.
        with gc_paused(), ThreadPoolExecutor(max_workers=2) as pool:
            step(0)
            supply_read, counts_read = pool.submit(supply_network, db), pool.submit(count_tables, db)
            referral = referral_network(db)
            step(1)
            metrics = reach.referral_metrics(referral)
            step(2)
            communities = reach.communities(referral, seed=0)
            step(3)
            supply, counts = supply_read.result(), counts_read.result()
            if db.data_version() != version:
                continue  # written to while read: the networks may mix two versions, so read again
            step(4)
            ranking = risk.supplier_ranking(supply)
            single, concentration = risk.single_source_links(supply), risk.concentration(supply)
            step(5)
            results = dict(zip(RESULTS, (ranking, single, concentration, metrics, communities), strict=True))
            stored = store.save(version, {**supply_tables(supply), **referral_tables(referral), **counts},
                                {name: (rows, RESULTS[name]) for name, rows in results.items()}, started,
                                arrays=referral_array_parts(referral))
        progress(1.0, "done")
        return stored
    raise UserError(f"the data kept changing while it was analysed ({ATTEMPTS} attempts); try again after the load")
