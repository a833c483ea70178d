"""Network pictures of plain node/edge data: node ids, vis-network data, pyvis networks, offline HTML, GraphML.

Every string that came from the data (names, ids, property values) reaches a browser as text: in
tooltips (``title``, HTML in pyvis's template and in our views) it is HTML-escaped, and labels are
drawn on a canvas with markup off, so a customer called ``<img src=x onerror=alert(1)>`` shows
as exactly that and never runs. The HTML export inlines
vis-network from pyvis's bundled copy, so it opens offline and never calls a CDN.
"""

from __future__ import annotations

import html
import io
import json
import math
import string
from collections import deque
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, TypedDict

import networkx as nx
from pyvis.network import Network

from graph.errors import UserError
from graph.store.db import plain
from graph.store.schema import NODE_KEYS

__all__ = [
    "LAYOUTS", "MORE", "STYLES", "VisualEdge", "VisualNode", "cap", "layout_positions", "legend", "node_id",
    "one_line", "split_node_id", "to_graphml", "to_html", "to_networkx", "to_pyvis", "vis_data", "visual_node",
]


class VisualNode(TypedDict):
    """A node to draw: ``id`` unique in the picture, ``kind`` its label (Person, Company, ...)."""

    id: str
    kind: str
    name: str
    properties: dict[str, Any]


class VisualEdge(TypedDict):
    """A relationship to draw, from ``source`` to ``target`` node ids."""

    id: str
    source: str
    target: str
    type: str
    properties: dict[str, Any]


def node_id(label: str, key: Any) -> str:
    """The picture id of the node with this label and key: ``"Person:P-001"``, ``"Product:SKU-1"``.

    Keys are unique per label only, so the label makes them unique in a picture, and it tells the
    next expansion which index to look the node up in.
    """
    return f"{label}:{key}"


def split_node_id(value: str) -> tuple[str, str]:
    """(label, key) of a picture id; UserError when the label is not in the schema."""
    label, _, key = value.partition(":")
    if label not in NODE_KEYS or not key:
        raise UserError(f"Not a node id: {value!r}. Expected Label:key with a label among {', '.join(NODE_KEYS)}.")
    return label, key


def visual_node(labels: list[str], props: dict[str, Any]) -> VisualNode:
    """A driver node's labels and properties as a node to draw, named for a person reading it."""
    label = next((name for name in NODE_KEYS if name in labels), labels[0] if labels else "Node")
    key = props.get(NODE_KEYS.get(label, ""), "")
    name = props.get("name") or (f"{label} {key}" if label != "Interaction" else
                                 f"{props.get('kind') or 'Interaction'} {props.get('date') or key}")
    return VisualNode(id=node_id(label, key), kind=label, name=str(name), properties=plain(props))


MORE = "More"  # the kind of the "+N more" node that stands for what the node cap left out
STYLES: dict[str, dict[str, str]] = {
    "Person": {"color": "#4e79a7", "shape": "dot"},
    "Company": {"color": "#f28e2b", "shape": "diamond"},
    "Product": {"color": "#59a14f", "shape": "square"},
    "Order": {"color": "#b07aa1", "shape": "triangle"},
    "Region": {"color": "#76b7b2", "shape": "hexagon"},
    "Interaction": {"color": "#edc948", "shape": "star"},
    MORE: {"color": "#bab0ac", "shape": "box"},
}
_OTHER = {"color": "#9c9c9c", "shape": "dot"}
_LABEL_CHARS = 22
_TITLE_PROPERTIES = 10
_STABILIZATION_ITERATIONS = 150
_RANDOM_SEED = 7  # vis-network's seed for its initial positions: the same data gives the same picture
LAYOUTS = ("force", "hierarchical", "radial")
_SPACING = 170.0  # horizontal room per node in a tier (a shortened label is about 150 px wide)
_LEVEL_GAP = 130.0  # vertical room per tier (hierarchical) or per ring (radial)
_ROW = 14  # nodes per row in a tier; a wider tier wraps into more rows, so the picture stays readable


def legend(kinds: Iterable[str] | None = None) -> list[dict[str, str]]:
    """Colour and shape of each kind (all known kinds when None), in the order of STYLES."""
    wanted = set(STYLES if kinds is None else kinds)
    return [{"kind": kind, **style} for kind, style in STYLES.items() if kind in wanted]


