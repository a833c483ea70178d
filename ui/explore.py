"""Explore page: find a person, company or product, see everything around it, grow its network by clicking.

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
from graph.visual import LAYOUTS, MORE, VisualEdge, VisualNode, node_id, split_node_id
from queries.card import (
    Match,
    average_satisfaction,
    colleagues_by_company,
    orders,
    referral_outcome,
    spent,
    supplier_tiers,
)
from queries.neighbourhood import Subgraph
from ui import data_access
from ui.common import analysis_caption, neo4j_guard
from ui.format import card_url, column_config, money, times_average
from ui.widgets import entity_search, md_text, network_downloads, network_view

STATE = "explore"
NETWORK_KEY = "explore-network"
LINK_KEYS = ("id", "customerId", "supplierId", "clientId", "sku", "companyId", "makerId")  # what a row's card is
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
    cols[2].metric("Referred revenue", money(row.referred_revenue))
    average = data_access.average_influence()
    cols[3].metric("Influence", times_average(row.influence / average),
                   help=f"PageRank on the reversed referral network ({row.influence:.6f}), against its average "
                        f"customer's ({average:.6f})")
    analysis_caption()


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
        state = st.session_state[STATE] = {"root": root, "expanded": [], "clicked": None, "pages": {}}
    return state


def _on_node_click(clicked: str) -> None:
    state = st.session_state[STATE]
    state["clicked"] = clicked
    if clicked.startswith(f"{MORE}:"):  # a folded hub ("ABC Electronics · 180 other orders"): its next page
        state["pages"][clicked] = state["pages"].get(clicked, 0) + 1
    elif clicked not in state["expanded"]:
        state["expanded"].append(clicked)


def _number(value: Any) -> str:
    """A quantity as people write it: 3, not 3.0 (the CSV format reads quantities as numbers)."""
    return md_text(f"{value:g}" if isinstance(value, float) else value)


def _when(value: Any) -> str:
    return md_text(value) if value else "undated"


def _link(name: Any, entity_id: Any) -> str:
    """Markdown: the name as a link to its card."""
    return f"[{md_text(name or entity_id)}]({card_url(entity_id)})"


def _person_sections(card: dict[str, Any]) -> None:
    props = card["properties"]
    facts = [props.get("occupation"), f"{props['age']} years" if props.get("age") else None,
             ", ".join(str(p) for p in (props.get("city"), props.get("country")) if p), props.get("email")]
    st.caption(" · ".join(md_text(f) for f in ["Person", card["id"], *facts] if f))
    satisfaction = average_satisfaction(card)
    cut = "+" if "orders" in card["truncated"] else ""  # the card holds the newest order lines only
    cols = st.columns(4)
    cols[0].metric("Orders", f"{len(orders(card)):,}{cut}")
    cols[1].metric("Spent", f"{money(spent(card))}{cut}")
    cols[2].metric("Referred (converted)", f"{sum(r['converted'] for r in card['referred']):,}")
    cols[3].metric("Satisfaction", f"{satisfaction:.1f} / 5" if satisfaction is not None else "n/a")


def _purchases(card: dict[str, Any]) -> None:
    st.subheader("Purchases")
    bought = orders(card)
    if not bought:
        st.caption("No orders.")
    for order in bought:
        total = money(order["total"], order["currency"] or "USD") if order["total"] is not None else ""
        head = [f"**{_when(order['date'])}**", f"order {md_text(order['orderId'])}", total,
                f"paid by {md_text(order['paymentMethod'])}" if order["paymentMethod"] else "",
                md_text(order["channel"]) if order["channel"] else "",
                f"sold by **{_link(order['seller'], order['sellerId'])}**" if order["seller"] else ""]
        lines = []
        for line in order["lines"]:
            years = line["warrantyYears"]
            warranty = f"{_number(years)}-year warranty" if years else "no extended warranty"
            lines.append(f"- {_link(line['product'], line['sku'])} × {_number(line['quantity'] or 1)}, {warranty}")
        st.markdown(" · ".join(part for part in head if part) + "\n" + "\n".join(lines))
    if "orders" in card["truncated"]:
        st.caption("The newest order lines only: see all with the named query customer_360.")


def _outcome(card: dict[str, Any], other_id: str, direction: str) -> str:
    """Whether the referred customer bought after the referral, when first, and for how much."""
    row = referral_outcome(card, other_id, direction)
    who = "they" if direction == "out" else "this customer"
    if row is None or not row["ordersAfter"]:
        return f"{who} have not bought since" if direction == "out" else f"{who} has not bought since"
    orders_after = f"{row['ordersAfter']:,} order{'s' if row['ordersAfter'] != 1 else ''}"
    return f"bought from {md_text(row['firstOrder'])}: {orders_after}, {money(row['boughtAfter'])}"


def _people_list(card: dict[str, Any], title: str, rows: list[dict[str, Any]], empty: str, direction: str) -> None:
    st.markdown(f"**{title}**")
    if not rows:
        st.caption(empty)
    for row in rows:
        extra = [f"referred {_when(row.get('date'))}", md_text(row["channel"]) if row.get("channel") else "",
                 "converted" if row.get("converted") else "not converted", _outcome(card, row["id"], direction)]
        st.markdown(f"- {_link(row['name'], row['id'])} ({md_text(row['id'])}) · " + " · ".join(e for e in extra if e))


def _referrals(card: dict[str, Any]) -> None:
    _people_list(card, "Referred by", card["referredBy"], "Nobody referred them.", "in")
    _people_list(card, "Referred", card["referred"], "No referrals.", "out")


def _relationships(card: dict[str, Any]) -> None:
    st.subheader("Relationships")
    colleagues = colleagues_by_company(card)
    for job in card["employers"]:
        role = f"{md_text(job['role'])} at " if job["role"] else "Works at "
        since = f" since {md_text(job['since'])}" if job["since"] else ""
        st.markdown(f"{role}**{_link(job['company'], job['companyId'])}**{since}")
        names = colleagues.get(job["companyId"], [])
        if names:
            more = f" and {len(names) - COLLEAGUES_SHOWN:,} more" if len(names) > COLLEAGUES_SHOWN else ""
            st.caption("Colleagues: " + ", ".join(md_text(name) for name in names[:COLLEAGUES_SHOWN]) + more)
    for account in card["accounts"]:
        stars = "★" * int(account["satisfaction"] or 0)
        facts = [f"since {md_text(account['since'])}" if account["since"] else "", md_text(account["status"] or ""),
                 f"manager {md_text(account['accountManager'])}" if account["accountManager"] else ""]
        st.markdown(f"Customer of **{_link(account['company'], account['companyId'])}** {stars} "
                    + " · ".join(f for f in facts if f))
    _referrals(card)


def _interactions(card: dict[str, Any]) -> None:
    st.subheader("Interactions")
    if not card["interactions"]:
        st.caption("No interactions recorded.")
        return
    st.dataframe(pd.DataFrame(card["interactions"]), hide_index=True, width="stretch")


def _table(title: str, rows: list[dict[str, Any]], empty: str, truncated: bool = False) -> None:
    """A card's table; each row links to the card of the person, company or product it names."""
    st.markdown(f"**{title}** ({len(rows):,}{'+' if truncated else ''})")
    if not rows:
        st.caption(empty)
        return
    frame = pd.DataFrame(rows)
    key = next((k for k in LINK_KEYS if k in frame.columns), None)
    if key is not None:
        frame.insert(0, "card", [card_url(v) if v is not None else None for v in frame[key]])
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config=column_config(list(frame.columns), link="card" if key else None))


