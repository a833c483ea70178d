"""Cypher page: a console for analysts, with the named queries, parameters, table and graph results.

Every query goes through queries.execute.run_query, the guarded path the CLI uses: read-only unless
"Allow writes" is on, with the server's timeout and a row cap. `/cypher?query=NAME` opens a named
query with its parameters, so a query can be shared as a link.

Writes are off unless the deployment allows them (RELGRAPH_ALLOW_WRITES), and then only for
admins, both checked on the server when a write runs. While "Allow writes" is on a banner says so;
a query run then is first previewed (run and rolled back: what it would change) and only written
once confirmed, after which writes are off again. Every write, and every refused or failed one, is
recorded in the audit trail with the user's name (graph.audit), which also refuses any write that
would change the trail.
"""

from __future__ import annotations

import json
import time
from typing import Any

import neo4j
import pandas as pd
import streamlit as st

from graph import audit
from graph.access import Action, User, require
from graph.errors import UserError
from graph.store.config import DEFAULT_ROW_LIMIT, settings_from_env
from graph.store.db import plain
from graph.visual import VisualEdge, VisualNode, visual_node
from queries.execute import QueryResult, preview_write, run_query
from queries.registry import TYPES, NamedQuery, Param, load_queries
from ui.auth import current_user
from ui.common import error_text, neo4j_guard
from ui.data_access import database
from ui.export import spreadsheet_csv
from ui.widgets import md_text, network_view

JSON = "json"  # the type of a parameter the header does not declare: its value is read as JSON
PARAM_TYPES = [JSON, *TYPES]
HISTORY_SIZE = 50
TEXT, NAMED, PARAMS, WRITES = "cypher-text", "cypher-named", "cypher-params", "cypher-writes"
LAST, HISTORY = "cypher-last", "cypher-history"
PENDING, WRITES_OFF = "cypher-pending", "cypher-writes-off"  # a write awaiting confirmation; turn writes off
WIDGETS = {"params": "Parameters", "limit": "Row limit", "write": "Allow writes"}  # error fields -> widget labels


def _param_rows(query: NamedQuery | None = None) -> pd.DataFrame:
    """The parameter table: one row per declared parameter of `query` (defaults as text), else empty."""
    rows = [{"name": p.name, "type": p.type, "value": "" if p.required or p.default is None else _text(p.default)}
            for p in (query.params if query else ())]
    return pd.DataFrame(rows, columns=["name", "type", "value"]).astype(str)


def _text(value: Any) -> str:
    """A header default as the user would type it: lists comma-separated, booleans in lower case."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _fill(text: str, params: pd.DataFrame) -> None:
    """Put a query and its parameters in the editor; a new editor key drops edits of the old table."""
    st.session_state[TEXT] = text
    st.session_state[PARAMS] = params
    st.session_state["cypher-params-version"] = st.session_state.get("cypher-params-version", 0) + 1


def _on_named() -> None:
    name = st.session_state[NAMED]
    if name is None:
        st.query_params.pop("query", None)
        return
    query = load_queries()[name]
    _fill(query.text, _param_rows(query))
    st.query_params["query"] = name


def _on_run() -> None:
    """Once the editor no longer holds the chosen named query, neither the picker nor the URL names it."""
    name = st.session_state.get(NAMED)
    if name is not None and st.session_state.get(TEXT) != load_queries()[name].text:
        st.session_state[NAMED] = None
        st.query_params.pop("query", None)


def _on_history() -> None:
    entry = st.session_state["cypher-reopen"]
    if entry is not None:
        _fill(entry["query"], entry["params"])


def _values(text: str, table: pd.DataFrame) -> dict[str, Any]:
    """The parameters to send, typed by their type column.

    An empty value is not sent: the default of the named query in the editor applies, or the
    guard reports the parameter as missing. Raises UserError naming a value that does not fit its type.
    """
    named = next((q for q in load_queries().values() if q.text == text), None)
    values = {p.name: p.default for p in named.params if not p.required} if named else {}
    for name, kind, value in table[["name", "type", "value"]].fillna("").itertuples(index=False):
        name, value = str(name).strip(), str(value)
        if not name or not value.strip():
            continue
        if kind in TYPES:
            values[name] = Param(name, kind).convert(value)
        else:
            try:
                values[name] = json.loads(value)
            except ValueError:
                values[name] = value  # a bare word is a string: no quotes needed
    return values


def _run(text: str, table: pd.DataFrame, write: bool, limit: int) -> None:
    """Run the editor's query through the guard; keep the result or the error, and log it in the history."""
    outcome: dict[str, Any] = {"at": time.strftime("%H:%M:%S"), "query": text, "params": table.copy()}
    try:
        # On the server, whatever the widgets allowed: a viewer runs the library's queries as they are.
        named = any(query.text == text for query in load_queries().values())
        require(current_user(), Action.WRITE if write else Action.NAMED_QUERY if named else Action.CYPHER)
        values = _values(text, table)
        result = _write(text, values, limit) if write else run_query(database(), text, values, limit=limit)
        outcome.update(result=result, outcome=f"{len(result.rows):,} rows" + (" (cut)" if result.truncated else ""))
    except UserError as exc:
        message = error_text(exc, WIDGETS)
        outcome.update(error=message, outcome="error: " + message.splitlines()[0])
    _keep(outcome)


