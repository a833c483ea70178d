"""Word of mouth: referral cascades, influence, expected spread, campaign seeds and communities.

Every function takes the referral network of :func:`graph.projection.referral_network`: an
``nx.DiGraph`` over person and company ids with node attributes ``name``, ``kind`` and ``revenue``
(the sum of the order totals the node placed), and one edge referrer -> referred with
``converted`` (a missing attribute counts as converted). The definitions are those of the design
contract (shared/design.md, "Definitions the tests hold").

A self-loop (someone "referring" themselves) is not a referral: every function ignores it. Cycles
are allowed everywhere: a node is never its own descendant. An empty network gives empty results.

One module per family: :mod:`~graph.analysis.reach.metrics` (per-customer measures and cascade
trees), :mod:`~graph.analysis.reach.spread` (independent cascade), :mod:`~graph.analysis.reach.seeding`
(campaign seeds by CELF or IMM) and :mod:`~graph.analysis.reach.community` (Louvain).

The algorithms work on integer arrays (CSR adjacency, scipy.sparse.csgraph; the private module
``_arrays`` holds them and their kernels) rather than on the NetworkX graph, so that they scale to
networks of a million customers. The arrays are built once
per graph and kept in ``G.__networkx_cache__``, where NetworkX keeps its backend conversions
(switched by ``nx.config.cache_converted_graphs``): changes made through the graph's methods
(``add_edge`` and the like) clear it, but after setting an edge attribute in place, such as
``G[u][v]["converted"] = False``, clear it yourself with ``G.__networkx_cache__.clear()``.
"""

from graph.analysis.reach.community import Community, communities
from graph.analysis.reach.metrics import Referrer, referral_metrics, referral_tree
from graph.analysis.reach.seeding import CELF_MAX_CELLS, CELF_MAX_NODES, RR_MAX_SETS, Campaign, campaign
from graph.analysis.reach.spread import MAX_RUNS, Spread, check_parameters, expected_spread

__all__ = [
    "CELF_MAX_CELLS",
    "CELF_MAX_NODES",
    "MAX_RUNS",
    "RR_MAX_SETS",
    "Campaign",
    "Community",
    "Referrer",
    "Spread",
    "campaign",
    "check_parameters",
    "communities",
    "expected_spread",
    "referral_metrics",
    "referral_tree",
]