def cap(nodes: list[VisualNode], edges: list[VisualEdge], max_nodes: int,
        omitted: int = 0) -> tuple[list[VisualNode], list[VisualEdge]]:
    """Keep the first ``max_nodes`` nodes and stand one "+N more" node in for the rest.

    A browser freezes on a few thousand physics-driven nodes, so callers order nodes by
    importance (the focus first, nearer hops before farther ones) and cap them here. ``omitted``
    counts nodes the caller already left out (a capped query); they are added to N. The "+N more"
    node hangs off the first node.
    """
    kept = nodes[:max(max_nodes, 1)]
    hidden = len(nodes) - len(kept) + omitted
    ids = {node["id"] for node in kept}
    kept_edges = [edge for edge in edges if edge["source"] in ids and edge["target"] in ids]
    if hidden > 0 and kept:
        more_id = f"{MORE}:{kept[0]['id']}"
        kept = [*kept, VisualNode(id=more_id, kind=MORE, name=f"+{hidden:,} more", properties={})]
        kept_edges.append(VisualEdge(id=f"{more_id}:edge", source=kept[0]["id"], target=more_id, type="",
                                     properties={}))
    return kept, kept_edges


# Bidirectional embeddings, overrides and isolates (and the marks) would reorder the text around a
# name; line and paragraph breaks would split a heading or a label. Names are shown on one line.
_ONE_LINE = {code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)} | {
    code: " " for code in (0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029)}


def one_line(text: object) -> str:
    r"""``text`` as one line of plain left-to-right-safe text: no direction controls, breaks as spaces.

    Examples
    --------
    >>> one_line("Evil\u202eCorp\nInc.")
    'EvilCorp Inc.'
    """
    return str(text).translate(_ONE_LINE)


def _label(text: str) -> str:
    """A canvas label: vis-network draws it with fillText, so it is text by construction.

    It is deliberately not HTML-escaped: with ``font.multi`` off (see _options) nothing in a label
    is markup, and an escaped label would show "&lt;". (vis-network 9.1.2's ``multi: "html"`` mode
    does not decode entities correctly, so it cannot show a "<" at all; we leave it off.)
    """
    text = one_line(text)
    return text if len(text) <= _LABEL_CHARS else text[:_LABEL_CHARS - 1] + "\u2026"


def _title(heading: str, subheading: str, properties: Mapping[str, Any]) -> str:
    """Tooltip HTML in which every string from the data is escaped; only <b> and <br> are markup."""
    lines = [f"<b>{html.escape(one_line(heading))}</b>", html.escape(one_line(subheading))]
    shown = [(k, v) for k, v in properties.items() if v is not None and v != ""][:_TITLE_PROPERTIES]
    lines += [f"{html.escape(one_line(k))}: {html.escape(one_line(v))}" for k, v in shown]
    return "<br>".join(line for line in lines if line)


def _levels(nodes: list[VisualNode], edges: list[VisualEdge], root: str | None,
            directed: bool) -> dict[str, int]:
    """Each node's tier: its distance from the roots, breadth first, in the order the nodes were given.

    Directed (a tree, a cascade): the roots are ``root``, or else the nodes nobody points at, and
    edges are followed forwards. Undirected: from ``root`` (the first node when None) along any
    edge. A node not reached either way (a cycle, another component) joins the tier after the last.
    """
    ids = [node["id"] for node in nodes]
    known = set(ids)
    following: dict[str, list[str]] = {i: [] for i in ids}
    has_parent: set[str] = set()
    for edge in edges:
        if edge["source"] in known and edge["target"] in known and edge["source"] != edge["target"]:
            following[edge["source"]].append(edge["target"])
            has_parent.add(edge["target"])
            if not directed:
                following[edge["target"]].append(edge["source"])
    if root in known:
        roots = [root]
    elif directed:
        roots = [i for i in ids if i not in has_parent] or ids[:1]
    else:
        roots = ids[:1]
    level = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        current = queue.popleft()
        for nxt in following[current]:
            if nxt not in level:
                level[nxt] = level[current] + 1
                queue.append(nxt)
    last = max(level.values(), default=-1)
    return {i: level.get(i, last + 1) for i in ids}