def _keep(outcome: dict[str, Any]) -> None:
    """Show an outcome, and log it in the history."""
    st.session_state[LAST] = outcome
    st.session_state[HISTORY] = [outcome, *st.session_state.get(HISTORY, [])][:HISTORY_SIZE]


def _writes_allowed() -> bool:
    """Whether this deployment lets admins write from the console (RELGRAPH_ALLOW_WRITES)."""
    return settings_from_env().allow_writes


def _check_writes_allowed() -> None:
    if not _writes_allowed():
        raise UserError("Refused: writes are off in this deployment; whoever runs it can allow them for admins "
                        "(RELGRAPH_ALLOW_WRITES=1).", field="write")


def _write(text: str, values: dict[str, Any], limit: int) -> QueryResult:
    """A confirmed write, as the current user: committed with its audit entry, or refused and recorded as such."""
    with audit.guarded_write(database(), current_user(), "app", text, values) as guarded:
        _check_writes_allowed()
        return run_query(guarded, text, values, write=True, limit=limit)


def _preview(text: str, table: pd.DataFrame, limit: int) -> None:
    """Work out what a write would change and keep it for the user to confirm; a refusal is shown and recorded."""
    try:
        values = _values(text, table)
        with audit.guarded_write(database(), current_user(), "app", text, values) as guarded:
            _check_writes_allowed()
            counters = preview_write(guarded, text, values)
    except UserError as exc:
        message = error_text(exc, WIDGETS)
        _keep({"at": time.strftime("%H:%M:%S"), "query": text, "params": table.copy(), "error": message,
               "outcome": "refused: " + message.splitlines()[0]})
        return
    st.session_state.pop(LAST, None)
    st.session_state[PENDING] = {"query": text, "params": table.copy(), "limit": limit, "counters": counters}


def _confirm(pending: dict[str, Any]) -> None:
    """The write awaiting confirmation, what it would change, and the choice; writes are off again after either."""
    with st.container(border=True):
        st.markdown("**Confirm this write**")
        st.code(pending["query"], language="cypher")
        changes = ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in pending["counters"].items())
        st.markdown(f"It will change: {changes}." if changes else "It changes nothing in the database as it is now.")
        st.caption("Worked out by running the query and rolling it back. The write is recorded in the audit trail "
                   "under your name.")
        left, right, _ = st.columns([1, 1, 4])
        confirmed = left.button("Write", type="primary", icon=":material/edit:", key="cypher-confirm")
        cancelled = right.button("Cancel", key="cypher-cancel")
    if not (confirmed or cancelled):
        return
    if confirmed:
        with neo4j_guard(WIDGETS), st.spinner("Writing…"):
            _run(pending["query"], pending["params"], True, pending["limit"])
    del st.session_state[PENDING]
    st.session_state[WRITES_OFF] = True
    st.rerun()


