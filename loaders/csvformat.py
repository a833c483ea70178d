"""The CSV import format of design.md: the files, their columns, types, ranges and references.

Beside the format's own rules, the limits of what Neo4j stores, so that a folder that validates
also loads: a string in a range index (every key, every reference, Company.region) holds at
most :data:`INDEX_KEY_BYTES` bytes of UTF-8; numbers are at most :data:`MAX_NUMBER` in size, so
that any product and sum of them (an order's total) stays finite; dates lie between
:data:`EARLIEST_DATE` and :func:`latest_date`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property

__all__ = ["EARLIEST_DATE", "FILES", "INDEX_KEY_BYTES", "MAX_NUMBER", "Column", "FileSpec", "camel", "cell_text",
           "latest_date"]

INDEX_KEY_BYTES = 8_164  # measured on Neo4j 5.26: the range index's 8,167-byte key, less a string's header
MAX_NUMBER = 1e15  # exact in a double; a product of two is at most 1e30, so sums of millions stay finite
EARLIEST_DATE = date(1900, 1, 1)


def latest_date() -> date:
    """The latest plausible date: the end of the fifth year from now (contracts are signed ahead)."""
    return date(date.today().year + 5, 12, 31)


@dataclass(frozen=True)
class Column:
    """One column: its type, whether it is required, its range and what id it refers to.

    kind is one of str, int, float, date, bool. refers is the kind of id the value must name:
    "entity" (a person or a company), "person", "company", "product" or "order". indexed: the
    value lands in a range index (keys, references and Company.region), which limits its size.
    """

    name: str
    kind: str = "str"
    required: bool = False
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    refers: str | None = None
    indexed: bool = False

    def __post_init__(self) -> None:
        if self.refers:
            object.__setattr__(self, "indexed", True)


@dataclass(frozen=True)
class FileSpec:
    """A file of the import: its columns, and the columns whose values must be unique together.

    not_self: two columns that may not hold the same id, where the data model has no self-loops
    (a company supplying itself, a self-referral), and the message when they do.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    defines: str | None = None  # the kind of id its key column introduces
    not_self: tuple[str, str, str] | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @cached_property  # asked for every row a load reads
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _file(name: str, key: tuple[str, ...], *columns: Column, defines: str | None = None,
          not_self: tuple[str, str, str] | None = None) -> FileSpec:
    return FileSpec(name, columns, key, defines, not_self)


REQ = {"required": True}
KEY = {"required": True, "indexed": True}
FILES: dict[str, FileSpec] = {spec.name: spec for spec in [
    _file("people.csv", ("person_id",),
          Column("person_id", **KEY), Column("name", **REQ), Column("age", "int", low=0, high=150),
          Column("occupation"), Column("city"), Column("country"), Column("email"), defines="person"),
    _file("companies.csv", ("company_id",),
          Column("company_id", **KEY), Column("name", **REQ), Column("industry"), Column("size"),
          Column("city"), Column("country"), Column("region", indexed=True), defines="company"),
    _file("products.csv", ("sku",),
          Column("sku", **KEY), Column("name", **REQ), Column("category"),
          Column("unit_price", "float", low=0), Column("currency"), defines="product"),
    _file("orders.csv", ("order_id",),
          Column("order_id", **KEY), Column("customer_id", required=True, refers="entity"),
          Column("seller_id", required=True, refers="company"), Column("date", "date", required=True),
          Column("total", "float", low=0), Column("currency"), Column("channel"), Column("payment_method"),
          defines="order"),
    _file("order_lines.csv", ("order_id", "sku"),
          Column("order_id", required=True, refers="order"), Column("sku", required=True, refers="product"),
          Column("quantity", "float", required=True, low=0), Column("unit_price", "float", low=0),
          Column("warranty_years", "float", low=0)),
    _file("supplies.csv", ("supplier_id", "client_id", "sku"),
          Column("supplier_id", required=True, refers="company"),
          Column("client_id", required=True, refers="company"), Column("sku", required=True, refers="product"),
          Column("share_pct", "float", required=True, low=0, low_open=True, high=100),
          Column("lead_time_days", "float", low=0), Column("annual_volume", "float", low=0),
          Column("contract_id"), Column("since", "date"),
          not_self=("supplier_id", "client_id", "a company cannot supply itself")),
    _file("makes.csv", ("company_id", "sku"),
          Column("company_id", required=True, refers="company"), Column("sku", required=True, refers="product")),
    _file("components.csv", ("component_sku", "product_sku"),
          Column("component_sku", required=True, refers="product"),
          Column("product_sku", required=True, refers="product"), Column("quantity", "float", low=0),
          not_self=("component_sku", "product_sku", "a product cannot be a component of itself")),
    _file("referrals.csv", ("referrer_id", "referred_id"),
          Column("referrer_id", required=True, refers="entity"),
          Column("referred_id", required=True, refers="entity"), Column("date", "date", required=True),
          Column("channel"), Column("converted", "bool"),
          not_self=("referrer_id", "referred_id", "a customer cannot refer itself")),
    _file("employment.csv", ("person_id", "company_id"),
          Column("person_id", required=True, refers="person"),
          Column("company_id", required=True, refers="company"), Column("role"), Column("since", "date")),
    _file("accounts.csv", ("customer_id", "company_id"),
          Column("customer_id", required=True, refers="entity"),
          Column("company_id", required=True, refers="company"), Column("since", "date"),
          Column("satisfaction", "int", low=1, high=5), Column("status"), Column("account_manager"),
          not_self=("customer_id", "company_id", "a company cannot be its own customer")),
    _file("interactions.csv", ("interaction_id",),
          Column("interaction_id", **KEY), Column("customer_id", required=True, refers="entity"),
          Column("company_id", required=True, refers="company"), Column("date", "date", required=True),
          Column("kind"), Column("channel"), Column("sentiment"), Column("note"), defines="interaction"),
]}
"""The files in the order they are written: nodes before the relationships that refer to them."""


@cache  # asked for every cell a load writes
def camel(column: str) -> str:
    """The graph property name of a CSV column: ``unit_price`` -> ``unitPrice``."""
    head, *rest = column.split("_")
    return head + "".join(part.capitalize() for part in rest)


def cell_text(value: object) -> str:
    """A typed value as the CSV format writes it: empty for unknown, ISO dates, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
