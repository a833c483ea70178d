"""Word of mouth page: who brings customers in, how far their cascades reach, and whom to seed.

Every number comes from ui.data_access (graph.analysis.reach on the referral network, once per data
version and parameters, shared with the other pages), so moving between tabs or sharing a result
does not run a simulation again; this page lays out and draws.
"""

from __future__ import annotations

from functools import partial

import networkx as nx
import pandas as pd
import streamlit as st

from graph.access import Action
from graph.analysis import reach
from graph.visual import VisualEdge, VisualNode
from ui import data_access
from ui.auth import current_user
from ui.charts import ranked_bars, reach_curve, unique_labels
from ui.common import neo4j_guard
from ui.export import spreadsheet_csv
from ui.widgets import frame, network_view

TREE_NODES = 150  # the cascade tree draws at most this many customers, nearest generations first


def _metrics() -> pd.DataFrame:
    df = frame(data_access.referral_metrics(), reach.Referrer)
    df["label"] = unique_labels(df["name"], df["id"])
    return df


def _communities(G: nx.DiGraph) -> pd.DataFrame:
    name = partial(data_access.node_name, G)
    return pd.DataFrame(
        [{"community": i, "size": c.size, "top_referrers": ", ".join(map(name, c.top_referrers)),
          "members": ", ".join(map(name, c.members[:10])) + (" …" if c.size > 10 else "")}
         for i, c in enumerate(data_access.communities(), start=1)],
        columns=["community", "size", "top_referrers", "members"])


def _cascade_tree(G: nx.DiGraph, root: str, generations: int) -> tuple[list[VisualNode], list[VisualEdge]]:
    """The converted referrals that grew from `root`, `generations` deep, as a picture: nodes generation
    by generation, so that the view's node cap keeps the nearest ones."""
    tree = reach.referral_tree(G, root, depth_limit=generations)

    def picture_id(customer: str) -> str:
        return f"{G.nodes[customer].get('kind', 'Person')}:{customer}"

    nodes = [VisualNode(id=picture_id(v), kind=G.nodes[v].get("kind", "Person"), name=data_access.node_name(G, v),
                        properties={"generation": generation, "revenue": G.nodes[v].get("revenue")})
             for v, generation in tree.nodes(data="generation")]
    edges = [VisualEdge(id=f"{picture_id(a)}>{picture_id(b)}", source=picture_id(a), target=picture_id(b),
                        type="REFERRED", properties={}) for a, b in tree.edges]
    return nodes, edges


def _choices(df: pd.DataFrame) -> dict[str, str]:
    """Customer id -> "name (id)", most influential first: the options of every picker on the page."""
    return {i: f"{name or i} ({i})" for i, name in zip(df["id"], df["name"], strict=True)}


def _influencers_tab(df: pd.DataFrame) -> None:
    st.caption("Influence is PageRank on the reversed referrals: credit flows from the referred to the referrer, "
               "so it counts the whole cascade, weighted by how early each customer came in. Converted "
               "referrals only.")
    top = st.slider("Show the top", 5, 50, 15, step=5, key="reach-top", persist_state="page")
    st.altair_chart(ranked_bars(df, "influence", "label", top=top,
                                tooltip=["direct_referrals", "cascade_size", "referred_revenue"]), width="stretch")
    st.dataframe(df.drop(columns="label"), hide_index=True, width="stretch",
                 column_config={"influence": st.column_config.NumberColumn(format="%.4f"),
                                "referred_revenue": st.column_config.NumberColumn("referred revenue",
                                                                                  format="localized")})
    if current_user().can(Action.EXPORT):
        st.download_button("Download (CSV)", lambda: spreadsheet_csv(df.drop(columns="label")),
                           file_name="referrers.csv", mime="text/csv", icon=":material/download:", on_click="ignore")


def _cascade_tab(G: nx.DiGraph, df: pd.DataFrame) -> None:
    referrers = df[df["cascade_size"] > 0]
    if referrers.empty:
        st.info("No converted referral yet.")
        return
    choices = _choices(referrers)
    root = st.selectbox("Referrer", list(choices), format_func=choices.get, key="reach-root", persist_state="page")
    row = referrers.set_index("id").loc[root]
    cols = st.columns(4)
    cols[0].metric("Direct referrals", f"{row['direct_referrals']:,}")
    cols[1].metric("Cascade size", f"{row['cascade_size']:,}")
    cols[2].metric("Cascade depth", f"{row['cascade_depth']:,}")
    cols[3].metric("Referred revenue", f"{row['referred_revenue']:,.0f}")
    depth = int(row["cascade_depth"])
    generations = st.slider("Generations to draw", 1, depth, min(2, depth), key=f"reach-generations-{root}",
                            persist_state="page") if depth > 1 else 1
    nodes, edges = _cascade_tree(G, root, generations)
    if len(nodes) > TREE_NODES:
        st.caption(f"Drawing the first {TREE_NODES} of {len(nodes):,} customers, nearest generations first.")
    network_view(nodes, edges, key="reach-tree", max_nodes=TREE_NODES, height=520)


