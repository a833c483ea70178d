"""The one guarded path by which the CLI and the app run Cypher: read-only unless asked, timed, capped.

A read transaction is only a routing hint: a single server runs writes sent in one. So the guard
asks the server itself what a query does: ``EXPLAIN`` plans it without running it, and the plan's
summary says whether it reads (``r``), writes (``w``, ``rw``) or changes the schema or the server
(``s``). Anything but ``r`` is refused unless writes are allowed, as is anything the server will
not EXPLAIN (several statements, most administration commands).

Some things are never run, writes allowed or not, and are found in the plan's operators (and in
the subqueries a plan keeps nested in an expression), never in the query's text: anything planned
on the ``system`` database (users, roles, privileges, databases), ``LOAD CSV`` (the server would
read a file or URL of the user's choosing), a procedure not on the allow-list of what an analyst
needs (the graph's vocabulary and schema, index searches), and a command (``SHOW ...``,
``TERMINATE ...``) other than SHOW INDEXES, CONSTRAINTS, PROCEDURES and FUNCTIONS: others show
other users' queries or the server's configuration, or act on the server.

The query then runs under the server's transaction timeout, fetching at most ``limit + 1`` rows
to know whether it was cut. What a result may cost the client is bounded too: the server's timeout
ends when a row is produced, not when a huge value (``range(1, 100000000)``) has been sent and
decoded, so the bytes received are counted against a budget and a deadline as they arrive, and
the connection is dropped when either runs out.

Errors are told apart by status code, never by the server's message text: GQLSTATUS codes where
the server sends a specific one (Neo4j 2025.x, Aura), else the Neo4j code, since Neo4j 5.26 marks
every error with the general ``50N42``. Notifications are read from the summary's GQL status
objects. Messages are in plain words and name no interface; ``UserError.field`` says which
argument an error is about (``params``, ``timeout``, ``write``, ``limit``) so that the CLI can add
its flag and a page its widget.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import neo4j
from neo4j._sync.io._bolt import _common as _bolt_reader
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired, TransientError

from graph.errors import UserError
from graph.store.config import DEFAULT_ROW_LIMIT, MAX_QUERY_TIMEOUT
from graph.store.db import Database
from queries.registry import get_query

__all__ = ["ALLOWED_COMMANDS", "ALLOWED_PROCEDURES", "MAX_RESULT_BYTES", "TIMEOUT_GRACE_S",
           "QueryPlan", "QueryResult", "explain_query", "preview_write", "profile_query", "run_named", "run_query"]

T = TypeVar("T")

MAX_RESULT_BYTES = 16 * 2**20  # what one query's result may take on the wire (decoded, a few times more)
# The server notices its own timeout up to its monitor's interval late (db.transaction.monitor.check.interval,
# 2 s by default); the client's deadline for a result comes this much later, for what the server's misses.
TIMEOUT_GRACE_S = 2.0
_EXPLAIN = "EXPLAIN "
_PROFILE = "PROFILE "
# The procedures an analyst needs: the graph's vocabulary and schema, and searches of its indexes.
# Any other is refused: db.stats.* collects and shows everyone's queries, db.resampleIndex and
# db.prepareForReplanning act on the server, dbms.* and tx.* show or change the server and connections.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys",
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships", "db.index.fulltext.listAvailableAnalyzers",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
})
# The commands (plan operators Show... and Terminate...) an analyst needs: the schema and the language.
# Any other is refused: SHOW TRANSACTIONS shows other users' queries and parameters, SHOW SETTINGS
# the server's configuration, TERMINATE TRANSACTIONS stops other users' work.
ALLOWED_COMMANDS = frozenset({"ShowIndexes", "ShowConstraints", "ShowProcedures", "ShowFunctions"})
_COMMAND_PREFIXES = ("Show", "Terminate")
# A subquery the planner keeps nested in an expression shows in its operator's details, not as operators.
_NESTED_CALL = re.compile(r"ResolvedCall\(([\w.]+)\(")
_NESTED_LOAD_CSV = "LOAD CSV"
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
              timeout: float | None = None, limit: int = DEFAULT_ROW_LIMIT) -> QueryResult:
    """Run one Cypher statement through the guard and return at most ``limit`` rows.

    Parameters
    ----------
    db : the database.
    text : one Cypher statement, parameters written ``$name``.
    params : values of the parameters.
    write : run in a write transaction without the read-only guard (an explicit opt-in); what is
        never run (administration, LOAD CSV, procedures and commands off the allow-lists) stays refused.
    timeout : seconds before the server stops the transaction (and, ``TIMEOUT_GRACE_S`` later, the
        client stops reading its result); default ``db.settings.query_timeout``
        (``RELGRAPH_QUERY_TIMEOUT``, 30 s).
    limit : the most rows to return (at least 1); ``truncated`` tells whether more existed.

    Raises
    ------
    UserError
        A write refused by the read-only guard (``field`` "write"), anything never run, a syntax
        error (with its line and column), a missing parameter ("params"), a timeout ("timeout"), a
        bad limit ("limit"), a result over ``MAX_RESULT_BYTES``, or any other error the server
        blames on the query.
    """
    began = time.perf_counter()
    columns, rows, truncated, summary = _guarded_rows(db, text, params, write=write, timeout=timeout, limit=limit)
    return QueryResult(columns=columns, rows=rows, truncated=truncated, query_type=summary.query_type or "r",
                       elapsed=time.perf_counter() - began, counters=_counters(summary),
                       notifications=_notifications(summary))


def preview_write(db: Database, text: str, params: Mapping[str, Any] | None = None, *,
                  timeout: float | None = None) -> dict[str, int]:
    """What a write would change, without changing anything: its non-zero update counters.

    The statement runs as ``run_query(..., write=True)`` runs it, refusals included, in a write
    transaction that is then rolled back, so that a user confirms a write knowing what it does
    (``{"nodes_created": 2, "properties_set": 4}``; ``{}`` when it would change nothing).

    Raises UserError as run_query does.
    """
    _check_arguments(text, timeout)
    params = dict(params or {})
    timeout = timeout or db.settings.query_timeout
    counters: dict[str, int] = {}

    def work(tx: neo4j.ManagedTransaction) -> None:
        budget = _Budget(MAX_RESULT_BYTES, time.monotonic() + timeout + TIMEOUT_GRACE_S)
        _check_plan(tx, text, params, timeout, write=True)
        with _limited(budget, timeout):
            counters.clear()
            counters.update(_counters(tx.run(text, params).consume()))
        raise _RollBack  # the managed transaction rolls back on an error in its function

    try:
        _execute(db.write_tx, work, text, params, timeout)
    except _RollBack:
        pass
    return counters


@dataclass(frozen=True)
class QueryPlan:
    """How the server plans (EXPLAIN) or ran (PROFILE) a query.

    ``plan`` is the driver's plan tree (queries.plan reads it); ``profiled`` tells which;
    ``query_type`` is the server's ``r``, ``w``, ``rw`` or ``s``; ``result`` holds the rows a
    profiled query returned (None for EXPLAIN, which runs nothing); ``rolled_back`` is true for a
    profiled write, which ran and was then undone.
    """

    plan: dict[str, Any]
    profiled: bool
    query_type: str
    notifications: list[str]
    result: QueryResult | None = None
    rolled_back: bool = False


def explain_query(db: Database, text: str, params: Mapping[str, Any] | None = None, *,
                  timeout: float | None = None) -> QueryPlan:
    """The server's plan of one statement, without running it (``EXPLAIN``).

    A write is planned too (nothing runs); what is never run (administration, LOAD CSV,
    procedures and commands off the allow-lists) is refused here as well, so nothing a console
    may not run is even planned from it. Missing parameters are allowed: the plan does not need
    their values.

    Raises UserError for an empty query, a syntax error (with its line and column), what is never
    run, or any other error the server blames on the query.
    """
    _check_arguments(text, timeout)
    params = dict(params or {})
    timeout = timeout or db.settings.query_timeout

    def work(tx: neo4j.ManagedTransaction) -> neo4j.ResultSummary:
        try:
            return tx.run(_EXPLAIN + text, params).consume()
        except ClientError as exc:
            raise _user_error(exc, text, params, timeout, shift=len(_EXPLAIN)) from exc

    summary = _execute(db.read_tx, work, text, params, timeout)
    _refuse_never_run(summary)
    return QueryPlan(plan=dict(summary.plan or {}), profiled=False, query_type=summary.query_type or "r",
                     notifications=_notifications(summary))


def profile_query(db: Database, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
                  timeout: float | None = None, limit: int = DEFAULT_ROW_LIMIT) -> QueryPlan:
    """Run one statement through the guard with ``PROFILE``: its rows, and the plan with what each operator did.

    The guard is run_query's: a write is refused unless ``write`` is true, and what is never run
    stays refused. A write that is allowed runs in a write transaction that is then rolled back,
    so profiling shows what the write costs without changing the database (``rolled_back``).

    Raises UserError as run_query does.
    """
    began = time.perf_counter()
    columns, rows, truncated, summary = _guarded_rows(db, text, params, write=write, timeout=timeout, limit=limit,
                                                      prefix=_PROFILE, roll_back=write)
    result = QueryResult(columns=columns, rows=rows, truncated=truncated, query_type=summary.query_type or "r",
                         elapsed=time.perf_counter() - began, counters=_counters(summary),
                         notifications=_notifications(summary))
    return QueryPlan(plan=dict(summary.profile or {}), profiled=True, query_type=result.query_type,
                     notifications=result.notifications, result=result, rolled_back=write)


def run_named(db: Database, name: str, values: Mapping[str, Any] | None = None, *, timeout: float | None = None,
              limit: int = DEFAULT_ROW_LIMIT) -> QueryResult:
    """Run a named query of the library, read-only, with ``values`` typed by its header.

    Raises UserError for an unknown query, unknown, missing or badly typed parameters, and
    everything run_query refuses.
    """
    query = get_query(name)
    return run_query(db, query.text, query.bind(values or {}), timeout=timeout, limit=limit)


_Rows = tuple[list[str], list[dict[str, Any]], bool, neo4j.ResultSummary]


def _guarded_rows(db: Database, text: str, params: Mapping[str, Any] | None, *, write: bool, timeout: float | None,
                  limit: int, prefix: str = "", roll_back: bool = False) -> _Rows:
    """Check ``text`` with the guard, run ``prefix + text`` and read at most ``limit`` rows within the result's
    budget: its columns, rows, whether more existed, and its summary. ``roll_back`` undoes the transaction."""
    _check_arguments(text, timeout)
    if limit < 1:
        raise UserError(f"The row limit must be 1 or more, got {limit}.", field="limit")
    params = dict(params or {})
    timeout = timeout or db.settings.query_timeout
    kept: list[_Rows] = []

    def work(tx: neo4j.ManagedTransaction) -> _Rows:
        budget = _Budget(MAX_RESULT_BYTES, time.monotonic() + timeout + TIMEOUT_GRACE_S)
        _check_plan(tx, text, params, timeout, write=write)
        with _limited(budget, timeout):
            result = tx.run(prefix + text, params)
            rows: list[dict[str, Any]] = []
            truncated = False
            for record in result:
                if len(rows) == limit:
                    truncated = True
                    break
                rows.append(dict(record))
            kept.append((list(result.keys()), rows, truncated, result.consume()))
        if roll_back:
            raise _RollBack  # the managed transaction rolls back on an error in its function
        return kept[-1]

    try:
        return _execute(db.write_tx if write else db.read_tx, work, text, params, timeout)
    except _RollBack:
        return kept[-1]


class _RollBack(Exception):
    """Raised by a preview's transaction function so that the transaction is rolled back."""


