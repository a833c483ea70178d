"""Tables that stay light at any size: sorted on the server, one page of rows sent to the browser.

A ranking of half a million customers stays in the stored analysis (graph.results' StoredRows):
:func:`paged_table` has it ordered by the column the user chose (by SQLite, with ``rows.ordered``),
reads the page asked for (one query), turns only those rows into a DataFrame and sends that. A
plain list is sorted in Python instead, once per list, column and direction. The browser never
holds more than a page, and the server no more than the rows shown, so the page stays quick
whatever the size of the data.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import pandas as pd
import streamlit as st

from ui.format import count, header

__all__ = ["PAGE_SIZES", "Orderable", "page_rows", "paged_table", "sorted_rows", "top_n"]

PAGE_SIZES = (20, 50, 100, 200)
_ROW_PX, _HEADER_PX = 35, 38  # st.dataframe's row and header heights: a page is shown whole, without a scrollbar
_SORTED: OrderedDict[tuple[int, str, bool], tuple[Sequence[Any], Sequence[Any]]] = OrderedDict()
_SORTED_KEEP = 16
_LOCK = threading.Lock()


@runtime_checkable
class Orderable(Protocol):
    """Rows that order themselves where they live, such as graph.results.StoredRows (in SQLite): the
    same rows by `field`, missing values last either way, text case-insensitively, ties in their order."""

    def ordered(self, field: str, descending: bool = True) -> Sequence[Any]: ...


def _value(row: Any, column: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(column)
    return getattr(row, column)


def _record(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if dataclasses.is_dataclass(row):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    return row._asdict()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def sorted_rows(rows: Sequence[Any], column: str | None, descending: bool = False) -> Sequence[Any]:
    """`rows` (records: dataclasses, named tuples or mappings) ordered by `column`, missing values last
    either way and text case-insensitively; equal values keep their order. ``column=None`` keeps `rows`.

    Rows that order themselves (:class:`Orderable`: the stored results ui.data_access returns) are
    ordered where they live, by ``rows.ordered(column, descending)``, with the same rules and nothing
    read here. A list is sorted in Python, and its order kept per list object, column and direction,
    so paging through a sorted list sorts it once; lists handed to this are never changed, which is
    what makes that safe.

    >>> rows = [{"n": "b", "x": 2}, {"n": "A", "x": None}, {"n": "c", "x": 5}]
    >>> [r["n"] for r in sorted_rows(rows, "x", descending=True)], [r["n"] for r in sorted_rows(rows, "n")]
    (['c', 'b', 'A'], ['A', 'b', 'c'])
    """
    if column is None or not rows:
        return rows
    if isinstance(rows, Orderable):
        return rows.ordered(column, descending)
    cache_key = (id(rows), column, descending)
    with _LOCK:
        hit = _SORTED.get(cache_key)
        if hit is not None and hit[0] is rows:
            _SORTED.move_to_end(cache_key)
            return hit[1]
    present = [row for row in rows if not _missing(_value(row, column))]
    absent = [row for row in rows if _missing(_value(row, column))]

    def key(row: Any) -> Any:
        value = _value(row, column)
        return value.casefold() if isinstance(value, str) else value

    ordered = sorted(present, key=key, reverse=descending) + absent
    with _LOCK:
        _SORTED[cache_key] = (rows, ordered)  # holding `rows` keeps its id from being reused while cached
        while len(_SORTED) > _SORTED_KEEP:
            _SORTED.popitem(last=False)
    return ordered


def page_rows(rows: Sequence[Any] | pd.DataFrame, page: int, size: int) -> Sequence[Any] | pd.DataFrame:
    """Rows ``(page - 1) * size`` to ``page * size`` (pages count from 1).

    >>> page_rows(list(range(45)), 3, 20)
    [40, 41, 42, 43, 44]
    """
    start = (page - 1) * size
    return rows.iloc[start:start + size] if isinstance(rows, pd.DataFrame) else rows[start:start + size]


def _sorted_frame(df: pd.DataFrame, column: str | None, descending: bool) -> pd.DataFrame:
    if column is None:
        return df
    key = (lambda s: s.str.casefold()) if pd.api.types.is_string_dtype(df[column]) else None
    return df.sort_values(column, ascending=not descending, na_position="last", kind="stable", key=key)


def _reset_page(key: str) -> None:
    st.session_state[f"{key}:page"] = 1


def paged_table(rows: Sequence[Any] | pd.DataFrame, *, key: str,
                build: Callable[[Any], pd.DataFrame] | None = None,
                sort_by: Sequence[str] = (), descending: bool = True, ranked_by: str | None = None,
                noun: str = "rows",
                column_config: Mapping[str, Any] | None = None, column_order: Sequence[str] | None = None,
                page_size: int = PAGE_SIZES[0]) -> pd.DataFrame:
    """Show `rows` one page at a time, sorted on the server by a column the user chooses; return the page shown.

    Parameters
    ----------
    rows : sequence of records, or DataFrame
        Everything the table could show, in its natural order (a ranking: first is first). A stored
        sequence (:class:`Orderable`) is sorted where it lives and only the page shown is read.
    key : str
        The widgets' keys start with it: ``KEY:sort``, ``KEY:order``, ``KEY:size``, ``KEY:page``.
    build : callable, optional
        Turns the page's rows (a slice of `rows`) into the DataFrame shown: the place to add links and
        derived columns for those rows only. By default the records become columns as they are.
    sort_by : sequence of str
        Fields of the records (columns of the DataFrame) the user may sort by, the first being the
        default; none keeps the natural order.
    descending : bool
        The default direction.
    ranked_by : str, optional
        The field `rows` are already ordered by, highest first (a ranking's measure, ties in rank
        order): shown by it, descending, they are paged as they are, with no sort, so the first page
        of a stored ranking is its first rows.
    noun : str
        What a row is, for the "21–40 of 7,804 suppliers" line.
    column_config, column_order
        As for ``st.dataframe``.
    page_size : int
        Rows per page at first (the user may choose another of :data:`PAGE_SIZES`).
    """
    total = len(rows)
    sort_column, down = (sort_by[0] if sort_by else None), descending
    if sort_by and total > 1:
        top = st.columns([3, 2, 3], vertical_alignment="bottom")
        sort_column = top[0].selectbox("Sort by", list(sort_by), format_func=header, key=f"{key}:sort",
                                       on_change=_reset_page, args=(key,))
        order = top[1].segmented_control("Order", ["Descending", "Ascending"], key=f"{key}:order",
                                         default="Descending" if descending else "Ascending", required=True,
                                         on_change=_reset_page, args=(key,), label_visibility="collapsed")
        down = order != "Ascending"
    slot = st.empty()
    bottom = st.columns([3, 4, 2], vertical_alignment="center")
    sizes = sorted({page_size, *PAGE_SIZES})
    size = bottom[2].selectbox("Rows per page", sizes, index=sizes.index(page_size), key=f"{key}:size",
                               on_change=_reset_page, args=(key,), label_visibility="collapsed",
                               format_func=lambda n: f"{n} per page") if total > min(sizes) else page_size
    pages = max(1, math.ceil(total / size))
    page = 1
    if pages > 1:
        with bottom[1]:
            page = st.pagination(pages, key=f"{key}:page", max_visible_pages=7)
    if sort_column is not None and sort_column == ranked_by and down:
        source = rows
    else:
        source = (_sorted_frame(rows, sort_column, down) if isinstance(rows, pd.DataFrame)
                  else sorted_rows(rows, sort_column, down))
    chunk = page_rows(source, page, size)
    if build is not None:
        shown = build(chunk)
    elif isinstance(chunk, pd.DataFrame):
        shown = chunk
    else:
        shown = pd.DataFrame([_record(r) for r in chunk])
    first = (page - 1) * size + 1 if total else 0
    bottom[0].caption(f"{count(first)}–{count(first + len(shown) - 1 if total else 0)} of {count(total)} {noun}")
    slot.dataframe(shown, hide_index=True, width="stretch", column_config=dict(column_config or {}),
                   column_order=column_order, height=_HEADER_PX + _ROW_PX * max(1, len(shown)) + 6)
    return shown


def top_n(label: str, total: int, *, key: str, default: int = 15, most: int = 50, help: str | None = None) -> int:
    """How many of `total` ranked rows a chart draws: a slider from 5 to `most` (in steps of 5) when there
    are more than 5, else all of them. A chart never draws more than `most` bars; the table has the rest."""
    if total <= 5:
        return total
    high = min(most, total)
    return st.slider(label, 5, high, min(default, high), step=5 if high - 5 >= 5 else 1, key=key,
                     persist_state="page", help=help)
