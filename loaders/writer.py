"""Batched, idempotent writes of validated rows: ``UNWIND $rows ... MERGE`` behind the key constraints.

Nodes are written before the relationships that refer to them; every statement MERGEs on keys,
so a load that dies midway is finished by running it again, and loading twice changes nothing.
The Cypher here is fixed text: labels and types are the data model's, values are parameters.
A person-or-company id is looked up as two keyed OPTIONAL MATCHes (index seeks); a
``(n:Person|Company WHERE ... OR ...)`` pattern would scan both labels for every row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import neo4j

from graph.db import Database
from loaders.csvformat import FILES, camel

__all__ = ["BATCH_SIZE", "LoadSummary", "write_rows"]

BATCH_SIZE = 5_000

# One statement per file; row.props holds the non-key properties (unknown ones left out).
STATEMENTS: dict[str, str] = {
    "people.csv": """
UNWIND $rows AS row
MERGE (n:Person {personId: row.key})
SET n += row.props""",
    "companies.csv": """
UNWIND $rows AS row
MERGE (n:Company {companyId: row.key})
SET n += row.props
WITH n, row
WHERE row.props.region IS NOT NULL
MERGE (r:Region {name: row.props.region})
ON CREATE SET r.country = row.props.country
MERGE (n)-[:LOCATED_IN]->(r)
WITH n, r
OPTIONAL MATCH (n)-[old:LOCATED_IN]->(other:Region)
WHERE other <> r
DELETE old""",
    "products.csv": """
UNWIND $rows AS row
MERGE (n:Product {sku: row.key})
SET n += row.props""",
    "orders.csv": """
UNWIND $rows AS row
MERGE (o:Order {orderId: row.key})
SET o += row.props
WITH o, row
OPTIONAL MATCH (p_customer:Person {personId: row.customerId})
OPTIONAL MATCH (c_customer:Company {companyId: row.customerId})
WITH o, row, coalesce(p_customer, c_customer) AS customer
MATCH (seller:Company {companyId: row.sellerId})
MERGE (customer)-[:PLACED]->(o)
MERGE (o)-[:SOLD_BY]->(seller)
SET customer:Customer""",
    "order_lines.csv": """
UNWIND $rows AS row
MATCH (o:Order {orderId: row.orderId})
MATCH (p:Product {sku: row.sku})
MERGE (o)-[r:INCLUDES]->(p)
SET r += row.props""",
    "supplies.csv": """
UNWIND $rows AS row
MATCH (s:Company {companyId: row.supplierId})
MATCH (c:Company {companyId: row.clientId})
MERGE (s)-[r:SUPPLIES {sku: row.sku}]->(c)
SET r += row.props, s:Supplier""",
    "makes.csv": """
UNWIND $rows AS row
MATCH (c:Company {companyId: row.companyId})
MATCH (p:Product {sku: row.sku})
MERGE (c)-[:MAKES]->(p)""",
    "components.csv": """
UNWIND $rows AS row
MATCH (part:Product {sku: row.componentSku})
MATCH (whole:Product {sku: row.productSku})
MERGE (part)-[r:COMPONENT_OF]->(whole)
SET r += row.props""",
    "referrals.csv": """
UNWIND $rows AS row
OPTIONAL MATCH (p_a:Person {personId: row.referrerId})
OPTIONAL MATCH (c_a:Company {companyId: row.referrerId})
WITH row, coalesce(p_a, c_a) AS a
OPTIONAL MATCH (p_b:Person {personId: row.referredId})
OPTIONAL MATCH (c_b:Company {companyId: row.referredId})
WITH row, a, coalesce(p_b, c_b) AS b
MERGE (a)-[r:REFERRED]->(b)
SET r += row.props""",
    "employment.csv": """
UNWIND $rows AS row
MATCH (p:Person {personId: row.personId})
MATCH (c:Company {companyId: row.companyId})
MERGE (p)-[r:WORKS_AT]->(c)
SET r += row.props""",
    "accounts.csv": """
