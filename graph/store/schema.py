"""The data model's labels, keys and relationship types, and the schema that backs them.

This module is the whitelist: labels and relationship types that reach Cypher come from here,
never from free text.
"""

from __future__ import annotations

from graph.store.db import Database

__all__ = ["AUDIT_HEAD", "AUDIT_LABEL", "BOOKKEEPING_LABELS",
           "FULLTEXT_INDEX", "LOCK_LABEL", "NODE_KEYS", "PROPERTY_INDEXES", "REL_TYPES",
           "audit_schema_statements", "ensure_schema", "wipe"]

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
# Range indexes beside the keys': (label, property). A string in a range index has at most 8,164
# bytes of UTF-8 in Neo4j 5.26, so the loader's validation checks these properties, and the keys.
PROPERTY_INDEXES: dict[str, tuple[str, str]] = {"company_region": ("Company", "region"),
                                                "order_date": ("Order", "date")}
LOCK_LABEL = "LoadLock"  # the load lock of loaders.lock: not data, one node at most, only while a load runs
AUDIT_LABEL = "AuditEntry"  # the audit trail of graph.audit: not data, append-only, kept by wipe
AUDIT_HEAD = "AuditHead"  # the trail's one head node: the last entry's number and hash
BOOKKEEPING_LABELS = (LOCK_LABEL, AUDIT_LABEL, AUDIT_HEAD)  # relgraph's own nodes: not data, never exported


def schema_statements() -> list[str]:
    """The idempotent schema commands: one uniqueness constraint per key, search indexes, the load lock's."""
    statements = [
        f"CREATE CONSTRAINT {label.lower()}_{key} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
        for label, key in NODE_KEYS.items()
    ]
    statements += [
        f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for name, (label, prop) in PROPERTY_INDEXES.items()
    ]
    statements += [
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Person|Company|Product) ON EACH [n.name]",
        f"CREATE CONSTRAINT load_lock_name IF NOT EXISTS FOR (n:{LOCK_LABEL}) REQUIRE n.name IS UNIQUE",
        *audit_schema_statements(),
    ]
    return statements


def audit_schema_statements() -> list[str]:
    """The audit trail's constraints: one entry per number, one head (so that concurrent MERGEs meet on it)."""
    return [
        f"CREATE CONSTRAINT audit_entry_seq IF NOT EXISTS FOR (n:{AUDIT_LABEL}) REQUIRE n.seq IS UNIQUE",
        f"CREATE CONSTRAINT audit_head_name IF NOT EXISTS FOR (n:{AUDIT_HEAD}) REQUIRE n.name IS UNIQUE",
    ]


def ensure_schema(db: Database) -> None:
    """Create every constraint and index that is missing and wait until they are online."""
    for statement in schema_statements():
        db.write(statement)
    db.write("CALL db.awaitIndexes(300)")


_WIPE_BATCH = f"""
MATCH (n)
WHERE NOT n:{AUDIT_LABEL} AND NOT n:{AUDIT_HEAD}
WITH n
LIMIT 10000
DETACH DELETE n"""


def wipe(db: Database) -> int:
    """Delete every node and relationship in batches, keeping the schema and the audit trail; return nodes deleted.

    The load lock goes too: a load that held it stops at its next batch (see loaders.lock). The
    audit trail stays: it records the wipe itself, and no command of relgraph deletes it.
    """
    deleted = 0
    while True:
        counters = db.write(_WIPE_BATCH)
        deleted += counters.nodes_deleted
        if counters.nodes_deleted == 0:
            return deleted
