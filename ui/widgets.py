"""UI pieces the pages share: the interactive network view, the entity search box, safe text.

Any page can draw a network with :func:`network_view`; it returns the node the user clicked.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from graph.access import Action
from graph.visual import VisualEdge, VisualNode, cap, one_line, to_graphml, to_html, vis_data
from queries.card import Match
from ui import data_access
from ui.auth import current_user
from ui.components.network import mount_network

__all__ = ["entity_search", "frame", "md_text", "network_downloads", "network_view"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def md_text(text: object) -> str:
    """``text`` escaped for st.markdown and widget labels, so names show literally, never as markup,
    and on one line, so that no direction control or line break in a name rearranges the page."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def frame(results: Sequence[Any], result_type: type) -> pd.DataFrame:
    """Result dataclasses of the library as a table, one column per field, even when there are none."""
    columns = [field.name for field in dataclasses.fields(result_type)]
    return pd.DataFrame([[getattr(row, c) for c in columns] for row in results], columns=columns)


def _positions_key(key: str) -> str:
    return f"{key}:positions"


def network_view(nodes: list[VisualNode], edges: list[VisualEdge], *, key: str, height: int = 600,
                 max_nodes: int = 300, omitted: int = 0, layout: str = "force", focus: str | None = None,
                 on_click: Callable[[str], None] | None = None) -> str | None:
    """Draw nodes and edges as an interactive network; return the id of the node just clicked, or None.

    At most ``max_nodes`` nodes are drawn (the first ones; a "+N more" node stands for the rest and
    for ``omitted``). ``layout`` is "force" (the default: physics from seeded positions, so the
    same data gives the same picture), "hierarchical" (a top-down tree: cascades, supply tiers)
    or "radial" (rings around ``focus``, else the first node); ``focus`` is marked as the node the
    picture is about. Positions come back with every click and are kept under the key, so a redraw
    (a new page run, more nodes) keeps the layout the user already has. ``on_click(node_id)`` runs
    before the next page run, so the page can change what it draws in that very run. The wheel
    scrolls the page until the user clicks into the picture; then it zooms.
    """
    def clicked() -> None:
        event = st.session_state[key].get("click") or {}
        st.session_state[_positions_key(key)] = {k: tuple(v) for k, v in (event.get("positions") or {}).items()}
        if on_click is not None and event.get("id"):
            on_click(event["id"])

    shown_nodes, shown_edges = cap(nodes, edges, max_nodes, omitted)
    data = vis_data(shown_nodes, shown_edges, positions=st.session_state.get(_positions_key(key)), layout=layout,
                    focus=focus)
    result = mount_network(data, key=key, height=height, on_click=clicked)
    return (result.click or {}).get("id")


def network_downloads(nodes: list[VisualNode], edges: list[VisualEdge], *, name: str, key: str,
                      view_key: str | None = None, max_nodes: int | None = None, omitted: int = 0,
                      layout: str = "force", focus: str | None = None) -> None:
    """Download buttons for the picture as a standalone HTML page and as GraphML (PNG is in the view).

    Given the ``view_key``, ``max_nodes``, ``omitted``, ``layout`` and ``focus`` of the
    :func:`network_view` it belongs to, the files hold what the screen shows: the same nodes (the
    "+N more" node too), and the HTML page the same places. The files are built only when a button
    is pressed: the HTML inlines vis-network (0.7 MB). Exports need the analyst role: for anyone
    else there are no buttons, so the files are never served.
    """
    if not current_user().can(Action.EXPORT):
        return
    if max_nodes is not None:
        nodes, edges = cap(nodes, edges, max_nodes, omitted)
    positions = st.session_state.get(_positions_key(view_key)) if view_key else None
    left, right = st.columns(2)
    left.download_button("Download HTML",
                         lambda: to_html(nodes, edges, heading=name, positions=positions, layout=layout, focus=focus),
                         file_name=f"{name}.html", mime="text/html", key=f"{key}:html", icon=":material/download:",
                         on_click="ignore")
    right.download_button("Download GraphML", lambda: to_graphml(nodes, edges), file_name=f"{name}.graphml",
                          mime="application/xml", key=f"{key}:graphml", icon=":material/download:",
                          on_click="ignore")


def entity_search(on_pick: Callable[[Match], None], key: str = "entity-search") -> None:
    """A search box over people, companies and products (names, ids and skus) with suggestions.

    ``on_pick(match)`` runs when the user picks a suggestion, before the next page run; the box
    is then cleared, so an old pick never fires again.
    """
    text = st.text_input("Find a person, company or product", key=f"{key}:text",
                         placeholder="Name or id, e.g. John Smith or ProBook",
                         icon=":material/search:")
    if not text.strip():
        return
    matches = data_access.search(text.strip())
    if not matches:
        st.caption(f"Nothing matches {md_text(text)}. Try part of a name, or an id.")
        return
    by_id = {match["id"]: match for match in matches}

    def picked() -> None:
        chosen = st.session_state.get(f"{key}:choice")
        st.session_state[f"{key}:text"] = ""
        st.session_state[f"{key}:choice"] = None
        if chosen in by_id:
            on_pick(by_id[chosen])

    st.selectbox(f"{len(matches)} suggestion(s)", list(by_id), index=None, key=f"{key}:choice", on_change=picked,
                 format_func=lambda i: f"{by_id[i]['name']} ({by_id[i]['kind']} {i}) {by_id[i]['detail']}",
                 placeholder="Pick one to open its card")
