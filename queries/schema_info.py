"""What the database's schema holds right now: its constraints and indexes, as the server reports them.

graph/schema.py says what the schema should be; this module reads what it is, so the Data page can
show a user whether the constraints that make MERGE an index lookup are in place and online.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import neo4j

from graph.store.db import Database

__all__ = ["SchemaOverview", "schema_overview"]

_CONSTRAINTS = """
SHOW CONSTRAINTS
YIELD name, type, entityType, labelsOrTypes, properties
RETURN name, type, entityType, labelsOrTypes, properties
ORDER BY name
"""

_INDEXES = """
SHOW INDEXES
YIELD name, type, entityType, labelsOrTypes, properties, state, populationPercent, owningConstraint
RETURN name, type, entityType, labelsOrTypes, properties, state, populationPercent, owningConstraint
ORDER BY name
"""


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
    return SchemaOverview(constraints=[record.data() for record in tx.run(_CONSTRAINTS)],
                          indexes=[record.data() for record in tx.run(_INDEXES)])


def schema_overview(db: Database) -> SchemaOverview:
    """The constraints and indexes of the database, read in one read transaction."""
    return db.read_tx(_show)
