"""Supply risk page: critical suppliers, single sources, concentration, and what-if disruptions.

Every number comes from ui.data_access (graph.analysis.risk on the supply network, once per data
version and parameters); this page lays out and links. `/risk?disrupt=ID[,ID...]` opens the
what-if for those companies and `/risk?region=NAME` for a region, so a reviewer can paste a
scenario into an e-mail.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

import networkx as nx
import pandas as pd
import streamlit as st

from graph.access import Action
from graph.analysis import risk
from graph.ids import parse_ids
from ui import data_access
from ui.auth import current_user
from ui.charts import hhi_histogram, ranked_bars, tier_chart, unique_labels
from ui.common import neo4j_guard
from ui.export import spreadsheet_csv
from ui.widgets import frame

SUPPLIERS, REGION = "Suppliers", "A region"
RANKING_COLUMNS = ["id", "name", "direct_clients", "downstream", "single_source_links", "impacted", "revenue_at_risk",
                   "betweenness", "risk_score"]
TIER_ROWS = 40  # the drawing shows at most this many companies per round; the table lists them all


def _ranking() -> pd.DataFrame:
    df = frame(data_access.supplier_ranking(), risk.SupplierRisk)
    df["label"] = unique_labels(df["name"], df["id"])
    df["what_if"] = "risk?disrupt=" + df["id"].map(quote)
    return df


def _single_sources(G: nx.MultiDiGraph) -> pd.DataFrame:
    name = partial(data_access.node_name, G)
    return pd.DataFrame(
        [{"client_id": link.client_id, "client": name(link.client_id), "sku": link.sku,
          "supplier_id": link.supplier_id, "supplier": name(link.supplier_id)}
         for link in data_access.single_sources()],
        columns=["client_id", "client", "sku", "supplier_id", "supplier"])


def _tiers(result: risk.WhatIf, G: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cascade's companies placed for the tier-by-tier drawing, and the lost deliveries between them.

    ``companies``: id, name, round (0 for the failed set), max_loss (empty for them), row (place in its
    round); ``links``: one row per lost delivery, x, y the supplier's round and row, x2, y2 the client's.
    """
    rows = [{"id": c, "name": data_access.node_name(G, c), "round": 0, "max_loss": None} for c in result.failed]
    rows += [{"id": i.id, "name": i.name or str(i.id), "round": i.round, "max_loss": i.max_loss}
             for i in result.impacted]
    companies = pd.DataFrame(rows, columns=["id", "name", "round", "max_loss"])
    companies["row"] = companies.groupby("round").cumcount()
    place = {c: (r, row) for c, r, row in companies[["id", "round", "row"]].itertuples(index=False)}
    links = pd.DataFrame(
        [{"x": place[s][0], "y": place[s][1], "x2": place[c][0], "y2": place[c][1]}
         for c in companies["id"] for s in G.predecessors(c) if s in place and place[s][0] < place[c][0]],
        columns=["x", "y", "x2", "y2"])
    return companies, links


def _ranking_tab() -> None:
    df = _ranking()
    st.caption("Each supplier's own failure at threshold 0.5: the companies it takes down, the revenue they "
               "sell, the single-source links it alone supplies and how often it lies between others. "
               "The risk score weighs these, 100 being the worst on all four.")
    st.altair_chart(ranked_bars(df, "risk_score", "label", tooltip=["impacted", "revenue_at_risk"]),
                    width="stretch")
    st.dataframe(
        df, hide_index=True, width="stretch",
        column_order=["what_if", "id", "name", "risk_score", "direct_clients", "downstream",
                      "single_source_links", "impacted", "revenue_at_risk"],
        column_config={
            "what_if": st.column_config.LinkColumn("what-if", display_text="disrupt",
                                                   help="Open the what-if of this supplier's failure"),
            "risk_score": st.column_config.ProgressColumn("risk score", format="%.1f", min_value=0, max_value=100),
            "revenue_at_risk": st.column_config.NumberColumn("revenue at risk", format="localized"),
        })
    if current_user().can(Action.EXPORT):
        st.download_button("Download the ranking (CSV)", lambda: spreadsheet_csv(df[RANKING_COLUMNS]),
                           file_name="supplier-ranking.csv", mime="text/csv", icon=":material/download:",
                           on_click="ignore")


def _single_sources_tab(G: nx.MultiDiGraph) -> None:
    df = _single_sources(G)
    st.caption("A client and a product it buys from exactly one supplier: nothing else can step in if it fails.")
    st.metric("Single-source links", f"{len(df):,}")
    st.dataframe(df, hide_index=True, width="stretch")


def _concentration_tab() -> None:
    df = frame(data_access.concentration(), risk.Concentration)
    st.caption("For each product a client buys, HHI = sum of the squared supply shares x 10,000; a client's "
               "concentration is its largest HHI. DOJ/FTC bands: below 1,500 unconcentrated, 1,500 to 2,500 "
               "moderately, above 2,500 highly concentrated.")
    if df.empty:
        st.info("No client has a supplier yet.")
        return
    levels = df["level"].value_counts()
    cols = st.columns(3)
    for col, level in zip(cols, ["highly concentrated", "moderately concentrated", "unconcentrated"], strict=True):
        col.metric(level.capitalize(), f"{levels.get(level, 0):,}")
    st.altair_chart(hhi_histogram(df), width="stretch")
    st.dataframe(df, hide_index=True, width="stretch",
                 column_config={"hhi": st.column_config.NumberColumn("HHI", format="localized"),
                                "sku": st.column_config.TextColumn("sku with that HHI")})


