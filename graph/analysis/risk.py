"""Supply-chain risk: single sources, concentration, reach, disruption cascades and supplier ranking.

Every function takes the supply network of :func:`graph.projection.supply_network`: an
``nx.MultiDiGraph`` over company ids with node attributes ``name``, ``region``, ``revenue`` and
``customers`` (a frozenset of customer ids), and one edge supplier -> client per SUPPLIES
relationship, keyed by sku, with ``share`` (share_pct in (0, 100]), ``lead_time_days`` (or None)
and ``annual_volume``. The definitions are those of the design contract (shared/design.md,
"Definitions the tests hold"). Every computation terminates on cycles and returns empty results
for an empty network.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

import networkx as nx

from graph.errors import UserError

__all__ = [
    "DEFAULT_LEAD_TIME_DAYS",
    "LOSS_TOLERANCE",
    "RISK_WEIGHTS",
    "Cascade",
    "Concentration",
    "Impact",
    "SingleSource",
    "SupplierRisk",
    "Upstream",
    "WhatIf",
    "check_threshold",
    "companies_in_region",
    "concentration",
    "customers_affected",
    "disruption_cascade",
    "downstream_counts",
    "hhi_level",
    "revenue_at_risk",
    "single_source_links",
    "supplier_ranking",
    "time_to_recover",
    "upstream_tiers",
    "what_if",
]

LOSS_TOLERANCE = 1e-9
"""A loss within this of the threshold counts as reaching it (absorbs float rounding only)."""

DEFAULT_LEAD_TIME_DAYS = 30.0
"""Lead time assumed by :func:`time_to_recover` for a SUPPLIES edge without ``lead_time_days``."""

RISK_WEIGHTS = {"impacted": 0.3, "revenue_at_risk": 0.3, "single_source_links": 0.2, "betweenness": 0.2}
"""Weights of the max-normalised measures that make up :attr:`SupplierRisk.risk_score`."""


class SingleSource(NamedTuple):
    """A (client, sku) pair with exactly one supplier."""

    client_id: Hashable
    sku: str
    supplier_id: Hashable


@dataclass(frozen=True)
class Concentration:
    """The supply concentration of one client: the HHI of its most concentrated sku."""

    id: Hashable
    name: str | None
    hhi: float
    sku: str
    level: str


@dataclass(frozen=True)
class Upstream:
    """A company upstream of a focal company: its tier and a shortest path down to the focal one."""

    id: Hashable
    name: str | None
    tier: int
    path: tuple[Hashable, ...]


@dataclass(frozen=True)
class Impact:
    """A company that failed in a cascade without being in the failed set itself."""

    id: Hashable
    name: str | None
    round: int
    max_loss: float


@dataclass(frozen=True)
class Cascade:
    """The result of a disruption: the failed set D (round 0) and the companies it took down."""

    threshold: float
    failed: list[Hashable]
    impacted: list[Impact]

    @property
    def all_failed(self) -> list[Hashable]:
        """D and the impacted companies, in the order they failed."""
        return self.failed + [impact.id for impact in self.impacted]


@dataclass(frozen=True)
class WhatIf:
    """The answer to "what if these companies (or this region) stop delivering?" (see :func:`what_if`).

    ``failed`` is the failed set D (round 0), ``impacted`` the companies that fail with it; the
    others are the consequences: the revenue they sell, the customers who buy from them, and the
    days until every impacted company has its supplies back.
    """

    threshold: float
    failed: list[Hashable]
    impacted: list[Impact]
    revenue_at_risk: float
    customers_affected: int
    time_to_recover_days: float


@dataclass(frozen=True)
class SupplierRisk:
    """One row of the supplier criticality ranking (see :func:`supplier_ranking`)."""

    id: Hashable
    name: str | None
    direct_clients: int
    downstream: int
    single_source_links: int
    impacted: int
    revenue_at_risk: float
    betweenness: float
    risk_score: float


def single_source_links(G: nx.MultiDiGraph) -> list[SingleSource]:
    """The (client, sku) pairs that have exactly one supplier.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.

    Returns
    -------
    list of SingleSource
        ``(client_id, sku, supplier_id)`` tuples, sorted.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0)
    'sheet'
    >>> G.add_edge("bolts1", "xyz", key="bolt", share=50.0)
    'bolt'
    >>> G.add_edge("bolts2", "xyz", key="bolt", share=50.0)
    'bolt'
    >>> single_source_links(G)
    [SingleSource(client_id='xyz', sku='sheet', supplier_id='steel')]
    """
    suppliers: dict[tuple[Hashable, str], list[Hashable]] = defaultdict(list)
    for s, c, sku in G.edges(keys=True):
        suppliers[c, sku].append(s)
    return sorted(SingleSource(c, sku, group[0]) for (c, sku), group in suppliers.items() if len(group) == 1)


def hhi_level(hhi: float) -> str:
    """Classify an HHI with the US DOJ/FTC thresholds (1,500 and 2,500).

    Examples
    --------
    >>> hhi_level(1000.0), hhi_level(2000.0), hhi_level(10000.0)
    ('unconcentrated', 'moderately concentrated', 'highly concentrated')

    References
    ----------
    .. [1] U.S. Department of Justice and Federal Trade Commission, Horizontal Merger Guidelines,
       section 5.3, 2010.
    """
    if hhi < 1500:
        return "unconcentrated"
    if hhi <= 2500:
        return "moderately concentrated"
    return "highly concentrated"


def concentration(G: nx.MultiDiGraph) -> list[Concentration]:
    """The supply concentration of every client, most concentrated first.

    For each sku a client buys, HHI = sum over its suppliers of (share / sum of shares)^2 x 10000,
    so shares need not add up to 100; the client's concentration is its largest HHI.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.

    Returns
    -------
    list of Concentration
        One per company with at least one supplier: id, name, hhi, the sku with that HHI
        (the smallest sku on a tie) and its :func:`hhi_level`; by HHI descending, then id.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "c", key="bolt", share=30.0)
    'bolt'
    >>> G.add_edge("b", "c", key="bolt", share=10.0)
    'bolt'
    >>> concentration(G)  # (30/40)^2 + (10/40)^2 = 0.625
    [Concentration(id='c', name=None, hhi=6250.0, sku='bolt', level='highly concentrated')]

    References
    ----------
    .. [1] O. C. Herfindahl, Concentration in the Steel Industry, PhD thesis, Columbia University, 1950.
    .. [2] A. O. Hirschman, National Power and the Structure of Foreign Trade, University of
       California Press, 1945.
    """
    shares: dict[Hashable, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for _, c, sku, share in G.edges(keys=True, data="share"):
        shares[c][sku].append(share)
    result = []
    for c, by_sku in shares.items():
        hhis = {sku: sum((s / sum(group)) ** 2 for s in group) * 10000 for sku, group in by_sku.items()}
        sku, hhi = min(hhis.items(), key=lambda item: (-item[1], item[0]))
        result.append(Concentration(c, G.nodes[c].get("name"), hhi, sku, hhi_level(hhi)))
    result.sort(key=lambda row: (-row.hhi, row.id))
    return result


def downstream_counts(G: nx.MultiDiGraph) -> dict[Hashable, int]:
    """The number of companies reachable from each company along SUPPLIES, itself excluded.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.

    Returns
    -------
    dict
        Company id -> downstream count, for every company.

    Notes
    -----
    One pass instead of one search per company: the strongly connected components are condensed
    into a DAG, and each component's reachable set is a bitset (a Python int with one bit per
    company) made by OR-ing its successors' sets, in reverse topological order; its count is the
    number of bits set, less one. Components without successors (most clients) are numbered
    first and their sets are never stored; a stored set is dropped once its last predecessor has
    used it. Memory is at most the number of suppliers times n/8 bytes (about 50 MiB for a random
    network of 50,000 companies and 10,000 suppliers).

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    >>> downstream_counts(G)  # b and c are on a cycle: each reaches the other, itself and d
    {'a': 3, 'b': 2, 'c': 2, 'd': 0}
    """
    dag = nx.condensation(G)
    sinks = [i for i in dag if not dag.succ[i]]
    order = sinks + [i for i in reversed(list(nx.topological_sort(dag))) if dag.succ[i]]
    offsets, offset = {}, 0
    for i in order:
        offsets[i] = offset
        offset += len(dag.nodes[i]["members"])

    def own(i: int) -> int:
        return ((1 << len(dag.nodes[i]["members"])) - 1) << offsets[i]

    waiting = dict(dag.in_degree)
    reach: dict[int, int] = {}
    counts: dict[Hashable, int] = {}
    for i in order:
        bits = own(i)
        for j in dag.succ[i]:
            bits |= reach[j] if j in reach else own(j)
            waiting[j] -= 1
            if not waiting[j]:
                reach.pop(j, None)
        if waiting[i] and dag.succ[i]:
            reach[i] = bits
        count = bits.bit_count() - 1
        for company in dag.nodes[i]["members"]:
            counts[company] = count
    return {company: counts[company] for company in G}


def upstream_tiers(G: nx.MultiDiGraph, company: Hashable) -> list[Upstream]:
    """The suppliers of a company tier by tier: 1 its direct suppliers, 2 theirs, and so on.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.
    company : node
        The focal company.

    Returns
    -------
    list of Upstream
        Each upstream company once, at its shortest distance (tier), with a shortest path
        ``(supplier, ..., company)``; by tier, then id. A cycle through the focal company does not
        list the company itself.

    Raises
    ------
    UserError
        If `company` is not in the network.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("ore", "steel"), ("steel", "xyz"), ("xyz", "steel")])
    >>> [(u.id, u.tier, u.path) for u in upstream_tiers(G, "xyz")]
    [('steel', 1, ('steel', 'xyz')), ('ore', 2, ('ore', 'steel', 'xyz'))]
    """
    _check_known(G, [company])
    paths = {company: (company,)}
    frontier = [company]
    result = []
    tier = 0
    while frontier:
        tier += 1
        found = []
        for client in frontier:
            for supplier in sorted(G.pred[client]):
                if supplier not in paths:
                    paths[supplier] = (supplier, *paths[client])
                    found.append(supplier)
        found.sort()
        result.extend(Upstream(s, G.nodes[s].get("name"), tier, paths[s]) for s in found)
        frontier = found
    return result


def check_threshold(threshold: float) -> None:
    """Raise UserError unless `threshold` is a cascade threshold, in (0, 1].

    Examples
    --------
    >>> check_threshold(0.5)
    >>> check_threshold(1.5)
    Traceback (most recent call last):
    ...
    graph.errors.UserError: threshold must be in (0, 1], got 1.5
    """
    if not 0 < threshold <= 1:
        raise UserError(f"threshold must be in (0, 1], got {threshold}")


def companies_in_region(G: nx.MultiDiGraph, region: str) -> list[Hashable]:
    """The ids of the companies whose ``region`` is `region`, sorted.

    Raises
    ------
    UserError
        If no company is in that region; the message names the known regions.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {"region": "Midwest"}), ("b", {"region": "South"})])
    >>> companies_in_region(G, "Midwest")
    ['a']
    """
    found = sorted(n for n, r in G.nodes(data="region") if r == region)
    if not found:
        known = sorted({r for _, r in G.nodes(data="region") if r is not None})
        raise UserError(f"no company is in region {region!r}; known regions: {', '.join(known) or 'none'}")
    return found


class _Supply:
    """The network flattened for repeated cascades: each edge points at its (client, sku) pair."""

    def __init__(self, G: nx.MultiDiGraph):
        pair_of: dict[tuple[Hashable, str], int] = {}
        self.total: list[float] = []
        self.out: dict[Hashable, list[tuple[Hashable, int, float]]] = {n: [] for n in G}
        for s, c, sku, share in G.edges(keys=True, data="share"):
            pair = pair_of.get((c, sku))
            if pair is None:
                pair = pair_of[c, sku] = len(self.total)
                self.total.append(0.0)
            self.total[pair] += share
            self.out[s].append((c, pair, share))

    def cascade(self, failed: list[Hashable], threshold: float) -> list[tuple[Hashable, int, float]]:
        """(company, round, max_loss) of every company the failure of `failed` takes down."""
        fails_at = threshold - LOSS_TOLERANCE
        down = set(failed)
        lost: dict[int, float] = {}
        worst: dict[Hashable, float] = {}
        impacted = []
        frontier = failed
        round_ = 0
        while frontier:
            round_ += 1
            touched = set()
            for f in frontier:
                for c, pair, share in self.out[f]:
                    if c not in down:
                        lost[pair] = lost.get(pair, 0.0) + share
                        worst[c] = max(worst.get(c, 0.0), lost[pair] / self.total[pair])
                        touched.add(c)
            frontier = sorted(c for c in touched if worst[c] >= fails_at)
            down.update(frontier)
            impacted.extend((c, round_, worst[c]) for c in frontier)
        return impacted


def disruption_cascade(G: nx.MultiDiGraph, failed: Iterable[Hashable] | None = None, *,
                       region: str | None = None, threshold: float = 0.5) -> Cascade:
    """The companies that fail, round by round, when the companies `failed` (or a region) fail.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.
    failed : iterable of nodes, optional
        The failed set D. Give either this or `region`.
    region : str, optional
        Fail every company whose ``region`` is this (D = :func:`companies_in_region`).
    threshold : float, default 0.5
        A company fails when it loses at least this fraction of the supply of one sku, in (0, 1].

    Returns
    -------
    Cascade
        ``failed``: D, sorted (round 0); ``impacted``: the other failed companies with their round
        and ``max_loss``, by round then id.

    Raises
    ------
    UserError
        If neither or both of `failed` and `region` are given, D is empty, an id is unknown, no
        company is in `region`, or `threshold` is outside (0, 1].

    Notes
    -----
    Rounds are synchronous: in round r every company c that has not failed gets, for each sku m
    it is supplied with, loss(c, m) = (share of the suppliers of m that failed in rounds < r) /
    (share of all suppliers of m), and fails in round r when its largest loss is >= threshold.
    Only the clients of the companies that failed in round r - 1 can change, so each round looks
    at those alone; the work is proportional to the edges leaving failed companies, and the
    cascade stops on cycles because a company fails once. Losses are floats; a loss within
    :data:`LOSS_TOLERANCE` (1e-9) below the threshold counts as reaching it, so that a loss exactly
    at the threshold fails despite rounding (share_pct has a few decimals, far above 1e-9).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0)
    'sheet'
    >>> G.add_edge("xyz", "oem", key="part", share=50.0)
    'part'
    >>> G.add_edge("other", "oem", key="part", share=50.0)
    'part'
    >>> c = disruption_cascade(G, ["steel"])
    >>> c.failed, [(i.id, i.round, i.max_loss) for i in c.impacted]
    (['steel'], [('xyz', 1, 1.0), ('oem', 2, 0.5)])
    """
    check_threshold(threshold)
    if (failed is None) == (region is None):
        raise UserError("name either the failed companies or a region")
    if region is not None:
        D = companies_in_region(G, region)
    else:
        D = sorted(set(failed))
        if not D:
            raise UserError("name at least one failed company")
        _check_known(G, D)
    impacted = [Impact(c, G.nodes[c].get("name"), round_, loss)
                for c, round_, loss in _Supply(G).cascade(D, threshold)]
    return Cascade(threshold, D, impacted)


def revenue_at_risk(G: nx.MultiDiGraph, cascade: Cascade) -> float:
    """The sum of node ``revenue`` (order totals SOLD_BY it) over every failed company of a cascade.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("steel", revenue=10.0)
    >>> G.add_node("xyz", revenue=5.0)
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0)
    'sheet'
    >>> revenue_at_risk(G, disruption_cascade(G, ["steel"]))
    15.0
    """
    return float(sum(G.nodes[c].get("revenue") or 0.0 for c in cascade.all_failed))


def customers_affected(G: nx.MultiDiGraph, cascade: Cascade) -> int:
    """The number of distinct customers who placed orders SOLD_BY a failed company of a cascade.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("steel", customers=frozenset({"xyz"}))
    >>> G.add_node("xyz", customers=frozenset({"john", "oem"}))
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0)
    'sheet'
    >>> customers_affected(G, disruption_cascade(G, ["steel"]))
    3
    """
    customers: set[Hashable] = set()
    for c in cascade.all_failed:
        customers.update(G.nodes[c].get("customers") or ())
    return len(customers)


def time_to_recover(G: nx.MultiDiGraph, cascade: Cascade, *,
                    default_lead_time: float = DEFAULT_LEAD_TIME_DAYS) -> float:
    """Days until every impacted company has its lost supplies back, once D delivers again.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.
    cascade : Cascade
        A result of :func:`disruption_cascade` on `G`.
    default_lead_time : float, default DEFAULT_LEAD_TIME_DAYS (30)
        The lead time of an edge whose ``lead_time_days`` is unknown.

    Returns
    -------
    float
        The largest recovery time of an impacted company; 0.0 when nothing is impacted.

    Notes
    -----
    The clock starts when the failed set D delivers again (D recovers at 0). An impacted company c
    recovers when every delivery it lost has arrived again: recover(c) = max over the edges
    f -> c from companies f that failed in an earlier round of recover(f) + lead_time(f -> c).
    That is the longest path of lead times from D to c through the cascade, one edge per round;
    rounds increase along it, so it is computed in one pass in round order.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0, lead_time_days=45)
    'sheet'
    >>> G.add_edge("xyz", "oem", key="part", share=100.0, lead_time_days=None)
    'part'
    >>> time_to_recover(G, disruption_cascade(G, ["steel"]))  # 45 + 30 (default)
    75.0
    """
    rounds = dict.fromkeys(cascade.failed, 0)
    ready = dict.fromkeys(cascade.failed, 0.0)
    for impact in cascade.impacted:
        rounds[impact.id] = impact.round
        ready[impact.id] = max(
            ready[f] + float(default_lead_time if lead is None else lead)
            for f, _, lead in G.in_edges(impact.id, data="lead_time_days")
            if rounds.get(f, impact.round) < impact.round
        )
    return max(ready.values(), default=0.0)


def what_if(G: nx.MultiDiGraph, failed: Iterable[Hashable] | None = None, *, region: str | None = None,
            threshold: float = 0.5) -> WhatIf:
    """A disruption and its consequences in one result: cascade, revenue at risk, customers, recovery.

    Parameters and errors are those of :func:`disruption_cascade`; the consequences are
    :func:`revenue_at_risk`, :func:`customers_affected` and :func:`time_to_recover` of its cascade.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("steel", revenue=10.0, customers=frozenset({"xyz"}))
    >>> G.add_node("xyz", revenue=5.0, customers=frozenset({"john"}))
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0, lead_time_days=45)
    'sheet'
    >>> w = what_if(G, ["steel"])
    >>> w.failed, [i.id for i in w.impacted], w.revenue_at_risk, w.customers_affected, w.time_to_recover_days
    (['steel'], ['xyz'], 15.0, 2, 45.0)
    """
    cascade = disruption_cascade(G, failed, region=region, threshold=threshold)
    return WhatIf(threshold=cascade.threshold, failed=cascade.failed, impacted=cascade.impacted,
                  revenue_at_risk=revenue_at_risk(G, cascade), customers_affected=customers_affected(G, cascade),
                  time_to_recover_days=time_to_recover(G, cascade))


def supplier_ranking(G: nx.MultiDiGraph, *, threshold: float = 0.5, betweenness_samples: int = 256,
                     seed: int = 0) -> list[SupplierRisk]:
    """Every supplier (a company with an outgoing SUPPLIES edge) with its risk measures, riskiest first.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.
    threshold : float, default 0.5
        The threshold of each supplier's own cascade.
    betweenness_samples : int, default 256
        Betweenness sums over shortest paths from at most this many suppliers, drawn with `seed`.
    seed : int, default 0
        Seed of that draw, so the ranking is reproducible.

    Returns
    -------
    list of SupplierRisk
        id, name, direct_clients (distinct clients), downstream (:func:`downstream_counts`),
        single_source_links (single-source links it is the sole supplier of), impacted and
        revenue_at_risk of the cascade of its own failure, betweenness and risk_score; by
        risk_score descending, then impacted, revenue at risk (both descending) and id.

    Raises
    ------
    UserError
        If `threshold` is outside (0, 1].

    Notes
    -----
    risk_score = 100 x sum of w x value / (largest value over all suppliers), with the weights
    :data:`RISK_WEIGHTS`: impacted 0.3, revenue_at_risk 0.3, single_source_links 0.2 and
    betweenness 0.2 (a measure that is 0 for every supplier adds 0), rounded to 6 decimals. It lies
    in [0, 100]; 100 means the supplier is the worst on all four.

    Betweenness is Brandes' shortest-path betweenness (unnormalised, directed). Only paths that
    start at a supplier pass through anyone, so summing over sources that are suppliers is exact;
    above `betweenness_samples` suppliers it sums over a seeded random sample of them instead.

    Each cascade only visits the edges leaving the companies it fails, so one cascade per
    supplier costs about as much as one search of what each supplier can reach.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("steel", {"revenue": 100.0}), ("xyz", {"revenue": 50.0}),
    ...                   ("oem", {"revenue": 50.0})])
    >>> G.add_edge("steel", "xyz", key="sheet", share=100.0)
    'sheet'
    >>> G.add_edge("xyz", "oem", key="part", share=100.0)
    'part'
    >>> [(r.id, r.impacted, r.revenue_at_risk, r.risk_score) for r in supplier_ranking(G)]
    [('steel', 2, 200.0, 80.0), ('xyz', 1, 100.0, 70.0)]

    References
    ----------
    .. [1] U. Brandes, A faster algorithm for betweenness centrality, Journal of Mathematical
       Sociology 25(2):163-177, 2001.
    """
    check_threshold(threshold)
    suppliers = sorted(n for n in G if G.succ[n])
    if not suppliers:
        return []
    supply = _Supply(G)
    downstream = downstream_counts(G)
    sole: dict[Hashable, int] = defaultdict(int)
    for link in single_source_links(G):
        sole[link.supplier_id] += 1
    betweenness = _betweenness(G, suppliers, betweenness_samples, seed)
    revenue = {n: r or 0.0 for n, r in G.nodes(data="revenue", default=0.0)}
    rows = []
    for s in suppliers:
        impacted = supply.cascade([s], threshold)
        rows.append(SupplierRisk(
            id=s, name=G.nodes[s].get("name"), direct_clients=len(G.succ[s]), downstream=downstream[s],
            single_source_links=sole[s], impacted=len(impacted),
            revenue_at_risk=float(revenue[s] + sum(revenue[c] for c, _, _ in impacted)),
            betweenness=betweenness[s], risk_score=0.0,
        ))
    top = {key: max(getattr(row, key) for row in rows) for key in RISK_WEIGHTS}
    ranking = [
        replace(row, risk_score=round(100 * sum(w * getattr(row, key) / top[key]
                                                for key, w in RISK_WEIGHTS.items() if top[key]), 6))
        for row in rows
    ]
    ranking.sort(key=lambda r: (-r.risk_score, -r.impacted, -r.revenue_at_risk, r.id))
    return ranking


def _betweenness(G: nx.MultiDiGraph, suppliers: list[Hashable], samples: int, seed: int) -> dict[Hashable, float]:
    """Betweenness of the suppliers over shortest paths from (a seeded sample of at most `samples` of) them.

    Each source is searched in the subgraph it reaches, so the cost follows its reach, not the
    size of the network.
    """
    simple = nx.DiGraph(G.edges())
    sources = suppliers if len(suppliers) <= samples else random.Random(seed).sample(suppliers, samples)
    betweenness = dict.fromkeys(suppliers, 0.0)
    for source in sources:
        reach = nx.descendants(simple, source) | {source}
        partial = nx.betweenness_centrality_subset(simple.subgraph(reach), [source], reach, normalized=False)
        for company, value in partial.items():
            if company in betweenness:
                betweenness[company] += value
    return betweenness


def _check_known(G: nx.MultiDiGraph, companies: Iterable[Hashable]) -> None:
    unknown = [c for c in companies if c not in G]
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        shown = ", ".join(map(str, unknown[:5])) + more
        raise UserError(f"unknown company id: {shown}")
