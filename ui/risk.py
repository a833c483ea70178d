"""Supply risk page: critical suppliers, single sources, concentration, and what-if disruptions.

Every number comes from ui.data_access (graph.analysis.risk on the supply network, once per data
version and parameters); this page lays out and links. The tables read one page of rows from the
stored analysis and names row by row; only the What-if tab, whose cascade runs on the supply
links, reads them (companies and links as columns, no graph). `/risk?disrupt=ID[,ID...]` opens the
what-if for those companies and `/risk?region=NAME` for a region, so a reviewer can paste a scenario
into an e-mail.
"""

from __future__ import annotations

from collections.abc import Hashable
from urllib.parse import quote

import pandas as pd
import streamlit as st

from graph.access import Action
from graph.analysis import risk
from graph.ids import parse_ids
from graph.visual import VisualEdge, VisualNode, node_id
from ui import data_access
from ui.auth import current_user
from ui.charts import hhi_histogram, ranked_bars, unique_labels
from ui.common import analysis_caption, neo4j_guard
from ui.export import spreadsheet_csv
from ui.format import card_column, card_link, count, money, money_column, money_short, percent
from ui.tables import paged_table, top_n
from ui.widgets import frame, md_text, network_view

SUPPLIERS, REGION = "Suppliers", "A region"
RANKING_COLUMNS = ["id", "name", "direct_clients", "downstream", "single_source_links", "impacted", "revenue_at_risk",
                   "betweenness", "risk_score"]
TREE_NODES = 150  # the cascade's drawing shows at most this many companies, earliest rounds first
LISTED = 100  # the what-if's picker lists the riskiest suppliers; any other company is typed by id or name
SUGGESTIONS = 8  # companies named in the hint when a typed name matches none exactly
RISK_SORTS = ["risk_score", "impacted", "revenue_at_risk", "downstream", "direct_clients", "single_source_links",
              "name"]
RANKING_CONFIG = {
    "supplier": card_column("Supplier"),
    "risk_score": st.column_config.ProgressColumn(
        "Risk score", format="%.1f", min_value=0, max_value=100,
        help="0 to 100: impacted companies, revenue at risk, single-source links and betweenness, weighed; "
             "100 is the worst supplier on all four"),
    "direct_clients": st.column_config.NumberColumn("Direct clients", format="%,d",
                                                    help="Companies it supplies itself"),
    "downstream": st.column_config.NumberColumn("Downstream", format="%,d",
                                                help="Companies reachable from it along supply links"),
    "single_source_links": st.column_config.NumberColumn(
        "Single-source links", format="%,d", help="Client and product pairs it alone supplies"),
    "impacted": st.column_config.NumberColumn("Impacted", format="%,d",
                                              help="Companies that fail with it at threshold 0.5"),
    "revenue_at_risk": money_column("Revenue at risk", help="Sales of the companies that fail with it"),
    "what_if": st.column_config.LinkColumn("What-if", display_text="what-if",
                                           help="Open the what-if of this supplier's failure"),
}


def what_if_url(company: str) -> str:
    """The link that opens the what-if of one company's failure."""
    return f"/risk?disrupt={quote(str(company), safe='')}"


def _ranking_rows(rows: list[risk.SupplierRisk]) -> pd.DataFrame:
    """A page of the ranking as shown: the supplier's name linking to its card, its what-if a click away."""
    df = frame(rows, risk.SupplierRisk)
    df["supplier"] = [card_link(i, n) for i, n in zip(df["id"], df["name"], strict=True)]
    df["what_if"] = df["id"].map(what_if_url)
    return df


def _single_source_rows(links: list[risk.SingleSource]) -> pd.DataFrame:
    """A page of single-source links as shown: client and supplier named and linking to their cards."""
    names = data_access.company_names(c for link in links for c in (link.client_id, link.supplier_id))
    return pd.DataFrame(
        [{"client": card_link(link.client_id, names[link.client_id]), "client_id": link.client_id, "sku": link.sku,
          "supplier": card_link(link.supplier_id, names[link.supplier_id]), "supplier_id": link.supplier_id}
         for link in links],
        columns=["client", "client_id", "sku", "supplier", "supplier_id"])


