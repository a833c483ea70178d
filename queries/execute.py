"""The one guarded path by which the CLI and the app run Cypher: read-only unless asked, timed, capped.

A read transaction is only a routing hint: a single server runs writes sent in one. So the guard
asks the server itself what a query does: ``EXPLAIN`` plans it without running it, and the plan's
summary says whether it reads (``r``), writes (``w``, ``rw``) or changes the schema or the server
(``s``). Anything but ``r`` is refused, as is anything the server will not EXPLAIN (several
statements, most administration commands); two read-only operators with side effects outside
the graph are refused by name. The query then runs in a read transaction, under the server's
transaction timeout, fetching at most ``limit + 1`` rows to know whether it was cut.

Errors are told apart by status code, never by the server's message text: GQLSTATUS codes where
the server sends a specific one (Neo4j 2025.x, Aura), else the Neo4j code, since Neo4j 5.26 marks
every error with the general ``50N42``. Notifications are read from the summary's GQL status
objects. Messages are in plain words and name no interface; ``UserError.field`` says which
argument an error is about (``params``, ``timeout``, ``write``, ``limit``) so that the CLI can add
its flag and a page its widget.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j.exceptions import ClientError, TransientError

from graph.errors import UserError
from graph.store.db import Database
from queries.registry import get_query

__all__ = ["DEFAULT_LIMIT", "QueryResult", "run_named", "run_query"]

DEFAULT_LIMIT = 1000
_EXPLAIN = "EXPLAIN "
# Plan operators of queries the server calls read-only that still reach outside the graph.
_REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV reads files and URLs from the server",
    "TerminateTransactions": "TERMINATE TRANSACTIONS stops other users' work",
}
_QUERY_TYPES = {
    "w": "writes to the database",
    "rw": "writes to the database",
    "s": "changes the schema or administers the server",
}
_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
)
# GQLSTATUS codes, from the server's own table (org.neo4j.gqlstatus.GqlStatusInfoCodes).
_GQL_SEVERAL_STATEMENTS = "42I15"  # error: invalid number of statements
_GQL_READ_ACCESS_WRITE = "42N02"  # error: writing in read access mode
_GQL_PARAMETER_MISSING = "01N60"  # notification on EXPLAIN: parameter missing
_COUNTERS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
             "properties_set", "labels_added", "labels_removed", "indexes_added", "indexes_removed",
             "constraints_added", "constraints_removed", "system_updates")
_POSITION = re.compile(r"\(line (\d+), column (\d+) \(offset: (\d+)\)\)")
_PARAMETER = re.compile(r"`((?:[^`]|``)*)`|([A-Za-z_0-9][A-Za-z_0-9]*)")


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: rows keyed by column (driver values: Node, Relationship, Path, ...).

    ``truncated`` is true when there were more rows than the limit; ``query_type`` is the
    server's ``r``, ``w``, ``rw`` or ``s``; ``elapsed`` is wall-clock seconds, guard included;
    ``counters`` holds the non-zero update counters of a write; ``notifications`` the server's
    advice on the query (deprecations, cartesian products, unknown labels), one line each.
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    query_type: str
    elapsed: float
    counters: dict[str, int]
    notifications: list[str]


def run_query(db: Database, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
              timeout: float | None = None, limit: int = DEFAULT_LIMIT) -> QueryResult:
    """Run one Cypher statement through the guard and return at most ``limit`` rows.

    Parameters
    ----------
    db : the database.
    text : one Cypher statement, parameters written ``$name``.
    params : values of the parameters.
    write : run in a write transaction without the read-only guard (an explicit opt-in).
    timeout : seconds before the server stops the transaction; default ``db.settings.query_timeout``
        (``RELGRAPH_QUERY_TIMEOUT``, 30 s).
    limit : the most rows to return (at least 1); ``truncated`` tells whether more existed.

    Raises
    ------
    UserError
        A write refused by the read-only guard (``field`` "write"), a syntax error (with its line
        and column), a missing parameter ("params"), a timeout ("timeout"), a bad limit ("limit"),
        or any other error the server blames on the query.
    """
    if not text.strip():
        raise UserError("The query is empty: write a Cypher statement.")
    if limit < 1:
        raise UserError(f"The row limit must be 1 or more, got {limit}.", field="limit")
    if timeout is not None and timeout <= 0:
        raise UserError(f"The timeout must be more than 0 seconds, got {timeout}.", field="timeout")
    params = dict(params or {})
    timeout = timeout or db.settings.query_timeout

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]], bool, neo4j.ResultSummary]:
        if not write:
            try:
                plan = tx.run(_EXPLAIN + text, params).consume()
            except ClientError as exc:
                raise _user_error(exc, text, params, timeout, shift=len(_EXPLAIN)) from exc
            _check_read_only(plan, text, params)
        result = tx.run(text, params)
        rows: list[dict[str, Any]] = []
        truncated = False
        for record in result:
            if len(rows) == limit:
                truncated = True
                break
            rows.append(dict(record))
        return list(result.keys()), rows, truncated, result.consume()

    began = time.perf_counter()
    try:
        columns, rows, truncated, summary = (db.write_tx if write else db.read_tx)(work, timeout=timeout)
    except ClientError as exc:
        raise _user_error(exc, text, params, timeout) from exc
    except TransientError as exc:
        if exc.code == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":  # 5.26 sends no specific GQLSTATUS
            raise UserError("The query needs more memory than the server allows: "
                            "narrow it (a WHERE, a LIMIT).") from exc
        raise
    counters = {name: getattr(summary.counters, name) for name in _COUNTERS if getattr(summary.counters, name)}
    notifications = [status.status_description for status in summary.gql_status_objects if status.is_notification]
    return QueryResult(columns=columns, rows=rows, truncated=truncated, query_type=summary.query_type or "r",
                       elapsed=time.perf_counter() - began, counters=counters, notifications=notifications)


def run_named(db: Database, name: str, values: Mapping[str, Any] | None = None, *, timeout: float | None = None,
              limit: int = DEFAULT_LIMIT) -> QueryResult:
    """Run a named query of the library, read-only, with ``values`` typed by its header.

    Raises UserError for an unknown query, unknown, missing or badly typed parameters, and
    everything run_query refuses.
    """
    query = get_query(name)
    return run_query(db, query.text, query.bind(values or {}), timeout=timeout, limit=limit)


_ALLOW_WRITES = "To change the database on purpose, allow writes."


def _check_read_only(plan: neo4j.ResultSummary, text: str, params: Mapping[str, Any]) -> None:
    """Refuse a planned query unless it only reads; refuse missing parameters before running."""
    if plan.query_type != "r":
        what = _QUERY_TYPES.get(plan.query_type, f"is of type {plan.query_type!r}")
        raise UserError(f"Refused: this query {what}, and queries run read-only. {_ALLOW_WRITES}", field="write")
    for operator in _operators(plan.plan or {}):
        if operator in _REFUSED_OPERATORS:
            raise UserError(f"Refused: {_REFUSED_OPERATORS[operator]}, which read-only queries may not do.")
    if any(status.gql_status == _GQL_PARAMETER_MISSING for status in plan.gql_status_objects):
        raise _missing_parameters(text, params)


def _operators(plan: dict[str, Any]) -> list[str]:
    """The operator names of a plan tree (``LoadCSV@neo4j`` -> ``LoadCSV``)."""
    names = [plan.get("operatorType", "").partition("@")[0]]
    for child in plan.get("children", []):
        names += _operators(child)
    return names


def _missing_parameters(text: str, params: Mapping[str, Any]) -> UserError:
    """The UserError for parameters the query uses and ``params`` lacks, named from the query's own text."""
    missing = [name for name in _scan(text).parameters if name not in params]
    names = ", ".join(missing) or "a parameter of the query"
    return UserError(f"Missing parameter(s): {names}. Give each a value.", field="params")


