"""ui/charts: the chart helpers the pages share (no database)."""

from __future__ import annotations

import pandas as pd

from ui import charts


def test_warm_up_checks_a_chart_against_the_schema():
    charts.warm_up()  # raises if Altair no longer validates the charts the pages draw


def test_ranked_bars_draw_the_top_rows_largest_first():
    df = pd.DataFrame({"name": list("abcdef"), "value": [3, 9, 1, 7, 5, 8]})
    spec = charts.ranked_bars(df, "value", "name", top=3).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sorted(r["name"] for r in rows) == ["b", "d", "f"] and spec["encoding"]["y"]["sort"] == "-x"