_ALLOW_WRITES = "To change the database on purpose, allow writes."
_NOT_HERE = ("(the others show other users' work or the server's configuration, or act on the server), "
             "writes allowed or not.")


def _check_arguments(text: str, timeout: float | None) -> None:
    if not text.strip():
        raise UserError("The query is empty: write a Cypher statement.")
    if timeout is not None and not 0 < timeout <= MAX_QUERY_TIMEOUT:  # NaN fails both comparisons
        raise UserError(f"The timeout must be more than 0 seconds and at most {MAX_QUERY_TIMEOUT:,.0f}, "
                        f"got {timeout}.", field="timeout")


def _execute(run: Callable[..., T], work: Callable[..., T], text: str, params: Mapping[str, Any],
             timeout: float) -> T:
    """``run(work)`` in a transaction of ``timeout`` seconds, the server's errors turned into UserErrors."""
    try:
        return run(work, timeout=timeout)
    except ClientError as exc:
        raise _user_error(exc, text, params, timeout) from exc
    except TransientError as exc:
        if exc.code == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":  # 5.26 sends no specific GQLSTATUS
            raise UserError("The query needs more memory than the server allows: "
                            "narrow it (a WHERE, a LIMIT).") from exc
        raise


def _check_plan(tx: neo4j.ManagedTransaction, text: str, params: Mapping[str, Any], timeout: float, *,
                write: bool) -> None:
    """EXPLAIN the query and refuse it unless it may run; refuse missing parameters before running."""
    try:
        plan = tx.run(_EXPLAIN + text, params).consume()
    except ClientError as exc:
        raise _user_error(exc, text, params, timeout, shift=len(_EXPLAIN)) from exc
    _refuse_never_run(plan)
    if not write and plan.query_type != "r":
        what = _QUERY_TYPES.get(plan.query_type, f"is of type {plan.query_type!r}")
        raise UserError(f"Refused: this query {what}, and queries run read-only. {_ALLOW_WRITES}", field="write")
    if any(status.gql_status == _GQL_PARAMETER_MISSING for status in plan.gql_status_objects):
        raise _missing_parameters(text, params)


