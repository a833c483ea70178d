"""Overview page: what the graph holds, at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.stats import GraphCounts, graph_counts
from ui.common import data_version, database, neo4j_guard


@st.cache_data(ttl=600, show_spinner=False)
def _counts(version: str) -> GraphCounts:
    return graph_counts(database())


def render() -> None:
    st.title("relgraph")
    st.caption("Customers, suppliers, products, orders and referrals: who is connected to whom.")
    with neo4j_guard():
        db = database()
        counts = _counts(data_version(db))
    labels, rels = counts["labels"], counts["relationships"]
    cols = st.columns(5)
    cols[0].metric("People", f"{labels['Person']:,}")
    cols[1].metric("Companies", f"{labels['Company']:,}")
    cols[2].metric("Orders", f"{labels['Order']:,}")
    cols[3].metric("Revenue", f"{counts['revenue']:,.0f}")
    cols[4].metric("Referrals", f"{rels['REFERRED']:,}")
    if sum(labels.values()) == 0:
        st.info("The database is empty. Load the demo data on the **Data** page or with `relgraph load demo`.")
    left, right = st.columns(2)
    left.subheader("Nodes by label")
    left.dataframe(pd.DataFrame({"label": list(labels), "count": list(labels.values())}),
                   hide_index=True, use_container_width=True)
    right.subheader("Relationships by type")
    right.dataframe(pd.DataFrame({"type": list(rels), "count": list(rels.values())}),
                    hide_index=True, use_container_width=True)


render()
