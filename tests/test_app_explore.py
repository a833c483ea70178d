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
CREATE (j)-[:PLACED]->(o)-[:INCLUDES {quantity: 1, warrantyYears: 3}]->(:Product {sku: 'L', name: 'Laptop'})
CREATE (o)-[:SOLD_BY]->(e)
CREATE (j)-[:REFERRED {date: date('2024-04-01'), converted: true}]->(:Person {personId: 'P-EVIL', name: $hostile})
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
    assert "paid by credit card" in text and "sold by **ABC Electronics**" in text
    assert "Laptop × 1, 3-year warranty" in text
    assert {m.label: m.value for m in app.metric}["Orders"] == "1"
    # The referred customer's hostile name is escaped for Markdown: shown as text, never as HTML.
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in text and HOSTILE not in text


def test_deep_link_shows_the_company_card_with_suppliers(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    app = explore("C-ABCE")
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Direct suppliers"] == "1" and metrics["Single-source skus"] == "1"
    assert metrics["Revenue sold"] == "1,899" and metrics["Concentration (HHI)"] == "10,000"
    assert any("Tier 1 suppliers" in m.value for m in app.markdown)


def test_unknown_id_says_so(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = explore("NOBODY")
    assert not app.exception
    assert any("No person or company has the id **NOBODY**" in w.value for w in app.warning)


def test_without_an_id_the_page_invites_a_search(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    app = explore()
    assert not app.exception and "Search for a person or company" in app.info[0].value


def test_picking_a_suggestion_opens_its_card_and_deep_link(db, neo4j_settings, monkeypatch):
    use_server(monkeypatch, neo4j_settings)
    db.write(STORY, {"hostile": HOSTILE})
    app = explore()
    app.text_input(key="entity-search:text").input("john smth").run()  # a typo still finds him
    app.selectbox(key="entity-search:choice").select("P-JOHN").run()
    assert not app.exception
    assert app.query_params["id"] == "P-JOHN"
    assert app.header[0].value == "John Smith"
