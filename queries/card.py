"""Find people and companies by id or name, and gather everything around one of them: the 360 card.

The card is a composition of named queries, read in one transaction: each section holds the rows
of one query of the library, so the card, ``relgraph query NAME`` and the Cypher page give the
same answer (the same supplier tiers, the same referrals). :func:`card_queries` says which query
and parameters make each section. Person and company ids share one namespace, so an id alone
names the entity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TypedDict

import neo4j

from graph.store.db import Database
from queries.compose import read_named

__all__ = ["CARD_REFERRAL_DEPTH", "SECTION_LIMIT", "Match", "Order", "average_satisfaction", "card_queries",
           "colleagues_by_company", "entity_card", "orders", "product_card_queries", "referral_outcome",
           "search_entities", "spent", "supplier_tiers"]

SECTION_LIMIT = 200  # the most rows a card section holds; the card's "truncated" names the sections cut
CARD_REFERRAL_DEPTH = 1  # the card lists direct referrals, both ways; the named queries go deeper on request


class Match(TypedDict):
    """One search suggestion."""

    id: str
    kind: str
    name: str
    detail: str


def search_entities(db: Database, text: str, limit: int = 10) -> list[Match]:
    """People, companies and products whose id (or sku) starts with ``text``, then those whose name matches it.

    Ids come from the named query ``search_ids``; names from ``search_names`` (the full-text index
    over people, companies and products, tolerant of typos). A product's card opens by its sku.
    """
    text = text.strip()
    if not text:
        return []

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return (read_named(tx, "search_ids", {"text": text, "limit": limit}).rows
                + read_named(tx, "search_names", {"text": text, "limit": limit * 2}).rows)

    matches: dict[str, Match] = {}
    for row in db.read_tx(work):
        if row["kind"] in ("Person", "Company", "Product") and row["id"] not in matches:
            detail = " ".join(str(part) for part in (row["detail"], row["city"]) if part)
            matches[row["id"]] = Match(id=row["id"], kind=row["kind"], name=row["name"] or row["id"], detail=detail)
    return list(matches.values())[:limit]


def card_queries(entity_id: str, kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each section of the card of a ``kind`` ("Person" or "Company"): its named query and parameters.

    Listings with a ``limit`` parameter are asked for one row more than :data:`SECTION_LIMIT`, so
    the card can tell a full section from a cut one.
    """
    ask = SECTION_LIMIT + 1
    sections: dict[str, tuple[str, dict[str, Any]]] = {
        "orders": ("customer_360", {"id": entity_id}),
        "accounts": ("customer_accounts", {"id": entity_id}),
        "interactions": ("customer_interactions", {"id": entity_id, "limit": ask}),
        "referredBy": ("referrals_in", {"id": entity_id, "depth": CARD_REFERRAL_DEPTH}),
        "referred": ("referrals_out", {"id": entity_id, "depth": CARD_REFERRAL_DEPTH}),
    }
    if kind == "Person":
        sections |= {
            "employers": ("employers", {"id": entity_id}),
            "colleagues": ("colleagues", {"id": entity_id, "limit": ask}),
        }
    else:
        sections |= {
            "company": ("company_360", {"id": entity_id}),
            "customers": ("company_customers", {"id": entity_id, "limit": ask}),
            "suppliers": ("company_suppliers", {"id": entity_id}),
            "clients": ("company_clients", {"id": entity_id, "limit": ask}),
            "products": ("company_products", {"id": entity_id, "limit": ask}),
            "singleSources": ("single_source_links", {"clientId": entity_id}),
            "employees": ("company_employees", {"id": entity_id, "limit": ask}),
        }
    return sections