def _cascade_picture(result: risk.WhatIf, table: risk.SupplyTable) -> tuple[list[VisualNode], list[VisualEdge], int]:
    """The cascade as a tree to draw tier by tier: the failed set on top (round 0), each round one tier lower,
    a line for each delivery lost from a company of an earlier round. Nodes come round by round, so the
    view's node cap keeps the first rounds; returns the nodes, the edges and how many companies there are.
    """
    rounds = {c: 0 for c in result.failed} | {i.id: i.round for i in result.impacted}
    loss = {i.id: i.max_loss for i in result.impacted}
    order = sorted(rounds, key=lambda c: rounds[c])
    nodes = [VisualNode(id=node_id("Company", c), kind="Company", name=table.name_of(c),
                        properties={"round": rounds[c],
                                    "status": "fails first" if rounds[c] == 0 else f"fails in round {rounds[c]}",
                                    **({"largest loss": percent(loss[c])} if c in loss else {})})
             for c in order[:TREE_NODES]]
    drawn = set(order[:TREE_NODES])
    edges = [VisualEdge(id=f"{s}>{c}", source=node_id("Company", s), target=node_id("Company", c),
                        type="SUPPLIES", properties={})
             for c in order if c in drawn for s in table.suppliers_of(c)
             if s in drawn and rounds[s] < rounds[c]]
    return nodes, list({e["id"]: e for e in edges}.values()), len(order)


def _ranking_tab() -> None:
    rows = data_access.supplier_ranking()
    st.caption("Each supplier's own failure at threshold 0.5: the companies it takes down, the revenue they "
               "sell, the single-source links it alone supplies and how often it lies between others. "
               "The risk score weighs these, 100 being the worst on all four.")
    top = top_n("Suppliers in the chart", len(rows), key="risk-chart-top",
                help="The chart shows the riskiest suppliers; the table below lists every one, page by page.")
    chart = frame(rows[:top], risk.SupplierRisk)  # the ranking is riskiest first: its head is the top
    chart["label"] = unique_labels(chart["name"], chart["id"])
    st.altair_chart(ranked_bars(chart, "risk_score", "label", top=top, tooltip=["impacted", "revenue_at_risk"],
                                titles={"label": "Supplier"}), width="stretch")
    st.caption(f"The {min(top, len(rows)):,} riskiest of {len(rows):,} suppliers. Every supplier is in the table "
               "below; sort it by any measure.")
    paged_table(rows, key="risk-ranking", build=_ranking_rows, sort_by=RISK_SORTS, ranked_by="risk_score",
                noun="suppliers",
                column_config=RANKING_CONFIG,
                # No id column: the name opens the supplier's card, which shows it, and the CSV has it.
                column_order=["supplier", "risk_score", "impacted", "revenue_at_risk", "direct_clients",
                              "downstream", "single_source_links", "what_if"])
    if current_user().can(Action.EXPORT):
        st.download_button("Download the ranking (CSV)",
                           lambda: spreadsheet_csv(frame(data_access.supplier_ranking(),
                                                         risk.SupplierRisk)[RANKING_COLUMNS]),
                           file_name="supplier-ranking.csv", mime="text/csv", icon=":material/download:",
                           on_click="ignore")


def _single_sources_tab() -> None:
    links = data_access.single_sources()
    st.caption("A client and a product it buys from exactly one supplier: nothing else can step in if it fails.")
    st.metric("Single-source links", count(len(links)))
    paged_table(links, key="risk-single-sources", build=_single_source_rows,
                sort_by=["client_id", "sku", "supplier_id"], descending=False, noun="single-source links",
                column_config={"client": card_column("Client"), "client_id": st.column_config.TextColumn("Client id"),
                               "sku": st.column_config.TextColumn("Product (SKU)"),
                               "supplier": card_column("Only supplier"),
                               "supplier_id": st.column_config.TextColumn("Supplier id")})
    if current_user().can(Action.EXPORT):
        st.download_button("Download the single-source links (CSV)",
                           lambda: spreadsheet_csv(frame(data_access.single_sources(), risk.SingleSource)),
                           file_name="single-source-links.csv", mime="text/csv", icon=":material/download:",
                           on_click="ignore")


