"""`relgraph risk`: supplier ranking, single sources, concentration and what-if disruptions."""

from __future__ import annotations

import argparse
from typing import Any

import networkx as nx

from cli.common import open_database, print_json, print_table
from graph.analysis import risk
from graph.errors import UserError
from graph.projection import supply_network

__all__ = ["add_parser", "run"]

RANKING_COLUMNS = ["id", "name", "direct_clients", "downstream", "single_source_links", "impacted",
                   "revenue_at_risk", "risk_score"]


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
    risk.check_threshold(args.threshold)
    if args.top is not None and args.top < 0:
        raise UserError(f"--top must be 0 or more, got {args.top}")
    failed = None
    if args.disrupt is not None:
        failed = [part.strip() for part in args.disrupt.split(",") if part.strip()]
        if not failed:
            raise UserError("--disrupt needs at least one company id, e.g. --disrupt C1,C2")
    db = open_database()
    try:
        G = supply_network(db)
    finally:
        db.close()
    if failed is not None or args.region is not None:
        return _disruption(G, failed, args)
    if args.single_source:
        rows = [link._asdict() for link in risk.single_source_links(G)][:args.top]
        return _show(args, "links", rows)
    if args.concentration:
        rows = [{"id": c.id, "name": c.name, "hhi": c.hhi, "sku": c.sku, "level": c.level}
                for c in risk.concentration(G)][:args.top]
        return _show(args, "clients", rows)
    ranking = risk.supplier_ranking(G, threshold=args.threshold)[:args.top]
    return _show(args, "suppliers", [{key: getattr(r, key) for key in RANKING_COLUMNS} for r in ranking])


def _show(args: argparse.Namespace, key: str, rows: list[dict[str, Any]]) -> int:
    if args.json:
        print_json({key: rows})
    else:
        print_table(rows)
    return 0


def _disruption(G: nx.MultiDiGraph, failed: list[str] | None, args: argparse.Namespace) -> int:
    cascade = risk.disruption_cascade(G, failed, region=args.region, threshold=args.threshold)
    impacted = [{"id": i.id, "name": i.name, "round": i.round, "max_loss": i.max_loss}
                for i in cascade.impacted][:args.top]
    revenue = risk.revenue_at_risk(G, cascade)
    customers = risk.customers_affected(G, cascade)
    days = risk.time_to_recover(G, cascade)
    if args.json:
        print_json({"failed": cascade.failed, "impacted": impacted, "revenue_at_risk": revenue,
                    "customers_affected": customers, "time_to_recover_days": days})
        return 0
    print(f"Failed (round 0): {', '.join(map(str, cascade.failed))}")
    print(f"Impacted at threshold {cascade.threshold:g}: {len(cascade.impacted):,} companies")
    print_table(impacted, ["id", "name", "round", "max_loss"])
    print(f"Revenue at risk: {revenue:,.2f}   customers affected: {customers:,}   "
          f"estimated time to recover: {days:,.0f} days")
    return 0
