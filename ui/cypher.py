"""Cypher page: a console for analysts, with the named queries, parameters, table and graph results.

The editor is Neo4j's CodeMirror Cypher editor (ui.components.cypher_editor): highlighting,
completion of the live schema's labels, relationship types and property keys and of the query's
parameters, syntax errors marked as you type; Ctrl/Cmd+Enter runs. Every query goes through
queries.execute, the guarded path the CLI uses: read-only unless "Allow writes" is on, with the
server's timeout and a row cap. Explain shows the server's plan; Profile runs the query and shows
what each operator did (queries.plan reads both), a write only where writes are allowed, and then
rolled back. Runs are kept per user in ui.history (SQLite in the state directory), as are named
favourites. `/cypher?query=NAME` opens a named query, else the user's favourite of that name, with
its parameters; `/cypher?query=TEXT` opens the Cypher text itself, so any query can be shared as a link.

Writes are off unless the deployment allows them (RELGRAPH_ALLOW_WRITES), and then only for
admins, both checked on the server when a write runs. While "Allow writes" is on a banner says so;
a query run then is first previewed (run and rolled back: what it would change) and only written
once confirmed, after which writes are off again. Every write, and every refused or failed one, is
recorded in the audit trail with the user's name (graph.audit), which also refuses any write that
would change the trail.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import neo4j
import neo4j.time
import pandas as pd
import streamlit as st

from graph import audit
from graph.access import Action, User, require
from graph.errors import UserError
from graph.store.config import DEFAULT_ROW_LIMIT, settings_from_env
from graph.store.db import plain
from graph.visual import VisualEdge, VisualNode, visual_node
from queries.execute import QueryPlan, QueryResult, explain_query, preview_write, profile_query, run_query
from queries.plan import plan_operators, plan_summary
from queries.registry import TYPES, NamedQuery, Param, load_queries
from ui import data_access
from ui import format as fmt
from ui.auth import current_user
from ui.common import error_text, neo4j_guard
from ui.components.cypher_editor import mount_cypher_editor
from ui.data_access import database
from ui.export import spreadsheet_csv
from ui.history import Entry, History, console_history, first_line
from ui.widgets import md_text, network_view

JSON = "json"  # the type of a parameter the header does not declare: its value is read as JSON
PARAM_TYPES = [JSON, *TYPES]
HISTORY_SHOWN = 50
TEXT, NAMED, PARAMS, WRITES = "cypher-text", "cypher-named", "cypher-params", "cypher-writes"
LAST, PINNED, ACTION, REOPEN = "cypher-last", "cypher-pinned", "cypher-action", "cypher-reopen"
EDITOR, EDITOR_VERSION = "cypher-editor", "cypher-editor-version"
EDITOR_LABEL = "Query (Ctrl+Enter runs it)"
MODES = {"run": "Run", "explain": "Explain", "profile": "Profile"}
CELL_CHARS = 80  # longer text is cut in the table, whole in the selected row and in exports
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
    """Put a query and its parameters in the editor: a new editor version replaces what was typed, and a
    new key for the parameter table drops edits of the old one, so no parameter of another query stays."""
    st.session_state[TEXT] = text
    st.session_state[PARAMS] = params
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1
    st.session_state["cypher-params-version"] = st.session_state.get("cypher-params-version", 0) + 1


def _on_named() -> None:
    name = st.session_state[NAMED]
    if name is None:
        st.query_params.pop("query", None)
        return
    query = load_queries()[name]
    _fill(query.text, _param_rows(query))
    st.query_params["query"] = name


def _editor_value(field: str) -> dict[str, Any] | None:
    """The editor's state or trigger ``field`` if it belongs to the query now in the editor (its version)."""
    value = (st.session_state.get(EDITOR) or {}).get(field)
    if isinstance(value, dict) and value.get("version") == st.session_state.get(EDITOR_VERSION, 0):
        return value
    return None


def _on_editor_text() -> None:
    value = _editor_value("text")
    if value is not None:
        st.session_state[TEXT] = value["text"]


def _on_editor_run() -> None:
    value = _editor_value("run")
    if value is not None:
        st.session_state[TEXT] = value["text"]
        st.session_state[ACTION] = value.get("mode", "run")


