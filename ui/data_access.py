"""The pages' one way to the data: each question answered once per data version per process, and shared.

Modelled on Streamlit's ``SQLConnection.query(sql, ttl=...)``: a page asks for "the supplier
ranking" and gets the one for the data as it is now. The analyses come from the store of
graph.results, computed once per data version for every process and command (:func:`analysis`);
a row about one entity is read alone, and a ranking comes as a stored sequence that reads only the
rows asked for (a page of a table is one query, a sort is SQLite's), so a page's first visit never
loads half a million rows. What has to be whole (the supply links a what-if runs on, the referral
network of a cascade tree, the simulations' arrays) is read once per data version in this process,
only by the tab that needs it, and shared by every page and session (``st.cache_resource``: no copy per read, so callers
treat results as read-only). The data version changes with every committed write, so a load makes
every answer fresh without anyone clearing anything; the app reads it once per script run
(:func:`script_run`), so no page shows figures of two versions side by side.

Pages hold no cache plumbing, no Cypher and no algorithm: they call these functions and lay out
what comes back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Hashable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import neo4j
import networkx as nx
import streamlit as st

from graph.analysis import reach, risk
from graph.analysis.reach._arrays import ReferralArrays
from graph.errors import Unavailable, UserError
from graph.results import ResultStore, Stored, StoredRows, analyse
from graph.results import customer_groups as stored_customer_groups
from graph.results import graph_counts as stored_graph_counts
from graph.results import referral_arrays as stored_referral_arrays
from graph.results import referral_graph as stored_referral_graph
from graph.results import supply_table as stored_supply_table
from graph.store.config import settings_from_env
from graph.store.db import Database, connect
from queries.card import Match, entity_card, search_entities
from queries.compose import plan_named_queries
from queries.neighbourhood import Subgraph, story
from queries.schema_info import SchemaOverview, schema_overview
from queries.stats import CustomerGroup, GraphCounts
from queries.vocabulary import Vocabulary
from queries.vocabulary import vocabulary as read_vocabulary

# altair, the pages' heaviest import (a second or more), comes with the data access, which app.py imports:
# paid at the process's first run, as a server pays its start-up, not by each page's first visitor.
from ui import charts

__all__ = [
    "analysis",
    "average_influence",
    "campaign",
    "card",
    "client_concentration",
    "communities",
    "company_names",
    "concentration",
    "concentration_bands",
    "counts",
    "customers",
    "database",
    "expected_spread",
    "node_name",
    "referral_arrays",
    "referral_graph",
    "referral_metrics",
    "referrer",
    "referrer_names",
    "schema",
    "script_run",
    "search",
    "single_sources",
    "story_of",
    "supplier_ranking",
    "supplier_risk",
    "supply_links",
    "supply_table",
    "top_referrers",
    "version",
    "vocabulary",
    "wait_for_start_up",
    "what_if",
]

WHOLE_GRAPH_VERSIONS = 2  # data versions of each whole-graph result kept per process (the new and the last)


@st.cache_resource(show_spinner=False)
def _database() -> Database:
    # A failure raises and is not cached, so the next rerun tries again: the app recovers by
    # itself once Neo4j is back, without a restart.
    global _start_up
    db = connect(settings_from_env())
    _start_up = threading.Thread(target=_warm_up, args=(db,), name="relgraph-warm-up", daemon=True)
    _start_up.start()
    return db


_start_up: threading.Thread | None = None


def _warm_up(db: Database) -> None:
    """What a first visitor would otherwise wait for, done once at the process's start, in the background:
    Altair builds the validators it checks each chart with (ui.charts.warm_up), Neo4j plans the cards'
    and searches' queries (queries.compose.plan_named_queries), and the supply table every what-if runs
    on is read from the stored analysis with its indexes (0.4-0.7 s at a million customers). Best
    effort: a visit does whatever this did not."""
    charts.warm_up()
    with contextlib.suppress(neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, UserError):
        plan_named_queries(db)
        stored = _store().get(db.data_version())
        if stored is not None:
            _supply(stored.data_version).prepare()


def wait_for_start_up() -> None:
    """Return once the start-up work of :func:`_warm_up` is done (benchmarks and tests that count reads wait)."""
    if _start_up is not None:
        _start_up.join()


def database() -> Database:
    """The process-wide Database (one driver per process), connected on first use."""
    return _database()


def node_name(G: nx.Graph, node: Hashable) -> str:
    """The name of a company or customer of a projected network, or its id when it has none."""
    attrs = G.nodes.get(node) or {}
    return attrs.get("name") or str(node)


@dataclass
class _Run:
    """What one script run has read already: the data version and the analysis stored for it."""

    version: str | None = None
    stored: Stored | None = None


_RUN: ContextVar[_Run | None] = ContextVar("relgraph_script_run", default=None)


@contextlib.contextmanager
def script_run() -> Iterator[None]:
    """Answer every question asked inside for one data version, read once (app.py wraps each script run in it).

    Reading the version is a Neo4j round trip, and a company's card asks for it once per figure; read once,
    it also keeps a write that commits mid-run from showing half a page for the old data and half for the
    new. Code that runs outside (a page run alone, a fragment's own rerun) reads the version at every call.
    """
    token = _RUN.set(_Run())
    try:
        yield
    finally:
        _RUN.reset(token)


def version() -> str:
    """The data version now: the token every cached answer is keyed on (it changes with every write);
    within :func:`script_run`, the one read at its first call."""
    run = _RUN.get()
    if run is None:
        return database().data_version()
    if run.version is None:
        run.version = database().data_version()
    return run.version


# --- counts and schema --------------------------------------------------------------------------

@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner=False)
def _counts(data_version: str) -> GraphCounts:
    return stored_graph_counts(_stored(data_version))


def counts() -> GraphCounts:
    """Nodes per label, relationships per type and the revenue of all orders, as the analysis of the data now
    stored them (counting a million orders in Neo4j takes seconds)."""
    return _counts(analysis().data_version)


@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner=False)
def _customers(data_version: str) -> list[CustomerGroup]:
    return stored_customer_groups(_stored(data_version))


def customers() -> list[CustomerGroup]:
    """Customers per type and region, as the analysis of the data now stored them."""
    return _customers(analysis().data_version)


@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner=False)
def _schema(data_version: str) -> SchemaOverview:
    return schema_overview(database())


def schema() -> SchemaOverview:
    """The database's constraints and indexes."""
    return _schema(version())


@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner=False)
def _vocabulary(data_version: str) -> Vocabulary:
    return read_vocabulary(database())


