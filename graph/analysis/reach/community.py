"""Communities of the referral network (Louvain), each with its busiest referrers."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

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

    Notes
    -----
    A referral network is mostly many small separate groups (a million customers make over a
    hundred thousand), and NetworkX's Louvain spends minutes visiting them all. Louvain never
    joins two groups with no tie between them, and it always ends with a connected group as
    one community when its degrees sum to less than sqrt(8m) (m ties in all): splitting it
    anywhere leaves two adjacent parts whose merger gains modularity (l/m - d1 d2 / 2m**2 > 0).
    So those groups are taken whole, and Louvain runs on each larger one alone, with the
    resolution scaled by its share of the ties, which keeps the modularity of the whole network
    as the objective.

    References
    ----------
    .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, Fast unfolding of
       communities in large networks, J. Stat. Mech. 2008, P10008.
    """
    arrays = referral_arrays(G)
    nodes = arrays.nodes
    if not nodes:
        return []
    referrals = np.diff(arrays.converted.indptr)
    found = []
    for part in _louvain_parts(arrays.ties, seed):
        members = sorted(part.tolist(), key=lambda i: (-referrals[i], str(nodes[i])))
        found.append(Community(len(members), [nodes[i] for i in members],
                               [nodes[i] for i in members[:top] if referrals[i] > 0]))
    found.sort(key=lambda c: (-c.size, min(str(v) for v in c.members)))
    return found


def _louvain_parts(ties: sp.csr_array, seed: int | None) -> list[np.ndarray]:
    """Louvain communities of the undirected network of `ties`, as arrays of node numbers."""
    ties = ties.astype(bool)
    links = sp.triu(ties + ties.T, k=1, format="csr")  # each undirected tie once
    ties_in_all = links.nnz
    count, component = csgraph.connected_components(links, directed=False)
    degree = np.diff(links.indptr) + np.bincount(links.indices, minlength=ties.shape[0])
    degree_sum = np.bincount(component, weights=degree, minlength=count)
    order = np.argsort(component, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(component, minlength=count))[:-1])
    whole = degree_sum < math.sqrt(8 * ties_in_all) if ties_in_all else np.ones(count, dtype=bool)
    parts = [groups[c] for c in np.flatnonzero(whole)]
    for c in np.flatnonzero(~whole):
        members = groups[c]
        sub = links[members][:, members].tocoo()
        U = nx.Graph()
        U.add_nodes_from(range(len(members)))
        U.add_edges_from(zip(sub.row.tolist(), sub.col.tolist(), strict=True))
        share = U.number_of_edges() / ties_in_all
        parts += [members[sorted(part)] for part in nx.community.louvain_communities(U, resolution=share, seed=seed)]
    return parts
