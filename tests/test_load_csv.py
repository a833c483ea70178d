"""`relgraph load csv`: every bad-input kind of design.md, and what a valid load leaves behind."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from neo4j.exceptions import ServiceUnavailable

from cli.main import main
from graph.store.schema import BOOKKEEPING_LABELS, NODE_KEYS, PROPERTY_INDEXES, wipe
from loaders.csvformat import FILES, INDEX_KEY_BYTES, camel
from loaders.load import LoadInterrupted, write_tables
from loaders.validate import MAX_KEPT, validate_folder
from loaders.writer import BATCH_SIZE, FILE_ELEMENT

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
    """Everything a load could change: nodes with labels and properties, relationships with theirs.

    relgraph's bookkeeping (the audit trail, which records each load) is not data and is left out.
    """
    nodes = db.read("MATCH (n) WHERE NOT any(l IN labels(n) WHERE l IN $bookkeeping) "
                    "RETURN labels(n) AS l, properties(n) AS p", {"bookkeeping": list(BOOKKEEPING_LABELS)})
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
    # What Neo4j itself would refuse midway: index key sizes, numbers that are not finite, ...
    ("key too long for its index", "people.csv", f"person_id,name\nP1,John\n{'P' * 40_000},Long\n",
     "people.csv:3: person_id: value of 40,000 bytes is too long"),
    ("key of multi-byte characters", "people.csv", f"person_id,name\nP1,John\n{'é' * 4083},Long\n",
     "people.csv:3: person_id: value of 8,166 bytes is too long"),
    ("indexed region too long", "companies.csv", f"company_id,name,region\nC1,A,Midwest\nC2,B,{'R' * 9000}\n",
     "companies.csv:3: region: value of 9,000 bytes is too long"),
    ("reference too long", "orders.csv", f"order_id,customer_id,seller_id,date\nO1,{'P' * 40_000},C1,2025-01-01\n",
     "orders.csv:2: customer_id: value of 40,000 bytes is too long"),
    ("cell past the CSV field limit", "people.csv", f"person_id,name\nP1,{'J' * 200_000}\n",
     "people.csv:2: -: not valid CSV: a value is longer than 131,072 characters"),
    ("digits with underscores", "people.csv", "person_id,name,age\nP1,John,1_0\n",
     "people.csv:2: age: expected an integer, got '1_0'"),
    ("Arabic-Indic digits", "people.csv", "person_id,name,age\nP1,John,٣٥\n", "people.csv:2: age: expected an integer"),
    ("Arabic-Indic number", "products.csv", "sku,name,unit_price\nL1,Laptop,١٠\n",
     "products.csv:2: unit_price: expected a number"),
    ("not a number", "products.csv", "sku,name,unit_price\nL1,Laptop,nan\n",
     "products.csv:2: unit_price: expected a number"),
    ("infinite", "products.csv", "sku,name,unit_price\nL1,Laptop,-inf\n",
     "products.csv:2: unit_price: expected a number"),
    ("1e308 x 1e10 would overflow the total", "order_lines.csv", "order_id,sku,quantity,unit_price\nO1,L1,1e10,1e308\n",
     "order_lines.csv:2: unit_price: 1e308 is out of range: numbers are at most 1e+15 in size"),
    ("date far in the future", "orders.csv", "order_id,customer_id,seller_id,date\nO1,P1,C1,2999-01-01\n",
     "orders.csv:2: date: 2999-01-01 is out of range [1900-01-01, "),
    ("date long ago", "referrals.csv", "referrer_id,referred_id,date\nP1,P2,1850-05-01\n",
     "referrals.csv:2: date: 1850-05-01 is out of range [1900-01-01, "),
    ("date in other digits", "orders.csv", "order_id,customer_id,seller_id,date\nO1,P1,C1,٢٠٢٥-٠٩-١٤\n",
     "orders.csv:2: date: expected an ISO 8601 date"),
    ("self-supply", "supplies.csv", "supplier_id,client_id,sku,share_pct\nC1,C1,S1,50\n",
     "supplies.csv:2: client_id: client_id is supplier_id (C1): a company cannot supply itself"),
    ("self-referral", "referrals.csv", "referrer_id,referred_id,date\nP1,P1,2025-01-01\n",
     "referrals.csv:2: referred_id: referred_id is referrer_id (P1): a customer cannot refer itself"),
    ("component of itself", "components.csv", "component_sku,product_sku\nS1,S1\n",
     "components.csv:2: product_sku: product_sku is component_sku (S1): a product cannot be a component of itself"),
    ("own customer", "accounts.csv", "customer_id,company_id\nC1,C1\n",
     "accounts.csv:2: company_id: company_id is customer_id (C1): a company cannot be its own customer"),
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
    with pytest.raises(LoadInterrupted, match="run the same load again to finish it in exactly the graph"):
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


def test_a_key_too_long_for_its_index_is_refused_by_the_dry_run_and_the_load(tmp_path, db, load):
    """The issue's case: 20,000 people, then one 40,000-character person_id, and a companies.csv."""
    people = "person_id,name\n" + "".join(f"P{i},Person {i}\n" for i in range(20_000)) + f"{'X' * 40_000},Long\n"
    path = folder(tmp_path, {"people.csv": people})
    expected = "people.csv:20002: person_id: value of 40,000 bytes is too long"
    for extra in (("--dry-run",), ()):
        status, out, err = load(path, *extra)
        assert status == 2 and expected in err and "Traceback" not in err and out == ""
        assert snapshot(db) == ([], [])


