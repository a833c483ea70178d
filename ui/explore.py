"""Explore page: find a person or company, see everything around it, grow its network by clicking.

``/explore?id=ID`` opens that entity: the id is the page's shareable state. The explorer's own
state (which nodes were expanded) lives in st.session_state and starts afresh for a new entity.
Everything shown comes from ui.data_access: the card (named queries, see queries.card), the
neighbourhood, and the supplier and referral measures; this page lays them out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from graph.store.schema import REL_TYPES
from graph.visual import MORE, VisualEdge, VisualNode, node_id, split_node_id
from queries.card import Match, average_satisfaction, colleagues_by_company, orders, spent, supplier_tiers
from queries.neighbourhood import Subgraph
from ui import data_access
from ui.common import neo4j_guard
from ui.widgets import entity_search, md_text, network_downloads, network_view

STATE = "explore"
NETWORK_KEY = "explore-network"
MAX_ROOM = 3000  # nodes read around one start at most: past this, the browser's physics crawls
COLLEAGUES_SHOWN = 20  # colleagues named under each employer


def _reach(card: dict[str, Any]) -> None:
    """Word-of-mouth figures; measured over the whole referral network once per data version."""
    row = data_access.referrer(card["id"])
    if row is None:
        st.caption("Takes no part in any referral.")
        return
    cols = st.columns(4)
    cols[0].metric("Direct referrals", f"{row.direct_referrals:,}")
    cols[1].metric("Cascade size", f"{row.cascade_size:,}", help=f"{row.cascade_depth} levels deep")
    cols[2].metric("Referred revenue", f"{row.referred_revenue:,.0f}")
    cols[3].metric("Influence", f"{row.influence:.4f}", help="PageRank on the reversed referral network")


def _open(entity_id: str) -> None:
    """Make ``entity_id`` the page's entity: the URL says so, and the explorer starts afresh."""
    st.query_params["id"] = entity_id
    st.session_state.pop(STATE, None)
    st.session_state.pop(f"{NETWORK_KEY}:positions", None)


def _on_pick(match: Match) -> None:
    _open(match["id"])


def _explorer(root: str) -> dict[str, Any]:
    state = st.session_state.get(STATE)
    if state is None or state["root"] != root:
        state = st.session_state[STATE] = {"root": root, "expanded": [], "clicked": None, "more": 0}
    return state


def _on_node_click(clicked: str) -> None:
    state = st.session_state[STATE]
    state["clicked"] = clicked
    if clicked.startswith(f"{MORE}:"):  # "+N more": draw the next node cap's worth around each start
        state["more"] += 1
    elif clicked not in state["expanded"]:
        state["expanded"].append(clicked)


def _number(value: Any) -> str:
    """A quantity as people write it: 3, not 3.0 (the CSV format reads quantities as numbers)."""
    return md_text(f"{value:g}" if isinstance(value, float) else value)


def _when(value: Any) -> str:
    return md_text(value) if value else "undated"


def _person_sections(card: dict[str, Any]) -> None:
    props = card["properties"]
    facts = [props.get("occupation"), f"{props['age']} years" if props.get("age") else None,
             ", ".join(str(p) for p in (props.get("city"), props.get("country")) if p), props.get("email")]
    st.caption(" · ".join(md_text(f) for f in ["Person", card["id"], *facts] if f))
    satisfaction = average_satisfaction(card)
    cut = "+" if "orders" in card["truncated"] else ""  # the card holds the newest order lines only
    cols = st.columns(4)
    cols[0].metric("Orders", f"{len(orders(card)):,}{cut}")
    cols[1].metric("Spent", f"{spent(card):,.2f}{cut}")
    cols[2].metric("Referred (converted)", f"{sum(r['converted'] for r in card['referred']):,}")
    cols[3].metric("Satisfaction", f"{satisfaction:.1f} / 5" if satisfaction is not None else "n/a")