def _company_sections(card: dict[str, Any]) -> None:
    props = card["properties"]
    facts = [props.get("industry"), props.get("size"), props.get("city"), props.get("country"), props.get("region")]
    st.caption(" · ".join(md_text(f) for f in ["Company", card["id"], *facts] if f))
    [company] = card["company"]
    tiers = supplier_tiers(card)
    risk = data_access.supplier_risk(card["id"])
    concentration = data_access.client_concentration(card["id"])
    cols = st.columns(5)
    cols[0].metric("Revenue sold", money(company["revenue"]), help=f"{company['orders']:,} orders")
    cols[1].metric("Direct suppliers", f"{len(tiers.get(1, [])):,}")
    cols[2].metric("Single-source skus", f"{len(card['singleSources']):,}")
    cols[3].metric("Concentration (HHI)", f"{concentration.hhi:,.0f}" if concentration else "n/a")
    cols[4].metric("Supplier risk score", f"{risk.risk_score:.2f}" if risk else "n/a",
                   help=(f"{risk.downstream:,} companies downstream; if it fails, {risk.impacted:,} fail with it "
                         f"and {money(risk.revenue_at_risk)} of revenue is at risk") if risk else "Not a supplier")
    analysis_caption()
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
    depth = middle.slider("Depth", 1, 3, 1, key="explore-depth",
                          help="1: the entity's own orders (with products and sellers), referrals, employer and "
                               "accounts; more reaches their neighbours too")
    layout = right.selectbox("Layout", LAYOUTS, key="explore-layout",
                             help="force: the same picture on every visit; radial: rings around the entity; "
                                  "hierarchical: top-down")
    cap = 400
    types = tuple(rel_types)
    pages = tuple(sorted(state["pages"].items()))
    parts = [data_access.story_of(root, types, depth, pages, cap)]
    parts += [data_access.story_of(start, types, 1, pages, cap) for start in state["expanded"]]
    nodes, edges, _ = _merge(parts)
    folded = sum(1 for n in nodes if n["kind"] == MORE)
    hint = "Click a node to add its neighbours"
    if folded:
        hint += ", or a grey box (a hub's other orders, customers, …) to draw them page by page"
    st.caption(hint + ". Hover for details; click into the picture to zoom with the wheel; find, full screen and "
               "PNG in the toolbar.")
    network_view(nodes, edges, key=NETWORK_KEY, height=560, max_nodes=cap, layout=layout, focus=root,
                 on_click=_on_node_click)
    clicked = state["clicked"]
    if clicked and not clicked.startswith(f"{MORE}:"):
        label, key = split_node_id(clicked)
        name = next((n["name"] for n in nodes if n["id"] == clicked), key)
        if label in ("Person", "Company", "Product") and key != card["id"]:
            st.button(f"Open the card of {md_text(name)}", on_click=_open, args=(key,), icon=":material/badge:")
    if state["expanded"] or state["pages"]:
        st.button("Reset the network", on_click=lambda: st.session_state.pop(STATE, None), icon=":material/undo:")
    network_downloads(nodes, edges, name=f"relgraph-{card['id']}", key="explore-downloads", view_key=NETWORK_KEY,
                      max_nodes=cap, layout=layout, focus=root)