def _spread_tab(df: pd.DataFrame) -> None:
    st.caption("The independent cascade model on every referral tie, converted or not: each newly reached customer "
               "gets one chance to bring in each of their contacts, with probability p. Monte Carlo estimate with "
               "its standard error; the same random seed gives the same answer.")
    choices = _choices(df)
    with st.form("reach-spread"):
        seeds = st.multiselect("Seed customers", list(choices), format_func=choices.get, default=list(choices)[:1],
                               key="reach-seeds", persist_state="page", placeholder="Choose customers to start from")
        p, runs, seed = _simulation_inputs("spread")
        st.form_submit_button("Estimate the reach", type="primary")
    if not seeds:
        st.info("Choose at least one seed customer.")
        return
    result = data_access.expected_spread(tuple(seeds), p, runs, seed)
    st.metric("Expected reach", f"{result.expected_spread:,.1f} ± {result.stderr:,.1f}",
                  help=f"Mean number of customers reached, seeds included, over {result.runs:,} runs, "
                       "± one standard error.")


def _campaign_tab(df: pd.DataFrame) -> None:
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
    names = dict(zip(df["id"], df["name"].fillna(df["id"]), strict=True))
    st.metric("Expected reach of the campaign", f"{result.expected_spread:,.1f} ± {result.stderr:,.1f}")
    curve = pd.DataFrame({"k": range(1, len(result.curve) + 1), "seed": result.seeds,
                          "name": [names.get(s, s) for s in result.seeds], "expected_spread": result.curve})
    curve["adds"] = curve["expected_spread"].diff().fillna(curve["expected_spread"])
    left, right = st.columns([3, 2])
    left.dataframe(curve, hide_index=True, width="stretch",
                   column_config={"expected_spread": st.column_config.NumberColumn("expected reach", format="%.1f"),
                                  "adds": st.column_config.NumberColumn(format="+%.1f")})
    right.altair_chart(reach_curve(curve[["k", "expected_spread"]], "k", "expected_spread"), width="stretch")


def _simulation_inputs(key: str) -> tuple[float, int, int]:
    """The probability, runs and random seed of a simulation form."""
    cols = st.columns(3)
    p = cols[0].slider("Probability p", 0.01, 1.0, 0.1, step=0.01, key=f"reach-{key}-p", persist_state="page")
    runs = cols[1].number_input("Runs", min_value=10, max_value=20_000, value=1000, step=100,
                                key=f"reach-{key}-runs", persist_state="page")
    seed = cols[2].number_input("Random seed", min_value=0, value=0, key=f"reach-{key}-seed", persist_state="page")
    return p, int(runs), int(seed)


def _communities_tab(G: nx.DiGraph) -> None:
    st.caption("Groups of customers more tied to each other by referrals than to the rest (Louvain), with the "
               "members who referred the most.")
    df = _communities(G)
    st.bar_chart(df.head(20), x="community", y="size", height=220)
    st.dataframe(df, hide_index=True, width="stretch")


def render() -> None:
    st.title("Word of mouth")
    st.caption("Who brings customers in, how far their cascades reach, and whom to seed in a referral campaign.")
    with neo4j_guard():
        G = data_access.referral_graph()
        if not G.number_of_nodes():
            st.info("No referrals yet. Load the demo data on the **Data** page or with `relgraph load demo`.")
            return
        df = _metrics()
        # Lazy tabs: only the open one runs, so a simulation runs only when its tab is looked at, and
        # the network view is mounted visible (a view drawn in a hidden tab has no size).
        views = {"Influencers": lambda: _influencers_tab(df), "Cascades": lambda: _cascade_tab(G, df),
                 "Expected reach": lambda: _spread_tab(df), "Campaign": lambda: _campaign_tab(df),
                 "Communities": lambda: _communities_tab(G)}
        for tab, show in zip(st.tabs(list(views), key="reach-tab", on_change="rerun"), views.values(), strict=True):
            if tab.open:
                with tab:
                    show()

render()
