"""Shared by the benchmarks: servers of their own, and a cached synthetic database."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tqdm import tqdm  # noqa: E402

from graph.store import server  # noqa: E402
from graph.store.config import Settings  # noqa: E402
from graph.store.db import Database, connect  # noqa: E402
from graph.store.schema import ensure_schema, wipe  # noqa: E402

__all__ = ["PASSWORD", "bench_cache", "own_server", "synthetic_database"]

PASSWORD = "relgraph-bench"


def bench_cache() -> Path:
    return server.jar_cache().parent.parent / "bench"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def own_server(home: Path | None = None) -> Iterator[tuple[Database, Path]]:
    """A server of the benchmark's own (4 GB heap and page cache unless set), stopped at the end."""
    os.environ.setdefault("RELGRAPH_NEO4J_HEAP", "4g")
    os.environ.setdefault("RELGRAPH_NEO4J_PAGECACHE", "4g")
    with tempfile.TemporaryDirectory(prefix="relgraph-bench-") as scratch:
        home = home or Path(scratch) / "neo4j"
        port = _free_port()
        server.start(home, port, PASSWORD, quiet=True)
        db = connect(Settings(uri=f"bolt://127.0.0.1:{port}", password=PASSWORD, query_timeout=600))
        try:
            ensure_schema(db)
            yield db, home
        finally:
            db.close()
            server.stop(home)


@contextmanager
def synthetic_database(customers: int, seed: int = 1) -> Iterator[Database]:
    """A database holding the synthetic network; loaded once and kept under the bench cache."""
    from loaders.load import write_tables
    from loaders.synthetic import generate

    home = bench_cache() / f"neo4j-{customers}-{seed}"
    marker = home / "relgraph-loaded"
    with own_server(home) as (db, _):
        if not marker.exists():
            wipe(db)
            with tqdm(unit="rows", unit_scale=True, desc=f"loading {customers:,} customers", file=sys.stderr) as bar:
                write_tables(db, generate(customers, seed), lambda _file, n: bar.update(n))
            marker.touch()
        yield db
