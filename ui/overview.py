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
from ui.common import analysis_caption, neo4j_guard
from ui.format import card_column, card_link, count, money, money_column, money_short
from ui.widgets import frame

TOP = 5


def _top_risks() -> pd.DataFrame:
    df = frame(data_access.supplier_ranking()[:TOP], SupplierRisk)
    df["supplier"] = [card_link(i, n) for i, n in zip(df["id"], df["name"], strict=True)]
    df["label"] = unique_labels(df["name"], df["id"])
    df["what_if"] = "/risk?disrupt=" + df["id"].astype(str).map(lambda i: quote(i, safe=""))
    return df


def _top_referrers() -> pd.DataFrame:
    rows = data_access.top_referrers(TOP)  # only these rows are read
    average = data_access.average_influence()
    df = frame(rows, Referrer)
    df["customer"] = [card_link(i, n) for i, n in zip(df["id"], df["name"], strict=True)]
    df["label"] = unique_labels(df["name"], df["id"])
    df["influence_x"] = df["influence"] / average if average else 0.0
    return df


def _customers() -> pd.DataFrame:
    return pd.DataFrame(data_access.customers(), columns=["type", "region", "customers"])


COLUMNS = {
    "supplier": card_column("Supplier"),
    "customer": card_column("Customer"),
    "risk_score": st.column_config.NumberColumn("Risk score", format="%.1f",
                                                help="0 to 100; 100 is the worst supplier on every measure"),
    "revenue_at_risk": money_column("Revenue at risk", help="Sales of the companies that fail with it"),
    "influence_x": st.column_config.NumberColumn(
        "Influence (× average)", format="%,.1f ×",
        help="PageRank on the reversed referrals, relative to the average customer: 10 × is ten times the average"),
    "cascade_size": st.column_config.NumberColumn("Cascade size", format="%,d",
                                                  help="Customers their converted referrals brought in"),
    "referred_revenue": money_column("Referred revenue", help="What the customers of their cascade spent"),
    "what_if": st.column_config.LinkColumn("What-if", display_text="what-if",
                                           help="What fails if this supplier stops delivering"),
}
TITLES = {"label": "Name", "influence_x": "Influence (× average)"}


def _ranking(df: pd.DataFrame, value: str, name: str, tooltip: list[str], shown: list[str]) -> None:
    """The top rows as bars (`tooltip` on hover), then as a table of `name` (opening the card), `value`
    and the `shown` columns: half a page wide, it holds four or five."""
    if df.empty:
        st.caption("Nothing to rank yet.")
        return
    st.altair_chart(ranked_bars(df, value, "label", top=TOP, tooltip=tooltip, titles=TITLES), width="stretch")
    st.dataframe(df, hide_index=True, width="stretch", column_order=[name, value, *shown],
                 column_config={c: COLUMNS[c] for c in [name, value, *shown]})


def _customers_section(df: pd.DataFrame) -> None:
    st.subheader("Customers by region")
    if df.empty:
        st.caption("No one has placed an order yet.")
        return
    by_type = df.groupby("type")["customers"].sum()
    cols = st.columns(2)
    cols[0].metric("Customers: people", count(int(by_type.get("people", 0))))
    cols[1].metric("Customers: businesses", count(int(by_type.get("businesses", 0))))
    st.altair_chart(stacked_bars(df, "customers", "region", "type"), width="stretch")
    st.caption("People and companies that placed an order. A person is placed in the region of their city.")
    st.page_link("ui/explore.py", label="Look up a customer", icon=":material/arrow_forward:")


def _counts_table(where, title: str, name: str, figures: dict[str, int]) -> None:
    """A dozen rows at most, shown whole as a plain table: no scrollbar in a narrow column, nothing to sort."""
    where.subheader(title)
    df = pd.DataFrame({name.capitalize(): list(figures), "Count": list(figures.values())})
    where.table(df.style.format({"Count": "{:,}"}).hide(axis="index"))


def render() -> None:
    st.title("relgraph")
    st.caption("Customers, suppliers, products, orders and referrals: who is connected to whom.")
    with neo4j_guard():
        counts = data_access.counts()
    labels, rels = counts["labels"], counts["relationships"]
    cols = st.columns([1, 1, 1, 1.6, 1])  # the revenue, with its currency, needs the room
    cols[0].metric("People", count(labels["Person"]))
    cols[1].metric("Companies", count(labels["Company"]))
    cols[2].metric("Orders", count(labels["Order"]))
    cols[3].metric("Revenue", money_short(counts["revenue"]), help=f"{money(counts['revenue'])} over all orders")
    cols[4].metric("Referrals", count(rels["REFERRED"]))
    if sum(labels.values()) == 0:
        st.info("The database is empty. Load the demo data on the **Data** page or with `relgraph load demo`.")
        return
    with neo4j_guard():
        risks, referrers, customers = _top_risks(), _top_referrers(), _customers()
        analysis_caption()
    left, right = st.columns(2)
    with left:
        st.subheader("Top supply risks")
        _ranking(risks, "risk_score", "supplier", ["impacted", "revenue_at_risk"], ["revenue_at_risk", "what_if"])
        st.page_link("ui/risk.py", label="Supplier ranking and what-if disruptions", icon=":material/arrow_forward:")
    with right:
        st.subheader("Top referrers")
        _ranking(referrers, "influence_x", "customer", ["cascade_size", "referred_revenue"],
                 ["cascade_size", "referred_revenue"])
        st.page_link("ui/reach.py", label="Referral cascades and campaigns", icon=":material/arrow_forward:")
    left, middle, right = st.columns([2, 1, 1])
    with left:
        _customers_section(customers)
    _counts_table(middle, "Nodes", "label", labels)
    _counts_table(right, "Relationships", "type", rels)
    if current_user().can(Action.LOAD):  # the Data page exists for admins only
        right.page_link("ui/data.py", label="Schema, counts and loading", icon=":material/arrow_forward:")


render()
