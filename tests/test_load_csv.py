"""`relgraph load csv`: every bad-input kind of design.md, and what a valid load leaves behind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from neo4j.exceptions import ServiceUnavailable

from cli.main import main
from graph.store.schema import wipe
from loaders.load import LoadInterrupted, write_tables
from loaders.validate import validate_folder
from loaders.writer import BATCH_SIZE

BASE = {
    "people.csv": "person_id,name,age,city\nP1,John Smith,35,Chicago\nP2,Jane Doe,41,Boston\n",
    "companies.csv": "company_id,name,region\nC1,ABC Electronics,Midwest\nC2,ABC Steel Suppliers,Northeast\n",
    "products.csv": "sku,name,unit_price\nL1,Laptop,1500\nS1,Steel sheet,900\n",
    "orders.csv": "order_id,customer_id,seller_id,date,payment_method\nO1,P1,C1,2025-09-14,credit card\n",
    "order_lines.csv": "order_id,sku,quantity,warranty_years\nO1,L1,1,3\n",
    "supplies.csv": "supplier_id,client_id,sku,share_pct,lead_time_days\nC2,C1,S1,70,21\n",
    "referrals.csv": "referrer_id,referred_id,date,converted\nP1,P2,2025-10-01,true\n",
    "interactions.csv": "interaction_id,customer_id,company_id,date,kind\nI1,P1,C1,2025-09-14,purchase\n",
}


def folder(tmp_path: Path, changes: dict[str, str | bytes] | None = None, name: str = "in") -> Path:
    out = tmp_path / name
    out.mkdir()
    for file, text in {**BASE, **(changes or {})}.items():
        (out / file).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return out


def snapshot(db) -> tuple:
    """Everything a load could change: nodes with labels and properties, relationships with theirs."""
    nodes = db.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = db.read("MATCH (a)-[r]->(b) RETURN properties(a) AS a, type(r) AS t, properties(r) AS p, properties(b) AS b")
    norm = lambda rows: sorted(repr(sorted(r.items())) for r in rows)  # noqa: E731
    return norm(nodes), norm(rels)


@pytest.fixture
def load(db, neo4j_settings, monkeypatch, capsys):
    """Run `relgraph load csv DIR` in-process against the test server; return (status, stdout, stderr)."""
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password)

    def run(path: Path, *extra: str) -> tuple[int, str, str]:
        status = main(["load", "csv", str(path), *extra])
        out, err = capsys.readouterr()
        return status, out, err

    return run


BAD = [  # (what, file changed, its new text, expected "FILE:LINE: COLUMN: message" prefix and text)
    ("missing column", "people.csv", "person_id,age\nP1,35\n", "people.csv:1: name: missing required column"),
    ("unknown column", "people.csv", "person_id,name,shoe_size\nP1,John,44\n",
     "people.csv:1: shoe_size: unknown column"),
    ("missing key", "people.csv", "person_id,name\nP1,John\n,Jane\n",
     "people.csv:3: person_id: required value is empty"),
    ("duplicate key", "people.csv", "person_id,name\nP1,John\nP2,Jane\nP1,Johnny\n",
     "people.csv:4: person_id: duplicate key (person_id=P1), first on line 2"),
    ("bad number", "people.csv", "person_id,name,age\nP1,John,thirty\nP2,Jane,1\n",
     "people.csv:2: age: expected an integer"),
    ("bad date", "orders.csv", "order_id,customer_id,seller_id,date\nO1,P1,C1,14/09/2025\n",
     "orders.csv:2: date: expected an ISO 8601 date"),
    ("share_pct zero", "supplies.csv", "supplier_id,client_id,sku,share_pct\nC2,C1,S1,0\n",
     "supplies.csv:2: share_pct: 0 is out of range (0, 100]"),
    ("share_pct over 100", "supplies.csv", "supplier_id,client_id,sku,share_pct\nC2,C1,S1,100.5\n",
     "supplies.csv:2: share_pct: 100.5 is out of range"),
    ("satisfaction", "accounts.csv", "customer_id,company_id,satisfaction\nP1,C1,6\n",
     "accounts.csv:2: satisfaction: 6 is out of range [1, 5]"),
    ("negative quantity", "order_lines.csv", "order_id,sku,quantity\nO1,L1,-2\n",
     "order_lines.csv:2: quantity: -2 is out of range"),
    ("unknown reference", "orders.csv", "order_id,customer_id,seller_id,date\nO1,P9,C1,2025-01-01\n",
     "orders.csv:2: customer_id: unknown person or company id 'P9'"),
    ("person as company", "supplies.csv", "supplier_id,client_id,sku,share_pct\nP1,C1,S1,50\n",
     "supplies.csv:2: supplier_id: P1 is a person id, not a company id"),
    ("id in both namespaces", "companies.csv", "company_id,name\nC1,ABC\nC2,Steel\nP2,Clash\n",
     "companies.csv:4: company_id: P2 is already a person id in people.csv"),
    ("not UTF-8", "people.csv", b"person_id,name\nP1,John\nP2,J\xe9r\xf4me\n", "people.csv:3: -: not UTF-8"),
    ("binary", "people.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "people.csv:3: -: not a CSV file"),
    ("ragged row", "people.csv", "person_id,name\nP1,John,extra\n", "people.csv:2: -: 3 fields where the header has 2"),
    ("bad boolean", "referrals.csv", "referrer_id,referred_id,date,converted\nP1,P2,2025-01-01,yes\n",
     "referrals.csv:2: converted: expected true or false"),
    ("unknown file", "peoples.csv", "person_id,name\nP3,X\n", "peoples.csv:1: -: unknown file"),
]


@pytest.mark.parametrize("what,file,text,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_reported_with_file_and_line_and_nothing_is_written(tmp_path, db, load, what, file, text,
                                                                           expected):
    assert load(folder(tmp_path, name="good"))[0] == 0
    before = snapshot(db)
    status, out, err = load(folder(tmp_path, {file: text}))
    assert status == 2
    assert expected in err, err
    assert "nothing was written" in err and "Traceback" not in err
    assert out == ""
    assert snapshot(db) == before


def test_the_only_error_in_the_last_file_still_stops_everything(tmp_path, db, load):
    before = snapshot(db)
    bad = "interaction_id,customer_id,company_id,date\nI1,P1,C1,2025-09-14\nI2,P1,C404,2025-09-15\n"
    status, _, err = load(folder(tmp_path, {"interactions.csv": bad}))
    assert status == 2 and "interactions.csv:3: company_id: unknown company id 'C404'" in err
    assert snapshot(db) == before == ([], [])


def test_all_errors_are_collected_and_the_list_is_capped(tmp_path, db, load):
    rows = "".join(f"P{i},John,old\n" for i in range(1, 81))
    status, _, err = load(folder(tmp_path, {"people.csv": "person_id,name,age\n" + rows}))
    assert status == 2
    assert err.count("age: expected an integer") == 50
    assert "... and " in err and "more errors" in err


def test_references_may_point_into_the_database(tmp_path, db, load):
    assert load(folder(tmp_path, name="first"))[0] == 0
    later = tmp_path / "later"
    later.mkdir()
    (later / "orders.csv").write_text("order_id,customer_id,seller_id,date,total\nO2,P2,C1,2025-10-02,99.5\n")
    assert load(later)[0] == 0
    rows = db.read("MATCH (:Person {personId: 'P2'})-[:PLACED]->(o:Order)-[:SOLD_BY]->(c:Company) "
                   "RETURN o.total AS total, c.companyId AS seller")
    assert rows == [{"total": 99.5, "seller": "C1"}]


@pytest.mark.parametrize(("file", "text", "expected"), [
    ("companies.csv", "company_id,name\nP1,Not a person\n",
     "companies.csv:2: company_id: P1 is already a person id in the database"),
    ("supplies.csv", "supplier_id,client_id,sku,share_pct\nP1,C1,S1,50\n",
     "supplies.csv:2: supplier_id: P1 is a person id, not a company id"),
], ids=["person id as a new company", "person id where a company belongs"])
def test_a_person_id_of_the_database_is_no_company(tmp_path, db, load, file, text, expected):
    assert load(folder(tmp_path, name="first"))[0] == 0
    later = tmp_path / "later"
    later.mkdir()
    (later / file).write_text(text)
    status, _, err = load(later)
    assert status == 2 and expected in err


def test_loading_twice_leaves_the_same_graph(tmp_path, db, load):
    path = folder(tmp_path)
    assert load(path)[0] == 0
    once = snapshot(db)
    status, out, _ = load(path)
    assert status == 0 and "created 0 nodes and 0 relationships" in out
    assert snapshot(db) == once


def test_dry_run_writes_nothing(tmp_path, db, load):
    status, out, _ = load(folder(tmp_path), "--dry-run")
    assert status == 0 and "valid (dry run" in out
    assert snapshot(db) == ([], [])


def test_text_is_loaded_verbatim_bom_quotes_newlines_and_hostile_strings(tmp_path, db, load):
    people = ('\ufeffperson_id,name,city\n'
              'P1,"Smith, John","Chicago,\nIllinois"\n'
              'P2,<img src=x onerror=alert(1)>,"=HYPERLINK(""http://x"",""y"")"\n'
              'P3,<script>alert(1)</script>,Zürich\n')
    status, _, err = load(folder(tmp_path, {"people.csv": people}))
    assert status == 0, err
    got = {r["id"]: (r["name"], r["city"]) for r in
           db.read("MATCH (p:Person) RETURN p.personId AS id, p.name AS name, p.city AS city")}
    assert got == {"P1": ("Smith, John", "Chicago,\nIllinois"),
                   "P2": ("<img src=x onerror=alert(1)>", '=HYPERLINK("http://x","y")'),
                   "P3": ("<script>alert(1)</script>", "Zürich")}


def test_line_numbers_count_physical_lines_after_quoted_newlines(tmp_path):
    people = 'person_id,name,age\nP1,"two\nlines",30\nP2,Jane,31\nP3,Joe,abc\n'
    problems = validate_folder(folder(tmp_path, {"people.csv": people})).problems
    assert [str(p) for p in problems] == ["people.csv:5: age: expected an integer, got 'abc'"]


def test_labels_totals_and_types_follow_the_data_model(tmp_path, db, load):
    assert load(folder(tmp_path))[0] == 0
    assert db.read("MATCH (n:Customer) RETURN collect(n.personId) AS ids")[0]["ids"] == ["P1"]
    assert db.read("MATCH (n:Supplier) RETURN collect(n.companyId) AS ids")[0]["ids"] == ["C2"]
    order = db.read("MATCH (o:Order {orderId: 'O1'}) RETURN o.total AS total, o.paymentMethod AS pay, "
                    "o.date = date('2025-09-14') AS isDate")[0]
    assert order == {"total": 1500.0, "pay": "credit card", "isDate": True}  # total = sum of its lines
    supply = db.read("MATCH (:Company {companyId: 'C2'})-[r:SUPPLIES]->(:Company {companyId: 'C1'}) "
                     "RETURN r.sku AS sku, r.sharePct AS share, r.leadTimeDays AS lead")[0]
    assert supply == {"sku": "S1", "share": 70.0, "lead": 21.0}
    region = db.read("MATCH (:Company {companyId: 'C1'})-[:LOCATED_IN]->(r:Region) RETURN r.name AS name")
    assert region == [{"name": "Midwest"}]
    assert db.read("MATCH ()-[r:REFERRED]->() RETURN r.converted AS c") == [{"c": True}]


def test_converted_defaults_to_true(tmp_path, db, load):
    referrals = "referrer_id,referred_id,date\nP1,P2,2025-10-01\n"
    assert load(folder(tmp_path, {"referrals.csv": referrals}))[0] == 0
    assert db.read("MATCH ()-[r:REFERRED]->() RETURN r.converted AS c") == [{"c": True}]


def test_a_missing_folder_is_a_user_error(tmp_path, load):
    status, _, err = load(tmp_path / "nope")
    assert status == 2 and "not a folder" in err


def test_the_summary_counts_created_and_updated_per_label_and_type(tmp_path, db, load):
    status, out, _ = load(folder(tmp_path, name="first"))
    assert status == 0
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert table["Person"] == ["2", "2", "0"] and table["SUPPLIES"] == ["1", "1", "0"]
    assert table["Region"] == ["2"] and table["PLACED"] == ["1"]  # created along the way
    status, out, _ = load(folder(tmp_path, {"people.csv": BASE["people.csv"] + "P3,New Person,20,Boston\n"},
                                 name="again"))
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert status == 0 and table["Person"] == ["3", "1", "2"] and table["SUPPLIES"] == ["1", "0", "1"]


def test_duplicate_keys_of_several_columns(tmp_path):
    lines = "order_id,sku,quantity\nO1,L1,1\nO1,S1,2\nO1,L1,3\n"
    problems = validate_folder(folder(tmp_path, {"order_lines.csv": lines})).problems
    expected = "order_lines.csv:4: sku: duplicate key (order_id=O1, sku=L1), first on line 2"
    assert [str(p) for p in problems] == [expected]


def test_rows_read_again_from_the_files_equal_the_rows_kept(tmp_path):
    path = folder(tmp_path)
    kept, streamed = validate_folder(path), validate_folder(path, keep_rows=False)
    assert kept.ok and streamed.ok and kept.rows == streamed.rows == 11
    for name, parsed in streamed.files.items():
        assert parsed.rows is None and list(parsed.typed_rows()) == kept.files[name].rows


def test_a_load_that_dies_midway_is_finished_by_running_it_again(tmp_path, db):
    rows = [{"person_id": f"P{i}", "name": f"Person {i}", "age": 30, "occupation": None, "city": None,
             "country": None, "email": None} for i in range(BATCH_SIZE + 2000)]

    def dying() -> Iterator[dict]:
        yield from rows[:BATCH_SIZE + 1000]
        raise ServiceUnavailable("connection lost")

    write_tables(db, {"people.csv": rows})
    clean = snapshot(db)
    wipe(db)
    with pytest.raises(LoadInterrupted, match="running the same load again ends in exactly the graph"):
        write_tables(db, {"people.csv": dying()})
    assert db.read("MATCH (n:Person) RETURN count(n) AS n")[0]["n"] == BATCH_SIZE  # the first batch was committed
    write_tables(db, {"people.csv": rows})
    assert snapshot(db) == clean


def test_a_load_that_dies_among_relationships_is_finished_by_running_it_again(tmp_path, db):
    """The first run CREATEs into an empty graph; the second finds some of it there and MERGEs."""
    people = [{"person_id": f"P{i}", "name": f"Person {i}"} for i in range(100)]
    sellers = [{"company_id": "C1", "name": "Seller"}]
    orders = [{"order_id": f"O{i}", "customer_id": f"P{i % 100}", "seller_id": "C1", "date": date(2025, 1, 1),
               "total": 5.0}
              for i in range(BATCH_SIZE + 500)]

    def dying() -> Iterator[dict]:
        yield from orders[:BATCH_SIZE + 100]
        raise ServiceUnavailable("connection lost")

    tables = {"people.csv": people, "companies.csv": sellers}
    write_tables(db, {**tables, "orders.csv": orders})
    clean = snapshot(db)
    wipe(db)
    with pytest.raises(LoadInterrupted):
        write_tables(db, {**tables, "orders.csv": dying()})
    assert db.read("MATCH ()-[r:PLACED]->() RETURN count(r) AS n")[0]["n"] == BATCH_SIZE
    summary = write_tables(db, {**tables, "orders.csv": orders})
    assert snapshot(db) == clean
    assert summary.created["PLACED"] == 500 and summary.created["Person"] == 0