def _on_action(mode: str) -> None:
    st.session_state[ACTION] = mode


def _forget_named_if_edited() -> None:
    """Once the editor no longer holds the chosen named query, neither the picker nor the URL names it."""
    name = st.session_state.get(NAMED)
    if name is not None and st.session_state.get(TEXT) != load_queries()[name].text:
        st.session_state[NAMED] = None
        st.query_params.pop("query", None)


def _rows_of(table: pd.DataFrame) -> list[dict[str, str]]:
    """The parameter table as plain rows, as history and favourites keep it."""
    return [{"name": str(n), "type": str(t), "value": str(v)}
            for n, t, v in table[["name", "type", "value"]].fillna("").itertuples(index=False) if str(n).strip()]


def _table_of(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["name", "type", "value"]).astype(str)


def _reopen(query: str, params: list[dict[str, str]]) -> None:
    """Put a past or favourite query back in the editor, naming its named query if it is one."""
    _fill(query, _table_of(params))
    named = next((q.name for q in load_queries().values() if q.text == query), None)
    st.session_state[NAMED] = named
    if named is None:
        st.query_params.pop("query", None)
    else:
        st.query_params["query"] = named


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


def _named_of(text: str) -> str | None:
    return next((q.name for q in load_queries().values() if q.text == text), None)


def _act(mode: str, text: str, table: pd.DataFrame, write: bool, limit: int) -> None:
    """Run, explain or profile the editor's query through the guard; keep the result or the error, and log it."""
    outcome: dict[str, Any] = {"at": time.strftime("%H:%M:%S"), "query": text, "params": table.copy(), "mode": mode}
    try:
        # On the server, whatever the widgets allowed: a viewer runs the library's queries as they are.
        named = _named_of(text) is not None
        require(current_user(), Action.WRITE if write else Action.NAMED_QUERY if named else Action.CYPHER)
        values = _values(text, table)
        if mode == "explain":
            plan = explain_query(database(), text, values)
            outcome.update(plan=plan, outcome=f"plan of {plan_summary(plan.plan).operators} operators")
        elif mode == "profile":
            if write:
                _check_writes_allowed()
            plan = profile_query(database(), text, values, write=write, limit=limit)
            result = plan.result
            assert result is not None
            outcome.update(plan=plan, result=result, outcome=_rows_text(result) + " (profiled)")
        else:
            result = _write(text, values, limit) if write else run_query(database(), text, values, limit=limit)
            outcome.update(result=result, outcome=_rows_text(result))
    except UserError as exc:
        message = error_text(exc, WIDGETS)
        outcome.update(error=message, outcome="error: " + message.splitlines()[0])
    _keep(outcome)


def _run(text: str, table: pd.DataFrame, write: bool, limit: int) -> None:
    _act("run", text, table, write, limit)


def _rows_text(result: QueryResult) -> str:
    rows = len(result.rows)
    return f"{rows:,} {'row' if rows == 1 else 'rows'}" + (" (cut)" if result.truncated else "")


def _store() -> History:
    return console_history()


def _keep(outcome: dict[str, Any]) -> None:
    """Show an outcome, and log it in the user's lasting history."""
    st.session_state[LAST] = outcome
    result: QueryResult | None = outcome.get("result")
    _store().record(current_user().name, outcome["query"], _rows_of(outcome["params"]),
                    named=_named_of(outcome["query"]), mode=outcome.get("mode", "run"),
                    rows=None if result is None else len(result.rows),
                    elapsed_ms=None if result is None else result.elapsed * 1000,
                    outcome=outcome["outcome"], ok="error" not in outcome)


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


def _name_of(node: neo4j.graph.Node) -> str:
    """What a node is called in a path: its name, else its key, else its labels."""
    props = dict(node)
    for key in ("name", "personId", "companyId", "sku", "orderId", "interactionId"):
        if props.get(key) not in (None, ""):
            return str(props[key])
    return ":".join(sorted(node.labels)) or node.element_id