def _ids_from_url() -> list[str]:
    return parse_ids(*st.query_params.get_all("disrupt"))


def _sync_url() -> None:
    """Put the scenario in the URL, so that it can be shared."""
    st.query_params.pop("disrupt", None)
    st.query_params.pop("region", None)
    if st.session_state["risk-mode"] == REGION:
        if st.session_state.get("risk-region"):
            st.query_params["region"] = st.session_state["risk-region"]
    elif st.session_state.get("risk-disrupt"):
        st.query_params["disrupt"] = ",".join(st.session_state["risk-disrupt"])


def _what_if_tab(G: nx.MultiDiGraph) -> None:
    linked = _ids_from_url()
    unknown = [c for c in linked if c not in G]
    if unknown:
        st.warning("These company ids in the link are not in the database, so they are left out:",
                   icon=":material/help:")
        st.code(", ".join(unknown), language=None)
    name = partial(data_access.node_name, G)
    suppliers = sorted((n for n in G if G.succ[n]), key=lambda n: (name(n).lower(), n))
    options = suppliers + sorted(c for c in linked if c in G and c not in suppliers)
    regions = sorted({r for _, r in G.nodes(data="region") if r})
    url_region = st.query_params.get("region")
    left, right = st.columns([2, 1])
    mode = left.segmented_control("Fail", [SUPPLIERS, REGION], required=True, key="risk-mode", on_change=_sync_url,
                                  default=REGION if url_region in regions else SUPPLIERS)
    if mode == REGION:
        region = left.selectbox("Region", regions, key="risk-region", on_change=_sync_url,
                                index=regions.index(url_region) if url_region in regions else None,
                                placeholder="Choose a region")
        failed = None
    else:
        failed = left.multiselect("Companies that stop delivering", options, key="risk-disrupt", on_change=_sync_url,
                                  default=[c for c in linked if c in G], format_func=lambda c: f"{name(c)} ({c})",
                                  placeholder="Choose suppliers")
        region = None
    threshold = right.slider("Threshold", min_value=0.05, max_value=1.0, value=0.5, step=0.05, key="risk-threshold",
                             help="A company fails when it loses at least this share of the supply of one product.")
    if not (failed or region):
        st.info("Choose the suppliers that stop delivering, or a region, to see who fails with them.")
        return
    _show_what_if(data_access.what_if(tuple(failed) if failed else None, region, threshold), G)


def _show_what_if(result: risk.WhatIf, G: nx.MultiDiGraph) -> None:
    cols = st.columns(5)
    cols[0].metric("Failed", f"{len(result.failed):,}")
    cols[1].metric("Impacted", f"{len(result.impacted):,}")
    cols[2].metric("Customers affected", f"{result.customers_affected:,}")
    cols[3].metric("Revenue at risk", f"{result.revenue_at_risk:,.0f}")
    cols[4].metric("Time to recover", f"{result.time_to_recover_days:,.0f} days",
                   help="Once the failed companies deliver again: the longest chain of lead times "
                        "through the cascade.")
    if not result.impacted:
        st.success("No other company fails at this threshold.", icon=":material/check_circle:")
    companies, links = _tiers(result, G)
    drawn = companies[companies["row"] < TIER_ROWS]
    st.subheader("The cascade, tier by tier")
    if len(drawn) < len(companies):
        st.caption(f"Showing the first {TIER_ROWS} companies of each round; the table lists all {len(companies):,}.")
    st.altair_chart(tier_chart(drawn, links[(links["y"] < TIER_ROWS) & (links["y2"] < TIER_ROWS)]),
                    width="stretch")
    st.subheader("Impacted companies")
    table = companies.drop(columns="row")
    st.dataframe(table[table["round"] > 0], hide_index=True, width="stretch",
                 column_config={"max_loss": st.column_config.ProgressColumn(
                     "max loss", format="percent", min_value=0, max_value=1,
                     help="Its largest loss of one product's supply, in the round it failed")})
    if current_user().can(Action.EXPORT):
        st.download_button("Download the cascade (CSV)", lambda: spreadsheet_csv(table), file_name="cascade.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore")


def render() -> None:
    st.title("Supply risk")
    st.caption("Which suppliers are critical, who depends on a single source, and what fails when a supplier "
               "or a whole region stops delivering.")
    with neo4j_guard():
        G = data_access.supply_graph()
        if not G.number_of_edges():
            st.info("No supply relationships yet. Load the demo data on the **Data** page or with "
                    "`relgraph load demo`.")
            return
        # Lazy tabs: only the open one runs, so a what-if link does not wait for the ranking.
        views = {"Ranking": _ranking_tab, "Single sources": lambda: _single_sources_tab(G),
                 "Concentration": _concentration_tab, "What-if": lambda: _what_if_tab(G)}
        what_if_first = bool(st.query_params.get("disrupt") or st.query_params.get("region"))
        tabs = st.tabs(list(views), default="What-if" if what_if_first else "Ranking", key="risk-tab",
                       on_change="rerun")
        for tab, show in zip(tabs, views.values(), strict=True):
            if tab.open:
                with tab:
                    show()

render()