def _cell(value: Any) -> Any:
    """A driver value as a table cell: scalars stay, nodes, relationships and collections become JSON text."""
    value = plain(value)
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else value


def _table(result: QueryResult) -> pd.DataFrame:
    return pd.DataFrame([[_cell(row[c]) for c in result.columns] for row in result.rows], columns=result.columns)


def _graph_items(value: Any) -> list[Any]:
    """The nodes, relationships and paths in a value, looking inside lists and maps."""
    if isinstance(value, (neo4j.graph.Node, neo4j.graph.Relationship)):
        return [value]
    if isinstance(value, neo4j.graph.Path):
        return [*value.nodes, *value.relationships]
    if isinstance(value, dict):
        return [item for v in value.values() for item in _graph_items(v)]
    if isinstance(value, list):
        return [item for v in value for item in _graph_items(v)]
    return []


def _picture(result: QueryResult) -> tuple[list[VisualNode], list[VisualEdge]]:
    """The nodes and relationships a query returned, as a picture; a relationship whose ends were not
    returned is left out, since nothing is known about them."""
    items = [item for row in result.rows for value in row.values() for item in _graph_items(value)]
    nodes: dict[str, VisualNode] = {}
    for item in items:
        if isinstance(item, neo4j.graph.Node) and item.element_id not in nodes:
            nodes[item.element_id] = visual_node(sorted(item.labels), dict(item))
    edges: dict[str, VisualEdge] = {}
    for item in items:
        if isinstance(item, neo4j.graph.Relationship) and item.start_node.element_id in nodes \
                and item.end_node.element_id in nodes:
            edges[item.element_id] = VisualEdge(
                id=item.element_id, source=nodes[item.start_node.element_id]["id"],
                target=nodes[item.end_node.element_id]["id"], type=item.type, properties=plain(dict(item)))
    return list(nodes.values()), list(edges.values())


def _show_error(message: str) -> None:
    """The server's message inline: its first line as the error, and the rest (a line marked with a
    caret, say) verbatim, since markdown would fold its spaces."""
    first, _, rest = message.partition("\n")
    st.error(md_text(first), icon=":material/error:")
    if rest:
        st.code(rest, language=None)


def _show(outcome: dict[str, Any]) -> None:
    if "error" in outcome:
        _show_error(outcome["error"])
        return
    result: QueryResult = outcome["result"]
    rows = len(result.rows)
    summary = f"{rows:,} {'row' if rows == 1 else 'rows'} in {result.elapsed * 1000:,.0f} ms"
    if result.truncated:
        summary += f"; more rows exist: only the first {rows:,} are shown (raise the row limit)"
    st.caption(summary)
    if result.counters:
        st.success("Changed the database: " + ", ".join(f"{k.replace('_', ' ')} {v:,}"
                                                        for k, v in result.counters.items()),
                   icon=":material/edit:")
    table = _table(result)
    # Lazy tabs: the graph is built and mounted only when looked at (a view drawn hidden has no size).
    as_table, as_graph = st.tabs(["Table", "Graph"], key="cypher-view", on_change="rerun")
    if as_table.open:
        with as_table:
            st.dataframe(table, hide_index=True, width="stretch")
            if current_user().can(Action.EXPORT):
                st.download_button("Download CSV", spreadsheet_csv(table), file_name="query.csv",
                                   mime="text/csv", icon=":material/download:", on_click="ignore")
    if as_graph.open:
        with as_graph:
            nodes, edges = _picture(result)
            if nodes:
                network_view(nodes, edges, key="cypher-graph", height=520)
            else:
                st.info("The result holds no nodes or relationships to draw: return them (`RETURN n`, `RETURN p`) "
                        "rather than their properties.")


def _history() -> None:
    history = st.session_state.get(HISTORY, [])
    with st.expander(f"History of this session ({len(history)})", icon=":material/history:"):
        if not history:
            st.caption("Queries you run appear here.")
            return
        st.dataframe(pd.DataFrame([{"at": h["at"], "outcome": h["outcome"], "query": h["query"]} for h in history]),
                     hide_index=True, width="stretch")
        st.selectbox("Open again", history, index=None, key="cypher-reopen", on_change=_on_history,
                     format_func=lambda h: f"{h['at']}  {' '.join(h['query'].split())[:100]}",
                     placeholder="Choose a past query to put it back in the editor")