def vocabulary() -> Vocabulary:
    """The words of the live schema that the Cypher editor completes (labels, types, keys, functions)."""
    return _vocabulary(version())


# --- entities -----------------------------------------------------------------------------------

@st.cache_resource(ttl=600, max_entries=500, show_spinner=False)
def _search(data_version: str, text: str) -> list[Match]:
    return search_entities(database(), text)


def search(text: str) -> list[Match]:
    """People and companies matching `text` by id or name."""
    return _search(version(), text)


@st.cache_resource(ttl=600, max_entries=200, show_spinner=False)
def _card(data_version: str, entity_id: str) -> dict[str, Any] | None:
    return entity_card(database(), entity_id)


def card(entity_id: str) -> dict[str, Any] | None:
    """Everything around one person or company (see queries.card.entity_card), or None."""
    return _card(version(), entity_id)


@st.cache_resource(ttl=600, max_entries=1000, show_spinner=False)
def _story(data_version: str, start: str, rel_types: tuple[str, ...], depth: int,
           pages: tuple[tuple[str, int], ...], limit: int) -> Subgraph:
    return story(database(), start, rel_types, depth, dict(pages), limit)


def story_of(start: str, rel_types: tuple[str, ...], depth: int, pages: tuple[tuple[str, int], ...],
             limit: int) -> Subgraph:
    """The network that tells a picture id's own story, hubs folded (see queries.neighbourhood.story);
    ``pages``: (folded node id, pages opened) pairs."""
    return _story(version(), start, rel_types, depth, pages, limit)


