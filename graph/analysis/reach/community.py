"""Communities of the referral network (Louvain), each with its busiest referrers."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graph.analysis.reach._arrays import referral_arrays

__all__ = ["Community", "communities"]


@dataclass(frozen=True)
class Community:
    """A Louvain community of the referral network and its busiest referrers."""

    size: int
    members: list[Hashable]
    top_referrers: list[Hashable]


def communities(G: nx.DiGraph, seed: int | None = None, top: int = 3) -> list[Community]:
    """Louvain communities of the referral network, each with its top referrers.

    Parameters
    ----------
    G : nx.DiGraph
        The referral network, taken as undirected (all edges, self-loops ignored).
    seed : int, optional
        Seed of Louvain's random node order: the same seed gives the same communities.
    top : int, default 3
        Referrers listed per community: its members with the most converted referrals (at least
        one), most first, ties by id.

    Returns
    -------
    list of Community
        Largest first (ties by smallest member id); members sorted as the referrers are.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "c"), ("x", "y"), ("x", "z")])
    >>> [(c.size, c.top_referrers) for c in communities(G, seed=1, top=1)]
    [(3, ['a']), (3, ['x'])]

    References
    ----------
    .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, Fast unfolding of
       communities in large networks, J. Stat. Mech. 2008, P10008.
    """
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v) for u, v in G.edges if u != v)
    arrays = referral_arrays(G)
    referrals = dict(zip(arrays.nodes, np.diff(arrays.converted.indptr).tolist(), strict=True))
    found = []
    for part in nx.community.louvain_communities(U, seed=seed):
        members = sorted(part, key=lambda v: (-referrals[v], str(v)))
        found.append(Community(len(members), members, [v for v in members[:top] if referrals[v] > 0]))
    found.sort(key=lambda c: (-c.size, min(str(v) for v in c.members)))
    return found