def _refuse_never_run(plan: neo4j.ResultSummary) -> None:
    """Refuse what is never run, writes allowed or not, as the plan's operators show it."""
    if plan.plan is None:
        raise UserError("Refused: the server gave no plan of this query to check.")
    for operator, database, details in _operators(plan.plan):
        if database == "system":
            raise UserError("Refused: commands on users, roles, privileges and databases are not run here, "
                            "writes allowed or not.")
        if operator == "LoadCSV" or _NESTED_LOAD_CSV in details:
            raise UserError("Refused: LOAD CSV reads files and URLs from the server, which queries here may not do, "
                            "writes allowed or not.")
        if operator.startswith(_COMMAND_PREFIXES) and operator not in ALLOWED_COMMANDS:
            allowed = ", ".join(_words(name) for name in sorted(ALLOWED_COMMANDS))
            raise UserError(f"Refused: {_words(operator)} is not run here. Of the commands only {allowed} are "
                            + _NOT_HERE)
        called = [details.partition("(")[0].strip()] if operator == "ProcedureCall" else []
        for name in called + _NESTED_CALL.findall(details):
            if name not in ALLOWED_PROCEDURES:
                allowed = ", ".join(sorted(ALLOWED_PROCEDURES))
                raise UserError(f"Refused: the procedure {name} is not called here. Only {allowed} are "
                                + _NOT_HERE)


