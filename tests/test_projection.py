"""The projection of Neo4j into NetworkX, on small graphs worked out by hand."""

from __future__ import annotations

import pytest

from graph.analysis.reach import referral_metrics
from graph.projection import referral_network

# Ann referred Bob on 2024-03-01 and Cat on 2024-05-01 (both converted); Dan referred Bob earlier,
# on 2024-02-01, without converting, and Cat later, on 2024-06-01 (converted).
# Bob bought on 2024-01-15 (before any referral: 100), 2024-03-01 (the day of it: 20) and
# 2024-04-01 (30): his earliest converted referral is 2024-03-01 (Dan's earlier one did not
# convert), so 50 of his 150 count.
# Cat bought on 2024-05-15 (7) and 2024-04-30 (1000, the day before Ann's referral): 7 counts.
# Eve was referred without converting and bought afterwards: none of it counts.
# Ann herself was referred by nobody: her own order never counts for anyone.
NETWORK = """
CREATE (ann:Person {personId: 'ann', name: 'Ann'}), (bob:Person {personId: 'bob', name: 'Bob'}),
       (cat:Person {personId: 'cat', name: 'Cat'}), (dan:Person {personId: 'dan', name: 'Dan'}),
       (eve:Person {personId: 'eve', name: 'Eve'}), (shop:Company {companyId: 'shop', name: 'Shop'}),
       (ann)-[:REFERRED {date: date('2024-03-01'), converted: true}]->(bob),
       (ann)-[:REFERRED {date: date('2024-05-01'), converted: true}]->(cat),
       (dan)-[:REFERRED {date: date('2024-02-01'), converted: false}]->(bob),
       (dan)-[:REFERRED {date: date('2024-06-01'), converted: true}]->(cat),
       (ann)-[:REFERRED {date: date('2024-01-01'), converted: false}]->(eve)
WITH *
UNWIND [['ann', 'a1', '2024-02-01', 5000.0], ['bob', 'b1', '2024-01-15', 100.0],
        ['bob', 'b2', '2024-03-01', 20.0], ['bob', 'b3', '2024-04-01', 30.0],
        ['cat', 'c1', '2024-05-15', 7.0], ['cat', 'c2', '2024-04-30', 1000.0],
        ['eve', 'e1', '2024-02-01', 900.0]] AS o
MATCH (who:Person {personId: o[0]})
CREATE (who)-[:PLACED]->(:Order {orderId: o[1], date: date(o[2]), total: o[3]})-[:SOLD_BY]->(shop)
"""


@pytest.fixture
def network(db):
    db.write(NETWORK)
    return referral_network(db)


def test_revenue_counts_orders_on_or_after_the_earliest_converted_referral(network):
    revenue = dict(network.nodes(data="revenue"))
    assert revenue == {"ann": 0.0, "bob": 50.0, "cat": 7.0, "dan": 0.0, "eve": 0.0}


def test_referred_revenue_sums_it_over_the_descendants(network):
    rows = {row.id: row for row in referral_metrics(network)}
    assert (rows["ann"].cascade_size, rows["ann"].referred_revenue) == (2, 57.0)
    assert (rows["dan"].cascade_size, rows["dan"].referred_revenue) == (1, 7.0)  # Cat, by her earliest date
    assert rows["bob"].referred_revenue == 0.0


def test_an_undated_converted_referral_counts_every_order(db):
    db.write("""
        CREATE (a:Person {personId: 'a'})-[:REFERRED {converted: true}]->(b:Person {personId: 'b'}),
               (b)-[:PLACED]->(:Order {orderId: 'o1', date: date('2020-01-01'), total: 3.0}),
               (b)-[:PLACED]->(:Order {orderId: 'o2', total: 4.0})
    """)
    assert referral_network(db).nodes["b"]["revenue"] == 7.0