def _path_text(path: neo4j.graph.Path) -> str:
    """A path as Cypher draws it: ``(John Smith)-[:REFERRED]->(Ann)``, arrows as the relationships point."""
    text = f"({_name_of(path.start_node)})"
    node = path.start_node
    for rel in path.relationships:
        forward = rel.start_node.element_id == node.element_id
        node = rel.end_node if forward else rel.start_node
        text += (f"-[:{rel.type}]->" if forward else f"<-[:{rel.type}]-") + f"({_name_of(node)})"
    return text


def _cell(value: Any) -> Any:
    """A driver value as people read it in a table: dates as dates, paths drawn as ``(a)-[:T]->(b)``,
    nodes as ``(:Label name)``, relationships as ``[:TYPE]``, lists and maps as JSON text."""
    if isinstance(value, neo4j.graph.Path):
        return _path_text(value)
    if isinstance(value, neo4j.graph.Node):
        return f"(:{':'.join(sorted(value.labels))} {_name_of(value)})"
    if isinstance(value, neo4j.graph.Relationship):
        return f"[:{value.type}]"
    if isinstance(value, (neo4j.time.Date, neo4j.time.DateTime)):
        return value.to_native()
    if isinstance(value, (neo4j.time.Time, neo4j.time.Duration)):
        return str(value)
    value = plain(value)
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else value