def _operators(plan: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Each operator of a plan tree as (name, database, details); ``LoadCSV@neo4j`` is ``LoadCSV`` on ``neo4j``."""
    name, _, database = plan.get("operatorType", "").partition("@")
    yield name, database, str(plan.get("args", {}).get("Details", ""))
    for child in plan.get("children", []):
        yield from _operators(child)


def _words(operator: str) -> str:
    """A command's operator in the words of the command: ``ShowTransactions`` -> ``SHOW TRANSACTIONS``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", operator).upper()


def _notifications(summary: neo4j.ResultSummary) -> list[str]:
    """The server's advice on a query (deprecations, cartesian products, unknown labels), one line each."""
    return [status.status_description for status in summary.gql_status_objects if status.is_notification]


def _counters(summary: neo4j.ResultSummary) -> dict[str, int]:
    """The non-zero update counters of a summary."""
    return {name: getattr(summary.counters, name) for name in _COUNTERS if getattr(summary.counters, name)}


def _timed_out(timeout: float) -> UserError:
    return UserError(f"The query ran longer than its {timeout:g} s limit and was stopped. Narrow it "
                     "(a WHERE, a LIMIT, a shorter pattern) or allow more time.", field="timeout")


# What a result may cost the client. The driver receives a whole message (one record) before
# decoding it, and the server's timeout ends when a row is produced, not when it has been sent: a
# single huge value would be received and decoded whole, however long it takes. The driver has no
# public cap on what it receives, so its one reader of server messages is wrapped: while a budget
# is set (in this thread or task, by _limited), every read is counted against it and given only
# the time left, and overrunning either raises an OSError, on which the driver drops the connection.

@dataclass
class _Budget:
    bytes_left: int
    deadline: float  # time.monotonic() by which the whole result must have arrived
    exceeded: str = ""  # "bytes" or "time" once overrun


class _OverBudget(OSError):
    """A result overran its budget: the driver treats it as a broken connection and drops it."""


_BUDGET: ContextVar[_Budget | None] = ContextVar("relgraph_result_budget", default=None)
_driver_receive = _bolt_reader.receive_into_buffer


def _receive(sock: Any, buffer: Any, n_bytes: int) -> None:
    """The driver's read of ``n_bytes`` from the server, within the budget set for this context."""
    budget = _BUDGET.get()
    if budget is None:
        return _driver_receive(sock, buffer, n_bytes)
    budget.bytes_left -= n_bytes
    seconds_left = budget.deadline - time.monotonic()
    if budget.bytes_left < 0 or seconds_left <= 0:
        budget.exceeded = "bytes" if budget.bytes_left < 0 else "time"
        raise _OverBudget(f"the result overran its {budget.exceeded}")
    previous = sock.get_read_timeout()
    ours = previous is None or seconds_left < previous
    sock.set_read_timeout(seconds_left if ours else previous)
    try:
        return _driver_receive(sock, buffer, n_bytes)
    except TimeoutError:
        budget.exceeded = "time" if ours else budget.exceeded
        raise
    finally:
        sock.set_read_timeout(previous)


_bolt_reader.receive_into_buffer = _receive


class _QuietOverrun(logging.Filter):
    """Drops the driver's error log of a connection it dropped for an overrun budget: the UserError says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        budget = _BUDGET.get()
        return not (budget and budget.exceeded)


logging.getLogger("neo4j.io").addFilter(_QuietOverrun())


@contextmanager
def _limited(budget: _Budget, timeout: float) -> Iterator[None]:
    """Read within ``budget``; its overrun (the connection dropped) raised as a UserError."""
    token = _BUDGET.set(budget)
    try:
        yield
    except (ServiceUnavailable, SessionExpired) as exc:
        if budget.exceeded == "time":
            raise _timed_out(timeout) from exc
        if budget.exceeded == "bytes":
            raise UserError(f"The result grew past the {MAX_RESULT_BYTES / 2**20:g} MB a query may return and was "
                            "stopped. Return fewer or smaller values: a LIMIT, a slice of a list (list[..100]), "
                            "size(list) rather than the list.") from exc
        raise
    finally:
        _BUDGET.reset(token)


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
        return _timed_out(timeout)
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
