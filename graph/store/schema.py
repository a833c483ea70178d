"""The data model's labels, keys and relationship types, and the schema that backs them.

This module is the whitelist: labels and relationship types that reach Cypher come from here,
never from free text.
"""

from __future__ import annotations

from graph.store.db import Database

__all__ = ["FULLTEXT_INDEX", "NODE_KEYS", "REL_TYPES", "ensure_schema", "wipe"]

NODE_KEYS: dict[str, str] = {
    "Person": "personId",
    "Company": "companyId",
    "Product": "sku",
    "Order": "orderId",
    "Region": "name",
    "Interaction": "interactionId",
}
EXTRA_LABELS = ("Customer", "Supplier")
REL_TYPES = (
    "PLACED", "INCLUDES", "SOLD_BY", "SUPPLIES", "MAKES", "COMPONENT_OF", "REFERRED",
    "WORKS_AT", "CUSTOMER_OF", "HAD", "WITH", "LOCATED_IN",
)
FULLTEXT_INDEX = "entityNames"


def schema_statements() -> list[str]:
    """The idempotent schema commands: one uniqueness constraint per key, search indexes."""
    statements = [
        f"CREATE CONSTRAINT {label.lower()}_{key} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
        for label, key in NODE_KEYS.items()
    ]
    statements += [
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Person|Company|Product) ON EACH [n.name]",
        "CREATE INDEX company_region IF NOT EXISTS FOR (n:Company) ON (n.region)",
        "CREATE INDEX order_date IF NOT EXISTS FOR (n:Order) ON (n.date)",
    ]
    return statements


def ensure_schema(db: Database) -> None:
    """Create every constraint and index that is missing and wait until they are online."""
    for statement in schema_statements():
        db.write(statement)
    db.write("CALL db.awaitIndexes(300)")


def wipe(db: Database) -> int:
    """Delete every node and relationship in batches, keeping the schema; return nodes deleted."""
    deleted = 0
    while True:
        counters = db.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n")
        deleted += counters.nodes_deleted
        if counters.nodes_deleted == 0:
            return deleted