def _open_from_url(queries: dict[str, NamedQuery]) -> None:
    """On a page's first run, `?query=NAME` fills the editor with that named query."""
    name = st.query_params.get("query")
    if name is None or NAMED in st.session_state:
        return
    if name in queries:
        st.session_state[NAMED] = name
        _fill(queries[name].text, _param_rows(queries[name]))
    else:
        st.warning(f"There is no named query {md_text(name)}; choose one below.", icon=":material/help:")


def _writes_toggle(user: User) -> bool:
    """The "Allow writes" toggle, offered to admins where the deployment allows writes, and its banner."""
    if st.session_state.pop(WRITES_OFF, False):  # a write was confirmed or cancelled: off again
        st.session_state[WRITES] = False
    allowed = _writes_allowed()
    why_not = ("" if user.can(Action.WRITE) else "Writes need the admin role. ") + (
        "" if allowed else "Writes are off in this deployment (RELGRAPH_ALLOW_WRITES). ")
    write = st.toggle("Allow writes", key=WRITES, disabled=bool(why_not),
                      help=why_not or "Off: anything that would change the database is refused before it runs. On: "
                                      "the next query is previewed, and written only once you confirm it; then writes "
                                      "are off again.")
    if write:
        st.warning("**Writes are on.** The next query you run may change the database: you will see what it changes "
                   "and confirm it first. Every write is recorded in the audit trail.", icon=":material/edit_note:")
    else:
        st.session_state.pop(PENDING, None)
    return write


def render() -> None:
    st.title("Cypher")
    st.caption("Query the graph in Cypher. Queries run read-only, under a time limit and a row cap, unless you "
               "allow writes. Parameters are written `$name` in the query.")
    user = current_user()
    if not user.can(Action.CYPHER):
        st.info("As a viewer you run the named queries of the library; writing your own Cypher needs the analyst "
                "role.", icon=":material/lock:")
    queries = load_queries()
    _open_from_url(queries)
    st.selectbox("Named query", list(queries), index=None, key=NAMED, on_change=_on_named,
                 format_func=lambda name: f"{name}: {queries[name].description}",
                 placeholder="Choose a query from the library, or write your own below")
    st.session_state.setdefault(PARAMS, _param_rows())
    write = _writes_toggle(user)
    with st.form("cypher-form", border=False):
        text = st.text_area("Query (Ctrl+Enter runs it)", key=TEXT, height=220, disabled=not user.can(Action.CYPHER),
                            placeholder="MATCH (c:Customer)-[:PLACED]->(o:Order)\nRETURN c.name, o.total\nLIMIT 25")
        table = st.data_editor(
            st.session_state[PARAMS], key=f"cypher-params-{st.session_state.get('cypher-params-version', 0)}",
            num_rows="dynamic", hide_index=True, width="stretch",
            column_config={
                "name": st.column_config.TextColumn("parameter", help="Written $name in the query"),
                "type": st.column_config.SelectboxColumn(
                    options=PARAM_TYPES, default=JSON,
                    help="json: the value is read as JSON (42, true, [1, 2], \"text\"); a bare word is a string"),
                "value": st.column_config.TextColumn(
                    help="Lists: comma-separated (type list) or JSON (type json). Empty: not sent"),
            })
        left, _ = st.columns([2, 5], vertical_alignment="bottom")
        limit = left.number_input("Row limit", min_value=1, max_value=100_000, value=DEFAULT_ROW_LIMIT, step=100)
        submitted = st.form_submit_button("Run", type="primary", icon=":material/play_arrow:", on_click=_on_run)
    if submitted:
        with neo4j_guard(WIDGETS), st.spinner("Running…"):
            if write:
                _preview(text or "", table, int(limit))
            else:
                _run(text or "", table, False, int(limit))
    if PENDING in st.session_state:
        _confirm(st.session_state[PENDING])
    elif LAST in st.session_state:
        _show(st.session_state[LAST])
    _history()


render()
