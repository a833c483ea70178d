"""The Explore page through streamlit.testing: deep links, the 360 card, search, unknown ids."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_app_overview import use_server

STORY = """
CREATE (j:Person:Customer {personId: 'P-JOHN', name: 'John Smith', age: 35, occupation: 'Marketing professional',
                           city: 'Chicago'})
CREATE (e:Company {companyId: 'C-ABCE', name: 'ABC Electronics', industry: 'Electronics retail'})
CREATE (s:Company:Supplier {companyId: 'C-STEEL', name: 'ABC Steel Suppliers'})-[:SUPPLIES {sku: 'STEEL',
        sharePct: 100.0}]->(e)
CREATE (o:Order {orderId: 'O-1', date: date('2024-03-02'), total: 1899.0, currency: 'USD',
                 paymentMethod: 'credit card'})
CREATE (j)-[:PLACED]->(o)-[:INCLUDES {quantity: 1, unitPrice: 1899.0, warrantyYears: 3}]->(l:Product {sku: 'L',
        name: 'Laptop ProBook', category: 'laptops'})
CREATE (o)-[:SOLD_BY]->(e)
CREATE (j)-[:REFERRED {date: date('2024-04-01'), converted: false}]->(:Person {personId: 'P-EVIL', name: $hostile})
CREATE (j)-[:REFERRED {date: date('2024-04-10'), converted: true}]->(fay:Person {personId: 'P-FAY', name: 'Fay'})
CREATE (fay)-[:PLACED]->(:Order {orderId: 'O-2', date: date('2024-01-05'), total: 50.0})
CREATE (fay)-[:PLACED]->(o3:Order {orderId: 'O-3', date: date('2024-05-10'), total: 1200.0})-[:SOLD_BY]->(e)
CREATE (fay)-[:PLACED]->(:Order {orderId: 'O-4', date: date('2024-06-01'), total: 1000.5})
CREATE (o3)-[:INCLUDES {quantity: 2, unitPrice: 600.0}]->(l)
CREATE (maker:Company {companyId: 'C-MAKER', name: 'Laptop Maker'})-[:MAKES]->(l)
CREATE (s)-[:SUPPLIES {sku: 'STEEL', sharePct: 100.0}]->(maker)
"""
HOSTILE = "<img src=x onerror=alert(1)>"


def explore(query_id: str | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "ui" / "explore.py"), default_timeout=60)
    if query_id is not None:
        app.query_params["id"] = query_id
    return app.run()


def markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_deep_link_shows_the_customer_card(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    app = explore("P-JOHN")
    assert not app.exception
    assert app.header[0].value == "John Smith"
    text = markdown(app)
    assert "paid by credit card" in text and "sold by **[ABC Electronics](/explore?id=C-ABCE)**" in text
    assert "USD 1,899" in text and "[Laptop ProBook](/explore?id=L) × 1, 3-year warranty" in text
    assert {m.label: m.value for m in app.metric}["Orders"] == "1"
    assert {m.label: m.value for m in app.metric}["Spent"] == "USD 1,899"
    # Every referral links to its card and says whether, when and for how much they bought after it:
    # Fay bought before (50, not counted) and twice after (1,200 + 1,000.50).
    assert ("[Fay](/explore?id=P-FAY) (P\\-FAY) · referred 2024\\-04\\-10 · converted · "
            "bought from 2024\\-05\\-10: 2 orders, USD 2,200") in text
    assert ("(/explore?id=P-EVIL) (P\\-EVIL) · referred 2024\\-04\\-01 · not converted · "
            "they have not bought since") in text
    # The referred customer's hostile name is escaped for Markdown: shown as text, never as HTML.
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in text and HOSTILE not in text


def test_deep_link_shows_the_company_card_with_suppliers(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    app = explore("C-ABCE")
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Direct suppliers"] == "1" and metrics["Single-source skus"] == "1"
    assert metrics["Revenue sold"] == "USD 3,099" and metrics["Concentration (HHI)"] == "10,000"
    assert any("Tier 1 suppliers" in m.value for m in app.markdown)


def test_unknown_id_says_so(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = explore("NOBODY")
    assert not app.exception
    assert any("No person, company or product has the id **NOBODY**" in w.value for w in app.warning)


def test_without_an_id_the_page_invites_a_search(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = explore()
    assert not app.exception and "Search for a person, company or product" in app.info[0].value


def test_picking_a_suggestion_opens_its_card_and_deep_link(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    app = explore()
    app.text_input(key="entity-search:text").input("john smth").run()  # a typo still finds him
    app.selectbox(key="entity-search:choice").select("P-JOHN").run()
    assert not app.exception
    assert app.query_params["id"] == "P-JOHN"
    assert app.header[0].value == "John Smith"


def test_the_card_of_someone_referred_says_whether_they_bought_after(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    text = markdown(explore("P-FAY"))
    assert ("[John Smith](/explore?id=P-JOHN) (P\\-JOHN) · referred 2024\\-04\\-10 · converted · "
            "bought from 2024\\-05\\-10: 2 orders, USD 2,200") in text


def test_a_product_card_opens_by_sku_and_from_a_search(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    db.write("CALL db.awaitIndexes(60)")
    app = explore()
    app.text_input(key="entity-search:text").input("ProBook").run()
    app.selectbox(key="entity-search:choice").select("L").run()
    assert not app.exception and app.query_params["id"] == "L"
    assert app.header[0].value == "Laptop ProBook"
    metrics = {m.label: m.value for m in app.metric}
    # John's 1 x 1,899 and Fay's 2 x 600, from the order lines.
    assert metrics == {"Revenue": "USD 3,099", "Orders": "2", "Units sold": "3", "Buyers": "2"}
    assert "**Made by** [Laptop Maker](/explore?id=C-MAKER)" in markdown(app)
    buyers = next(t.value for t in app.dataframe if "customerId" in t.value.columns)
    assert list(buyers["customerId"]) == ["P-FAY", "P-JOHN"]  # newest order first
    assert list(buyers["card"]) == ["/explore?id=P-FAY", "/explore?id=P-JOHN"]
    suppliers = next(t.value for t in app.dataframe if "supplierId" in t.value.columns)
    assert list(suppliers["supplier"]) == ["ABC Steel Suppliers"]
