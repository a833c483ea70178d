"""Disruption cascades: which companies fail, round by round, and what it costs (revenue, customers, time)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx

from graph.errors import UserError

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_LEAD_TIME_DAYS",
    "LOSS_TOLERANCE",
    "Cascade",
    "Impact",
    "WhatIf",
    "check_threshold",
    "companies_in_region",
    "customers_affected",
    "disruption_cascade",
    "revenue_at_risk",
    "time_to_recover",
    "what_if",
]

DEFAULT_THRESHOLD = 0.5
"""The loss at which a company fails, unless told otherwise (design.md)."""

LOSS_TOLERANCE = 1e-9
"""A loss within this of the threshold counts as reaching it (absorbs float rounding only)."""

DEFAULT_LEAD_TIME_DAYS = 30.0
"""Lead time assumed by :func:`time_to_recover` for a SUPPLIES edge without ``lead_time_days``."""


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


def check_threshold(threshold: float) -> None:
    """Raise UserError (``field="threshold"``) unless `threshold` is a cascade threshold, in (0, 1].

    Examples
    --------
    >>> check_threshold(0.5)
    >>> check_threshold(1.5)
    Traceback (most recent call last):
    ...
    graph.errors.UserError: the threshold must be in (0, 1], got 1.5
    """
    if not 0 < threshold <= 1:
        raise UserError(f"the threshold must be in (0, 1], got {threshold}", field="threshold")


def companies_in_region(G: nx.MultiDiGraph, region: str) -> list[Hashable]:
    """The ids of the companies whose ``region`` is `region`, sorted.

    Raises
    ------
    UserError
        If no company is in that region (``field="region"``); the message names the known regions.

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
        raise UserError(f"no company is in region {region!r}; known regions: {', '.join(known) or 'none'}",
                        field="region")
    return found


class _Supply:
    """The network flattened for repeated cascades: each edge points at its (client, sku) pair.

    Built once per network; :func:`disruption_cascade` runs one cascade on it, the supplier
    ranking one per supplier.
    """

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
                       region: str | None = None, threshold: float = DEFAULT_THRESHOLD) -> Cascade:
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
        If neither or both of `failed` and `region` are given, D is empty or an id is unknown
        (``field="failed"``), no company is in `region` (``field="region"``), or `threshold` is
        outside (0, 1] (``field="threshold"``).

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
            raise UserError("name at least one failed company", field="failed")
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
            threshold: float = DEFAULT_THRESHOLD) -> WhatIf:
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


def _check_known(G: nx.MultiDiGraph, companies: Iterable[Hashable]) -> None:
    """Raise UserError (``field="failed"``) naming the first few `companies` that are not in `G`."""
    unknown = [c for c in companies if c not in G]
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        shown = ", ".join(map(str, unknown[:5])) + more
        raise UserError(f"unknown company id: {shown}", field="failed")
