"""How figures, headers and links read on every page: one place, so a figure reads the same everywhere.

Tables keep raw numbers (so they sort and export as numbers) and say how to show them through
:func:`column_config`; prose and cards use the string functions. CSV downloads keep raw values.
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote

import streamlit as st

__all__ = [
    "CARD_LINK_TEXT",
    "CURRENCY",
    "MONEY_FORMAT",
    "card_column",
    "card_link",
    "card_url",
    "column_config",
    "count",
    "header",
    "is_money",
    "money",
    "money_column",
    "money_short",
    "percent",
    "times_average",
]

CURRENCY = "USD"
"""The currency of order totals (every order in the demo and the synthetic data is in USD)."""

MONEY_FORMAT = f"{CURRENCY} %,.0f"
"""A NumberColumn format for amounts: the currency, thousands separators, no cents."""

CARD_LINK_TEXT = r"#(.+)$"
"""The ``display_text`` of a LinkColumn of :func:`card_link` values: the name after the ``#``."""

_HEADERS = {
    "id": "Id",
    "hhi": "HHI",
    "sku": "SKU",
    "max_loss": "Largest loss",
    "risk_score": "Risk score",
    "revenue_at_risk": "Revenue at risk",
    "referred_revenue": "Referred revenue",
    "expected_spread": "Expected reach",
    "stderr": "± (standard error)",
}

_MONEY_COLUMNS = {"revenue", "revenue_at_risk", "referred_revenue", "total", "spent", "unit_price"}


def header(column: str) -> str:
    """A column name as people read it, snake_case or camelCase: ``"direct_clients"`` -> ``"Direct clients"``.

    >>> header("single_source_links"), header("hhi"), header("revenue_at_risk"), header("OrderId")
    ('Single source links', 'HHI', 'Revenue at risk', 'Order ID')
    >>> header("unitPrice"), header("warrantyYears")
    ('Unit price', 'Warranty years')
    """
    if column in _HEADERS:
        return _HEADERS[column]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", column).replace("_", " ").strip().lower().split()
    words = ["ID" if word == "id" else word for word in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def money(value: float | None, currency: str = CURRENCY) -> str:
    """An amount in full, with its currency and thousands separators.

    >>> money(78774793.4), money(0), money(None)
    ('USD 78,774,793', 'USD 0', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{currency} {value:,.0f}"


def money_short(value: float | None, currency: str = CURRENCY) -> str:
    """An amount rounded to read at a glance (metrics, chart labels).

    >>> money_short(108_234_567), money_short(45_300), money_short(999), money_short(2.5e9)
    ('USD 108.2 M', 'USD 45.3 k', 'USD 999', 'USD 2.5 bn')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    for size, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{currency} {value / size:,.1f} {unit}"
    return f"{currency} {value:,.0f}"


def count(value: int | None) -> str:
    """A whole number with thousands separators.

    >>> count(493145), count(None)
    ('493,145', '–')
    """
    return "–" if value is None else f"{value:,}"


def percent(fraction: float | None, digits: int = 0) -> str:
    """A fraction (0..1) as a percentage.

    >>> percent(0.5), percent(0.1234, 1), percent(None)
    ('50 %', '12.3 %', '–')
    """
    return "–" if fraction is None else f"{fraction * 100:.{digits}f} %"


def card_url(entity_id: str) -> str:
    """The link to the card of a person, company (by id) or product (by sku).

    >>> card_url("P0001"), card_url("A&B / 1")
    ('/explore?id=P0001', '/explore?id=A%26B%20%2F%201')
    """
    return f"/explore?id={quote(str(entity_id), safe='')}"


def column_config(columns: list[str], *, link: str | None = None) -> dict[str, object]:
    """Streamlit column settings for a table of raw values: human headers, money with its currency,
    thousands separators; ``link`` names a column holding :func:`card_url` links, shown as the
    entity's id."""
    config: dict[str, object] = {}
    for column in columns:
        label = header(column)
        if column == link:
            config[column] = st.column_config.LinkColumn(label, display_text=r"/explore\?id=(.*)")
        elif is_money(column):
            config[column] = money_column(label)
        else:
            config[column] = st.column_config.Column(label)
    return config


def card_link(entity_id: str, name: str | None = None) -> str:
    """A link to an entity's card that a table shows as its name: :func:`card_url` with the name (or the
    id, when it has none) after a ``#``, which the browser keeps to itself and the table displays
    through :data:`CARD_LINK_TEXT`.

    >>> card_link("P-1", "Ann O'Neil & Co"), card_link("C 2", None)
    ('/explore?id=P-1#Ann%20O%27Neil%20%26%20Co', '/explore?id=C%202#C%202')
    """
    text = name if isinstance(name, str) and name.strip() else str(entity_id)
    return f"{card_url(entity_id)}#{quote(text, safe='')}"


def card_column(label: str, help: str | None = None) -> object:
    """A LinkColumn of :func:`card_link` values: each cell shows a name and opens that card."""
    return st.column_config.LinkColumn(label, display_text=CARD_LINK_TEXT,
                                       help=help or "Opens the card of this person or company")


def money_column(label: str, help: str | None = None) -> object:
    """A NumberColumn of raw amounts shown with the currency and thousands separators."""
    return st.column_config.NumberColumn(label, format=MONEY_FORMAT, help=help)


def times_average(value: float | None) -> str:
    """A figure relative to the average (1 = average), as read at a glance.

    >>> times_average(12.345), times_average(0.5), times_average(0.0004), times_average(None)
    ('12.3 × average', '0.50 × average', '< 0.01 × average', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value >= 10:
        return f"{value:,.1f} × average"
    if value < 0.01:
        return "< 0.01 × average"
    return f"{value:.2f} × average"


def is_money(column: str) -> bool:
    """Whether a column of raw values holds amounts in :data:`CURRENCY`.

    >>> is_money("revenue_at_risk"), is_money("impacted")
    (True, False)
    """
    return column in _MONEY_COLUMNS