# --- the stored analysis ------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _store() -> ResultStore:
    return ResultStore()


def analysis() -> Stored:
    """The stored analysis of the data now (graph.results), shared with every process and command.

    When nobody has computed it yet, this run computes it, or follows the process that is doing
    so, under a progress bar ("Analysing the new data: 40%"); every later caller reads it.
    """
    run = _RUN.get()
    if run is not None and run.stored is not None:
        return run.stored
    stored = _store().get(version())
    if stored is None:
        bar = st.progress(0.0, text="Analysing the new data…")
        try:
            stored = analyse(database(), _store(), progress=lambda done, step: bar.progress(
                done, text=f"Analysing the new data: {done:.0%} ({step})")).stored
        finally:
            bar.empty()
    if run is not None:
        run.stored = stored
    return stored


@st.cache_resource(ttl=600, max_entries=1000, show_spinner=False)
def _row(data_version: str, name: str, key: Hashable, _result_type: type) -> Any | None:
    # A card's rows (its ranking, its concentration, its referrals) are read from SQLite once, not at every rerun.
    return _stored(data_version).result(name, _result_type, key)


def _stored(data_version: str) -> Stored:
    stored = _store().get(data_version)
    if stored is None:  # removed by a newer analysis meanwhile: the data has moved on
        raise Unavailable("the data changed while this page read it; reload the page")
    return stored


# --- supply risk --------------------------------------------------------------------------------

@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner="Loading the supply network…")
def _supply(data_version: str) -> risk.SupplyTable:
    return stored_supply_table(_stored(data_version))


def supply_table() -> risk.SupplyTable:
    """The supply network of the data now as the analysis stored it: its companies and links as columns,
    which a what-if runs on (shared: never change it). No graph is built and no sale is read until a
    scenario's failed companies ask for theirs; the tables and names come from the stored rows."""
    return _supply(analysis().data_version)


def supply_links() -> int:
    """How many supply links (client, supplier, product) the analysed network has: a stored count, no read."""
    return analysis().rows["supplies"]


def supplier_ranking() -> StoredRows:
    """Every supplier with its risk measures, riskiest first: a stored sequence that reads only the rows asked
    for (a slice is one query; ``.ordered(field)`` sorts in SQLite)."""
    return analysis().rows_of("supplier_ranking", risk.SupplierRisk)


def supplier_risk(company: Hashable) -> risk.SupplierRisk | None:
    """One supplier's row of the ranking, or None for a company that supplies nobody (reads that row only)."""
    return _row(analysis().data_version, "supplier_ranking", company, risk.SupplierRisk)


def single_sources() -> StoredRows:
    """The (client, sku) pairs with exactly one supplier, as a stored sequence (see :func:`supplier_ranking`)."""
    return analysis().rows_of("single_sources", risk.SingleSource)


def concentration() -> StoredRows:
    """Each client's supply concentration, most concentrated first, as a stored sequence (see
    :func:`supplier_ranking`)."""
    return analysis().rows_of("concentration", risk.Concentration)


@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner=False)
def _bands(data_version: str) -> tuple[list[float], list[str]]:
    columns = _stored(data_version).columns("concentration")
    return columns["hhi"], columns["level"]


def concentration_bands() -> tuple[list[float], list[str]]:
    """Every client's HHI and its band, in ranking order (two columns, read once per data version)."""
    return _bands(analysis().data_version)


def client_concentration(company: Hashable) -> risk.Concentration | None:
    """One client's concentration, or None for a company without suppliers (reads that row only)."""
    return _row(analysis().data_version, "concentration", company, risk.Concentration)


def company_names(companies: Iterable[Hashable]) -> dict[Hashable, str]:
    """The name of each company of the supply network (its id when it has none), in one indexed read."""
    return _named("companies", companies)


@st.cache_resource(max_entries=32, show_spinner="Running the cascade…")
def _what_if(data_version: str, failed: tuple[str, ...] | None, region: str | None, threshold: float) -> risk.WhatIf:
    return risk.what_if_on_table(_supply(data_version), failed, region=region, threshold=threshold)


