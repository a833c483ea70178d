"""Find people and companies by name or id, and gather everything around one of them (the 360 card).

Person and company ids share one namespace, so an id alone names the entity. All queries are
parameterised; the few labels formatted in come from the schema's whitelist.
"""

from __future__ import annotations

from typing import Any, TypedDict

import neo4j

from graph.store.db import Database, plain
from queries.execute import run_named

__all__ = ["Match", "entity_card", "search_entities"]

class Match(TypedDict):
    """One search suggestion."""

    id: str
    kind: str
    name: str
    detail: str


_IDS = """
CALL () {
    MATCH (n:Person) WHERE n.personId STARTS WITH $text RETURN n LIMIT $limit
    UNION
    MATCH (n:Company) WHERE n.companyId STARTS WITH $text RETURN n LIMIT $limit
}
RETURN coalesce(n.personId, n.companyId) AS id, CASE WHEN n:Person THEN 'Person' ELSE 'Company' END AS kind,
       n.name AS name, coalesce(n.occupation, n.industry) AS detail, n.city AS city
ORDER BY id
LIMIT $limit
"""


def search_entities(db: Database, text: str, limit: int = 10) -> list[Match]:
    """People and companies whose id starts with ``text``, then those whose name matches it.

    Names go through the named query ``search_names`` (the full-text index, tolerant of typos);
    products, which the index also holds, are left out.
    """
    text = text.strip()
    if not text:
        return []
    rows = db.read(_IDS, {"text": text, "limit": limit})
    rows += run_named(db, "search_names", {"text": text, "limit": limit * 2}).rows
    matches: dict[str, Match] = {}
    for row in rows:
        if row["kind"] in ("Person", "Company") and row["id"] not in matches:
            detail = " ".join(str(part) for part in (row["detail"], row["city"]) if part)
            matches[row["id"]] = Match(id=row["id"], kind=row["kind"], name=row["name"] or row["id"], detail=detail)
    return list(matches.values())[:limit]


_FIND = """
CALL () {
    MATCH (n:Person {personId: $id}) RETURN n
    UNION
    MATCH (n:Company {companyId: $id}) RETURN n
}
RETURN n, CASE WHEN n:Person THEN 'Person' ELSE 'Company' END AS kind LIMIT 1
"""

