"""Overview page: what the graph holds, its biggest supply risks and its best referrers, at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.projection import referral_network, supply_network
from graph.reach import referral_metrics
from graph.risk import supplier_ranking
from graph.stats import GraphCounts, graph_counts
from ui.charts import ranked_bars, unique_labels
from ui.common import data_version, database, neo4j_guard

TOP = 5


@st.cache_data(ttl=600, show_spinner=False)
def _counts(version: str) -> GraphCounts:
    return graph_counts(database())


@st.cache_data(ttl=600, show_spinner="Ranking suppliers…")
def _top_risks(version: str) -> pd.DataFrame:
    rows = supplier_ranking(supply_network(database()))[:TOP]
    return pd.DataFrame([{"id": r.id, "supplier": r.name, "risk_score": r.risk_score, "impacted": r.impacted,
                          "revenue_at_risk": r.revenue_at_risk} for r in rows])


@st.cache_data(ttl=600, show_spinner="Measuring referrals…")
def _top_referrers(version: str) -> pd.DataFrame:
    rows = referral_metrics(referral_network(database()), top=TOP)
    return pd.DataFrame([{"id": r.id, "customer": r.name, "influence": r.influence, "cascade_size": r.cascade_size,
                          "referred_revenue": r.referred_revenue} for r in rows])


def _compact(amount: float) -> str:
    """108165000 -> '108.2 M': a metric that fits its card."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:,.1f} {unit}"
    return f"{amount:,.0f}"


def _ranking(df: pd.DataFrame, value: str, label: str, page: str, title: str) -> None:
    if df.empty:
        st.caption("Nothing to rank yet.")
        return
    df = df.assign(**{label: unique_labels(df[label], df["id"])})
    st.altair_chart(ranked_bars(df, value, label, top=TOP), width="stretch")
    st.page_link(page, label=title, icon=":material/arrow_forward:")


def render() -> None:
    st.title("relgraph")
    st.caption("Customers, suppliers, products, orders and referrals: who is connected to whom.")
    with neo4j_guard():
        db = database()
        version = data_version(db)
        counts = _counts(version)
    labels, rels = counts["labels"], counts["relationships"]
    cols = st.columns(5)
    cols[0].metric("People", f"{labels['Person']:,}")
    cols[1].metric("Companies", f"{labels['Company']:,}")
    cols[2].metric("Orders", f"{labels['Order']:,}")
    cols[3].metric("Revenue", _compact(counts["revenue"]), help=f"{counts['revenue']:,.2f} over all orders")
    cols[4].metric("Referrals", f"{rels['REFERRED']:,}")
    if sum(labels.values()) == 0:
        st.info("The database is empty. Load the demo data on the **Data** page or with `relgraph load demo`.")
        return
    with neo4j_guard():
        risks, referrers = _top_risks(version), _top_referrers(version)
    left, right = st.columns(2)
    with left:
        st.subheader("Top supply risks")
        _ranking(risks, "risk_score", "supplier", "ui/risk.py", "Supplier ranking and what-if disruptions")
    with right:
        st.subheader("Top referrers")
        _ranking(referrers, "influence", "customer", "ui/reach.py", "Referral cascades and campaigns")
    left, right = st.columns(2)
    left.subheader("Nodes by label")
    left.dataframe(pd.DataFrame({"label": list(labels), "count": list(labels.values())}),
                   hide_index=True, width="stretch")
    right.subheader("Relationships by type")
    right.dataframe(pd.DataFrame({"type": list(rels), "count": list(rels.values())}),
                    hide_index=True, width="stretch")


render()
