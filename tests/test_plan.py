"""queries.plan: the operator tree read from plan dicts shaped as the driver hands them over, no server needed."""

from __future__ import annotations

from queries.plan import plan_operators, plan_summary


def op(name: str, children=(), **args):
    return {"operatorType": f"{name}@neo4j", "identifiers": ["p"], "args": args, "children": list(children)}


def profiled(name: str, rows: int, db_hits: int, children=(), **args):
    node = op(name, children, Rows=rows, DbHits=db_hits, **args)
    node.update(rows=rows, dbHits=db_hits, pageCacheHits=0)
    return node


# ProduceResults <- Filter <- NodeByLabelScan, as EXPLAIN gives it
EXPLAINED = op("ProduceResults", [op("Filter", [op("NodeByLabelScan", Details="p:Person", EstimatedRows=500.0)],
                                     Details="p.city = $city", EstimatedRows=50.0)],
               EstimatedRows=50.0, runtime="PIPELINED", planner="COST")

# A join: CartesianProduct over two scans, profiled
JOIN = profiled("ProduceResults", 6, 0, [
    profiled("CartesianProduct", 6, 0, [
        profiled("NodeByLabelScan", 2, 3, Details="a:Person"),
        profiled("NodeIndexSeek", 3, 40, Details="RANGE INDEX c:Company(name)")])],
    runtime="PIPELINED")


def test_explained_plan_reads_root_first_with_estimates_and_no_actuals():
    operators = plan_operators(EXPLAINED)
    assert [o.tree for o in operators] == ["ProduceResults", "└─ Filter", "   └─ NodeByLabelScan"]
    assert [o.depth for o in operators] == [0, 1, 2]
    assert [o.estimated_rows for o in operators] == [50.0, 50.0, 500.0]
    assert all(o.rows is None and o.db_hits is None for o in operators)
    assert operators[1].details == "p.city = $city" and operators[2].identifiers == ("p",)


def test_without_a_profile_the_costliest_is_the_largest_estimate():
    operators = plan_operators(EXPLAINED)
    assert [o.costliest for o in operators] == [False, False, True]
    assert abs(sum(o.share for o in operators) - 1.0) < 1e-9
    assert plan_summary(EXPLAINED).costliest == ("NodeByLabelScan",)


def test_profiled_plan_marks_the_most_db_hits_and_draws_branches():
    operators = plan_operators(JOIN)
    assert [o.tree for o in operators] == ["ProduceResults", "└─ CartesianProduct", "   ├─ NodeByLabelScan",
                                           "   └─ NodeIndexSeek"]
    assert [o.db_hits for o in operators] == [0, 0, 3, 40] and [o.rows for o in operators] == [6, 6, 2, 3]
    assert [o.operator for o in operators if o.costliest] == ["NodeIndexSeek"]
    summary = plan_summary(JOIN)
    assert (summary.profiled, summary.operators, summary.db_hits, summary.rows) == (True, 4, 43, 6)
    assert summary.runtime == "PIPELINED" and summary.costliest == ("NodeIndexSeek",)


def test_deep_branches_keep_their_lines():
    tree = op("Apply", [op("A", [op("A1"), op("A2")]), op("B")])
    assert [o.tree for o in plan_operators(tree)] == ["Apply", "├─ A", "│  ├─ A1", "│  └─ A2", "└─ B"]


def test_ties_are_all_marked_and_a_costless_plan_marks_none():
    tied = profiled("Union", 2, 0, [profiled("X", 1, 5), profiled("Y", 1, 5)])
    assert [o.operator for o in plan_operators(tied) if o.costliest] == ["X", "Y"]
    free = profiled("ProduceResults", 1, 0, [profiled("Projection", 1, 0)])
    assert not any(o.costliest for o in plan_operators(free)) and plan_summary(free).costliest == ()


def test_figures_only_in_args_are_read_too():
    node = op("ProduceResults", [], Rows=7, DbHits=9, PageCacheHits=2, Memory=1024)
    [only] = plan_operators(node)
    assert (only.rows, only.db_hits, only.page_cache_hits, only.memory) == (7, 9, 2, 1024)


def test_a_single_operator_and_an_empty_plan():
    [only] = plan_operators(op("ProduceResults"))
    assert only.tree == "ProduceResults" and only.estimated_rows is None and not only.costliest
    assert plan_operators({}) == plan_operators({"children": []})
    assert plan_summary({}).operators == 1