def _user_error(exc: ClientError, text: str, params: Mapping[str, Any], timeout: float, shift: int = 0) -> UserError:
    """The UserError to show for an error the server blames on the query.

    ``shift`` is the length of a prefix the server saw before ``text`` (``EXPLAIN ``), taken off
    the positions it reports. The error is recognised by its GQLSTATUS where the server sends a
    specific one, else by its Neo4j code; the server's message is shown (a syntax error's
    position moved onto the user's text), never used to tell errors apart.
    """
    code = exc.code or ""
    message = (exc.message or str(exc)).strip()
    if code in _TIMEOUT_CODES:
        return UserError(f"The query ran longer than its {timeout:g} s limit and was stopped. Narrow it "
                         "(a WHERE, a LIMIT, a shorter pattern) or allow more time.", field="timeout")
    if exc.find_by_gql_status(_GQL_SEVERAL_STATEMENTS) is not None or (
            code == "Neo.ClientError.Statement.SyntaxError" and _scan(text).statements > 1):
        return UserError("Refused: one statement at a time; run each statement (separated by ';') on its own.")
    if code == "Neo.ClientError.Statement.SyntaxError":
        return UserError(f"Syntax error: {_syntax_message(message, text, shift)}")
    if code == "Neo.ClientError.Statement.ParameterMissing":
        return _missing_parameters(text, params)
    if exc.find_by_gql_status(_GQL_READ_ACCESS_WRITE) is not None or code == "Neo.ClientError.Statement.AccessMode":
        return UserError(f"Refused: this query writes to the database, and queries run read-only. {_ALLOW_WRITES}",
                         field="write")
    return UserError(f"The server refused the query: {message}")


