"""Loading benchmark: `relgraph load csv` against Neo4j's own LOAD CSV, same folder, same server, one run.

Prints rows per second of each, the ratio (ours / LOAD CSV; above 1 means ours is faster) and the
peak memory of our loader (its process's maximum resident set). Ours includes validation. Both run
on a fresh server of its own, warmed up on a small folder first, so that neither pays for a cold JVM.
Then the header check on 16,000 and 160,000 unknown columns: linear time gives a ratio near 10.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import PASSWORD, REPO, bench_cache, own_server

from graph.store.db import Database
from graph.store.schema import wipe
from loaders.synthetic import write_csv_folder
from loaders.validate import validate_folder
from loaders.writer import BATCH_SIZE

# Neo4j's way: one LOAD CSV per file, CALL {} IN TRANSACTIONS of our batch size, the same MERGE keys as ours.
LOAD_CSV = [
    ("people.csv", "MERGE (n:Person {personId: row.person_id}) SET n.name = row.name, n.age = toInteger(row.age), "
                   "n.country = row.country"),
    ("companies.csv", "MERGE (n:Company {companyId: row.company_id}) SET n.name = row.name, "
                      "n.industry = row.industry, n.country = row.country, n.region = row.region "
                      "WITH n, row WHERE row.region IS NOT NULL MERGE (r:Region {name: row.region}) "
                      "MERGE (n)-[:LOCATED_IN]->(r)"),
    ("products.csv", "MERGE (n:Product {sku: row.sku}) SET n.name = row.name, n.category = row.category, "
                     "n.unitPrice = toFloat(row.unit_price), n.currency = row.currency"),
    ("orders.csv", "MERGE (o:Order {orderId: row.order_id}) SET o.date = date(row.date), o.total = toFloat(row.total), "
                   "o.currency = row.currency, o.channel = row.channel, o.paymentMethod = row.payment_method "
                   "WITH o, row "
                   "OPTIONAL MATCH (p:Person {personId: row.customer_id}) "
                   "OPTIONAL MATCH (b:Company {companyId: row.customer_id}) WITH o, row, coalesce(p, b) AS c "
                   "MATCH (s:Company {companyId: row.seller_id}) "
                   "MERGE (c)-[:PLACED]->(o) MERGE (o)-[:SOLD_BY]->(s) SET c:Customer"),
    ("order_lines.csv", "MATCH (o:Order {orderId: row.order_id}) MATCH (p:Product {sku: row.sku}) "
                        "MERGE (o)-[r:INCLUDES]->(p) SET r.quantity = toFloat(row.quantity), "
                        "r.unitPrice = toFloat(row.unit_price), r.warrantyYears = toFloat(row.warranty_years)"),
    ("supplies.csv", "MATCH (s:Company {companyId: row.supplier_id}) MATCH (c:Company {companyId: row.client_id}) "
                     "MERGE (s)-[r:SUPPLIES {sku: row.sku}]->(c) SET r.sharePct = toFloat(row.share_pct), "
                     "r.leadTimeDays = toFloat(row.lead_time_days), s:Supplier"),
    ("makes.csv", "MATCH (c:Company {companyId: row.company_id}) MATCH (p:Product {sku: row.sku}) "
                  "MERGE (c)-[:MAKES]->(p)"),
    ("components.csv", "MATCH (a:Product {sku: row.component_sku}) MATCH (b:Product {sku: row.product_sku}) "
                       "MERGE (a)-[r:COMPONENT_OF]->(b) SET r.quantity = toFloat(row.quantity)"),
    ("referrals.csv", "OPTIONAL MATCH (p1:Person {personId: row.referrer_id}) "
                      "OPTIONAL MATCH (c1:Company {companyId: row.referrer_id}) WITH row, coalesce(p1, c1) AS a "
                      "OPTIONAL MATCH (p2:Person {personId: row.referred_id}) "
                      "OPTIONAL MATCH (c2:Company {companyId: row.referred_id}) WITH row, a, coalesce(p2, c2) AS b "
                      "MERGE (a)-[r:REFERRED]->(b) SET r.date = date(row.date), r.channel = row.channel, "
                      "r.converted = coalesce(toBoolean(row.converted), true)"),
    ("employment.csv", "MATCH (p:Person {personId: row.person_id}) MATCH (c:Company {companyId: row.company_id}) "
                       "MERGE (p)-[r:WORKS_AT]->(c) SET r.role = row.role"),
    ("accounts.csv", "OPTIONAL MATCH (p:Person {personId: row.customer_id}) "
                     "OPTIONAL MATCH (b:Company {companyId: row.customer_id}) WITH row, coalesce(p, b) AS a "
                     "MATCH (c:Company {companyId: row.company_id}) MERGE (a)-[r:CUSTOMER_OF]->(c) "
                     "SET r.satisfaction = toInteger(row.satisfaction), r.status = row.status"),
    ("interactions.csv", "MERGE (i:Interaction {interactionId: row.interaction_id}) SET i.date = date(row.date), "
                         "i.kind = row.kind, i.channel = row.channel, i.sentiment = row.sentiment "
                         "WITH i, row OPTIONAL MATCH (p:Person {personId: row.customer_id}) "
                         "OPTIONAL MATCH (b:Company {companyId: row.customer_id}) WITH i, row, coalesce(p, b) AS a "
                         "MATCH (c:Company {companyId: row.company_id}) "
                         "MERGE (a)-[:HAD]->(i) MERGE (i)-[:WITH]->(c)"),
]


def ours(db: Database, folder: Path, home: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of `relgraph load csv` as a user runs it, in a process of its own."""
    env = dict(os.environ, NEO4J_URI=db.settings.uri, NEO4J_PASSWORD=PASSWORD)
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "cli.main", "load", "csv", str(folder)], cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"relgraph load csv failed with status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024


