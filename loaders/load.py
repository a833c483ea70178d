"""Write a validated CSV folder, or any typed rows, behind the schema; say how to finish a load that stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.store.db import Database
from graph.store.schema import ensure_schema
from loaders.validate import Validation
from loaders.writer import LoadSummary, write_rows

__all__ = ["LoadInterrupted", "load_validated", "write_tables"]


class LoadInterrupted(Exception):
    """The database went away in the middle of a load; running the same load again completes it."""


def write_tables(db: Database, tables: dict[str, Iterable[dict[str, Any]]],
                 progress: Callable[[str, int], None] | None = None) -> LoadSummary:
    """Write typed rows behind the schema; raise LoadInterrupted if Neo4j fails midway."""
    ensure_schema(db)
    try:
        return write_rows(db, tables, progress)
    except (ServiceUnavailable, SessionExpired, Neo4jError) as exc:
        raise LoadInterrupted(
            f"the load stopped midway ({exc.__class__.__name__}: {exc}). Nothing is corrupted: every write "
            "MERGEs on keys, so running the same load again ends in exactly the graph a clean load gives."
        ) from exc


def load_validated(db: Database, validation: Validation,
                   progress: Callable[[str, int], None] | None = None) -> LoadSummary:
    """Write a folder that validated cleanly."""
    return write_tables(db, {name: parsed.typed_rows() for name, parsed in validation.files.items()}, progress)
