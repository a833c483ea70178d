"""Altair chart helpers the analysis pages share, so that every ranking and curve looks the same.

They take DataFrames the pages already show as tables and only lay them out: no number is computed
here. Altair escapes the strings it draws (labels, tooltips) itself; nothing here produces HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from ui.format import CURRENCY, header, is_money

__all__ = ["BAR_STEP", "hhi_histogram", "ranked_bars", "reach_curve", "stacked_bars", "title",
           "tooltips", "unique_labels", "warm_up"]

BAR_STEP = 30  # pixels per bar: every label has room, however many bars


def title(column: str, titles: dict[str, str] | None = None) -> str:
    """The title of a column in a chart: its header, with the currency for amounts."""
    if titles and column in titles:
        return titles[column]
    return f"{header(column)} ({CURRENCY})" if is_money(column) else header(column)


def tooltips(df: pd.DataFrame, columns: Sequence[str], titles: dict[str, str] | None = None) -> list[alt.Tooltip]:
    """Tooltips that read like the tables: human titles, thousands separators, amounts with their currency."""
    tips = []
    for column in columns:
        kind = _kind(df[column])
        if kind == "N":
            tips.append(alt.Tooltip(f"{column}:N", title=title(column, titles)))
        elif is_money(column) or pd.api.types.is_integer_dtype(df[column]):
            tips.append(alt.Tooltip(f"{column}:Q", title=title(column, titles), format=",.0f"))
        else:
            tips.append(alt.Tooltip(f"{column}:Q", title=title(column, titles), format=",.2f"))
    return tips


def ranked_bars(df: pd.DataFrame, value: str, label: str, *, top: int = 20,
                tooltip: Sequence[str] = (), titles: dict[str, str] | None = None) -> alt.Chart:
    """Horizontal bars of the `top` rows with the largest `value`, largest on top, named by `label`.

    `label` should be unique (see :func:`unique_labels`): Altair draws rows with the same label as one
    bar. Each bar gets :data:`BAR_STEP` pixels, so every label shows; `titles` names columns whose
    header alone would not say what they are (e.g. ``{"influence": "Influence (× average)"}``).
    """
    rows = df.nlargest(top, value)
    axis = alt.Axis(format="~s") if is_money(value) else alt.Axis()
    return alt.Chart(rows).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=title(value, titles), axis=axis),
        y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        tooltip=tooltips(rows, [label, value, *tooltip], titles),
    ).properties(height=alt.Step(BAR_STEP))


def stacked_bars(df: pd.DataFrame, value: str, label: str, stack: str) -> alt.Chart:
    """Horizontal bars of the total `value` per `label`, largest on top, split and coloured by `stack`."""
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"sum({value}):Q", title=title(value)),
        y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color(f"{stack}:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip(f"{label}:N", title=title(label)), alt.Tooltip(f"{stack}:N", title=title(stack)),
                 alt.Tooltip(f"{value}:Q", title=title(value), format=",.0f")],
    ).properties(height=alt.Step(BAR_STEP))


def unique_labels(names: pd.Series, ids: pd.Series) -> pd.Series:
    """Names to label bars with: the name alone, with the id added where two rows share a name (or have none)."""
    names = names.fillna(ids).astype(str)
    return names.where(~names.duplicated(keep=False), names + " (" + ids.astype(str) + ")")


def reach_curve(df: pd.DataFrame, x: str, y: str, error: str | None = None,
                titles: dict[str, str] | None = None) -> alt.LayerChart | alt.Chart:
    """A line of `y` against `x` with points, and a ± `error` band when given (e.g. a standard error)."""
    base = alt.Chart(df).encode(x=alt.X(f"{x}:Q", title=title(x, titles), axis=alt.Axis(tickMinStep=1)))
    line = base.mark_line(point=True).encode(
        y=alt.Y(f"{y}:Q", title=title(y, titles)),
        tooltip=tooltips(df, list(df.columns), titles))
    if not error:
        return line
    band = base.transform_calculate(
        low=f"datum.{y} - datum.{error}", high=f"datum.{y} + datum.{error}",
    ).mark_area(opacity=0.2).encode(y="low:Q", y2="high:Q")
    return band + line


def hhi_histogram(df: pd.DataFrame, hhi: str = "hhi", level: str = "level") -> alt.Chart:
    """How many clients fall in each HHI bin (500 wide), coloured by the DOJ/FTC concentration band.

    The clients are counted per bin here, so the chart carries 20 bars' worth of data whatever the number
    of clients (never one point per client).
    """
    bands = ["unconcentrated", "moderately concentrated", "highly concentrated"]
    start = (df[hhi].clip(0, 9999.999) // 500 * 500).astype(int)
    bins = (df.assign(start=start).groupby(["start", level]).size().rename("clients").reset_index()
            .assign(end=lambda b: b["start"] + 500))
    return alt.Chart(bins).mark_bar().encode(
        x=alt.X("start:Q", bin="binned", title="HHI (largest per client)", scale=alt.Scale(domain=[0, 10000]),
                axis=alt.Axis(format=",")),
        x2="end:Q",
        y=alt.Y("sum(clients):Q", title="Clients"),
        color=alt.Color(f"{level}:N", scale=alt.Scale(domain=bands, range=["#59a14f", "#edc948", "#e15759"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("start:Q", title="HHI from", format=","), alt.Tooltip("end:Q", title="to", format=","),
                 alt.Tooltip("clients:Q", title="Clients", format=","), alt.Tooltip(f"{level}:N", title="Band")],
    )


def _kind(column: pd.Series) -> str:
    return "Q" if pd.api.types.is_numeric_dtype(column) else "N"


def warm_up() -> None:
    """Check one small chart against the Vega-Lite schema, as st.altair_chart does with each chart.

    The first check in a process builds the schema's validators: 0.17 s on a quiet machine, up to half
    a second on a busy one, which the first chart a process draws would otherwise add to its page.
    """
    ranked_bars(pd.DataFrame({"name": ["a"], "value": [1]}), "value", "name").to_dict()