def _raw(value: Any) -> Any:
    """A driver value for export: plain data (nodes as ``{labels, properties}``), dates in ISO 8601."""
    value = plain(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _table(result: QueryResult) -> pd.DataFrame:
    """The result as readable cells (see _cell); downloads use _raw_table, the values as they are."""
    return pd.DataFrame([[_cell(row[c]) for c in result.columns] for row in result.rows], columns=result.columns)


def _raw_table(result: QueryResult) -> pd.DataFrame:
    def csv_cell(value: Any) -> Any:
        value = _raw(value)
        return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else value

    return pd.DataFrame([[csv_cell(row[c]) for c in result.columns] for row in result.rows], columns=result.columns)


def _json(result: QueryResult) -> str:
    """The rows as the CLI's --json prints them: one object per row, keyed by column, raw values."""
    rows = [{c: _raw(row[c]) for c in result.columns} for row in result.rows]
    return json.dumps(rows, ensure_ascii=False, default=str, indent=1)


def _columns(table: pd.DataFrame) -> dict[str, Any]:
    """Column settings: numbers with thousands separators (amounts with their currency), dates as dates."""
    config: dict[str, Any] = {}
    for column in table.columns:
        values = table[column].dropna()
        if len(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            amount = fmt.is_money(str(column).rpartition(".")[2])  # `o.total` is an amount, as `total` is
            config[column] = (fmt.money_column(column) if amount
                              else st.column_config.NumberColumn(column, format="localized"))
        elif len(values) and all(isinstance(v, datetime) for v in values):
            config[column] = st.column_config.DatetimeColumn(column, format="YYYY-MM-DD HH:mm:ss")
        elif len(values) and all(isinstance(v, date) for v in values):
            config[column] = st.column_config.DateColumn(column, format="YYYY-MM-DD")
    return config


def _cut(table: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The table with text longer than CELL_CHARS cut, and whether any was (the table keeps raw values)."""
    long = table.map(lambda v: isinstance(v, str) and len(v) > CELL_CHARS)
    if not long.to_numpy().any():
        return table, False
    return table.map(lambda v: v[:CELL_CHARS - 1] + "…" if isinstance(v, str) and len(v) > CELL_CHARS else v), True


def _result_table(table: pd.DataFrame, key: str) -> None:
    """The result as a table; long text is cut, and a selected row is shown whole below it."""
    shown, cut = _cut(table)
    event = st.dataframe(shown, hide_index=True, width="stretch", column_config=_columns(table), key=f"{key}-rows",
                         on_select="rerun", selection_mode="single-row")
    chosen = event.selection.rows
    if chosen:
        row = table.iloc[chosen[0]]
        st.code("\n".join(f"{column}: {_text(row[column])}" for column in table.columns), language=None,
                wrap_lines=True)
    elif cut:
        st.caption(f"Text longer than {CELL_CHARS} characters is cut: select a row to read it whole.")


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


def _show_plan(plan: QueryPlan, key: str) -> None:
    """The plan as an operator tree: estimated rows, and when profiled rows and database hits; costliest marked."""
    summary = plan_summary(plan.plan)
    operators = plan_operators(plan.plan)
    what = "Profile" if plan.profiled else "Plan (EXPLAIN: nothing was run)"
    facts = [f"{summary.operators} operators"]
    if summary.profiled:
        facts.append(f"{fmt.count(summary.db_hits)} db hits in all")
    if summary.runtime:
        facts.append(f"runtime {summary.runtime.lower()}")
    st.markdown(f"**{what}**: " + ", ".join(facts) + (f"; costliest: **{', '.join(summary.costliest)}** "
                                                      f"(by {'db hits' if summary.profiled else 'estimated rows'})"
                                                      if summary.costliest else ""))
    if plan.rolled_back:
        st.info("This write was profiled and rolled back: the database is unchanged.", icon=":material/undo:")
    if plan.query_type != "r" and not plan.profiled:
        st.caption("This query writes: running it needs writes to be allowed.")
    rows = [{"operator": o.tree, "costliest": o.costliest, "details": o.details,
             "estimated rows": o.estimated_rows, **({"rows": o.rows, "db hits": o.db_hits,
                                                    "share of db hits": o.share} if summary.profiled else {}),
             "identifiers": ", ".join(o.identifiers)} for o in operators]
    frame = pd.DataFrame(rows)
    config: dict[str, Any] = {
        "operator": st.column_config.TextColumn("operator", width="medium",
                                                help="The plan from its result (top) down to where it reads"),
        "costliest": st.column_config.CheckboxColumn("costliest", width="small",
                                                     help="By db hits when profiled, else by estimated rows"),
        "details": st.column_config.TextColumn("details", width="large"),
        "estimated rows": st.column_config.NumberColumn("estimated rows", format="localized"),
        "rows": st.column_config.NumberColumn("rows", format="localized"),
        "db hits": st.column_config.NumberColumn("db hits", format="localized"),
        "share of db hits": st.column_config.ProgressColumn("share of db hits", min_value=0.0, max_value=1.0,
                                                            format="percent"),
    }

    def mark(row: pd.Series) -> list[str]:
        hot = bool(row["costliest"])
        return ["background-color: rgba(255, 75, 75, 0.15); font-weight: bold" if hot else ""] * len(row)

    st.dataframe(frame.style.apply(mark, axis=1), hide_index=True, width="stretch", column_config=config,
                 key=f"{key}-plan", row_height=32)
    for note in plan.notifications:
        st.caption(f"Server: {md_text(note)}")


def _show_result(outcome: dict[str, Any], key: str) -> None:
    if "error" in outcome:
        _show_error(outcome["error"])
        return
    if "plan" in outcome:
        _show_plan(outcome["plan"], key)
    if "result" not in outcome:
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
    as_table, as_graph = st.tabs(["Table", "Graph"], key=f"{key}-view", on_change="rerun")
    if as_table.open:
        with as_table:
            _result_table(table, key)
            if current_user().can(Action.EXPORT):
                left, right, _ = st.columns([1, 1, 3])
                left.download_button("Download CSV", spreadsheet_csv(_raw_table(result)), file_name="query.csv",
                                     mime="text/csv", icon=":material/download:", on_click="ignore",
                                     key=f"{key}-csv")
                right.download_button("Download JSON", _json(result), file_name="query.json",
                                      mime="application/json", icon=":material/data_object:", on_click="ignore",
                                      key=f"{key}-json")
    if as_graph.open:
        with as_graph:
            nodes, edges = _picture(result)
            if nodes:
                network_view(nodes, edges, key=f"{key}-graph", height=520)
            else:
                st.info("The result holds no nodes or relationships to draw: return them (`RETURN n`, `RETURN p`) "
                        "rather than their properties.")


def _title(outcome: dict[str, Any]) -> str:
    return f"{MODES.get(outcome.get('mode', 'run'), 'Run')} at {outcome['at']}: {first_line(outcome['query'])[:60]}"


def _show(outcome: dict[str, Any]) -> None:
    """The latest outcome, beside a pinned one when a result is pinned."""
    pinned = st.session_state.get(PINNED)
    if pinned is None:
        _show_result(outcome, "cypher-last")
        if "error" not in outcome and st.button("Pin this result", icon=":material/push_pin:", key="cypher-pin",
                                                help="Keep it beside the next run's, to compare"):
            st.session_state[PINNED] = outcome
            st.rerun()
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Pinned** · {md_text(_title(pinned))}")
        if st.button("Unpin", icon=":material/close:", key="cypher-unpin"):
            del st.session_state[PINNED]
            st.rerun()
        _show_result(pinned, "cypher-pinned")
    with right:
        st.markdown(f"**Latest** · {md_text(_title(outcome))}")
        _show_result(outcome, "cypher-last")


def _when(entry: Entry) -> str:
    return entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _history(user: User) -> None:
    """The user's lasting history: what, parameters, when, rows, time; one click opens an entry again."""
    history = _store().recent(user.name, HISTORY_SHOWN)
    with st.expander(f"History ({len(history)})", icon=":material/history:", expanded=bool(history)):
        if not history:
            st.caption("Queries you run appear here, and stay after a reload.")
            return
        frame = pd.DataFrame([{
            "query": entry.title, "parameters": ", ".join(f"{p['name']}={p['value']}" for p in entry.params
                                                         if p.get("value")),
            "when": _when(entry), "mode": entry.mode, "rows": entry.rows,
            "ms": None if entry.elapsed_ms is None else round(entry.elapsed_ms), "outcome": entry.outcome}
            for entry in history])
        event = st.dataframe(frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                             key="cypher-history", column_config={
                                 "query": st.column_config.TextColumn("query", width="large",
                                                                      help="The named query, or the first line"),
                                 "rows": st.column_config.NumberColumn("rows", format="localized"),
                                 "ms": st.column_config.NumberColumn("time (ms)", format="localized")})
        st.caption("Select a row to open that query again, with its parameters.")
        chosen = event.selection.rows if event is not None else []
        if chosen:
            entry = history[chosen[0]]
            st.session_state.pop("cypher-history", None)  # the selection is spent: a later click opens again
            st.session_state[REOPEN] = (entry.query, entry.params)
            st.rerun()


def _favourite_link(name: str) -> str:
    return f"/cypher?query={quote(name, safe='')}"


def _favourites(user: User, text: str, table: pd.DataFrame) -> None:
    """Save the editor's query as a named favourite; open, link to or forget a saved one."""
    store = _store()
    saved = store.favourites(user.name)
    with st.expander(f"Favourites ({len(saved)})", icon=":material/star:"):
        with st.form("cypher-favourite", border=False, enter_to_submit=True):
            left, right = st.columns([4, 1], vertical_alignment="bottom")
            name = left.text_input("Save the query in the editor as", max_chars=80, key="cypher-favourite-name",
                                   placeholder="A name, e.g. Chicago referrers")
            if right.form_submit_button("Save favourite", icon=":material/star:"):
                try:
                    favourite = store.save_favourite(user.name, name, text, _rows_of(table))
                    st.success(f"Saved **{md_text(favourite.name)}**: [open it]({_favourite_link(favourite.name)})",
                               icon=":material/star:")
                    saved = store.favourites(user.name)
                except UserError as exc:
                    st.error(str(exc), icon=":material/error:")
        for i, favourite in enumerate(saved):
            left, middle, right = st.columns([3, 1, 1], vertical_alignment="center")
            left.markdown(f"[{md_text(favourite.name)}]({_favourite_link(favourite.name)}) · "
                          f"`{md_text(first_line(favourite.query)[:60])}`")
            middle.button("Open", key=f"cypher-fav-open-{i}", icon=":material/open_in_new:", on_click=_reopen,
                          args=(favourite.query, favourite.params))
            if right.button("Forget", key=f"cypher-fav-forget-{i}", icon=":material/delete:"):
                store.delete_favourite(user.name, favourite.name)
                st.rerun()


_WORD = re.compile(r"[\w.-]+")


def _open_from_url(queries: dict[str, NamedQuery], user: User) -> None:
    """On a page's first run, `?query=` fills the editor: a named query, else the user's favourite of that
    name, else (for text that is not a single word) the Cypher text itself."""
    name = st.query_params.get("query")
    if name is None or NAMED in st.session_state:
        return
    if name in queries:
        st.session_state[NAMED] = name
        _fill(queries[name].text, _param_rows(queries[name]))
        return
    st.session_state[NAMED] = None
    favourite = _store().favourite(user.name, name)
    if favourite is not None:
        _fill(favourite.query, _table_of(favourite.params))
    elif not _WORD.fullmatch(name.strip()):
        _fill(name, _param_rows())
    else:
        st.warning(f"There is no named query or favourite {md_text(name)}; choose one below.",
                   icon=":material/help:")


def _completion(table: pd.DataFrame) -> dict[str, Any]:
    """What the editor completes: the live schema, and the parameters of the query in the editor."""
    words = dataclasses.asdict(data_access.vocabulary())
    named = load_queries().get(st.session_state.get(NAMED) or "")
    parameters = sorted({*(p.name for p in (named.params if named else ())), *(r["name"] for r in _rows_of(table))})
    # As Neo4j's own tools give them to this editor: labels and types with their colon, parameters without $.
    return {"labels": [f":{label}" for label in words["labels"]],
            "relationshipTypes": [f":{kind}" for kind in words["relationship_types"]],
            "propertyKeys": words["property_keys"], "parameters": parameters,
            "functions": words["functions"],
            "procedures": [{**p, "returnItems": []} for p in words["procedures"]]}


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
               "allow writes. Parameters are written `$name` in the query; the editor completes labels, "
               "relationship types, properties and parameters (Ctrl+Space).")
    user = current_user()
    if not user.can(Action.CYPHER):
        st.info("As a viewer you run the named queries of the library; writing your own Cypher needs the analyst "
                "role.", icon=":material/lock:")
    queries = load_queries()
    _open_from_url(queries, user)
    if REOPEN in st.session_state:  # a history entry chosen in the last run: before the picker is drawn
        _reopen(*st.session_state.pop(REOPEN))
    if ACTION in st.session_state:
        _forget_named_if_edited()
    st.selectbox("Named query", list(queries), index=None, key=NAMED, on_change=_on_named,
                 format_func=lambda name: f"{name}: {queries[name].description}",
                 placeholder="Choose a query from the library, or write your own below")
    st.session_state.setdefault(PARAMS, _param_rows())
    st.session_state.setdefault(TEXT, "")
    write = _writes_toggle(user)
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
    with neo4j_guard(WIDGETS):
        schema = _completion(table)
    mount_cypher_editor(st.session_state[TEXT], st.session_state.get(EDITOR_VERSION, 0), schema, key=EDITOR,
                        label=EDITOR_LABEL, read_only=not user.can(Action.CYPHER), height=220,
                        placeholder="MATCH (c:Customer)-[:PLACED]->(o:Order)\nRETURN c.name, o.total\nLIMIT 25",
                        on_text=_on_editor_text, on_run=_on_editor_run)
    limit_column, *buttons, _ = st.columns([2, 1, 1, 1, 2], vertical_alignment="bottom")
    limit = limit_column.number_input("Row limit", min_value=1, max_value=100_000, value=DEFAULT_ROW_LIMIT, step=100)
    for column, (mode, label) in zip(buttons, MODES.items(), strict=True):
        column.button(label, type="primary" if mode == "run" else "secondary", key=f"cypher-{mode}",
                      icon={"run": ":material/play_arrow:", "explain": ":material/account_tree:",
                            "profile": ":material/speed:"}[mode], on_click=_on_action, args=(mode,),
                      help={"run": "Run the query (Ctrl+Enter)", "explain": "Show the server's plan without running",
                            "profile": "Run the query and show what each step of its plan did"}[mode])
    mode = st.session_state.pop(ACTION, None)
    if mode is not None:
        text = st.session_state.get(TEXT) or ""
        with neo4j_guard(WIDGETS), st.spinner("Running…"):
            if write and mode == "run":
                _preview(text, table, int(limit))
            else:
                _act(mode, text, table, write, int(limit))
    if PENDING in st.session_state:
        _confirm(st.session_state[PENDING])
    elif LAST in st.session_state:
        _show(st.session_state[LAST])
    _favourites(user, st.session_state.get(TEXT) or "", table)
    _history(user)


render()
