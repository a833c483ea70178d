"""What the database's schema holds right now: its constraints and indexes, as the server reports them.

graph/store/schema.py says what the schema should be; this module reads what it is, so the Data page can
show a user whether the constraints that make MERGE an index lookup are in place and online.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import neo4j

from graph.store.db import Database
from queries.compose import read_named

__all__ = ["SchemaOverview", "schema_overview"]


@dataclass(frozen=True)
class SchemaOverview:
    """The constraints and indexes of the database, one dict per row of SHOW CONSTRAINTS / SHOW INDEXES.

    A constraint row has name, type, entityType, labelsOrTypes and properties; an index row has those
    and state (ONLINE, POPULATING, FAILED), populationPercent and owningConstraint (the constraint
    an index backs, or None).
    """

    constraints: list[dict[str, Any]]
    indexes: list[dict[str, Any]]


def _show(tx: neo4j.ManagedTransaction) -> SchemaOverview:
    return SchemaOverview(constraints=read_named(tx, "schema_constraints").rows,
                          indexes=read_named(tx, "schema_indexes").rows)


def schema_overview(db: Database) -> SchemaOverview:
    """The constraints and indexes of the database (named queries schema_constraints and schema_indexes),
    read in one read transaction."""
    return db.read_tx(_show)