# Each section is one query from the entity `n`, bound by _FIND; rows are plain maps.
_SECTIONS: dict[str, str] = {
    "orders": """
        MATCH (n)-[:PLACED]->(o:Order)
        OPTIONAL MATCH (o)-[:SOLD_BY]->(seller:Company)
        OPTIONAL MATCH (o)-[line:INCLUDES]->(p:Product)
        RETURN o.orderId AS order, o.date AS date, o.total AS total, o.currency AS currency,
               o.channel AS channel, o.paymentMethod AS payment, seller.companyId AS sellerId, seller.name AS seller,
               p.sku AS sku, p.name AS product, line.quantity AS quantity, line.unitPrice AS unitPrice,
               line.warrantyYears AS warrantyYears
        ORDER BY o.date DESC, o.orderId LIMIT 200""",
    "referredBy": """
        MATCH (other)-[r:REFERRED]->(n)
        RETURN coalesce(other.personId, other.companyId) AS id, other.name AS name, r.date AS date,
               r.channel AS channel, r.converted AS converted
        ORDER BY r.date LIMIT 200""",
    "referred": """
        MATCH (n)-[r:REFERRED]->(other)
        RETURN coalesce(other.personId, other.companyId) AS id, other.name AS name, r.date AS date,
               r.channel AS channel, r.converted AS converted
        ORDER BY r.date LIMIT 200""",
    "employers": """
        MATCH (n)-[w:WORKS_AT]->(c:Company)
        RETURN c.companyId AS id, c.name AS name, w.role AS role, w.since AS since,
               [(c)<-[:WORKS_AT]-(colleague:Person) WHERE colleague <> n | colleague.name][..20] AS colleagues
        LIMIT 20""",
    "accounts": """
        MATCH (n)-[a:CUSTOMER_OF]->(c:Company)
        RETURN c.companyId AS id, c.name AS name, a.since AS since, a.satisfaction AS satisfaction,
               a.status AS status, a.accountManager AS accountManager
        ORDER BY a.since LIMIT 100""",
    "interactions": """
        MATCH (n)-[:HAD]->(i:Interaction)
        OPTIONAL MATCH (i)-[:WITH]->(c:Company)
        RETURN i.date AS date, i.kind AS kind, i.channel AS channel, i.sentiment AS sentiment, c.name AS company,
               i.note AS note
        ORDER BY i.date DESC LIMIT 200""",
}
_COMPANY_SECTIONS: dict[str, str] = {
    "customers": """
        MATCH (customer)-[:PLACED]->(o:Order)-[:SOLD_BY]->(n)
        WITH customer, count(o) AS orders, sum(o.total) AS revenue
        ORDER BY revenue DESC LIMIT 200
        RETURN coalesce(customer.personId, customer.companyId) AS id, customer.name AS name, orders, revenue""",
    "sales": """
        MATCH (o:Order)-[:SOLD_BY]->(n)
        RETURN count(o) AS orders, coalesce(sum(o.total), 0) AS revenue""",
    "suppliers": """
        MATCH path = (s:Company)-[:SUPPLIES*1..4]->(n)
        WHERE s <> n
        WITH s, min(length(path)) AS tier
        OPTIONAL MATCH (s)-[direct:SUPPLIES]->(n)
        RETURN tier, s.companyId AS id, s.name AS name, s.region AS region,
               collect(direct.sku) AS skus, sum(direct.sharePct) AS sharePct
        ORDER BY tier, name LIMIT 200""",
    "clients": """
        MATCH (n)-[r:SUPPLIES]->(c:Company)
        RETURN c.companyId AS id, c.name AS name, r.sku AS sku, r.sharePct AS sharePct,
               r.leadTimeDays AS leadTimeDays, r.annualVolume AS annualVolume, r.contractId AS contract
        ORDER BY name, sku LIMIT 200""",
    "products": """
        MATCH (n)-[:MAKES]->(p:Product)
        RETURN p.sku AS sku, p.name AS name, p.category AS category, p.unitPrice AS unitPrice
        ORDER BY name LIMIT 200""",
    "singleSources": """
        MATCH (s:Company)-[r:SUPPLIES]->(n)
        WITH r.sku AS sku, collect(s) AS suppliers
        WHERE size(suppliers) = 1
        RETURN sku, suppliers[0].companyId AS supplierId, suppliers[0].name AS supplier
        ORDER BY sku""",
    "employees": """
        MATCH (p:Person)-[w:WORKS_AT]->(n)
        RETURN p.personId AS id, p.name AS name, w.role AS role, w.since AS since
        ORDER BY name LIMIT 200""",
}


def entity_card(db: Database, entity_id: str) -> dict[str, Any] | None:
    """Everything around one person or company, or None when no such id exists.

    Returns ``{"id", "kind", "name", "properties", "labels"}`` plus one list of row maps per
    section: orders (one row per order line, with seller, warranty and payment), referred,
    referredBy, employers (with colleagues), accounts, interactions; for a company also
    customers, sales, suppliers (with their tier), clients, products, singleSources, employees.
    """
    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
        record = tx.run(_FIND, id=entity_id).single()
        if record is None:
            return None
        node, kind = record["n"], record["kind"]
        card: dict[str, Any] = {"id": entity_id, "kind": kind, "name": node.get("name") or entity_id,
                                "labels": sorted(node.labels), "properties": plain(dict(node))}
        sections = {**_SECTIONS, **(_COMPANY_SECTIONS if kind == "Company" else {})}
        for name, query in sections.items():
            rows = tx.run("MATCH (n) WHERE elementId(n) = $eid\n" + query, eid=node.element_id).data()
            card[name] = plain(rows)
        return card

    return db.read_tx(work)
