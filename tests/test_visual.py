"""graph.visual: node ids, escaping, legend, node cap, offline HTML and GraphML, on small hand-made pictures."""

from __future__ import annotations

import io
import json
import math
import re

import neo4j.time
import networkx as nx
import pytest

from graph.errors import UserError
from graph.visual import (
    MORE,
    VisualEdge,
    VisualNode,
    cap,
    layout_positions,
    legend,
    node_id,
    one_line,
    split_node_id,
    to_graphml,
    to_html,
    to_pyvis,
    vis_data,
    visual_node,
)

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT_BREAK = "</script><script>alert(2)//"


def person(pid: str, name: str, **properties) -> VisualNode:
    return VisualNode(id=f"Person:{pid}", kind="Person", name=name, properties={"personId": pid, **properties})


def edge(source: str, target: str, type: str = "REFERRED", **properties) -> VisualEdge:
    return VisualEdge(id=f"{source}-{type}-{target}", source=source, target=target, type=type, properties=properties)


def star(n: int) -> tuple[list[VisualNode], list[VisualEdge]]:
    """A hub referring n people."""
    nodes = [person("hub", "Hub")] + [person(f"p{i}", f"P{i}") for i in range(n)]
    return nodes, [edge("Person:hub", f"Person:p{i}") for i in range(n)]


def test_node_ids_name_the_label_and_the_key():
    assert node_id("Person", "P-1") == "Person:P-1"
    assert split_node_id("Product:SKU:1") == ("Product", "SKU:1")  # a key may hold a colon
    for bad in ("Thing:x", "Person:", "P-1"):
        with pytest.raises(UserError, match="Not a node id"):
            split_node_id(bad)


def test_visual_node_is_named_for_a_reader():
    ann = visual_node(["Customer", "Person"], {"personId": "P-1", "name": "Ann", "since": neo4j.time.Date(2024, 3, 10)})
    assert ann == VisualNode(id="Person:P-1", kind="Person", name="Ann",
                             properties={"personId": "P-1", "name": "Ann", "since": "2024-03-10"})
    assert visual_node(["Order"], {"orderId": "O-1"})["name"] == "Order O-1"
    call = visual_node(["Interaction"], {"interactionId": "I-1", "kind": "call", "date": "2024-03-10"})
    assert (call["id"], call["name"]) == ("Interaction:I-1", "call 2024-03-10")


def test_titles_escape_every_string_from_the_data():
    nodes = [person("x", HOSTILE, note=SCRIPT_BREAK, email="a&b@example.com")]
    edges = [edge("Person:x", "Person:x", channel=HOSTILE)]
    data = vis_data(nodes, edges)
    title = data["nodes"][0]["title"]
    assert "<img" not in title and "<script" not in title and "</script" not in title
    assert "&lt;img src=x onerror=alert(1)&gt;" in title and "a&amp;b@example.com" in title
    assert re.sub(r"<b>|</b>|<br>", "", title).count("<") == 0  # only our own <b> and <br> are markup
    assert "<img" not in data["edges"][0]["title"]


def test_labels_are_the_literal_text_drawn_without_markup():
    data = vis_data([person("x", HOSTILE[:20]), person("y", "A" * 40)], [])
    assert data["nodes"][0]["label"] == HOSTILE[:20]  # drawn on a canvas with fillText: text by construction
    assert data["options"]["nodes"]["font"]["multi"] is False  # no <b>/<i> interpretation either
    # Shortened to read at the default zoom; the full name is in the tooltip.
    assert data["nodes"][1]["label"] == "A" * 21 + "\u2026" and "A" * 40 in data["nodes"][1]["title"]


def test_legend_lists_the_kinds_drawn_with_their_colours():
    data = vis_data([person("x", "X"), VisualNode(id="Company:c", kind="Company", name="C", properties={})], [])
    assert [entry["kind"] for entry in data["legend"]] == ["Person", "Company"]
    colours = {entry["kind"]: entry["color"] for entry in legend()}
    assert len(set(colours.values())) == len(colours)  # every kind is told apart
    assert {node["kind"]: node["color"] for node in data["nodes"]} == {"Person": colours["Person"],
                                                                     "Company": colours["Company"]}


def test_node_cap_adds_a_more_node():
    nodes, edges = star(10)
    kept, kept_edges = cap(nodes, edges, 4, omitted=5)
    assert [n["id"] for n in kept[:4]] == [n["id"] for n in nodes[:4]]
    assert kept[-1]["kind"] == MORE and kept[-1]["name"] == "+12 more"  # 7 cut here and 5 left out before
    ids = {n["id"] for n in kept}
    assert all(e["source"] in ids and e["target"] in ids for e in kept_edges)
    assert any(e["target"] == kept[-1]["id"] and e["source"] == "Person:hub" for e in kept_edges)


