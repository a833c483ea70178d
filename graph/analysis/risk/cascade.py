"""Disruption cascades: which companies fail, round by round, and what it costs (revenue, customers, time)."""

from __future__ import annotations

from collections.abc import Callable, Container, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from graph.errors import UserError

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_LEAD_TIME_DAYS",
    "LOSS_TOLERANCE",
    "Cascade",
    "Impact",
    "SupplyTable",
    "WhatIf",
    "check_threshold",
    "companies_in_region",
    "customers_affected",
    "disruption_cascade",
    "revenue_at_risk",
    "time_to_recover",
    "what_if",
    "what_if_on_table",
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
    return _in_region(G.nodes(data="region"), region)


def _in_region(regions: Iterable[tuple[Hashable, str | None]], region: str) -> list[Hashable]:
    """The sorted ids of (company, region) pairs in `region`; UserError naming the known regions if none."""
    pairs = list(regions)
    found = sorted(c for c, r in pairs if r == region)
    if not found:
        known = sorted({r for _, r in pairs if r is not None})
        raise UserError(f"no company is in region {region!r}; known regions: {', '.join(known) or 'none'}",
                        field="region")
    return found


class _Supply:
    """The network flattened for repeated cascades: each edge points at its (client, sku) pair.

    Built once per network (:meth:`of_links` from flat columns, without a graph);
    :func:`disruption_cascade` runs one cascade on it, the supplier ranking one per supplier.
    """

    def __init__(self, G: nx.MultiDiGraph):
        self._index(G.edges(keys=True, data="share"))

    @classmethod
    def of_links(cls, links: Iterable[tuple[Hashable, Hashable, str, float]]) -> _Supply:
        """The same for `links` (supplier, client, sku, share)."""
        supply = cls.__new__(cls)
        supply._index(links)
        return supply

    def _index(self, links: Iterable[tuple[Hashable, Hashable, str, float]]) -> None:
        pair_of: dict[tuple[Hashable, str], int] = {}
        self.total: list[float] = []
        self.out: dict[Hashable, list[tuple[Hashable, int, float]]] = {}  # suppliers only
        for s, c, sku, share in links:
            pair = pair_of.get((c, sku))
            if pair is None:
                pair = pair_of[c, sku] = len(self.total)
                self.total.append(0.0)
            self.total[pair] += share
            self.out.setdefault(s, []).append((c, pair, share))

    def cascade(self, failed: list[Hashable], threshold: float,
                order: Callable[[Hashable], Hashable] | None = None) -> list[tuple[Hashable, int, float]]:
        """(company, round, max_loss) of every company the failure of `failed` takes down; each round's
        companies sorted by `order` of them (by themselves when None)."""
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
                for c, pair, share in self.out.get(f, ()):
                    if c not in down:
                        lost[pair] = lost.get(pair, 0.0) + share
                        worst[c] = max(worst.get(c, 0.0), lost[pair] / self.total[pair])
                        touched.add(c)
            frontier = sorted((c for c in touched if worst[c] >= fails_at), key=order)
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
    D = _failed_set(G, lambda: G.nodes(data="region"), failed, region, threshold)
    impacted = [Impact(c, G.nodes[c].get("name"), round_, loss)
                for c, round_, loss in _Supply(G).cascade(D, threshold)]
    return Cascade(threshold, D, impacted)


def _failed_set(known: Container[Hashable], regions: Callable[[], Iterable[tuple[Hashable, str | None]]],
                failed: Iterable[Hashable] | None, region: str | None, threshold: float) -> list[Hashable]:
    """The failed set D of a cascade, sorted, from `failed` ids or a `region`, with the checks of
    :func:`disruption_cascade`; `regions` gives the (company, region) pairs of the network."""
    check_threshold(threshold)
    if (failed is None) == (region is None):
        raise UserError("name either the failed companies or a region")
    if region is not None:
        return _in_region(regions(), region)
    D = sorted(set(failed))
    if not D:
        raise UserError("name at least one failed company", field="failed")
    _check_known(known, D)
    return D


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
    return _recovery(cascade, lambda c: ((f, lead) for f, _, lead in G.in_edges(c, data="lead_time_days")),
                     default_lead_time)


