"""Analyses computed once per data version and stored beside the server for every process to read.

The layer above ``graph.analysis``: it projects, analyses and stores (``analyse``), keeps the
projected networks in a compact form that loads in about a second (``compact``), and holds the
files (``store``, SQLite). The app's data-access layer and the CLI read from here.
"""

from graph.results.compact import referral_arrays
from graph.results.compute import RESULTS, Outcome, analyse, current, referral_graph, supply_graph, supply_table
from graph.results.counts import customer_groups, graph_counts
from graph.results.store import PagedRows, ResultStore, Stored, StoredRows, version_key

__all__ = ["RESULTS", "Outcome", "PagedRows", "ResultStore", "Stored", "StoredRows", "analyse", "current",
           "customer_groups", "graph_counts", "referral_arrays", "referral_graph", "supply_graph", "supply_table",
           "version_key"]
