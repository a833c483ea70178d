"""Batched, idempotent writes of validated rows: ``UNWIND $rows ... MERGE`` behind the key constraints.

Nodes are written before the relationships that refer to them; statements MERGE on keys (or
CREATE what does not exist yet at all, see :func:`statement`), so a load that dies midway is
finished by running it again, and loading twice changes nothing.
The Cypher here is fixed text: labels and types are the data model's, values are parameters.
A person-or-company id is looked up as two keyed OPTIONAL MATCHes (index seeks); a
``(n:Person|Company WHERE ... OR ...)`` pattern would scan both labels for every row.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import neo4j
from neo4j.exceptions import ClientError, DatabaseError, Neo4jError

from graph.store.db import Database
from graph.store.schema import EXTRA_LABELS, NODE_KEYS, REL_TYPES
from loaders.csvformat import FILES, camel
from loaders.lock import Lease

__all__ = ["BATCH_SIZE", "FILE_ELEMENT", "WRITERS", "BatchRefused", "LoadSummary", "element_counts", "statement",
           "write_rows"]

BATCH_SIZE = 10_000
BATCH_CHARS = 8_000_000  # text per batch: well inside a server's per-transaction memory (1 GB on ours)
WRITERS = 2  # transactions in flight at once; this machine has two cores
# Files whose batches MERGE shared nodes (companies share Regions): concurrent batches would deadlock.
SERIAL_FILES = frozenset({"companies.csv"})

# One statement per file; row.props holds the non-key properties (unknown ones left out).
# {WRITE} is MERGE, or CREATE when none of the file's labels and types exist yet (see statement()).
STATEMENTS: dict[str, str] = {
    "people.csv": """
UNWIND $rows AS row
{WRITE} (n:Person {personId: row.key})
SET n += row.props""",
    "companies.csv": """
UNWIND $rows AS row
{WRITE} (n:Company {companyId: row.key})
SET n += row.props
WITH n, row
WHERE row.props.region IS NOT NULL
MERGE (r:Region {name: row.props.region})
ON CREATE SET r.country = row.props.country
{WRITE} (n)-[:LOCATED_IN]->(r)
WITH n, r
OPTIONAL MATCH (n)-[old:LOCATED_IN]->(other:Region)
WHERE other <> r
DELETE old""",
    "products.csv": """
UNWIND $rows AS row
{WRITE} (n:Product {sku: row.key})
SET n += row.props""",
    "orders.csv": """
UNWIND $rows AS row
{WRITE} (o:Order {orderId: row.key})
SET o += row.props
WITH o, row
OPTIONAL MATCH (p_customer:Person {personId: row.customerId})
OPTIONAL MATCH (c_customer:Company {companyId: row.customerId})
WITH o, row, coalesce(p_customer, c_customer) AS customer
MATCH (seller:Company {companyId: row.sellerId})
{WRITE} (customer)-[:PLACED]->(o)
{WRITE} (o)-[:SOLD_BY]->(seller)
SET customer:Customer""",
    "order_lines.csv": """
UNWIND $rows AS row
MATCH (o:Order {orderId: row.orderId})
MATCH (p:Product {sku: row.sku})
{WRITE} (o)-[r:INCLUDES]->(p)
SET r += row.props""",
    "supplies.csv": """
UNWIND $rows AS row
MATCH (s:Company {companyId: row.supplierId})
MATCH (c:Company {companyId: row.clientId})
{WRITE} (s)-[r:SUPPLIES {sku: row.sku}]->(c)
SET r += row.props, s:Supplier""",
    "makes.csv": """
UNWIND $rows AS row
MATCH (c:Company {companyId: row.companyId})
MATCH (p:Product {sku: row.sku})
{WRITE} (c)-[:MAKES]->(p)""",
    "components.csv": """
UNWIND $rows AS row
MATCH (part:Product {sku: row.componentSku})
MATCH (whole:Product {sku: row.productSku})
{WRITE} (part)-[r:COMPONENT_OF]->(whole)
SET r += row.props""",
    "referrals.csv": """
UNWIND $rows AS row
OPTIONAL MATCH (p_a:Person {personId: row.referrerId})
OPTIONAL MATCH (c_a:Company {companyId: row.referrerId})
WITH row, coalesce(p_a, c_a) AS a
OPTIONAL MATCH (p_b:Person {personId: row.referredId})
OPTIONAL MATCH (c_b:Company {companyId: row.referredId})
WITH row, a, coalesce(p_b, c_b) AS b
{WRITE} (a)-[r:REFERRED]->(b)
SET r += row.props""",
    "employment.csv": """
UNWIND $rows AS row
MATCH (p:Person {personId: row.personId})
MATCH (c:Company {companyId: row.companyId})
{WRITE} (p)-[r:WORKS_AT]->(c)
SET r += row.props""",
    "accounts.csv": """