def test_node_cap_leaves_a_small_picture_alone():
    nodes, edges = star(3)
    assert cap(nodes, edges, 10) == (nodes, edges)


def test_physics_settles_then_stops_and_known_positions_are_kept():
    nodes, edges = star(2)
    options = vis_data(nodes, edges)["options"]
    assert options["physics"]["enabled"] and options["physics"]["stabilization"]["iterations"] <= 300
    positions = {n["id"]: (float(i), 2.0 * i) for i, n in enumerate(nodes)}
    laid_out = vis_data(nodes, edges, positions=positions)
    assert not laid_out["options"]["physics"]["enabled"]
    assert [(n["x"], n["y"]) for n in laid_out["nodes"]] == list(positions.values())


def test_html_export_is_offline_and_keeps_hostile_data_inside_its_script():
    nodes = [person("x", SCRIPT_BREAK), person("y", HOSTILE)]
    page = to_html(nodes, [edge("Person:x", "Person:y")], heading=HOSTILE)
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link[^>]*href=[\"']?(https?:)?//", page, re.I)
    assert "new vis.Network" in page and "vis-network" in page  # the library is inlined
    assert page.count("</script>") == 2  # the library's and ours: the data closed no script early
    assert HOSTILE not in page and SCRIPT_BREAK not in page
    data = json.loads(re.search(r"const data = (.*);\n", page).group(1))
    assert [n["label"] for n in data["nodes"]] == [SCRIPT_BREAK[:21] + "\u2026", HOSTILE[:21] + "\u2026"]
    assert HOSTILE[:21] in data["nodes"][1]["label"] and "&lt;img" in data["nodes"][1]["title"]


def test_graphml_of_nodes_read_from_the_database(tmp_path):
    # visual_node keeps every property, "name" and "kind" included (an Interaction has a kind): the
    # picture's own name and kind must not collide with them. Explore's download failed on this.
    nodes = [visual_node(["Person", "Customer"], {"personId": "P1", "name": "John", "kind": "vip"}),
             visual_node(["Interaction"], {"interactionId": "I1", "kind": "call", "date": "2025-01-02"})]
    edges = [edge("Person:P1", "Interaction:I1", type="HAD")]
    G = nx.read_graphml(io.BytesIO(to_graphml(nodes, edges)), force_multigraph=True)
    assert G.nodes["Person:P1"]["name"] == "John" and G.nodes["Person:P1"]["kind"] == "Person"
    assert G.nodes["Interaction:I1"]["name"] == "call 2025-01-02" and G.nodes["Interaction:I1"]["kind"] == "Interaction"


def test_pyvis_network_holds_the_same_nodes_and_edges():
    nodes, edges = star(3)
    net = to_pyvis(nodes, edges)
    assert net.cdn_resources == "in_line"
    assert sorted(net.get_nodes()) == sorted(n["id"] for n in nodes) and len(net.get_edges()) == 3


def test_graphml_round_trip():
    nodes = [person("a", HOSTILE, age=35, tags=["x", "y"], email=None), person("b", "B")]
    edges = [edge("Person:a", "Person:b", converted=True, date="2024-01-01"),
             edge("Person:a", "Person:b", type="WORKS_WITH")]
    G = nx.read_graphml(io.BytesIO(to_graphml(nodes, edges)), force_multigraph=True)
    assert set(G) == {"Person:a", "Person:b"}
    assert G.nodes["Person:a"]["name"] == HOSTILE and G.nodes["Person:a"]["age"] == 35
    assert json.loads(G.nodes["Person:a"]["tags"]) == ["x", "y"] and "email" not in G.nodes["Person:a"]
    assert sorted(d["type"] for _, _, d in G.edges(data=True)) == ["REFERRED", "WORKS_WITH"]
    assert G.number_of_edges("Person:a", "Person:b") == 2


def test_names_cannot_reorder_or_split_what_is_around_them():
    # A right-to-left override would reverse the text after it; a newline would split a heading.
    from ui.widgets import md_text

    tricky = "Evil\u202eCorp\u2066 \u200fInc.\nSecond line\r\u2028end"
    controls = "\u202e\u2066\u200f\n\r\u2028"
    assert one_line(tricky) == "EvilCorp Inc. Second line  end"
    node = vis_data([person("p", tricky)], [])["nodes"][0]
    assert node["label"].startswith("EvilCorp Inc.") and not any(c in node["label"] for c in controls)
    assert "EvilCorp Inc. Second line" in node["title"] and not any(c in node["title"] for c in controls)
    assert md_text(tricky) == r"EvilCorp Inc\. Second line  end"


