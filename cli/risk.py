"""`relgraph risk`: supplier ranking, single sources, concentration and what-if disruptions."""

from __future__ import annotations

import argparse
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from cli.analyse import stored_analysis
from cli.common import check_top, open_database, print_json, print_table
from graph.errors import UserError
from graph.ids import parse_ids

if TYPE_CHECKING:
    from graph.analysis.risk import SupplyTable

__all__ = ["add_parser", "run"]

FLAGS = {"failed": "--disrupt", "region": "--region", "threshold": "--threshold", "top": "--top"}
"""The flag of each parameter that graph.analysis.risk's errors name in their ``field``."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "risk", help="supplier risk: ranking, single sources, concentration, what-if disruptions",
        description="Without a mode option: every supplier with its risk measures, riskiest first.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--disrupt", metavar="ID[,ID...]", help="fail these companies and show the cascade")
    mode.add_argument("--region", metavar="NAME", help="fail every company of this region and show the cascade")
    mode.add_argument("--single-source", action="store_true", help="the (client, sku) pairs with one supplier")
    mode.add_argument("--concentration", action="store_true", help="each client's largest HHI, highest first")
    parser.add_argument("--threshold", type=float, default=0.5, metavar="T",
                        help="a company fails when it loses at least this fraction of one sku, in (0, 1] "
                             "(default 0.5)")
    parser.add_argument("--top", type=int, default=None, metavar="K", help="show only the first K rows")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Answer from the stored analysis of the data now (computed first when nobody has): the
    default ranking, single sources and concentration are read as stored; other thresholds and
    what-ifs run on the stored supply network, never on a new projection."""
    from graph.analysis import risk  # imported when the command runs, so `relgraph --help` starts at once
    from graph.gcpause import gc_paused
    from graph.results import supply_graph, supply_table

    risk.check_threshold(args.threshold)
    check_top(args.top)
    failed = None
    if args.disrupt is not None:
        failed = parse_ids(args.disrupt)
        if not failed:
            raise UserError("--disrupt needs at least one company id, e.g. --disrupt C1,C2")
    db = open_database()
    try:
        stored = stored_analysis(db)
    finally:
        db.close()
    if failed is not None or args.region is not None:
        return _what_if(supply_table(stored), failed, args)
    if args.single_source:
        return _show(args, "links", stored.results("single_sources", risk.SingleSource, limit=args.top))
    if args.concentration:
        return _show(args, "clients", stored.results("concentration", risk.Concentration, limit=args.top))
    if args.threshold != risk.DEFAULT_THRESHOLD:
        with gc_paused():  # a ranking of the whole network: see graph.gcpause
            ranking = risk.supplier_ranking(supply_graph(stored), threshold=args.threshold)
        return _show(args, "suppliers", ranking)
    return _show(args, "suppliers", stored.results("supplier_ranking", risk.SupplierRisk, limit=args.top))


def _show(args: argparse.Namespace, key: str, results: list[Any]) -> int:
    rows = [asdict(result) for result in results[:args.top]]
    if args.json:
        print_json({key: rows})
    else:
        print_table(rows)
    return 0


def _what_if(table: SupplyTable, failed: list[str] | None, args: argparse.Namespace) -> int:
    from graph.analysis import risk

    result = risk.what_if_on_table(table, failed, region=args.region, threshold=args.threshold)
    shown = replace(result, impacted=result.impacted[:args.top])
    if args.json:
        print_json(asdict(shown))
        return 0
    print(f"Failed (round 0): {', '.join(map(str, result.failed))}")
    print(f"Impacted at threshold {result.threshold:g}: {len(result.impacted):,} companies")
    print_table([asdict(impact) for impact in shown.impacted], ["id", "name", "round", "max_loss"])
    print(f"Revenue at risk: {result.revenue_at_risk:,.2f}   customers affected: {result.customers_affected:,}   "
          f"estimated time to recover: {result.time_to_recover_days:,.0f} days")
    return 0
