"""Altair chart helpers the analysis pages share, so that every ranking and curve looks the same.

They take DataFrames the pages already show as tables and only lay them out: no number is computed
here. Altair escapes the strings it draws (labels, tooltips) itself; nothing here produces HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

__all__ = ["hhi_histogram", "ranked_bars", "reach_curve", "stacked_bars", "tier_chart", "unique_labels"]


def ranked_bars(df: pd.DataFrame, value: str, label: str, *, top: int = 20,
                tooltip: Sequence[str] = ()) -> alt.Chart:
    """Horizontal bars of the `top` rows with the largest `value`, largest on top, named by `label`.

    `label` should be unique (see :func:`unique_labels`): Altair draws rows with the same label as one bar.
    """
    rows = df.nlargest(top, value)
    return alt.Chart(rows).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=value.replace("_", " ")),
        y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip(f"{c}:{_kind(rows[c])}") for c in [label, value, *tooltip]],
    ).properties(height=max(140, 28 * len(rows)))


def stacked_bars(df: pd.DataFrame, value: str, label: str, stack: str) -> alt.Chart:
    """Horizontal bars of the total `value` per `label`, largest on top, split and coloured by `stack`."""
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"sum({value}):Q", title=value.replace("_", " ")),
        y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
        color=alt.Color(f"{stack}:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip(f"{stack}:N"), alt.Tooltip(f"{value}:Q")],
    ).properties(height=max(140, 28 * df[label].nunique()))


def unique_labels(names: pd.Series, ids: pd.Series) -> pd.Series:
    """Names to label bars with: the name alone, with the id added where two rows share a name (or have none)."""
    names = names.fillna(ids).astype(str)
    return names.where(~names.duplicated(keep=False), names + " (" + ids.astype(str) + ")")


def reach_curve(df: pd.DataFrame, x: str, y: str, error: str | None = None) -> alt.LayerChart | alt.Chart:
    """A line of `y` against `x` with points, and a ± `error` band when given (e.g. a standard error)."""
    base = alt.Chart(df).encode(x=alt.X(f"{x}:Q", title=x.replace("_", " "), axis=alt.Axis(tickMinStep=1)))
    line = base.mark_line(point=True).encode(
        y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
        tooltip=[alt.Tooltip(f"{c}:{_kind(df[c])}") for c in df.columns])
    if not error:
        return line
    band = base.transform_calculate(
        low=f"datum.{y} - datum.{error}", high=f"datum.{y} + datum.{error}",
    ).mark_area(opacity=0.2).encode(y="low:Q", y2="high:Q")
    return band + line


def hhi_histogram(df: pd.DataFrame, hhi: str = "hhi", level: str = "level") -> alt.Chart:
    """How many clients fall in each HHI bin, coloured by the DOJ/FTC concentration band."""
    bands = ["unconcentrated", "moderately concentrated", "highly concentrated"]
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{hhi}:Q", bin=alt.Bin(extent=[0, 10000], step=500), title="HHI (largest per client)"),
        y=alt.Y("count():Q", title="clients"),
        color=alt.Color(f"{level}:N", scale=alt.Scale(domain=bands, range=["#59a14f", "#edc948", "#e15759"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("count():Q", title="clients"), alt.Tooltip(f"{level}:N")],
    )


def tier_chart(nodes: pd.DataFrame, edges: pd.DataFrame) -> alt.LayerChart:
    """A cascade drawn tier by tier: one column per round, a dot per company, a line per lost delivery.

    `nodes` has columns id, name, round and row (its position within the round); `edges` has
    columns x, y, x2, y2 (round and row of the supplier and of the client).
    """
    height = max(160, 44 * (int(nodes["row"].max()) + 1 if len(nodes) else 1))
    x = alt.X("round:O", title="round (0 = the failed set)", axis=alt.Axis(labelAngle=0))
    y = alt.Y("row:O", axis=None)
    links = alt.Chart(edges).mark_rule(opacity=0.35).encode(
        x=alt.X("x:O", title="round (0 = the failed set)"), x2="x2:O", y=alt.Y("y:O", axis=None), y2="y2:O")
    dots = alt.Chart(nodes).mark_circle(size=180, opacity=1).encode(
        x=x, y=y, color=alt.Color("round:O", scale=alt.Scale(scheme="orangered"), legend=None),
        tooltip=["id:N", "name:N", "round:O", alt.Tooltip("max_loss:Q", format=".0%")])
    names = alt.Chart(nodes).mark_text(baseline="top", dy=10, fontSize=11, limit=180).encode(x=x, y=y, text="name:N")
    return (links + dots + names).properties(height=height)


def _kind(column: pd.Series) -> str:
    return "Q" if pd.api.types.is_numeric_dtype(column) else "N"

