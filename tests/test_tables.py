"""ui/tables: a stored ranking is sorted where it lives (SQLite) in the order a list is sorted in, and a
page of it reads that page only."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from graph.results import ResultStore, Stored, StoredRows
from ui.tables import Orderable, page_rows, sorted_rows


@dataclass(frozen=True)
class Row:
    id: str
    name: str | None
    score: float | None
    count: int


ROWS = [Row("r1", "beta", 2.0, 3), Row("r2", "Alpha", None, 1), Row("r3", "alpha", 2.0, 3), Row("r4", None, 5.5, 0),
        Row("r5", "Gamma", -1.0, 3), Row("r6", "beta", float("nan"), 1), Row("r7", "delta", 2.0, 0)]


@pytest.fixture
def stored(tmp_path) -> Stored:
    return ResultStore(tmp_path).save("v1", {}, {"rows": (ROWS, Row)}, time.perf_counter())


@pytest.fixture
def reads(monkeypatch) -> list[int | None]:
    """The `limit` of every read of stored rows (None: the whole table)."""
    seen: list[int | None] = []
    real = Stored.results

    def counted(self, name, result_type, limit=None, *args, **kwargs):
        seen.append(limit)
        return real(self, name, result_type, limit, *args, **kwargs)

    monkeypatch.setattr(Stored, "results", counted)
    return seen


@pytest.mark.parametrize("column", ["name", "score", "count", "id"])
@pytest.mark.parametrize("descending", [True, False])
def test_a_stored_sequence_sorts_as_the_list_does(stored, column, descending):
    lazy = stored.rows_of("rows", Row)
    assert isinstance(lazy, Orderable)
    expected = [r.id for r in sorted_rows(ROWS, column, descending)]
    ordered = sorted_rows(lazy, column, descending)
    assert isinstance(ordered, StoredRows)  # ordered by SQLite, not loaded into a list here
    assert [r.id for r in ordered] == expected  # missing last either way, text case-insensitively, ties in rank order
    for page in (1, 2, 3):
        assert [r.id for r in page_rows(ordered, page, 3)] == expected[(page - 1) * 3:page * 3]


def test_a_page_of_a_sorted_stored_sequence_reads_that_page_only(stored, reads):
    lazy = stored.rows_of("rows", Row)
    assert len(lazy) == len(ROWS) and not reads  # counting reads nothing
    ordered = sorted_rows(lazy, "score", descending=True)
    assert not reads  # ordering reads nothing either
    assert [r.id for r in page_rows(ordered, 2, 2)] == ["r3", "r7"]  # 5.5, 2.0 | 2.0, 2.0 | ...
    assert reads == [2]  # one query of the two rows shown


def test_no_column_keeps_the_rows_as_they_are(stored):
    lazy = stored.rows_of("rows", Row)
    assert sorted_rows(lazy, None) is lazy and sorted_rows(ROWS, None) is ROWS