def _purchases(card: dict[str, Any]) -> None:
    st.subheader("Purchases")
    bought = orders(card)
    if not bought:
        st.caption("No orders.")
    for order in bought:
        total = f"{order['total']:,.2f} {md_text(order['currency'] or '')}" if order["total"] is not None else ""
        head = [f"**{_when(order['date'])}**", f"order {md_text(order['orderId'])}", total,
                f"paid by {md_text(order['paymentMethod'])}" if order["paymentMethod"] else "",
                md_text(order["channel"]) if order["channel"] else "",
                f"sold by **{md_text(order['seller'])}**" if order["seller"] else ""]
        lines = []
        for line in order["lines"]:
            years = line["warrantyYears"]
            warranty = f"{_number(years)}-year warranty" if years else "no extended warranty"
            lines.append(f"- {md_text(line['product'] or line['sku'])} × {_number(line['quantity'] or 1)}, {warranty}")
        st.markdown(" · ".join(part for part in head if part) + "\n" + "\n".join(lines))
    if "orders" in card["truncated"]:
        st.caption("The newest order lines only: see all with the named query customer_360.")


def _people_list(title: str, rows: list[dict[str, Any]], empty: str) -> None:
    st.markdown(f"**{title}**")
    if not rows:
        st.caption(empty)
    for row in rows:
        extra = [_when(row.get("date")), md_text(row["channel"]) if row.get("channel") else "",
                 "not converted" if row.get("converted") is False else ""]
        st.markdown(f"- {md_text(row['name'] or row['id'])} ({md_text(row['id'])}) · "
                    + " · ".join(e for e in extra if e))


def _referrals(card: dict[str, Any]) -> None:
    _people_list("Referred by", card["referredBy"], "Nobody referred them.")
    _people_list("Referred", card["referred"], "No referrals.")


def _relationships(card: dict[str, Any]) -> None:
    st.subheader("Relationships")
    colleagues = colleagues_by_company(card)
    for job in card["employers"]:
        role = f"{md_text(job['role'])} at " if job["role"] else "Works at "
        since = f" since {md_text(job['since'])}" if job["since"] else ""
        st.markdown(f"{role}**{md_text(job['company'])}**{since}")
        names = colleagues.get(job["companyId"], [])
        if names:
            more = f" and {len(names) - COLLEAGUES_SHOWN:,} more" if len(names) > COLLEAGUES_SHOWN else ""
            st.caption("Colleagues: " + ", ".join(md_text(name) for name in names[:COLLEAGUES_SHOWN]) + more)
    for account in card["accounts"]:
        stars = "★" * int(account["satisfaction"] or 0)
        facts = [f"since {md_text(account['since'])}" if account["since"] else "", md_text(account["status"] or ""),
                 f"manager {md_text(account['accountManager'])}" if account["accountManager"] else ""]
        st.markdown(f"Customer of **{md_text(account['company'])}** {stars} " + " · ".join(f for f in facts if f))
    _referrals(card)


def _interactions(card: dict[str, Any]) -> None:
    st.subheader("Interactions")
    if not card["interactions"]:
        st.caption("No interactions recorded.")
        return
    st.dataframe(pd.DataFrame(card["interactions"]), hide_index=True, width="stretch")


def _table(title: str, rows: list[dict[str, Any]], empty: str, truncated: bool = False) -> None:
    st.markdown(f"**{title}** ({len(rows):,}{'+' if truncated else ''})")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(empty)


def _company_sections(card: dict[str, Any]) -> None:
    props = card["properties"]
    facts = [props.get("industry"), props.get("size"), props.get("city"), props.get("country"), props.get("region")]
    st.caption(" · ".join(md_text(f) for f in ["Company", card["id"], *facts] if f))
    [company] = card["company"]
    tiers = supplier_tiers(card)
    risk = data_access.supplier_risk(card["id"])
    concentration = data_access.client_concentration(card["id"])
    cols = st.columns(5)
    cols[0].metric("Revenue sold", f"{company['revenue']:,.0f}", help=f"{company['orders']:,} orders")
    cols[1].metric("Direct suppliers", f"{len(tiers.get(1, [])):,}")
    cols[2].metric("Single-source skus", f"{len(card['singleSources']):,}")
    cols[3].metric("Concentration (HHI)", f"{concentration.hhi:,.0f}" if concentration else "n/a")
    cols[4].metric("Supplier risk score", f"{risk.risk_score:.2f}" if risk else "n/a",
                   help=(f"{risk.downstream:,} companies downstream; if it fails, {risk.impacted:,} fail with it "
                         f"and {risk.revenue_at_risk:,.0f} revenue is at risk") if risk else "Not a supplier")
    cut = set(card["truncated"])
    left, right = st.columns(2)
    with left:
        _table("Customers", card["customers"], "No sales recorded.", "customers" in cut)
        _table("Products it makes", card["products"], "Makes no products.", "products" in cut)
        _table("People working here", card["employees"], "Nobody on record.", "employees" in cut)
    with right:
        for tier, rows in tiers.items():
            _table(f"Tier {tier} suppliers", rows, "", "suppliers" in cut and tier == max(tiers))
        if not tiers:
            st.caption("No suppliers on record.")
        _table("Single sources", card["singleSources"], "No sku depends on a single supplier.",
               "singleSources" in cut)
        _table("Clients it supplies", card["clients"], "Supplies nobody.", "clients" in cut)
    if orders(card):
        _purchases(card)
    _referrals(card)
    st.subheader("Word of mouth")
    _reach(card)