def _concentration_rows(rows: list[risk.Concentration]) -> pd.DataFrame:
    df = frame(rows, risk.Concentration)
    df["client"] = [card_link(i, n) for i, n in zip(df["id"], df["name"], strict=True)]
    return df


def _concentration_tab() -> None:
    rows = data_access.concentration()
    st.caption("For each product a client buys, HHI = sum of the squared supply shares x 10,000; a client's "
               "concentration is its largest HHI. DOJ/FTC bands: below 1,500 unconcentrated, 1,500 to 2,500 "
               "moderately, above 2,500 highly concentrated.")
    if not rows:
        st.info("No client has a supplier yet.")
        return
    hhi, bands = data_access.concentration_bands()
    df = pd.DataFrame({"hhi": hhi, "level": bands})
    levels = df["level"].value_counts()
    cols = st.columns(3)
    for col, level in zip(cols, ["highly concentrated", "moderately concentrated", "unconcentrated"], strict=True):
        col.metric(level.capitalize(), count(int(levels.get(level, 0))))
    st.altair_chart(hhi_histogram(df), width="stretch")
    paged_table(rows, key="risk-concentration", build=_concentration_rows, sort_by=["hhi", "name"],
                ranked_by="hhi", noun="clients",
                column_config={"client": card_column("Client"), "id": st.column_config.TextColumn("Id"),
                               "hhi": st.column_config.NumberColumn(
                                   "HHI", format="%,.0f", help="0 to 10,000: 10,000 is one supplier for a product"),
                               "sku": st.column_config.TextColumn("Product (SKU) with that HHI"),
                               "level": st.column_config.TextColumn("Band")},
                column_order=["client", "hhi", "level", "sku", "id"])


def _ids_from_url() -> list[str]:
    return parse_ids(*st.query_params.get_all("disrupt"))


def _sync_url() -> None:
    """Put the scenario in the URL, so that it can be shared: ``?disrupt=ID,...`` or ``?region=NAME``."""
    st.query_params.pop("disrupt", None)
    st.query_params.pop("region", None)
    if st.session_state.get("risk-mode") == REGION:
        if st.session_state.get("risk-region"):
            st.query_params["region"] = st.session_state["risk-region"]
    elif st.session_state.get("risk-disrupt"):
        st.query_params["disrupt"] = ",".join(st.session_state["risk-disrupt"])


def _matches(table: risk.SupplyTable, text: str) -> list[Hashable]:
    """Companies whose id or name is `text` (case aside); failing that, whose name contains it."""
    wanted = text.strip().casefold()
    exact = [c for c, n in zip(table.id, table.name, strict=True)
             if str(c).casefold() == wanted or (n or "").casefold() == wanted]
    return exact or [c for c, n in zip(table.id, table.name, strict=True) if wanted in (n or "").casefold()]


def _picked(table: risk.SupplyTable) -> None:
    """A company typed into the picker (not one of those listed) becomes its id when its id or name, or else a
    part of one name, says which one it is; otherwise it is left out, and the hint below the picker names the
    candidates (kept with the text, so the hint does not search the names again)."""
    state = st.session_state
    state["risk-typed"] = None
    chosen = []
    for value in state.get("risk-disrupt") or []:
        if value in table.row:
            chosen.append(value)
            continue
        found = _matches(table, value)
        if len(found) == 1:
            chosen.append(found[0])
        else:
            state["risk-typed"] = (value, found)
    state["risk-disrupt"] = list(dict.fromkeys(chosen))
    _sync_url()


def _typed_hint(table: risk.SupplyTable) -> None:
    """What became of a company typed that is no single company: the ones it could mean, to type by id."""
    if not st.session_state.get("risk-typed"):
        return
    typed, found = st.session_state["risk-typed"]
    if not found:
        st.warning(f"No company has the id or a name like “{md_text(typed)}”.", icon=":material/help:")
        return
    shown = ", ".join(f"{md_text(table.name_of(c))} (`{c}`)" for c in found[:SUGGESTIONS])
    more = f" and {count(len(found) - SUGGESTIONS)} more" if len(found) > SUGGESTIONS else ""
    st.info(f"“{md_text(typed)}” could be {count(len(found))} companies: {shown}{more}. Type the id of the one "
            "you mean.", icon=":material/help:")


