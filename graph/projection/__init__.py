"""Projection of Neo4j into NetworkX: the one seam between the database and the analysis.

The bulk reads live here, beside the code that builds graphs from them, rather than in queries/:
they stream every row of a label or type once, are shaped by the graph they build, and are
not questions a user asks.
"""

from graph.projection.export import export_graph, to_networkx
from graph.projection.networks import referral_network, supply_network

__all__ = ["export_graph", "referral_network", "supply_network", "to_networkx"]