def _parents(edges: list[VisualEdge], level: Mapping[str, int]) -> dict[str, list[str]]:
    """For each node, its neighbours one tier nearer the root (to order a tier under its parents)."""
    parents: dict[str, list[str]] = {}
    for edge in edges:
        a, b = edge["source"], edge["target"]
        if a in level and b in level:
            if level[a] + 1 == level[b]:
                parents.setdefault(b, []).append(a)
            elif level[b] + 1 == level[a]:
                parents.setdefault(a, []).append(b)
    return parents


def _hierarchical(nodes: list[VisualNode], edges: list[VisualEdge],
                  root: str | None) -> dict[str, tuple[float, float]]:
    level = _levels(nodes, edges, root, directed=True)
    parents = _parents(edges, level)
    order = {node["id"]: i for i, node in enumerate(nodes)}
    positions: dict[str, tuple[float, float]] = {}
    y = 0.0
    for tier in sorted(set(level.values())):
        members = [i for i in order if level[i] == tier]

        def under_parents(i: str) -> tuple[float, int]:
            xs = [positions[p][0] for p in parents.get(i, []) if p in positions]
            return (sum(xs) / len(xs) if xs else math.inf, order[i])

        members.sort(key=under_parents)  # children under their parents: fewer crossings
        for start in range(0, len(members), _ROW):
            row = members[start:start + _ROW]
            for k, i in enumerate(row):
                positions[i] = ((k - (len(row) - 1) / 2) * _SPACING, y)
            y += _LEVEL_GAP if start + _ROW >= len(members) else _LEVEL_GAP * 0.6
    return positions


def _radial(nodes: list[VisualNode], edges: list[VisualEdge], root: str | None) -> dict[str, tuple[float, float]]:
    level = _levels(nodes, edges, root, directed=False)
    parents = _parents(edges, level)
    order = {node["id"]: i for i, node in enumerate(nodes)}
    angles: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for ring in sorted(set(level.values())):
        members = [i for i in order if level[i] == ring]
        if ring == 0 and len(members) == 1:
            positions[members[0]], angles[members[0]] = (0.0, 0.0), 0.0
            continue

        def by_parent_angle(i: str) -> tuple[float, int]:
            seen = [angles[p] for p in parents.get(i, []) if p in angles]
            return (sum(seen) / len(seen) if seen else math.inf, order[i])

        members.sort(key=by_parent_angle)
        # Far enough out that neighbours on the ring keep a label's width apart.
        radius = max(radius + _LEVEL_GAP * 1.4, len(members) * _SPACING * 0.75 / (2 * math.pi))
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / len(members) - math.pi / 2
            angles[i] = angle
            positions[i] = (radius * math.cos(angle), radius * math.sin(angle))
    return positions


def layout_positions(nodes: list[VisualNode], edges: list[VisualEdge], layout: str,
                     root: str | None = None) -> dict[str, tuple[float, float]]:
    """Positions of every node for a tree-like ``layout`` ("hierarchical" or "radial"); {} for "force".

    Hierarchical draws tiers top-down: the roots (``root``, or the nodes no edge points at) on
    top, each node one tier below the nearest node that points at it, a tier's nodes under their
    parents, and a tier wider than a row wraps onto more rows. Radial puts ``root`` (the first node
    when None) in the centre and each further hop on a ring far enough out that no two nodes on it
    overlap. Both are computed from the data alone, so the same picture comes back on every visit
    and in every export.

    Examples
    --------
    >>> a, b, c = ({"id": i, "kind": "Person", "name": i, "properties": {}} for i in "abc")
    >>> e = [{"id": "1", "source": "a", "target": "b", "type": "", "properties": {}},
    ...      {"id": "2", "source": "a", "target": "c", "type": "", "properties": {}}]
    >>> layout_positions([a, b, c], e, "hierarchical")
    {'a': (0.0, 0.0), 'b': (-85.0, 130.0), 'c': (85.0, 130.0)}
    """
    if layout not in LAYOUTS:
        raise UserError(f"Unknown layout {layout!r}. Known: {', '.join(LAYOUTS)}.")
    if layout == "hierarchical":
        return _hierarchical(nodes, edges, root)
    if layout == "radial":
        return _radial(nodes, edges, root)
    return {}