def _mode_changed(table: risk.SupplyTable) -> None:
    """Switching to a region opens one at once (the region of the first supplier chosen, if it has one), so the
    scenario and its URL never go blank; the suppliers chosen stay, for the way back."""
    if st.session_state.get("risk-mode") == REGION and not st.session_state.get("risk-region"):
        regions = [table.region[table.row[c]] for c in st.session_state.get("risk-disrupt") or [] if c in table.row]
        st.session_state["risk-region"] = next((r for r in regions if r), None)
    _sync_url()


def _scenario_from_url(table: risk.SupplyTable, regions: list[str], linked: list[str]) -> None:
    """The first time the what-if is drawn (or after a page switch), its widgets start from the URL."""
    url_region = st.query_params.get("region")
    state = st.session_state
    if "risk-mode" not in state:
        state["risk-mode"] = REGION if url_region in regions else SUPPLIERS
    if "risk-region" not in state:
        state["risk-region"] = url_region if url_region in regions else None
    if "risk-disrupt" not in state:
        state["risk-disrupt"] = [c for c in dict.fromkeys(linked) if c in table.row]


def _what_if_tab() -> None:
    table = data_access.supply_table()  # the cascade runs on the links: the one tab that reads them
    linked = _ids_from_url()
    unknown = [c for c in linked if c not in table.row]
    if unknown:
        st.warning("These company ids in the link are not in the database, so they are left out:",
                   icon=":material/help:")
        st.code(", ".join(unknown), language=None)
    url_region = st.query_params.get("region")
    name = table.name_of
    regions = sorted({r for r in table.region if r})
    if url_region and url_region not in regions:
        st.warning("This region in the link has no company in the supply network:", icon=":material/help:")
        st.code(url_region, language=None)
    _scenario_from_url(table, regions, linked)
    # A list of every supplier (thousands) would be sent to and drawn by the browser on every visit: it lists
    # the riskiest, and any company can be typed by its id or name.
    chosen = [c for c in st.session_state.get("risk-disrupt") or [] if c in table.row]
    options = list(dict.fromkeys([*chosen, *(row.id for row in data_access.supplier_ranking()[:LISTED])]))
    left, right = st.columns([2, 1])
    # Every widget keeps its value while hidden (persist_state), so going from suppliers to a region
    # and back finds the suppliers still chosen.
    mode = left.segmented_control("Fail", [SUPPLIERS, REGION], required=True, key="risk-mode",
                                  on_change=_mode_changed, args=(table,), persist_state="page")
    if mode == REGION:
        region = left.selectbox("Region", regions, key="risk-region", on_change=_sync_url, persist_state="page",
                                placeholder="Choose a region")
        failed = None
    else:
        failed = left.multiselect("Companies that stop delivering", options, key="risk-disrupt", on_change=_picked,
                                  args=(table,), format_func=lambda c: f"{name(c)} ({c})" if c in table.row else c,
                                  placeholder="Choose suppliers, or type a company's id or name",
                                  accept_new_options=True, persist_state="page",
                                  help=f"The list holds the {LISTED} riskiest suppliers; type any company's id or "
                                       "name to add it.")
        with left:
            _typed_hint(table)
        region = None
    threshold = right.slider("Threshold", min_value=0.05, max_value=1.0, value=0.5, step=0.05, key="risk-threshold",
                             help="A company fails when it loses at least this share of the supply of one product.",
                             persist_state="page")
    if not (failed or region):
        st.info("Choose the suppliers that stop delivering, or a region, to see who fails with them.")
        return
    _show_what_if(data_access.what_if(tuple(failed) if failed else None, region, threshold), table)


def _impacted_rows(rows: list[risk.Impact]) -> pd.DataFrame:
    return pd.DataFrame([{"company": card_link(i.id, i.name), "id": i.id, "round": i.round, "max_loss": i.max_loss}
                         for i in rows], columns=["company", "id", "round", "max_loss"])