def tree() -> tuple[list[VisualNode], list[VisualEdge]]:
    """r referred a and b; a referred c and d (c listed before its parent, as a query may return it)."""
    nodes = [person(i, i.upper()) for i in ("c", "r", "a", "b", "d")]
    return nodes, [edge("Person:r", "Person:a"), edge("Person:r", "Person:b"), edge("Person:a", "Person:c"),
                   edge("Person:a", "Person:d")]


def test_hierarchical_layout_draws_tiers_top_down_children_under_their_parent():
    nodes, edges = tree()
    pos = layout_positions(nodes, edges, "hierarchical")
    assert pos["Person:r"] == (0.0, 0.0)  # the one node nobody points at is the root, on top
    assert pos["Person:a"][1] == pos["Person:b"][1] == 130.0 and pos["Person:c"][1] == pos["Person:d"][1] == 260.0
    assert pos["Person:a"][0] < pos["Person:b"][0]  # in the order given within a tier
    # a's children sit under a: their mean x is a's x, and they are a label's width apart.
    assert (pos["Person:c"][0] + pos["Person:d"][0]) / 2 == 0.0 and pos["Person:d"][0] - pos["Person:c"][0] == 170.0
    data = vis_data(nodes, edges, layout="hierarchical")
    assert not data["options"]["physics"]["enabled"] and all("x" in n and "y" in n for n in data["nodes"])
    assert data == vis_data(nodes, edges, layout="hierarchical")  # the same picture every time


def test_hierarchical_layout_wraps_a_wide_tier_and_places_what_it_cannot_reach():
    nodes, edges = star(30)
    nodes.append(person("loner", "Loner"))
    pos = layout_positions(nodes, edges, "hierarchical", root="Person:hub")
    rows = sorted({y for node, (_, y) in pos.items() if node.startswith("Person:p")})
    assert len(rows) == 3  # 30 people in rows of at most 14
    assert max(abs(x) for x, _ in pos.values()) <= 13 / 2 * 170
    assert pos["Person:loner"][1] > rows[-1]  # not reachable from the root: a tier of its own, below


def test_radial_layout_rings_around_the_focus_without_overlap():
    nodes, edges = star(60)
    pos = layout_positions(nodes, edges, "radial", root="Person:hub")
    assert pos["Person:hub"] == (0.0, 0.0)
    radii = {round((x * x + y * y) ** 0.5, 6) for node, (x, y) in pos.items() if node != "Person:hub"}
    assert len(radii) == 1  # one ring for one hop
    points = list(pos.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest >= 120  # a label's width apart
    deeper = layout_positions(*tree(), "radial", root="Person:r")
    assert deeper["Person:r"] == (0.0, 0.0)
    ring = {n: round((x * x + y * y) ** 0.5) for n, (x, y) in deeper.items()}
    assert ring["Person:a"] == ring["Person:b"] < ring["Person:c"] == ring["Person:d"]


def test_force_layout_is_seeded_and_unknown_layouts_are_refused():
    nodes, edges = tree()
    data = vis_data(nodes, edges)
    assert data["options"]["physics"]["enabled"] and data["options"]["layout"]["randomSeed"] == 7
    assert all("x" not in n for n in data["nodes"]) and layout_positions(nodes, edges, "force") == {}
    with pytest.raises(UserError, match="Unknown layout 'spiral'"):
        vis_data(nodes, edges, layout="spiral")


def test_the_focus_is_marked():
    nodes, edges = tree()
    data = vis_data(nodes, edges, focus="Person:a", layout="radial")
    marked = [n for n in data["nodes"] if n.get("focus")]
    assert [n["id"] for n in marked] == ["Person:a"] and marked[0]["size"] > data["options"]["nodes"]["size"]
    assert (marked[0]["x"], marked[0]["y"]) == (0.0, 0.0)  # and in the centre of a radial picture


def test_html_export_shows_the_screens_positions_and_layout():
    nodes, edges = tree()
    on_screen = {"Person:r": (10.0, 20.0)}
    data = json.loads(re.search(r"const data = (.*);\n", to_html(nodes, edges, positions=on_screen,
                                                                  layout="hierarchical")).group(1))
    places = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert places["Person:r"] == (10.0, 20.0)  # where the user left it
    assert places["Person:c"] == layout_positions(nodes, edges, "hierarchical")["Person:c"]
    assert not data["options"]["physics"]["enabled"]


def test_a_folded_hub_reads_as_its_name_over_the_count():
    fold = VisualNode(id="More:Company:c:SOLD_BY:in", kind=MORE, name="ABC Electronics · 180 other orders",
                      properties={"hint": "180 more orders of ABC Electronics: click to draw the next 20"})
    [node] = vis_data([fold], [])["nodes"]
    assert node["label"] == "ABC Electronics\n180 other orders" and node["title"].startswith("180 more orders")