@dataclass(frozen=True)
class _Scan:
    statements: int  # statements separated by ';' (a final ';' starts none)
    parameters: list[str]  # the ``$name`` parameters, in order of first use


def _scan(text: str) -> _Scan:
    """Count the statements of ``text`` and list its parameters, outside strings, quoted names and comments.

    Only the wording of an error depends on it: the server itself refuses several statements and
    missing parameters; this names what it refused.
    """
    statements, pending, parameters = 0, True, []
    i, n = 0, len(text)
    while i < n:
        ch, two = text[i], text[i:i + 2]
        if two == "//":
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if two == "/*":
            i = text.find("*/", i + 2)
            i = n if i < 0 else i + 2
            continue
        if ch in "'\"`":
            i += 1
            while i < n and text[i] != ch:
                i += 2 if text[i] == "\\" and ch != "`" else 1
            i += 1
            ch = "x"  # a literal or quoted name is statement content
        elif ch == "$":
            match = _PARAMETER.match(text, i + 1)
            if match:
                name = match.group(2) if match.group(1) is None else match.group(1).replace("``", "`")
                if name not in parameters:
                    parameters.append(name)
                i = match.end() - 1
            i += 1
        else:
            i += 1
        if ch == ";":
            pending = True
        elif not ch.isspace() and pending:
            statements, pending = statements + 1, False
    return _Scan(statements, parameters)


def _syntax_message(message: str, text: str, shift: int) -> str:
    """The server's syntax error with its position in ``text``, and that line of ``text`` marked with a caret.

    The server quotes the line as it saw it (with our prefix); the quote is rebuilt from ``text``.
    """
    first = message.splitlines()[0]
    match = _POSITION.search(first)
    if match is None:
        return first
    line, column, offset = (int(g) for g in match.groups())
    if line == 1:
        column -= shift
    offset = max(offset - shift, 0)
    first = first[:match.start()] + f"(line {line}, column {column} (offset: {offset}))" + first[match.end():]
    lines = text.splitlines()
    if 1 <= line <= len(lines) and column >= 1:
        return f"{first}\n  {lines[line - 1]}\n  {' ' * (column - 1)}^"
    return first