UNWIND $rows AS row
OPTIONAL MATCH (p_a:Person {personId: row.customerId})
OPTIONAL MATCH (c_a:Company {companyId: row.customerId})
WITH row, coalesce(p_a, c_a) AS a
MATCH (c:Company {companyId: row.companyId})
MERGE (a)-[r:CUSTOMER_OF]->(c)
SET r += row.props""",
    "interactions.csv": """
UNWIND $rows AS row
MERGE (i:Interaction {interactionId: row.key})
SET i += row.props
WITH i, row
OPTIONAL MATCH (p_a:Person {personId: row.customerId})
OPTIONAL MATCH (c_a:Company {companyId: row.customerId})
WITH i, row, coalesce(p_a, c_a) AS a
MATCH (c:Company {companyId: row.companyId})
MERGE (a)-[:HAD]->(i)
MERGE (i)-[:WITH]->(c)""",
}

# Orders whose total was left empty get the sum of their lines, once the lines are in.
FILL_TOTALS = """
UNWIND $ids AS id
MATCH (o:Order {orderId: id})-[line:INCLUDES]->(p:Product)
WITH o, sum(line.quantity * coalesce(line.unitPrice, p.unitPrice, 0.0)) AS total
SET o.total = total"""

# Which columns of each file become properties; the rest are the key or references.
_REFERENCE_COLUMNS = {"customer_id", "seller_id", "order_id", "sku", "supplier_id", "client_id", "company_id",
                      "component_sku", "product_sku", "referrer_id", "referred_id", "person_id"}


def _statement_row(file: str, row: dict[str, Any]) -> dict[str, Any]:
    spec = FILES[file]
    out: dict[str, Any] = {}
    if spec.defines:
        out["key"] = row[spec.key[0]]
    props = {}
    for name, value in row.items():
        if spec.defines and name == spec.key[0]:
            continue
        if name in _REFERENCE_COLUMNS and not (file == "supplies.csv" and name == "sku"):
            out[camel(name)] = value
        elif value is not None:
            props[camel(name)] = value
    if file == "supplies.csv":
        out["sku"] = row["sku"]
    if file == "referrals.csv" and "converted" not in props:
        props["converted"] = True
    out["props"] = props
    return out


@dataclass
class LoadSummary:
    """What a load did: rows written per file, and nodes and relationships it created."""

    rows: Counter = field(default_factory=Counter)
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0

    def lines(self) -> list[str]:
        out = [f"{file}: {n:,} rows" for file, n in self.rows.items()]
        out.append(f"created {self.nodes_created:,} nodes and {self.relationships_created:,} relationships; "
                   f"set {self.properties_set:,} properties (rows that created nothing updated existing data)")
        return out


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(tx: neo4j.ManagedTransaction, statement: str, params: dict[str, Any]) -> neo4j.SummaryCounters:
    return tx.run(statement, params).consume().counters


def write_rows(db: Database, tables: dict[str, Iterable[dict[str, Any]]],
               progress: Callable[[str, int], None] | None = None, batch_size: int = BATCH_SIZE) -> LoadSummary:
    """Write typed rows (as validation returns them) file by file in load order; return a summary.

    `progress(file, rows_done_in_this_batch)` is called after each committed batch.
    """
    summary = LoadSummary()
    empty_totals: list[str] = []
    for file in FILES:
        if file not in tables:
            continue
        for batch in _batches(tables[file], batch_size):
            if file == "orders.csv":
                empty_totals += [row["order_id"] for row in batch if row.get("total") is None]
            params = {"rows": [_statement_row(file, row) for row in batch]}
            counters = db.write_tx(_run, STATEMENTS[file], params, timeout=600)
            summary.rows[file] += len(batch)
            summary.nodes_created += counters.nodes_created
            summary.relationships_created += counters.relationships_created
            summary.properties_set += counters.properties_set
            if progress:
                progress(file, len(batch))
    for i in range(0, len(empty_totals), batch_size):
        db.write_tx(_run, FILL_TOTALS, {"ids": empty_totals[i: i + batch_size]}, timeout=600)
    return summary