def _product_sections(card: dict[str, Any]) -> None:
    props = card["properties"]
    price = money(props["unitPrice"], props.get("currency") or "USD") if props.get("unitPrice") is not None else None
    st.caption(" · ".join(md_text(f) for f in ["Product", card["id"], props.get("category"), price] if f))
    [product] = card["product"] or [{"makers": [], "components": [], "usedIn": []}]
    [sales] = card["sales"]
    cols = st.columns(4)
    cols[0].metric("Revenue", money(sales["revenue"]), help="Quantity × unit price over its order lines")
    cols[1].metric("Orders", f"{sales['orders']:,}")
    cols[2].metric("Units sold", f"{sales['units']:,.0f}")
    cols[3].metric("Buyers", f"{sales['buyers']:,}")
    makers = ", ".join(_link(m["name"], m["id"]) for m in product["makers"]) or "nobody on record"
    st.markdown(f"**Made by** {makers}")
    if product["usedIn"]:
        st.markdown("**Goes into** " + ", ".join(_link(p["name"], p["sku"]) for p in product["usedIn"]))
    left, right = st.columns(2)
    with left:
        _table("Components", card["bom"], "Made of no recorded components.")
        _table("Suppliers of its makers", card["makerSuppliers"], "No supplier of its makers on record.")
    with right:
        _table("Who bought it", card["buyers"], "Nobody bought it yet.", "buyers" in card["truncated"])


def render() -> None:
    st.title("Explore")
    with neo4j_guard():
        entity_search(_on_pick)
        entity_id = st.query_params.get("id")
        if not entity_id:
            st.info("Search for a person, company or product by name or id to see everything around it.")
            return
        card = data_access.card(entity_id)
        if card is None:
            st.warning(f"No person, company or product has the id **{md_text(entity_id)}**. Search by name above, "
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
        elif card["kind"] == "Product":
            _product_sections(card)
        else:
            _company_sections(card)
        _network(card)


render()