def _show_what_if(result: risk.WhatIf, table: risk.SupplyTable) -> None:
    cols = st.columns(5)
    cols[0].metric("Failed", count(len(result.failed)), help="The companies that stop delivering (round 0)")
    cols[1].metric("Impacted", count(len(result.impacted)), help="The companies that fail with them, tier by tier")
    cols[2].metric("Customers affected", count(result.customers_affected),
                   help="Distinct customers who placed orders sold by a failed company")
    cols[3].metric("Revenue at risk", money_short(result.revenue_at_risk),
                   help=f"{money(result.revenue_at_risk)}: the total of the orders sold by the failed companies")
    cols[4].metric("Time to recover", f"{result.time_to_recover_days:,.0f} days",
                   help="Once the failed companies deliver again: the longest chain of lead times "
                        "through the cascade.")
    if not result.impacted:
        st.success("No other company fails at this threshold.", icon=":material/check_circle:")
    nodes, edges, total = _cascade_picture(result, table)
    st.subheader("The cascade, tier by tier")
    st.caption("On top, the companies that stop delivering" + (" (marked)" if len(result.failed) == 1 else "")
               + "; each row below is the next round of companies that fail, with a line for each lost delivery."
               + (f" Drawing the first {TREE_NODES} of {total:,} companies, earliest rounds first; the table "
                  "lists them all." if total > TREE_NODES else ""))
    network_view(nodes, edges, key="risk-cascade", max_nodes=TREE_NODES, height=480, layout="hierarchical",
                 focus=node_id("Company", result.failed[0]) if len(result.failed) == 1 else None)
    st.subheader("Impacted companies")
    paged_table(result.impacted, key="risk-impacted", build=_impacted_rows, sort_by=["round", "max_loss", "name"],
                descending=False, noun="impacted companies",
                column_config={"company": card_column("Company"), "id": st.column_config.TextColumn("Id"),
                               "round": st.column_config.NumberColumn(
                                   "Round", help="1: fails when the failed set stops; 2: when round 1 stops; ..."),
                               "max_loss": st.column_config.ProgressColumn(
                                   "Largest loss", format="percent", min_value=0, max_value=1,
                                   help="Its largest loss of one product's supply, in the round it failed")})
    if current_user().can(Action.EXPORT):
        st.download_button("Download the cascade (CSV)", lambda: spreadsheet_csv(_cascade_table(result, table)),
                           file_name="cascade.csv", mime="text/csv", icon=":material/download:", on_click="ignore")


def _cascade_table(result: risk.WhatIf, table: risk.SupplyTable) -> pd.DataFrame:
    """Every company of the cascade, failed set first: id, name, round, max_loss (raw values, for CSV)."""
    rows = [{"id": c, "name": table.name_of(c), "round": 0, "max_loss": None} for c in result.failed]
    rows += [{"id": i.id, "name": i.name or str(i.id), "round": i.round, "max_loss": i.max_loss}
             for i in result.impacted]
    return pd.DataFrame(rows, columns=["id", "name", "round", "max_loss"])


def render() -> None:
    st.title("Supply risk")
    st.caption("Which suppliers are critical, who depends on a single source, and what fails when a supplier "
               "or a whole region stops delivering.")
    with neo4j_guard():
        if not data_access.supply_links():  # a stored count: nothing is read
            st.info("No supply relationships yet. Load the demo data on the **Data** page or with "
                    "`relgraph load demo`.")
            return
        analysis_caption()
        # Lazy tabs: only the open one runs, so a what-if link does not wait for the ranking.
        views = {"Ranking": _ranking_tab, "Single sources": _single_sources_tab,
                 "Concentration": _concentration_tab, "What-if": _what_if_tab}
        # The tabs' default never changes (a new default would make a new widget, back on Ranking): a link
        # to a scenario opens the What-if through the tab's state, on the first run only.
        if "risk-tab" not in st.session_state and (st.query_params.get("disrupt") or st.query_params.get("region")):
            st.session_state["risk-tab"] = "What-if"
        tabs = st.tabs(list(views), default="Ranking", key="risk-tab", on_change="rerun")
        for tab, show in zip(tabs, views.values(), strict=True):
            if tab.open:
                with tab:
                    show()

render()
