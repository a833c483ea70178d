"""Word of mouth page: who brings customers in, how far their cascades reach, and whom to seed.

Every number comes from ui.data_access (graph.analysis.reach on the referral network, once per data
version and parameters, shared with the other pages), so moving between tabs or sharing a result
does not run a simulation again; this page lays out and draws. Tables read and send one page of
rows from the stored analysis, pickers offer the most influential customers (any other by typing its
id), simulations run on the stored arrays and names are read row by row, so the page stays light
with half a million referrers: only the Cascades tab, which walks the network, builds the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import networkx as nx
import pandas as pd
import streamlit as st

from graph.access import Action
from graph.analysis import reach
from graph.results import PagedRows
from graph.visual import VisualEdge, VisualNode
from ui import data_access
from ui.auth import current_user
from ui.charts import ranked_bars, reach_curve, unique_labels
from ui.common import analysis_caption, neo4j_guard
from ui.export import spreadsheet_csv
from ui.format import card_column, card_link, count, money, money_column, money_short
from ui.tables import paged_table, top_n
from ui.widgets import frame, md_text, network_view

TREE_NODES = 150  # the cascade tree draws at most this many customers, nearest generations first
PICKER_OPTIONS = 1000  # pickers list the most influential customers; any other is typed by id
INFLUENCE_HELP = ("PageRank on the reversed converted referrals, relative to the average customer: 1 is average, "
                  "10 is ten times the average customer's share of the credit for bringing people in.")
REACH_VS_CASCADE = ("**Cascade size** counts the customers a referrer's past referrals actually brought in (converted "
                    "referrals, every generation). **Expected reach** is a forecast for a new campaign: a simulation "
                    "on every referral tie, converted or not, where each tie passes with probability p; it counts "
                    "the seeds too, so with a small p it is far below the cascade size.")
REFERRER_SORTS = ["influence", "cascade_size", "referred_revenue", "direct_referrals", "cascade_depth", "name"]
REFERRER_CONFIG = {
    "customer": card_column("Customer"),
    "id": st.column_config.TextColumn("Id"),
    "influence_x": st.column_config.NumberColumn("Influence (× average)", format="%,.1f ×", help=INFLUENCE_HELP),
    "direct_referrals": st.column_config.NumberColumn("Direct referrals", format="%,d",
                                                      help="Customers they referred who converted"),
    "cascade_size": st.column_config.NumberColumn("Cascade size", format="%,d",
                                                  help="Customers their converted referrals brought in, every "
                                                       "generation"),
    "cascade_depth": st.column_config.NumberColumn("Cascade depth", format="%,d",
                                                   help="Generations in their cascade"),
    "referred_revenue": money_column("Referred revenue",
                                     help="What the customers of their cascade spent from the day each was "
                                          "first referred"),
}


def _referrer_rows(rows: Sequence[reach.Referrer], average: float) -> pd.DataFrame:
    """Referrers as shown: the name linking to the card, influence relative to the average."""
    df = frame(rows, reach.Referrer)
    df["customer"] = [card_link(i, n) for i, n in zip(df["id"], df["name"], strict=True)]
    df["influence_x"] = df["influence"] / average if average else 0.0
    return df


def _chart_frame(rows: Sequence[reach.Referrer], average: float) -> pd.DataFrame:
    df = _referrer_rows(rows, average)
    df["label"] = unique_labels(df["name"], df["id"])
    return df


class _Communities(PagedRows):
    """The communities as their table lists them, read a page at a time: each as its number (its rank by
    size, from 1), its size and itself (``detail``). By size descending they are the ranking; ascending,
    the ranking read backwards (so equal sizes come last-ranked first)."""

    def __init__(self, ranking: Sequence[reach.Community], backwards: bool = False) -> None:
        self._ranking, self._backwards = ranking, backwards

    def ordered(self, field: str, descending: bool = True) -> _Communities:
        if field != "size":
            raise KeyError(f"communities are ordered by size, not {field!r}")
        return _Communities(self._ranking, backwards=not descending)

    def __len__(self) -> int:
        return len(self._ranking)

    def _read(self, offset: int, limit: int) -> list[dict[str, Any]]:
        n = len(self)
        first, last = (n - offset - limit, n - offset) if self._backwards else (offset, offset + limit)
        page = [{"community": first + j + 1, "size": c.size, "detail": c}
                for j, c in enumerate(self._ranking[first:last])]
        return page[::-1] if self._backwards else page


def _communities(rows: Sequence[dict]) -> pd.DataFrame:
    """A page of communities as shown: its lead referrer linking to the card, the others and a few members named
    (the names of this page's customers only are read)."""
    details = [row["detail"] for row in rows]
    names = data_access.referrer_names(v for c in details for v in [*c.top_referrers, *c.members[:10]])
    return pd.DataFrame(
        [{"community": row["community"], "size": c.size,
          "lead_referrer": card_link(c.top_referrers[0], names[c.top_referrers[0]]) if c.top_referrers else None,
          "other_referrers": ", ".join(names[v] for v in c.top_referrers[1:]),
          "members": ", ".join(names[v] for v in c.members[:10]) + (" …" if c.size > 10 else "")}
         for row, c in zip(rows, details, strict=True)],
        columns=["community", "size", "lead_referrer", "other_referrers", "members"])


def _cascade_tree(G: nx.DiGraph, root: str, generations: int) -> tuple[list[VisualNode], list[VisualEdge]]:
    """The converted referrals that grew from `root`, `generations` deep, as a picture: nodes generation
    by generation, so that the view's node cap keeps the nearest ones."""
    tree = reach.referral_tree(G, root, depth_limit=generations)
    nodes = [VisualNode(id=_picture_id(G, v), kind=G.nodes[v].get("kind", "Person"),
                        name=data_access.node_name(G, v),
                        properties={"generation": generation, "revenue": money(G.nodes[v].get("revenue"))})
             for v, generation in tree.nodes(data="generation")]
    edges = [VisualEdge(id=f"{_picture_id(G, a)}>{_picture_id(G, b)}", source=_picture_id(G, a),
                        target=_picture_id(G, b), type="REFERRED", properties={}) for a, b in tree.edges]
    return nodes, edges


def _picture_id(G: nx.DiGraph, customer: str) -> str:
    return f"{G.nodes[customer].get('kind', 'Person')}:{customer}"


def _choices(rows: Sequence[reach.Referrer], chosen: Sequence[str] = ()) -> dict[str, str]:
    """Customer id -> "name (id)" for a picker: the most influential first, at most PICKER_OPTIONS of them,
    and whatever is already chosen (a typed id included) that is in the referral network."""
    choices = {r.id: f"{r.name or r.id} ({r.id})" for r in rows[:PICKER_OPTIONS]}
    for c in chosen:
        if c not in choices and (row := data_access.referrer(c)) is not None:
            choices[c] = f"{row.name or c} ({c})"
    return choices


def _picker_note(total: int) -> None:
    if total > PICKER_OPTIONS:
        st.caption(f"The list holds the {PICKER_OPTIONS:,} most influential of {total:,} customers; type any "
                   "other customer's id to pick them.")


def _influencers_tab(rows: Sequence[reach.Referrer]) -> None:
    st.caption("Influence is PageRank on the reversed referrals: credit flows from the referred to the referrer, "
               "so it counts the whole cascade, weighted by how early each customer came in. Converted "
               "referrals only. It is shown relative to the average customer: 10 × means ten times the average.")
    average = data_access.average_influence()
    top = top_n("Customers in the chart", len(rows), key="reach-top",
                help="The chart shows the most influential; the table below lists everyone, page by page.")
    st.altair_chart(ranked_bars(_chart_frame(rows[:top], average), "influence_x", "label", top=top,
                                tooltip=["direct_referrals", "cascade_size", "referred_revenue"],
                                titles={"influence_x": "Influence (× average)", "label": "Customer"}),
                    width="stretch")
    st.caption(f"The {min(top, len(rows)):,} most influential of {len(rows):,} customers. Everyone is in the table "
               "below; sort it by any measure.")
    paged_table(rows, key="reach-referrers", build=partial(_referrer_rows, average=average), sort_by=REFERRER_SORTS,
                ranked_by="influence", noun="customers", column_config=REFERRER_CONFIG,
                column_order=["customer", "influence_x", "direct_referrals", "cascade_size", "cascade_depth",
                              "referred_revenue", "id"])
    if current_user().can(Action.EXPORT):
        st.download_button("Download (CSV)",
                           lambda: spreadsheet_csv(frame(data_access.referral_metrics(), reach.Referrer)),
                           file_name="referrers.csv", mime="text/csv", icon=":material/download:", on_click="ignore")


def _cascade_tab(rows: Sequence[reach.Referrer]) -> None:
    referrers = [r for r in rows[:PICKER_OPTIONS * 5] if r.cascade_size > 0]
    if not referrers:
        st.info("No converted referral yet.")
        return
    choices = _choices(referrers, [st.session_state.get("reach-root") or ""])
    root = st.selectbox("Referrer", list(choices), format_func=lambda c: choices.get(c, c), key="reach-root",
                        persist_state="page", accept_new_options=True)
    _picker_note(len(rows))
    row = data_access.referrer(root)
    if row is None:
        st.warning(f"{md_text(root)} takes no part in any referral.", icon=":material/help:")
        return
    cols = st.columns(4)
    cols[0].metric("Direct referrals", count(row.direct_referrals))
    cols[1].metric("Cascade size", count(row.cascade_size), help="Customers their converted referrals brought in")
    cols[2].metric("Cascade depth", count(row.cascade_depth))
    cols[3].metric("Referred revenue", money_short(row.referred_revenue),
                   help=f"{money(row.referred_revenue)}: what the customers of the cascade spent from the day each "
                        "was first referred")
    st.caption(REACH_VS_CASCADE)
    depth = int(row.cascade_depth)
    if depth == 0:
        st.info("None of their referrals converted.")
        return
    generations = st.slider("Generations to draw", 1, depth, min(2, depth), key=f"reach-generations-{root}",
                            persist_state="page") if depth > 1 else 1
    G = data_access.referral_graph()  # the one tab that walks the network itself
    nodes, edges = _cascade_tree(G, root, generations)
    st.caption("The referrer at the top (marked), each generation of converted referrals one row below."
               + (f" Drawing the first {TREE_NODES} of {len(nodes):,} customers, nearest generations first."
                  if len(nodes) > TREE_NODES else ""))
    network_view(nodes, edges, key="reach-tree", max_nodes=TREE_NODES, height=520, layout="hierarchical",
                 focus=_picture_id(G, root))


def _spread_tab(rows: Sequence[reach.Referrer]) -> None:
    st.caption("The independent cascade model on every referral tie, converted or not: each newly reached customer "
               "gets one chance to bring in each of their contacts, with probability p. Monte Carlo estimate with "
               "its standard error; the same random seed gives the same answer.")
    choices = _choices(rows, st.session_state.get("reach-seeds") or [])
    with st.form("reach-spread"):
        seeds = st.multiselect("Seed customers", list(choices), format_func=lambda c: choices.get(c, c),
                               default=list(choices)[:1], key="reach-seeds", persist_state="page",
                               placeholder="Choose customers to start from", accept_new_options=True)
        p, runs, seed = _simulation_inputs("spread")
        st.form_submit_button("Estimate the reach", type="primary")
    _picker_note(len(rows))
    found = {s: data_access.referrer(s) for s in seeds}
    unknown = [s for s, row in found.items() if row is None]
    if unknown:
        st.warning("Not in the referral network, so left out: " + ", ".join(map(md_text, unknown)),
                   icon=":material/help:")
        seeds = [s for s, row in found.items() if row is not None]
    if not seeds:
        st.info("Choose at least one seed customer.")
        return
    result = data_access.expected_spread(tuple(seeds), p, runs, seed)
    st.metric("Expected reach", f"{result.expected_spread:,.1f} ± {result.stderr:,.1f}",
              help=f"Mean number of customers reached, seeds included, over {result.runs:,} runs, "
                   "± one standard error.")
    cascades = sum(found[s].cascade_size for s in seeds)
    st.caption(f"Their cascades so far: {count(cascades)} customers. " + REACH_VS_CASCADE)


def _campaign_tab() -> None:
    st.caption("The k customers to seed for the widest expected reach, chosen greedily (CELF: each pick adds the "
               "most to the expected reach of those before it). The curve shows what each extra seed adds.")
    with st.form("reach-campaign"):
        k = st.number_input("Seeds (k)", min_value=1, max_value=50, value=5, key="reach-k", persist_state="page")
        p, runs, seed = _simulation_inputs("campaign")
        submitted = st.form_submit_button("Choose the seeds", type="primary")
    # A campaign can take seconds on a large network: it runs on request, then stays on screen.
    if submitted:
        st.session_state["reach-campaign-chosen"] = True
    if not st.session_state.get("reach-campaign-chosen"):
        return
    result = data_access.campaign(int(k), p, runs, seed)
    st.metric("Expected reach of the campaign", f"{result.expected_spread:,.1f} ± {result.stderr:,.1f}",
              help="Mean number of customers reached from these seeds, seeds included, ± one standard error")
    named = data_access.referrer_names(result.seeds)
    names = [named[s] for s in result.seeds]
    curve = pd.DataFrame({"k": range(1, len(result.curve) + 1),
                          "customer": [card_link(s, n) for s, n in zip(result.seeds, names, strict=True)],
                          "seed": result.seeds, "name": names, "expected_spread": result.curve})
    curve["adds"] = curve["expected_spread"].diff().fillna(curve["expected_spread"])
    left, right = st.columns([3, 2])
    left.dataframe(curve, hide_index=True, width="stretch", column_order=["k", "customer", "expected_spread", "adds"],
                   column_config={"k": st.column_config.NumberColumn("Seed", help="The order it was chosen in"),
                                  "customer": card_column("Customer"),
                                  "expected_spread": st.column_config.NumberColumn(
                                      "Expected reach", format="%,.1f", help="Of the seeds up to this one"),
                                  "adds": st.column_config.NumberColumn("Adds", format="+%,.1f",
                                                                        help="What this seed adds to the reach")})
    right.altair_chart(reach_curve(curve[["k", "name", "expected_spread"]], "k", "expected_spread",
                                   titles={"k": "Seeds (k)", "name": "Customer"}), width="stretch")


def _simulation_inputs(key: str) -> tuple[float, int, int]:
    """The probability, runs and random seed of a simulation form."""
    cols = st.columns(3)
    p = cols[0].slider("Probability p", 0.01, 1.0, 0.1, step=0.01, key=f"reach-{key}-p", persist_state="page")
    runs = cols[1].number_input("Runs", min_value=10, max_value=20_000, value=1000, step=100,
                                key=f"reach-{key}-runs", persist_state="page")
    seed = cols[2].number_input("Random seed", min_value=0, value=0, key=f"reach-{key}-seed", persist_state="page")
    return p, int(runs), int(seed)


def _communities_tab() -> None:
    st.caption("Groups of customers more tied to each other by referrals than to the rest (Louvain), with the "
               "members who referred the most.")
    rows = _Communities(data_access.communities())
    top = top_n("Communities in the chart", len(rows), key="reach-communities-top", default=20)
    head = rows[:top]
    chart = pd.DataFrame({"label": [f"Community {r['community']}" for r in head], "size": [r["size"] for r in head]})
    if not chart.empty:
        st.altair_chart(ranked_bars(chart, "size", "label", top=top, titles={"label": "Community",
                                                                             "size": "Customers"}),
                        width="stretch")
    paged_table(rows, key="reach-communities", build=_communities, sort_by=["size"], noun="communities",
                column_config={"community": st.column_config.NumberColumn("Community"),
                               "size": st.column_config.NumberColumn("Customers", format="%,d"),
                               "lead_referrer": card_column("Lead referrer",
                                                            help="The member who referred the most: opens the card"),
                               "other_referrers": st.column_config.TextColumn("Other top referrers"),
                               "members": st.column_config.TextColumn("Members (first 10)")})


def render() -> None:
    st.title("Word of mouth")
    st.caption("Who brings customers in, how far their cascades reach, and whom to seed in a referral campaign.")
    with neo4j_guard():
        rows = data_access.referral_metrics()  # stored rows: counting them reads nothing
        if not rows:
            st.info("No referrals yet. Load the demo data on the **Data** page or with `relgraph load demo`.")
            return
        analysis_caption()
        # Lazy tabs: only the open one runs, so a simulation runs only when its tab is looked at, and
        # the network view is mounted visible (a view drawn in a hidden tab has no size).
        views = {"Influencers": lambda: _influencers_tab(rows), "Cascades": lambda: _cascade_tab(rows),
                 "Expected reach": lambda: _spread_tab(rows), "Campaign": _campaign_tab,
                 "Communities": _communities_tab}
        for tab, show in zip(st.tabs(list(views), key="reach-tab", on_change="rerun"), views.values(), strict=True):
            if tab.open:
                with tab:
                    show()

render()
