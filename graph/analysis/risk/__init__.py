"""Supply-chain risk: single sources, concentration, reach, disruption cascades and supplier ranking.

Every function but :func:`what_if_on_table` (the what-if on the network stored as columns, a
:class:`SupplyTable`) takes the supply network of :func:`graph.projection.supply_network`: an
``nx.MultiDiGraph`` over company ids with node attributes ``name``, ``region``, ``revenue`` and
``customers`` (a frozenset of customer ids), and one edge supplier -> client per SUPPLIES
relationship, keyed by sku, with ``share`` (share_pct in (0, 100]), ``lead_time_days`` (or None)
and ``annual_volume``. The definitions are those of the design contract (shared/design.md,
"Definitions the tests hold"). Every computation terminates on cycles and returns empty results
for an empty network.

One module per family: :mod:`~graph.analysis.risk.sourcing` (single sources, concentration),
:mod:`~graph.analysis.risk.reachability` (downstream counts), :mod:`~graph.analysis.risk.cascade`
(disruptions and their consequences, the what-if) and :mod:`~graph.analysis.risk.ranking`
(supplier criticality). A company's supplier tiers are a read of the database, the named query
``company_suppliers``.
"""

from graph.analysis.risk.cascade import (
    DEFAULT_LEAD_TIME_DAYS,
    DEFAULT_THRESHOLD,
    LOSS_TOLERANCE,
    Cascade,
    Impact,
    SupplyTable,
    WhatIf,
    check_threshold,
    companies_in_region,
    customers_affected,
    disruption_cascade,
    revenue_at_risk,
    time_to_recover,
    what_if,
    what_if_on_table,
)
from graph.analysis.risk.ranking import RISK_WEIGHTS, SupplierRisk, supplier_ranking
from graph.analysis.risk.reachability import downstream_counts
from graph.analysis.risk.sourcing import Concentration, SingleSource, concentration, hhi_level, single_source_links

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_LEAD_TIME_DAYS",
    "LOSS_TOLERANCE",
    "RISK_WEIGHTS",
    "Cascade",
    "Concentration",
    "Impact",
    "SingleSource",
    "SupplierRisk",
    "SupplyTable",
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
    "what_if",
    "what_if_on_table",
]