def _vis_node(node: VisualNode, position: tuple[float, float] | None, focus: bool = False) -> dict[str, Any]:
    style = STYLES.get(node["kind"], _OTHER)
    item: dict[str, Any] = {
        "id": node["id"], "kind": node["kind"], "label": _label(node["name"] or node["id"]),
        "title": _title(node["name"] or node["id"], f"{node['kind']} {node['id'].split(':', 1)[-1]}",
                        node["properties"]),
        "color": style["color"], "shape": style["shape"], "search": f"{node['name']} {node['id']}".lower(),
    }
    if node["kind"] == MORE:  # "ABC Electronics · 180 other orders": the hub's name over the count
        item["label"] = "\n".join(_label(part) for part in (node["name"] or "").split(" · ", 1))
        item["title"] = html.escape(node["properties"].get("hint") or
                                    "Left out to keep the view quick: on Explore, click here to draw more; "
                                    "or filter relationship types")
    if focus:  # the entity the picture is about: larger, ringed, its name in bold
        item |= {"size": 28, "borderWidth": 4, "focus": True,
                 "color": {"background": style["color"], "border": "#1f1f1f"},
                 "font": {"size": 18, "color": "#111", "strokeWidth": 4, "strokeColor": "#ffffff"}}
    if position is not None:
        item["x"], item["y"] = position
    return item


def _vis_edge(edge: VisualEdge) -> dict[str, Any]:
    return {"id": edge["id"], "from": edge["source"], "to": edge["target"], "label": _label(edge["type"]),
            "title": _title(edge["type"], "", edge["properties"]), "arrows": "to"}


def _options(physics: bool, layout: str = "force") -> dict[str, Any]:
    """Layout that settles in a bounded number of iterations; the views then switch physics off.

    A force layout starts from vis-network's seeded positions, so the same data settles into the
    same picture on every visit; tree layouts come with their positions and need no physics.
    """
    tree = layout != "force"
    return {
        "layout": {"randomSeed": _RANDOM_SEED, "improvedLayout": True},
        "physics": {
            "enabled": physics and not tree, "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 140, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": _STABILIZATION_ITERATIONS, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150},
        "nodes": {"font": {"multi": False, "size": 15, "strokeWidth": 3, "strokeColor": "#ffffff"}, "size": 16},
        "edges": {"font": {"multi": False, "size": 10, "align": "middle", "color": "#777"},
                  "color": {"color": "#b5b5b5", "highlight": "#555"},
                  "smooth": {"enabled": True, "type": "cubicBezier", "forceDirection": "vertical",
                             "roundness": 0.4} if layout == "hierarchical" else False,
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
    }


def vis_data(nodes: list[VisualNode], edges: list[VisualEdge], *,
             positions: Mapping[str, tuple[float, float]] | None = None, layout: str = "force",
             focus: str | None = None) -> dict[str, Any]:
    """Everything vis-network needs: escaped ``nodes``/``edges``, ``options`` and the ``legend``.

    ``layout`` is "force" (physics, seeded), "hierarchical" (top-down tiers) or "radial" (rings
    around ``focus`` or the first node); see :func:`layout_positions`. ``focus`` names the node the
    picture is about: it is drawn larger and ringed. Nodes with a known position keep it; when
    all have one, physics starts off, so a redraw shows the layout the user already has instead
    of shaking it up again.
    """
    computed = layout_positions(nodes, edges, layout, root=focus)
    positions = {**computed, **(positions or {})}
    vis_nodes = [_vis_node(node, positions.get(node["id"]), node["id"] == focus) for node in nodes]
    return {
        "nodes": vis_nodes,
        "edges": [_vis_edge(edge) for edge in edges],
        "options": _options(physics=not all("x" in node for node in vis_nodes), layout=layout),
        "legend": legend({node["kind"] for node in nodes}),
        "layout": layout,
    }


def to_pyvis(nodes: list[VisualNode], edges: list[VisualEdge], *, height: str = "720px",
             positions: Mapping[str, tuple[float, float]] | None = None, layout: str = "force",
             focus: str | None = None) -> Network:
    """A pyvis Network of the data, with vis-network inlined (``cdn_resources="in_line"``)."""
    data = vis_data(nodes, edges, positions=positions, layout=layout, focus=focus)
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    for node in data["nodes"]:
        net.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for edge in data["edges"]:
        net.add_edge(edge["from"], edge["to"], **{k: v for k, v in edge.items() if k not in ("from", "to")})
    net.set_options(json.dumps(data["options"]))
    return net


def _script_json(value: Any) -> str:
    """JSON that is safe inside <script>: no "</script>" or "<!--" can be spelt by the data."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _vis_asset(name: str) -> str:
    return resources.files("pyvis").joinpath("lib", "vis-9.1.2", name).read_text(encoding="utf-8")


# Our own page rather than pyvis's template: that one loads Bootstrap from a CDN and, when a title
# contains "href", writes titles into the page with innerHTML.
_PAGE = string.Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>$heading</title>
<style>$vis_css</style>
<style>body{font-family:sans-serif;margin:0}#network{width:100%;height:$height;border-bottom:1px solid #ddd}
#legend{padding:6px 10px;font-size:13px}#legend span{display:inline-block;width:11px;height:11px;margin:0 4px 0 12px}
</style>
<script>$vis_js</script>
</head><body>
<div id="network"></div><div id="legend"></div>
<script>
const data = $data;
// Titles are HTML in which every string from the data is escaped; rebuild them from text, <b>
// and <br> only, so nothing else can reach the page.
function tooltip(markup) {
  const out = document.createElement("div");
  const copy = (from, to) => from.childNodes.forEach((node) => {
    if (node.nodeType === Node.TEXT_NODE) to.append(node.textContent);
    else if (node.nodeName === "BR") to.append(document.createElement("br"));
    else if (node.nodeName === "B") { const b = document.createElement("b"); copy(node, b); to.append(b); }
    else copy(node, to);
  });
  copy(new DOMParser().parseFromString(markup, "text/html").body, out);
  return out;
}
const withTooltips = (items) => items.map((item) => ({...item, title: tooltip(item.title)}));
const network = new vis.Network(document.getElementById("network"),
  {nodes: new vis.DataSet(withTooltips(data.nodes)), edges: new vis.DataSet(withTooltips(data.edges))},
  data.options);
network.once("stabilizationIterationsDone", () => network.setOptions({physics: false}));
for (const entry of data.legend) {
  const swatch = document.createElement("span");
  swatch.style.background = entry.color;
  document.getElementById("legend").append(swatch, entry.kind);
}
</script>
</body></html>
""")