UNWIND $rows AS row
OPTIONAL MATCH (p_a:Person {personId: row.customerId})
OPTIONAL MATCH (c_a:Company {companyId: row.customerId})
WITH row, coalesce(p_a, c_a) AS a
MATCH (c:Company {companyId: row.companyId})
{WRITE} (a)-[r:CUSTOMER_OF]->(c)
SET r += row.props""",
    "interactions.csv": """
UNWIND $rows AS row
{WRITE} (i:Interaction {interactionId: row.key})
SET i += row.props
WITH i, row
OPTIONAL MATCH (p_a:Person {personId: row.customerId})
OPTIONAL MATCH (c_a:Company {companyId: row.customerId})
WITH i, row, coalesce(p_a, c_a) AS a
MATCH (c:Company {companyId: row.companyId})
{WRITE} (a)-[:HAD]->(i)
{WRITE} (i)-[:WITH]->(c)""",
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


@cache
def _row_plan(file: str) -> tuple[str | None, tuple[tuple[str, str, bool], ...]]:
    """A file's key column (for files that define nodes) and, per other column, (column, property, is reference)."""
    spec = FILES[file]
    key = spec.key[0] if spec.defines else None
    columns = tuple((name, camel(name), name in _REFERENCE_COLUMNS and not (file == "supplies.csv" and name == "sku"))
                    for name in spec.names if name != key)
    return key, columns


def _statement_row(file: str, row: dict[str, Any]) -> dict[str, Any]:
    key, columns = _row_plan(file)
    out: dict[str, Any] = {} if key is None else {"key": row[key]}
    props = {}
    for name, prop, reference in columns:
        value = row.get(name)
        if reference:
            out[prop] = value
        elif value is not None:
            props[prop] = value
    if file == "supplies.csv":
        out["sku"] = row["sku"]
    if file == "referrals.csv" and "converted" not in props:
        props["converted"] = True
    out["props"] = props
    return out


# The label or relationship type each file's rows become.
FILE_ELEMENT = {
    "people.csv": "Person", "companies.csv": "Company", "products.csv": "Product", "orders.csv": "Order",
    "order_lines.csv": "INCLUDES", "supplies.csv": "SUPPLIES", "makes.csv": "MAKES", "components.csv": "COMPONENT_OF",
    "referrals.csv": "REFERRED", "employment.csv": "WORKS_AT", "accounts.csv": "CUSTOMER_OF",
    "interactions.csv": "Interaction",
}
LABELS = (*NODE_KEYS, *EXTRA_LABELS)
# Every label and type a file's statement creates (Region aside, which is always MERGEd: companies share it).
FILE_CREATES = {**{file: (element,) for file, element in FILE_ELEMENT.items()},
                "companies.csv": ("Company", "LOCATED_IN"), "orders.csv": ("Order", "PLACED", "SOLD_BY"),
                "interactions.csv": ("Interaction", "HAD", "WITH")}


def statement(file: str, fresh: bool) -> str:
    """A file's statement: CREATE where `fresh`, MERGE otherwise.

    A file is fresh when none of the labels and types it creates exist as it starts. Its keys are
    unique (validation sees to that), the load lock keeps every other load out, and every batch
    checks that it still holds that lock before it commits, so CREATE builds exactly what MERGE
    would, without the lookups. A load that died midway left some of them behind, so running it
    again MERGEs, which is what makes it finish in the graph a clean load gives.
    """
    return STATEMENTS[file].replace("{WRITE}", "CREATE" if fresh else "MERGE")


def element_counts(db: Database) -> Counter:
    """Nodes per label and relationships per type, in one query answered from Neo4j's count store."""
    counts = [f"COUNT {{ MATCH (:{label}) }} AS {label}" for label in LABELS]
    counts += [f"COUNT {{ MATCH ()-[:{rel_type}]->() }} AS {rel_type}" for rel_type in REL_TYPES]
    return Counter(db.read("RETURN " + ", ".join(counts))[0])


@dataclass
class LoadSummary:
    """What a load did: rows written per file, and what it created per label and relationship type.

    A row that created nothing updated what was there (MERGE on its key), so per file
    updated = rows - created.
    """

    rows: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)

    @property
    def nodes_created(self) -> int:
        return sum(self.created[label] for label in NODE_KEYS)

    @property
    def relationships_created(self) -> int:
        return sum(self.created[rel_type] for rel_type in REL_TYPES)

    def lines(self) -> list[str]:
        """A table: per file's label or type rows, created and updated; then what else was created."""
        width = max(map(len, (*LABELS, *REL_TYPES)))
        out = [f"{'':{width}}  {'rows':>10}  {'created':>10}  {'updated':>10}"]
        for file, element in FILE_ELEMENT.items():
            if file in self.rows:
                rows, created = self.rows[file], self.created[element]
                out.append(f"{element:{width}}  {rows:>10,}  {created:>10,}  {rows - created:>10,}")
        for element in (*LABELS, *REL_TYPES):
            if element not in FILE_ELEMENT.values() and self.created[element]:
                out.append(f"{element:{width}}  {'':>10}  {self.created[element]:>10,}")
        out.append(f"created {self.nodes_created:,} nodes and {self.relationships_created:,} relationships")
        return out