def _recovery(cascade: Cascade, deliveries: Callable[[Hashable], Iterable[tuple[Hashable, float | None]]],
              default_lead_time: float) -> float:
    """:func:`time_to_recover`, given each company's incoming deliveries as (supplier, lead time) pairs."""
    rounds = dict.fromkeys(cascade.failed, 0)
    ready = dict.fromkeys(cascade.failed, 0.0)
    for impact in cascade.impacted:
        rounds[impact.id] = impact.round
        ready[impact.id] = max(
            ready[f] + float(default_lead_time if lead is None else lead)
            for f, lead in deliveries(impact.id)
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


@dataclass(frozen=True)
class SupplyTable:
    """The supply network as columns, for a what-if without a graph (see :func:`what_if_on_table`).

    Row i of ``id``, ``name``, ``region`` and ``revenue`` is company i; ``supplier`` and ``client``
    (company rows), ``sku``, ``share`` and ``lead_time_days`` (None when unknown) are one entry per
    SUPPLIES link, in the order the graph's edges would come. ``count_customers(rows)`` is the number
    of distinct customers who placed orders sold by those companies, so that only the failed
    companies' sales are ever read.
    """

    id: Sequence[Hashable]
    name: Sequence[str | None]
    region: Sequence[str | None]
    revenue: Sequence[float]
    supplier: Sequence[int]
    client: Sequence[int]
    sku: Sequence[str]
    share: Sequence[float]
    lead_time_days: Sequence[float | None]
    count_customers: Callable[[list[int]], int]

    @cached_property
    def row(self) -> dict[Hashable, int]:
        """Company id -> its row."""
        return {c: i for i, c in enumerate(self.id)}

    @cached_property
    def deliveries(self) -> dict[int, list[tuple[int, float | None]]]:
        """Company row -> (supplier row, lead time) of each link that delivers to it."""
        incoming: dict[int, list[tuple[int, float | None]]] = {}
        for s, c, lead in zip(self.supplier, self.client, self.lead_time_days, strict=True):
            incoming.setdefault(c, []).append((s, lead))
        return incoming

    @cached_property
    def _supply(self) -> _Supply:
        return _Supply.of_links(zip(self.supplier, self.client, self.sku, self.share, strict=True))

    def prepare(self) -> SupplyTable:
        """Build the lookups a what-if reads (each once: they are cached), so that the first scenario need not."""
        self.row, self.deliveries, self._supply  # noqa: B018 (cached properties: reading them builds them)
        return self

    def name_of(self, company: Hashable) -> str:
        """The name of `company`, or its id when it has none."""
        return self.name[self.row[company]] or str(company)

    def suppliers_of(self, company: Hashable) -> list[Hashable]:
        """The ids of the companies that deliver to `company`, each once."""
        return list(dict.fromkeys(self.id[s] for s, _ in self.deliveries.get(self.row[company], ())))


def what_if_on_table(table: SupplyTable, failed: Iterable[Hashable] | None = None, *, region: str | None = None,
                     threshold: float = DEFAULT_THRESHOLD) -> WhatIf:
    """:func:`what_if` on the supply network given as a :class:`SupplyTable`: the same answer, to the last bit.

    The cascade runs on company rows and reads nothing but the links; names, revenue and customers
    are looked up for the failed companies alone, so a scenario costs what it touches, not the
    size of the network.

    Examples
    --------
    >>> table = SupplyTable(id=["steel", "xyz"], name=["ABC Steel", "XYZ"], region=["Midwest", None],
    ...                     revenue=[10.0, 5.0], supplier=[0], client=[1], sku=["sheet"], share=[100.0],
    ...                     lead_time_days=[45.0],
    ...                     count_customers=lambda rows: len({c for r in rows for c in (["xyz"], ["john"])[r]}))
    >>> w = what_if_on_table(table, ["steel"])
    >>> w.failed, [i.id for i in w.impacted], w.revenue_at_risk, w.customers_affected, w.time_to_recover_days
    (['steel'], ['xyz'], 15.0, 2, 45.0)
    """
    D = _failed_set(table.row, lambda: zip(table.id, table.region, strict=True), failed, region, threshold)
    rows = [table.row[c] for c in D]
    hits = table._supply.cascade(rows, threshold, order=table.id.__getitem__)
    cascade = Cascade(threshold, D, [Impact(table.id[c], table.name[c], round_, loss) for c, round_, loss in hits])
    down = rows + [c for c, _, _ in hits]
    return WhatIf(threshold=threshold, failed=D, impacted=cascade.impacted,
                  revenue_at_risk=float(sum(table.revenue[c] or 0.0 for c in down)),
                  customers_affected=table.count_customers(down),
                  time_to_recover_days=_recovery(
                      cascade, lambda c: ((table.id[s], lead) for s, lead in table.deliveries.get(table.row[c], ())),
                      DEFAULT_LEAD_TIME_DAYS))


def _check_known(known: Container[Hashable], companies: Iterable[Hashable]) -> None:
    """Raise UserError (``field="failed"``) naming the first few `companies` that are not `known`."""
    unknown = [c for c in companies if c not in known]
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        shown = ", ".join(map(str, unknown[:5])) + more
        raise UserError(f"unknown company id: {shown}", field="failed")