def to_html(nodes: list[VisualNode], edges: list[VisualEdge], *, heading: str = "relgraph network",
            height: str = "90vh", positions: Mapping[str, tuple[float, float]] | None = None,
            layout: str = "force", focus: str | None = None) -> str:
    """A standalone page of the network that works offline: vis-network and its CSS are inlined.

    Given the view's ``positions``, ``layout`` and ``focus``, the page shows the picture the
    screen shows: the same nodes in the same places.
    """
    net = to_pyvis(nodes, edges, height=height, positions=positions, layout=layout, focus=focus)
    vis_nodes, vis_edges, _, _, _, options = net.get_network_data()
    data = {"nodes": vis_nodes, "edges": vis_edges, "options": json.loads(options),
            "legend": legend({node["kind"] for node in nodes})}
    js = _vis_asset("vis-network.min.js").replace("//# sourceMappingURL=vis-network.min.js.map", "")
    return _PAGE.substitute(heading=html.escape(heading), height=height, vis_css=_vis_asset("vis-network.css"),
                            vis_js=js, data=_script_json(data))


def _graphml_value(value: Any) -> str | int | float | bool:
    """GraphML attributes are scalars: lists and maps are written as JSON text."""
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, default=str)


def to_networkx(nodes: list[VisualNode], edges: list[VisualEdge]) -> nx.MultiDiGraph:
    """The picture as a NetworkX graph: node attributes ``kind``, ``name`` and the properties."""
    G = nx.MultiDiGraph()
    for node in nodes:
        props = {k: _graphml_value(v) for k, v in node["properties"].items() if v is not None}
        G.add_node(node["id"], **{**props, "kind": node["kind"], "name": node["name"]})  # a property may be "name"
    for edge in edges:
        props = {k: _graphml_value(v) for k, v in edge["properties"].items() if v is not None}
        G.add_edge(edge["source"], edge["target"], key=edge["id"], **{**props, "type": edge["type"]})
    return G


def to_graphml(nodes: list[VisualNode], edges: list[VisualEdge]) -> bytes:
    """The picture as GraphML (for Gephi, yEd, Cytoscape), UTF-8 encoded."""
    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(nodes, edges), buffer, encoding="utf-8")
    return buffer.getvalue()