def product_card_queries(sku: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each section of a product's card: its named query and parameters (see :func:`card_queries`)."""
    return {
        "product": ("product_360", {"sku": sku}),
        "sales": ("product_sales", {"sku": sku}),
        "bom": ("product_bom", {"sku": sku, "depth": 3}),
        "makerSuppliers": ("product_maker_suppliers", {"sku": sku}),
        "buyers": ("product_buyers", {"sku": sku, "limit": SECTION_LIMIT + 1}),
    }


def referral_outcome(card: Mapping[str, Any], other_id: str, direction: str) -> dict[str, Any] | None:
    """The outcome of one referral on the card (``direction`` "out": the card's entity referred
    ``other_id``; "in": ``other_id`` referred it): its ``firstOrder`` on or after the referral
    date, ``ordersAfter`` and ``boughtAfter`` (their total), from the named query ``referral_outcomes``."""
    return next((row for row in card.get("referralOutcomes", [])
                 if row["otherId"] == other_id and row["direction"] == direction), None)


def entity_card(db: Database, entity_id: str) -> dict[str, Any] | None:
    """Everything around one person, company or product (by sku), or None when no such id exists.

    A product's card (kind "Product") holds the sections of :func:`product_card_queries`: product
    (``product_360``: makers, components, what it goes into), sales (orders, units, buyers,
    revenue), bom, makerSuppliers and buyers. A person's or company's card also holds
    referralOutcomes (see :func:`referral_outcome`).

    Returns the named query ``entity``'s row (``id``, ``kind``, ``name``, ``labels``,
    ``properties``), then one list of rows per section of :func:`card_queries`, each the rows of
    its named query (at most :data:`SECTION_LIMIT`), and ``truncated``: the sections cut there.
    For everyone: orders (``customer_360``, one row per order line; a customer without orders has
    one row with the order columns empty), accounts, interactions, referredBy and referred (direct
    referrals); for a person: employers, colleagues; for a company: company (``company_360``: its
    sales and counts), customers, suppliers (tier by tier), clients, products, singleSources,
    employees. All sections are read in one read transaction, so they agree with each other.
    """
    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
        found = read_named(tx, "entity", {"id": entity_id}).rows
        if found:
            sections = card_queries(entity_id, found[0]["kind"]) | {
                "referralOutcomes": ("referral_outcomes", {"id": entity_id})}
        else:
            found = read_named(tx, "product", {"sku": entity_id}).rows
            sections = product_card_queries(entity_id)
        if not found:
            return None
        card: dict[str, Any] = {**found[0], "truncated": []}
        for section, (query, values) in sections.items():
            read = read_named(tx, query, values, limit=SECTION_LIMIT)
            card[section] = read.rows
            if read.truncated:
                card["truncated"].append(section)
        return card

    return db.read_tx(work)


class Order(TypedDict):
    """One order of a card, with its lines (product, quantity, price, warranty)."""

    orderId: str
    date: str | None
    total: float | None
    currency: str | None
    channel: str | None
    paymentMethod: str | None
    sellerId: str | None
    seller: str | None
    lines: list[dict[str, Any]]


_LINE = ("sku", "product", "quantity", "unitPrice", "warrantyYears")


def orders(card: Mapping[str, Any]) -> list[Order]:
    """The card's order lines grouped by order, newest first (the order of ``customer_360``)."""
    grouped: dict[str, Order] = {}
    for row in card["orders"]:
        if row["orderId"] is None:  # a customer without orders
            continue
        order = grouped.get(row["orderId"])
        if order is None:
            order = grouped[row["orderId"]] = Order(
                orderId=row["orderId"], date=row["date"], total=row["total"], currency=row["currency"],
                channel=row["channel"], paymentMethod=row["paymentMethod"], sellerId=row["sellerId"],
                seller=row["seller"], lines=[])
        if row["sku"] is not None:
            order["lines"].append({key: row[key] for key in _LINE})
    return list(grouped.values())


def spent(card: Mapping[str, Any]) -> float:
    """The total of the card's orders (an order without a total counts 0)."""
    return sum(order["total"] or 0 for order in orders(card))


def average_satisfaction(card: Mapping[str, Any]) -> float | None:
    """The mean satisfaction (1-5) over the card's accounts that have one, or None when none has."""
    ratings = [account["satisfaction"] for account in card["accounts"] if account["satisfaction"] is not None]
    return sum(ratings) / len(ratings) if ratings else None


def colleagues_by_company(card: Mapping[str, Any]) -> dict[str, list[str]]:
    """A person's colleagues' names per company id they work at (empty for a company's card)."""
    names: dict[str, list[str]] = defaultdict(list)
    for row in card.get("colleagues", []):
        names[row["companyId"]].append(row["name"] or row["id"])
    return dict(names)


def supplier_tiers(card: Mapping[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """A company's suppliers by tier (1 = direct), in tier order (empty for a person's card)."""
    tiers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in card.get("suppliers", []):
        tiers[row["tier"]].append(row)
    return dict(sorted(tiers.items()))
