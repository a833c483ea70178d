"""Overview page: what the graph holds, its customers, biggest supply risks and best referrers, at a glance.

Every number comes from ui.data_access (counts, the supplier ranking, the referral metrics, each
computed once per data version and shared with the other pages); this page lays out and links
each section to the page that explains it: a supplier to its what-if (`/risk?disrupt=ID`), a
referrer to its card (`/explore?id=ID`).
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from graph.access import Action
from graph.analysis.reach import Referrer
from graph.analysis.risk import SupplierRisk
from ui import data_access
from ui.auth import current_user
from ui.charts import ranked_bars, stacked_bars, unique_labels
from ui.common import neo4j_guard
from ui.widgets import frame

TOP = 5


def _top_risks() -> pd.DataFrame:
    df = frame(data_access.supplier_ranking()[:TOP], SupplierRisk)
    return df.rename(columns={"name": "supplier"})[["id", "supplier", "risk_score", "impacted", "revenue_at_risk"]]


def _top_referrers() -> pd.DataFrame:
    df = frame(data_access.referral_metrics()[:TOP], Referrer)
    return df.rename(columns={"name": "customer"})[["id", "customer", "influence", "cascade_size", "referred_revenue"]]


def _customers() -> pd.DataFrame:
    return pd.DataFrame(data_access.customers(), columns=["type", "region", "customers"])


def _link(path: str, key: str, ids: pd.Series) -> pd.Series:
    """Relative links such as ``risk?disrupt=ID`` (ids escaped), opened by a LinkColumn."""
    return f"{path}?{key}=" + ids.astype(str).map(lambda i: quote(i, safe=""))


def _compact(amount: float) -> str:
    """108165000 -> '108.2 M': a metric that fits its card."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:,.1f} {unit}"
    return f"{amount:,.0f}"


def _ranking(df: pd.DataFrame, value: str, label: str, tooltip: list[str], link: tuple[str, str, str]) -> None:
    """The top rows as bars, then as a table whose last column opens each row's page (path, key, text)."""
    if df.empty:
        st.caption("Nothing to rank yet.")
        return
    df = df.assign(**{label: unique_labels(df[label], df["id"])})
    st.altair_chart(ranked_bars(df, value, label, top=TOP, tooltip=tooltip), width="stretch")
    path, key, text = link
    st.dataframe(df.assign(open=_link(path, key, df["id"])), hide_index=True, width="stretch",
                 column_order=[label, value, *tooltip, "open"],
                 column_config={
                     "risk_score": st.column_config.NumberColumn("risk score", format="%.1f"),
                     "influence": st.column_config.NumberColumn(format="%.4f"),
                     "cascade_size": st.column_config.NumberColumn("cascade"),
                     "revenue_at_risk": st.column_config.NumberColumn("revenue at risk", format="compact"),
                     "referred_revenue": st.column_config.NumberColumn("referred revenue", format="compact"),
                     "open": st.column_config.LinkColumn("open", display_text=text),
                 })


def _customers_section(df: pd.DataFrame) -> None:
    st.subheader("Customers by region")
    if df.empty:
        st.caption("No one has placed an order yet.")
        return
    by_type = df.groupby("type")["customers"].sum()
    cols = st.columns(2)
    cols[0].metric("Customers: people", f"{by_type.get('people', 0):,}")
    cols[1].metric("Customers: businesses", f"{by_type.get('businesses', 0):,}")
    st.altair_chart(stacked_bars(df, "customers", "region", "type"), width="stretch")
    st.caption("People and companies that placed an order. A person is placed in the region of their city.")
    st.page_link("ui/explore.py", label="Look up a customer", icon=":material/arrow_forward:")


def render() -> None:
    st.title("relgraph")
    st.caption("Customers, suppliers, products, orders and referrals: who is connected to whom.")
    with neo4j_guard():
        counts = data_access.counts()
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
        risks, referrers, customers = _top_risks(), _top_referrers(), _customers()
    left, right = st.columns(2)
    with left:
        st.subheader("Top supply risks")
        _ranking(risks, "risk_score", "supplier", ["impacted", "revenue_at_risk"], ("risk", "disrupt", "what-if"))
        st.page_link("ui/risk.py", label="Supplier ranking and what-if disruptions", icon=":material/arrow_forward:")
    with right:
        st.subheader("Top referrers")
        _ranking(referrers, "influence", "customer", ["cascade_size", "referred_revenue"], ("explore", "id", "card"))
        st.page_link("ui/reach.py", label="Referral cascades and campaigns", icon=":material/arrow_forward:")
    left, middle, right = st.columns([2, 1, 1])
    with left:
        _customers_section(customers)
    middle.subheader("Nodes by label")
    middle.dataframe(pd.DataFrame({"label": list(labels), "count": list(labels.values())}),
                     hide_index=True, width="stretch")
    right.subheader("Relationships by type")
    right.dataframe(pd.DataFrame({"type": list(rels), "count": list(rels.values())}),
                    hide_index=True, width="stretch")
    if current_user().can(Action.LOAD):  # the Data page exists for admins only
        right.page_link("ui/data.py", label="Schema, counts and loading", icon=":material/arrow_forward:")


render()