def test_a_batch_neo4j_refuses_anyway_stops_the_load_with_its_lines(tmp_path, db, load, monkeypatch):
    """Were validation to miss a limit, the refused rows are named, exit 2, and nothing of their batch is written."""
    monkeypatch.setattr("loaders.validate.INDEX_KEY_BYTES", 10**9)  # let the 9,000-byte key through
    people = f"person_id,name\nP1,John\nP2,Jane\n{'X' * 9000},Long\n"
    status, out, err = load(folder(tmp_path, {"people.csv": people}))
    assert status == 2 and "Traceback" not in err
    assert "relgraph: people.csv:2-4: Neo4j refused these rows (Property value is too large to index" in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(db) == ([], [])  # people.csv came first, in one batch: nothing is written, the lock is gone


def test_the_largest_numbers_keep_totals_finite(tmp_path, db, load):
    lines = "order_id,sku,quantity,unit_price\nO1,L1,1e15,1e15\nO1,S1,1e15,1e15\n"
    assert load(folder(tmp_path, {"order_lines.csv": lines}))[0] == 0
    total = db.read("MATCH (o:Order {orderId: 'O1'}) RETURN o.total AS total")[0]["total"]
    assert total == 2e30 and math.isfinite(total)


def test_a_key_of_the_largest_size_loads(tmp_path, db, load):
    big = "é" * (INDEX_KEY_BYTES // 2)  # 8,164 bytes of UTF-8: the most a range index takes
    status, _, err = load(folder(tmp_path, {"people.csv": f"person_id,name\nP1,John\nP2,Jane\n{big},Big\n"}))
    assert status == 0, err
    assert db.read("MATCH (p:Person {personId: $id}) RETURN p.name AS name", {"id": big}) == [{"name": "Big"}]


def test_the_header_check_takes_linear_time(tmp_path):
    """160,000 columns took 18 s when every column was counted against every other."""
    path = tmp_path / "in"
    path.mkdir()
    (path / "people.csv").write_text(",".join(f"c{i}" for i in range(160_000)) + "\nx\n")
    began = time.perf_counter()
    problems = validate_folder(path).problems
    assert time.perf_counter() - began < 3  # about 0.4 s on a shared two-core machine
    assert "people.csv:1: -: and 159,990 more unknown columns" in map(str, problems)
    assert len(problems) == 13  # ten named, one count, two missing required columns


def test_problems_are_counted_but_only_the_first_are_kept(tmp_path, db, load):
    path = tmp_path / "in"
    path.mkdir()
    (path / "people.csv").write_text("person_id,name,age\n" + "".join(f"P{i},John,old\n" for i in range(3000)))
    validation = validate_folder(path)
    assert validation.errors == 3000 and len(validation.problems) == MAX_KEPT
    status, _, err = load(path)
    assert status == 2 and "... and 2,950 more errors" in err and "relgraph: 3,000 errors; nothing was written" in err


def test_every_range_indexed_property_is_checked_as_indexed():
    """Validation knows every property the schema puts in a range index, so "valid" means "will load"."""
    file_of = {label: file for file, label in FILE_ELEMENT.items()}
    for label, prop in [*NODE_KEYS.items(), *PROPERTY_INDEXES.values()]:
        file, prop = ("companies.csv", "region") if label == "Region" else (file_of[label], prop)
        [column] = [c for c in FILES[file].columns if camel(c.name) == prop]
        assert column.indexed or column.kind == "date", (label, prop)
