"""A query plan as people read it: the server's EXPLAIN or PROFILE tree, flattened into rows, costliest marked.

The driver hands a plan over as a nested dict (``ResultSummary.plan`` for EXPLAIN,
``ResultSummary.profile`` for PROFILE): each operator has ``operatorType``, ``identifiers``,
``args`` (``Details``, ``EstimatedRows``, and for a profile ``Rows``, ``DbHits``, ``Memory``,
``PageCacheHits``, ...) and ``children``; a profile also gives ``rows``, ``dbHits`` and
``pageCacheHits`` at the top level of each operator. This module turns that tree into a list of
operators in reading order (the root, ``ProduceResults``, first; each operator's inputs below
it), drawn as a tree, and marks the costliest: by database hits when the plan was profiled, by
estimated rows when it was only explained. Pure functions over plain dicts, so tests need no server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Operator", "PlanSummary", "plan_operators", "plan_summary"]


@dataclass(frozen=True)
class Operator:
    """One operator of a plan, as one row of the tree.

    ``tree`` is the operator's name behind the lines that place it in the tree (``└─ Filter``);
    ``depth`` is 0 for the root. ``rows``, ``db_hits``, ``memory`` (bytes) and ``page_cache_hits``
    are None in a plan that was not profiled. ``cost`` is what ``costliest`` was judged by (database
    hits when profiled, else estimated rows) and ``share`` its fraction of the whole plan's.
    """

    depth: int
    tree: str
    operator: str
    details: str
    identifiers: tuple[str, ...]
    estimated_rows: float | None
    rows: int | None
    db_hits: int | None
    memory: int | None
    page_cache_hits: int | None
    cost: float
    share: float
    costliest: bool


@dataclass(frozen=True)
class PlanSummary:
    """What the plan says as a whole: whether it was profiled, its totals, and the server's planner and runtime."""

    profiled: bool
    operators: int
    db_hits: int | None
    rows: int | None
    runtime: str
    planner: str
    costliest: tuple[str, ...]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _measure(node: Mapping[str, Any], top: str, arg: str) -> int | None:
    """A profiled figure of an operator: the driver's top-level key, else the same figure among its args."""
    value = _int(node.get(top))
    return value if value is not None else _int(node.get("args", {}).get(arg))


def _profiled(plan: Mapping[str, Any]) -> bool:
    return "dbHits" in plan or "DbHits" in plan.get("args", {})


def _walk(plan: Mapping[str, Any], depth: int = 0, lead: str = "", last: bool = True):
    """Each operator with its depth and the tree lines before its name, root first, inputs below."""
    yield plan, depth, lead + ("" if depth == 0 else "└─ " if last else "├─ ")
    children = list(plan.get("children", []))
    below = lead + ("" if depth == 0 else "   " if last else "│  ")
    for i, child in enumerate(children):
        yield from _walk(child, depth + 1, below, i == len(children) - 1)


def plan_operators(plan: Mapping[str, Any]) -> list[Operator]:
    """The operators of a plan tree in reading order, with their figures, costliest marked.

    Parameters
    ----------
    plan : the driver's plan or profile dict (``ResultSummary.plan`` or ``ResultSummary.profile``).

    Returns
    -------
    list of Operator
        Root first, every operator's inputs after it, depth-first. The costliest are the
        operators whose cost equals the largest (ties all marked); none when every cost is 0.

    Examples
    --------
    >>> plan = {"operatorType": "ProduceResults@neo4j", "args": {"EstimatedRows": 10.0},
    ...         "children": [{"operatorType": "NodeByLabelScan@neo4j", "identifiers": ["p"],
    ...                       "args": {"Details": "p:Person", "EstimatedRows": 10.0}}]}
    >>> [(o.tree, o.details, o.costliest) for o in plan_operators(plan)]
    [('ProduceResults', '', True), ('└─ NodeByLabelScan', 'p:Person', True)]
    """
    profiled = _profiled(plan)
    walked = list(_walk(plan))
    costs = []
    for node, _, _ in walked:
        args = node.get("args", {})
        costs.append(float(_measure(node, "dbHits", "DbHits") or 0) if profiled
                     else _number(args.get("EstimatedRows")) or 0.0)
    total, top = sum(costs), max(costs, default=0.0)
    operators = []
    for (node, depth, lead), cost in zip(walked, costs, strict=True):
        args = node.get("args", {})
        name = str(node.get("operatorType", "")).partition("@")[0]
        operators.append(Operator(
            depth=depth, tree=lead + name, operator=name, details=str(args.get("Details", "")),
            identifiers=tuple(str(i) for i in node.get("identifiers", [])),
            estimated_rows=_number(args.get("EstimatedRows")),
            rows=_measure(node, "rows", "Rows") if profiled else None,
            db_hits=_measure(node, "dbHits", "DbHits") if profiled else None,
            memory=_int(args.get("Memory")) if profiled else None,
            page_cache_hits=_measure(node, "pageCacheHits", "PageCacheHits") if profiled else None,
            cost=cost, share=cost / total if total else 0.0, costliest=top > 0 and cost == top))
    return operators


def plan_summary(plan: Mapping[str, Any]) -> PlanSummary:
    """The whole plan in one line's worth: profiled or not, operators, total db hits, rows out, runtime, planner.

    ``rows`` is what the root produced (profiled plans only); ``costliest`` names the costliest operators.

    >>> plan_summary({"operatorType": "ProduceResults@neo4j", "rows": 3, "dbHits": 0,
    ...               "args": {"runtime": "PIPELINED", "planner": "COST"}})
    PlanSummary(profiled=True, operators=1, db_hits=0, rows=3, runtime='PIPELINED', planner='COST', costliest=())
    """
    operators = plan_operators(plan)
    profiled = _profiled(plan)
    args = plan.get("args", {})
    return PlanSummary(
        profiled=profiled, operators=len(operators),
        db_hits=sum(o.db_hits or 0 for o in operators) if profiled else None,
        rows=_measure(plan, "rows", "Rows") if profiled else None,
        runtime=str(args.get("runtime", "")), planner=str(args.get("planner", "")),
        costliest=tuple(o.operator for o in operators if o.costliest))
