"""`relgraph export graphml|gexf FILE [--labels L1,L2]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import open_database

__all__ = ["add_parser", "run"]

FLAGS = {"labels": "--labels"}
"""The flag of each parameter that graph.projection.export's errors name in their ``field``."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="write the graph as GraphML or GEXF (for Gephi)")
    parser.add_argument("format", metavar="graphml|gexf", help="the file format (checked by graph.projection.export)")
    parser.add_argument("file", type=Path)
    parser.add_argument("--labels", help="only nodes with these labels (comma-separated), e.g. Company,Product")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graph.projection.export import export_graph  # imported when the command runs: networkx is slow to load

    labels = [label.strip() for label in args.labels.split(",") if label.strip()] if args.labels else None
    db = open_database()
    try:
        graph = export_graph(db, args.format, args.file, labels)
    finally:
        db.close()
    print(f"wrote {graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} relationships to {args.file}",
          file=sys.stderr)
    return 0
