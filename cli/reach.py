"""`relgraph reach`: who brings customers in, the expected spread of a seed set, campaign seeds."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from cli.analyse import stored_analysis
from cli.common import check_top, open_database, print_json, print_table
from graph.errors import UserError
from graph.ids import parse_ids

__all__ = ["add_parser", "run"]

FLAGS = {"k": "--campaign", "method": "--method", "p": "--prob", "runs": "--runs", "seed": "--seed",
         "seeds": "--spread", "top": "--top"}
"""The flag of each parameter that graph.analysis.reach's errors name in their ``field``."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "reach", help="word of mouth: referrers and their cascades, expected spread, campaign seeds",
        description="Without a mode option: every customer of the referral network with its referrals, "
                    "cascade size and depth, referred revenue and influence, most influential first.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--spread", metavar="ID[,ID...]",
                      help="the expected number of customers these seeds reach (independent cascade)")
    mode.add_argument("--campaign", type=int, metavar="K",
                      help="choose K seeds that reach the most customers")
    parser.add_argument("--prob", type=float, metavar="P",
                        help="chance that a referral tie passes the word on, in [0, 1] "
                             "(required with --spread and --campaign)")
    parser.add_argument("--runs", type=int, default=1000, metavar="R", help="Monte Carlo runs (default 1000)")
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help="seed of the random numbers, for reproducible results")
    parser.add_argument("--method", choices=["auto", "celf", "imm"], default="auto",
                        help="campaign algorithm (default auto: CELF on small networks, IMM on large ones)")
    parser.add_argument("--top", type=int, default=None, metavar="K", help="show only the first K customers")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Answer from the stored analysis of the data now (computed first when nobody has): the
    metrics are read as stored; spreads and campaigns run on the stored referral network, never
    on a new projection."""
    from graph.analysis import reach  # imported when the command runs, so `relgraph --help` starts at once
    from graph.results import referral_arrays

    check_top(args.top)
    seeds = None
    if args.spread is not None:
        seeds = parse_ids(args.spread)
        if not seeds:
            raise UserError("--spread needs at least one customer id, e.g. --spread P1,P2")
    if seeds is not None or args.campaign is not None:
        if args.prob is None:
            raise UserError("--prob P is required with --spread and --campaign, e.g. --prob 0.1")
        reach.check_parameters(p=args.prob, runs=args.runs, k=args.campaign, seed=args.seed)
    db = open_database()
    try:
        stored = stored_analysis(db)
    finally:
        db.close()
    if seeds is None and args.campaign is None:
        rows = [asdict(row) for row in stored.results("referral_metrics", reach.Referrer, limit=args.top)]
        if args.json:
            print_json({"people": rows})
        else:
            print_table(rows)
        return 0
    arrays = referral_arrays(stored)  # a few arrays read from the store: no graph is built
    if seeds is not None:
        spread = reach.expected_spread(arrays, seeds, args.prob, runs=args.runs, seed=args.seed)
        if args.json:
            print_json(asdict(spread))
        else:
            print(f"{len(spread.seeds)} seeds reach {_summary(spread.expected_spread, spread.stderr, args)}")
        return 0
    result = reach.campaign(arrays, args.campaign, args.prob, runs=args.runs, seed=args.seed, method=args.method)
    if args.json:
        print_json(asdict(result))
    else:
        names = stored.names("people", result.seeds)
        print_table([{"rank": i + 1, "id": s, "name": names[s], "expected_spread": spread}
                     for i, (s, spread) in enumerate(zip(result.seeds, result.curve, strict=True))])
        print(f"{len(result.seeds)} seeds chosen by {result.method.upper()} reach "
              f"{_summary(result.expected_spread, result.stderr, args)}")
    return 0


def _summary(spread: float, stderr: float, args: argparse.Namespace) -> str:
    return (f"{spread:,.2f} customers on average (standard error {stderr:,.2f}; "
            f"p = {args.prob}, {args.runs:,} runs)")
