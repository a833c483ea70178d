"""The words of the graph a Cypher editor completes: labels, relationship types, property keys, functions, procedures.

Read from the server as it is now (``db.labels()`` and friends, ``SHOW FUNCTIONS``, ``SHOW
PROCEDURES``), in one read transaction. relgraph's own bookkeeping labels (the load lock, the
audit trail) are left out, as are procedures the console would refuse to call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import neo4j

from graph.store.db import Database
from graph.store.schema import BOOKKEEPING_LABELS
from queries.execute import ALLOWED_PROCEDURES

__all__ = ["Vocabulary", "vocabulary"]

_LABELS = "CALL db.labels() YIELD label RETURN label ORDER BY label"
_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType ORDER BY relationshipType"
_KEYS = "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey ORDER BY propertyKey"
_FUNCTIONS = "SHOW FUNCTIONS YIELD name, signature RETURN name, signature ORDER BY name"
_PROCEDURES = "SHOW PROCEDURES YIELD name, signature WHERE name IN $allowed RETURN name, signature ORDER BY name"


@dataclass(frozen=True)
class Vocabulary:
    """What completion offers; functions and procedures as ``{"name", "signature"}``."""

    labels: list[str] = field(default_factory=list)
    relationship_types: list[str] = field(default_factory=list)
    property_keys: list[str] = field(default_factory=list)
    functions: list[dict[str, str]] = field(default_factory=list)
    procedures: list[dict[str, str]] = field(default_factory=list)


def _read(tx: neo4j.ManagedTransaction) -> Vocabulary:
    def column(query: str) -> list[str]:
        return [record[0] for record in tx.run(query)]

    return Vocabulary(
        labels=[label for label in column(_LABELS) if label not in BOOKKEEPING_LABELS],
        relationship_types=column(_TYPES),
        property_keys=column(_KEYS),
        functions=[{"name": r["name"], "signature": r["signature"]} for r in tx.run(_FUNCTIONS)],
        procedures=[{"name": r["name"], "signature": r["signature"]}
                    for r in tx.run(_PROCEDURES, allowed=sorted(ALLOWED_PROCEDURES))])


def vocabulary(db: Database) -> Vocabulary:
    """The graph's vocabulary now, read in one read transaction."""
    return db.read_tx(_read)