def _merge(parts: list[Subgraph]) -> tuple[list[VisualNode], list[VisualEdge], int]:
    """The union of several neighbourhoods, first come first kept, and their omitted counts."""
    nodes: dict[str, VisualNode] = {}
    edges: dict[str, VisualEdge] = {}
    for part in parts:
        nodes.update({n["id"]: n for n in part["nodes"] if n["id"] not in nodes})
        edges.update({e["id"]: e for e in part["edges"]})
    return list(nodes.values()), list(edges.values()), sum(part["omitted"] for part in parts)


def _network(card: dict[str, Any]) -> None:
    st.subheader("Network")
    root = node_id(card["kind"], card["id"])
    state = _explorer(root)
    left, middle, right = st.columns([3, 1, 1])
    rel_types = left.multiselect("Relationship types", REL_TYPES, default=list(REL_TYPES), key="explore-types")
    depth = middle.slider("Depth", 1, 3, 2, key="explore-depth")
    cap = right.slider("Node cap", 25, 1000, 200, step=25, key="explore-cap",
                       help="The most nodes drawn for the start and for each expansion; the rest is a '+N more' node")
    types = tuple(rel_types)
    room = min(cap * (1 + state["more"]), MAX_ROOM)
    parts = [data_access.neighbourhood_of(root, types, depth, room)]
    parts += [data_access.neighbourhood_of(start, types, 1, room) for start in state["expanded"]]
    nodes, edges, omitted = _merge(parts)
    hint = "Click a node to add its neighbours"
    if omitted and room < MAX_ROOM:
        hint += f", or **+{omitted:,} more** to draw up to {cap:,} more around each start"
    elif omitted:
        hint += f". {omitted:,} more are left out: narrow the relationship types or the depth to see them"
    st.caption(hint + ". Hover for details; find and download in the toolbar.")
    network_view(nodes, edges, key=NETWORK_KEY, height=560, max_nodes=room * len(parts), omitted=omitted,
                  on_click=_on_node_click)
    clicked = state["clicked"]
    if clicked and not clicked.startswith(f"{MORE}:"):
        label, key = split_node_id(clicked)
        name = next((n["name"] for n in nodes if n["id"] == clicked), key)
        if label in ("Person", "Company") and key != card["id"]:
            st.button(f"Open the card of {md_text(name)}", on_click=_open, args=(key,), icon=":material/badge:")
    if state["expanded"] or state["more"]:
        st.button("Reset the network", on_click=lambda: st.session_state.pop(STATE, None), icon=":material/undo:")
    network_downloads(nodes, edges, name=f"relgraph-{card['id']}", key="explore-downloads")


def render() -> None:
    st.title("Explore")
    with neo4j_guard():
        entity_search(_on_pick)
        entity_id = st.query_params.get("id")
        if not entity_id:
            st.info("Search for a person or company by name or id to see everything around it.")
            return
        card = data_access.card(entity_id)
        if card is None:
            st.warning(f"No person or company has the id **{md_text(entity_id)}**. Search by name above, "
                       "or load the demo data on the **Data** page.", icon=":material/person_search:")
            return
        st.header(md_text(card["name"]), anchor=False)
        if card["kind"] == "Person":
            _person_sections(card)
            left, right = st.columns(2)
            with left:
                _purchases(card)
            with right:
                _relationships(card)
            _interactions(card)
            if st.toggle("Word-of-mouth figures", key="explore-reach",
                         help="Cascade, referred revenue and influence: measured over the whole referral network"):
                _reach(card)
        else:
            _company_sections(card)
        _network(card)


render()