def _chars(row: dict[str, Any]) -> int:
    return sum(len(value) for value in row.values() if isinstance(value, str))


def _batches(tables: dict[str, Iterable[dict[str, Any]]], size: int,
             max_chars: int) -> Iterator[tuple[str, int, list[dict[str, Any]]]]:
    """(file, index of its first row in the file, statement rows) in load order.

    A batch holds `size` rows, or fewer when their text reaches `max_chars` characters, so that a
    file of long notes cannot make one transaction outgrow the server's transaction memory.
    """
    for file in FILES:
        batch: list[dict[str, Any]] = []
        first = chars = 0
        for index, row in enumerate(tables.get(file, ())):
            batch.append(_statement_row(file, row))
            chars += _chars(row)
            if len(batch) == size or chars >= max_chars:
                yield file, first, batch
                batch, first, chars = [], index + 1, 0
        if batch:
            yield file, first, batch


class BatchRefused(Exception):
    """Neo4j refused a batch outright (not a transient error): which file, and which of its rows (0-based)."""

    def __init__(self, file: str, first: int, last: int, cause: Neo4jError):
        super().__init__(f"{file} rows {first}-{last}: {cause}")
        self.file, self.first, self.last, self.cause = file, first, last, cause


def _run(tx: neo4j.ManagedTransaction, statement: str, params: dict[str, Any], lease: Lease | None) -> None:
    tx.run(statement, params).consume()
    if lease is not None:
        lease.fence(tx)


def write_rows(db: Database, tables: dict[str, Iterable[dict[str, Any]]],
               progress: Callable[[str, int], None] | None = None, batch_size: int = BATCH_SIZE,
               writers: int = WRITERS, lease: Lease | None = None) -> LoadSummary:
    """Write typed rows (as validation returns them) file by file in load order; return a summary.

    Up to `writers` batches of one file are in flight at once: Neo4j runs each transaction on a
    core of its own, and batches of one file touch different keys. This thread prepares the next
    batch while they run. A file's batches all commit
    before the next file starts, since its rows may refer to them. Deadlocks between batches
    (two relationships to one busy node) are transient errors, which the driver retries.
    Whether a file CREATEs or MERGEs is decided when it starts (see :func:`statement`), under
    `lease`, the load lock, which every batch checks before it commits (see loaders.lock).
    `progress(file, rows)` is called after each committed batch. A batch that Neo4j refuses
    raises BatchRefused; the batches before it stay committed.
    """
    summary = LoadSummary()
    before = element_counts(db)
    empty_totals: list[str] = []
    in_flight: deque[tuple[str, int, int, Future]] = deque()
    fresh: dict[str, bool] = {}

    def settle(most: int) -> None:
        """Wait for the oldest batches until at most `most` are still in flight."""
        while len(in_flight) > most:
            file, first, rows, done = in_flight.popleft()
            try:
                done.result()
            except (ClientError, DatabaseError) as exc:
                raise BatchRefused(file, first, first + rows - 1, exc) from exc
            summary.rows[file] += rows
            if progress:
                progress(file, rows)

    with ThreadPoolExecutor(writers, thread_name_prefix="relgraph-write") as pool:
        for file, first, batch in _batches(tables, batch_size, BATCH_CHARS):
            if in_flight and (in_flight[-1][0] != file or file in SERIAL_FILES):
                settle(0)
            if file not in fresh:  # every earlier file has committed: decide on what the graph holds now
                now = element_counts(db)
                fresh[file] = not any(now[element] for element in FILE_CREATES[file])
            if lease is not None:
                lease.check()
            if file == "orders.csv":
                empty_totals += [row["key"] for row in batch if "total" not in row["props"]]
            work = pool.submit(db.write_tx, _run, statement(file, fresh[file]), {"rows": batch}, lease, timeout=600)
            in_flight.append((file, first, len(batch), work))
            settle(writers)
        settle(0)
    for i in range(0, len(empty_totals), batch_size):
        db.write_tx(_run, FILL_TOTALS, {"ids": empty_totals[i: i + batch_size]}, lease, timeout=600)
    summary.created = element_counts(db) - before
    return summary