def load_csv(db: Database, folder: Path, home: Path) -> tuple[float, None]:
    """Seconds for Neo4j's LOAD CSV of the same folder (files copied into the server's import folder)."""
    shutil.copytree(folder, home / "import", dirs_exist_ok=True)
    began = time.perf_counter()
    with db.driver.session(database=db.settings.database) as session:
        for file, body in LOAD_CSV:
            if (folder / file).exists():
                session.run(f"LOAD CSV WITH HEADERS FROM 'file:///{file}' AS row "
                            f"CALL (row) {{ {body} }} IN TRANSACTIONS OF {BATCH_SIZE} ROWS").consume()
    return time.perf_counter() - began, None


def synthetic_folder(customers: int) -> Path:
    folder = bench_cache() / f"csv-{customers}"
    if not (folder / "interactions.csv").exists():
        print(f"writing the synthetic folder of {customers:,} customers to {folder} ...", file=sys.stderr)
        write_csv_folder(folder, customers)
    return folder


def measure(loader: Callable[[Database, Path, Path], tuple[float, float | None]],
            folder: Path) -> tuple[float, float | None, int]:
    """Seconds and peak MB of one loader on a fresh server it warmed up on a small folder; nodes it made.

    A cold JVM, or store files another load already grew, would favour whichever loads second.
    """
    with own_server() as (db, home):
        loader(db, synthetic_folder(5_000), home)
        wipe(db)
        seconds, peak_mb = loader(db, folder, home)
        return seconds, peak_mb, db.read("MATCH (n) RETURN count(n) AS n")[0]["n"]


def header_seconds(columns: int) -> float:
    """Seconds to validate a people.csv whose header has `columns` unknown columns."""
    with tempfile.TemporaryDirectory(prefix="relgraph-bench-") as scratch:
        (Path(scratch) / "people.csv").write_text(",".join(f"column{i}" for i in range(columns)) + "\nx\n")
        began = time.perf_counter()
        validate_folder(Path(scratch))
        return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    folder = synthetic_folder(args.customers)
    rows = sum(sum(1 for _ in open(path, encoding="utf-8")) - 1 for path in folder.glob("*.csv"))
    ours_s, peak_mb, ours_nodes = measure(ours, folder)
    theirs_s, _, theirs_nodes = measure(load_csv, folder)
    assert ours_nodes == theirs_nodes, "both loads must build the same nodes"
    print(f"synthetic folder: {args.customers:,} customers, {rows:,} rows ({rows / 1e6:.2f} M lines of CSV)")
    print(f"relgraph load csv (validation included): {ours_s:7.1f} s  {rows / ours_s:10,.0f} rows/s  "
          f"peak memory {peak_mb:,.0f} MB")
    print(f"Neo4j LOAD CSV IN TRANSACTIONS:          {theirs_s:7.1f} s  {rows / theirs_s:10,.0f} rows/s")
    print(f"ratio (ours / LOAD CSV, rows/s): {theirs_s / ours_s:.2f}")
    small, large = header_seconds(16_000), header_seconds(160_000)
    print(f"header check: 16,000 columns {small:.3f} s, 160,000 columns {large:.3f} s, ratio {large / small:.1f}")


if __name__ == "__main__":
    main()