def what_if(failed: tuple[str, ...] | None, region: str | None, threshold: float) -> risk.WhatIf:
    """The disruption of `failed` companies (or a `region`) with its consequences."""
    return _what_if(analysis().data_version, failed, region, threshold)


# --- word of mouth ------------------------------------------------------------------------------

@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner="Loading the referral network…")
def _referral(data_version: str) -> nx.DiGraph:
    return stored_referral_graph(_stored(data_version))


def referral_graph() -> nx.DiGraph:
    """The referral network of the data now, as the analysis stored it (shared: never change it).

    It is rebuilt from every stored customer and referral, so only what walks the network (a cascade
    tree) asks for it; simulations run on :func:`referral_arrays`, tables on the stored rows."""
    return _referral(analysis().data_version)


@st.cache_resource(max_entries=WHOLE_GRAPH_VERSIONS, show_spinner=False)
def _arrays(data_version: str) -> ReferralArrays:
    return stored_referral_arrays(_stored(data_version))


def referral_arrays() -> ReferralArrays:
    """The referral network as the simulations' arrays, as the analysis stored them (a few BLOBs; ids are
    read one at a time, so no NetworkX graph is built)."""
    return _arrays(analysis().data_version)


def referral_metrics() -> StoredRows:
    """Every customer of the referral network with its word-of-mouth measures, most influential first: a
    stored sequence that reads only the rows asked for (a slice is one query; ``.ordered(field)`` sorts in
    SQLite)."""
    return analysis().rows_of("referral_metrics", reach.Referrer)


def average_influence() -> float:
    """The influence of the average customer of the referral network: PageRank sums to 1 over its n
    customers, so 1 / n (1.0 for an empty network). Pages show influence against it."""
    customers = analysis().rows["referral_metrics"]
    return 1 / customers if customers else 1.0


def top_referrers(k: int) -> list[reach.Referrer]:
    """The `k` most influential customers (reads those rows only)."""
    return analysis().results("referral_metrics", reach.Referrer, limit=k)


def referrer(customer: Hashable) -> reach.Referrer | None:
    """One customer's word-of-mouth measures, or None for one who takes no part in a referral (reads that row only)."""
    return _row(analysis().data_version, "referral_metrics", customer, reach.Referrer)


def referrer_names(customers: Iterable[Hashable]) -> dict[Hashable, str]:
    """The name of each customer of the referral network (its id when it has none or takes no part in a
    referral), in one indexed read."""
    return _named("people", customers)


def _named(table: str, ids: Iterable[Hashable]) -> dict[Hashable, str]:
    return {i: name or str(i) for i, name in analysis().names(table, ids).items()}


@st.cache_resource(max_entries=64, show_spinner="Simulating cascades…")
def _spread(data_version: str, seeds: tuple[str, ...], p: float, runs: int, seed: int) -> reach.Spread:
    return reach.expected_spread(_arrays(data_version), seeds, p, runs=runs, seed=seed)


def expected_spread(seeds: tuple[str, ...], p: float, runs: int, seed: int) -> reach.Spread:
    """The expected reach of a seed set under the independent cascade model (on :func:`referral_arrays`)."""
    return _spread(analysis().data_version, seeds, p, runs, seed)


@st.cache_resource(max_entries=32, show_spinner="Choosing seeds…")
def _campaign(data_version: str, k: int, p: float, runs: int, seed: int) -> reach.Campaign:
    return reach.campaign(_arrays(data_version), k, p, runs=runs, seed=seed)


def campaign(k: int, p: float, runs: int, seed: int) -> reach.Campaign:
    """The `k` seeds of widest expected reach, chosen greedily (on :func:`referral_arrays`)."""
    return _campaign(analysis().data_version, k, p, runs, seed)


def communities() -> StoredRows:
    """Louvain communities of the referral network, largest first, as a stored sequence (every member of every
    community is listed, so a page of them is read at a time; see :func:`referral_metrics`)."""
    return analysis().rows_of("communities", reach.Community)
