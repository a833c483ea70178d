"""Sourcing: single-source links and supply concentration (HHI) of each client."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx

__all__ = ["Concentration", "SingleSource", "concentration", "hhi_level", "single_source_links"]


@dataclass(frozen=True)
class SingleSource:
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


def single_source_links(G: nx.MultiDiGraph) -> list[SingleSource]:
    """The (client, sku) pairs that have exactly one supplier.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The supply network.

    Returns
    -------
    list of SingleSource
        By client id, then sku.

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
    links = [SingleSource(c, sku, group[0]) for (c, sku), group in suppliers.items() if len(group) == 1]
    return sorted(links, key=lambda link: (link.client_id, link.sku))


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
