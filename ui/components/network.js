// relgraph's network view: vis-network in a Streamlit (components v2) element.
//
// Python sends {nodes, edges, options, legend, height}; this sends back one trigger, "click",
// with the clicked node id and every node's position, so Python can expand the node and a
// redraw keeps the layout. The vis Network lives as long as its element: new data updates the
// DataSets in place, so nodes already on screen do not move.
//
// Strings from the data are only ever set as text (textContent, append) or as vis labels, which
// are drawn on a canvas; tooltips are rebuilt from text, <b> and <br> (see tooltip()).
//
// The mouse wheel scrolls the page until the user clicks into the picture (then it zooms, until
// the pointer leaves); "Full screen" gives the picture the whole screen.

const views = new WeakMap(); // parentElement -> {network, nodes, edges, ...}
const RING = 160; // distance at which new neighbours are placed around the node they hang off
const GAP = 110; // room along a ring for one new node and its label

// Titles are HTML in which graph/visual.py escaped every string from the data. They are parsed
// in an inert document and rebuilt from text, <b> and <br> only, so no markup can get through.
function tooltip(markup) {
  const out = document.createElement("div");
  const copy = (from, to) => from.childNodes.forEach((node) => {
    if (node.nodeType === Node.TEXT_NODE) to.append(node.textContent);
    else if (node.nodeName === "BR") to.append(document.createElement("br"));
    else if (node.nodeName === "B") {
      const bold = document.createElement("b");
      copy(node, bold);
      to.append(bold);
    } else copy(node, to);
  });
  copy(new DOMParser().parseFromString(markup, "text/html").body, out);
  return out;
}

const withTooltip = (item) => ({...item, title: tooltip(item.title)});

function roundedPositions(network) {
  const positions = {};
  for (const [id, {x, y}] of Object.entries(network.getPositions())) positions[id] = [Math.round(x), Math.round(y)];
  return positions;
}

// New nodes that hang off a node already on screen go on rings around it, so the picture grows
// where the user clicked and nothing else moves. Nodes that hang off other new nodes (an order's
// customer and products) are placed in later passes, around their own anchor. When the user opened
// a folded hub ("+N other orders"), that hub's new neighbours gather beside the folded node, out
// past the rest of the picture so that they overlap nothing; it returns whether that happened.
function placeNewNodes(view, nodes, edges) {
  const placed = view.network.getPositions();
  let fresh = nodes.filter((node) => !(node.id in placed) && node.x === undefined);
  const opened = view.lastClicked && view.lastClicked.startsWith("More:") ? view.lastClicked : null;
  let gathered = false;
  while (fresh.length) {
    const byAnchor = new Map();
    const later = [];
    for (const node of fresh) {
      const edge = edges.find((e) => (e.from === node.id && e.to in placed) || (e.to === node.id && e.from in placed));
      if (!edge) { // its anchor is new too: place it in a later pass
        later.push(node);
        continue;
      }
      const anchor = edge.from === node.id ? edge.to : edge.from;
      if (!byAnchor.has(anchor)) byAnchor.set(anchor, []);
      byAnchor.get(anchor).push(node);
    }
    if (!byAnchor.size) { // nothing connects to the picture: start a new cluster off to the side
      byAnchor.set(null, later.splice(0));
    }
    for (const [anchor, group] of byAnchor) {
      const gather = opened && anchor !== null && opened.startsWith(`More:${anchor}:`) && opened in placed;
      const centre = gather ? beyond(placed, placed[opened], outerRadius(group.length))
        : anchor === null ? {x: 0, y: 0} : placed[anchor];
      gathered = gathered || gather;
      // Concentric rings, each holding as many nodes as fit around it GAP apart: none overlaps.
      let radius = gather ? GAP : RING;
      let start = 0;
      while (start < group.length) {
        const room = roomOn(radius);
        const ring = group.slice(start, start + room);
        const turn = (start / room) * 0.5; // stagger rings, so spokes do not line up
        ring.forEach((node, i) => {
          const angle = (2 * Math.PI * (i + turn)) / ring.length;
          node.x = centre.x + radius * Math.cos(angle);
          node.y = centre.y + radius * Math.sin(angle);
          placed[node.id] = {x: node.x, y: node.y};
        });
        start += ring.length;
        radius += GAP;
      }
    }
    fresh = later;
  }
  return gathered;
}

// How many nodes a ring of this radius holds, GAP apart.
const roomOn = (radius) => Math.max(6, Math.floor((2 * Math.PI * radius) / GAP));

// The radius of the outermost ring that `count` nodes fill, starting GAP out.
function outerRadius(count) {
  let radius = GAP;
  for (let held = roomOn(radius); held < count; held += roomOn(radius)) radius += GAP;
  return radius;
}

// A centre for rings of `outer` radius next to `from`, on the side away from the picture's middle and
// far enough out that every ring lies past every node already placed.
function beyond(placed, from, outer) {
  const points = Object.values(placed);
  const middle = points.reduce((sum, p) => ({x: sum.x + p.x / points.length, y: sum.y + p.y / points.length}),
    {x: 0, y: 0});
  let dx = from.x - middle.x;
  let dy = from.y - middle.y;
  const length = Math.hypot(dx, dy);
  [dx, dy] = length ? [dx / length, dy / length] : [0, 1];
  const reach = Math.max(0, ...points.map((p) => (p.x - from.x) * dx + (p.y - from.y) * dy));
  const shift = reach + outer + RING + GAP; // room too for what hangs off the new nodes (RING out)
  return {x: from.x + dx * shift, y: from.y + dy * shift};
}

// The wheel zooms only once the user has clicked into the picture, and until the pointer leaves:
// otherwise it scrolls the page past the picture as it does everywhere else.
function engage(view, on) {
  if (view.engaged === on) return;
  view.engaged = on;
  view.network.setOptions({interaction: {zoomView: on}});
  view.root.dataset.engaged = String(on);
}

// In a shadow root, document.fullscreenElement names the host: ask the root the view lives in.
const isFullScreen = (view) => view.root.getRootNode().fullscreenElement === view.root;

function toggleFullScreen(view) {
  if (isFullScreen(view)) document.exitFullscreen();
  else view.root.requestFullscreen?.();
}

function showLegend(view, legend) {
  view.legend.replaceChildren(...legend.map(({kind, color}) => {
    const entry = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = color;
    entry.append(swatch, kind);
    return entry;
  }));
}

function markDrawn(view) {
  view.root.dataset.nodes = String(view.nodes.length);
  view.root.dataset.edges = String(view.edges.length);
  view.root.dataset.drawn = "true";
}

function search(view) {
  const term = view.find.value.trim().toLowerCase();
  const ids = term ? view.nodes.getIds({filter: (node) => (node.search || "").includes(term)}) : [];
  view.network.selectNodes(ids);
  view.found.textContent = term ? `${ids.length} found` : "";
  if (ids.length) view.network.fit({nodes: ids, animation: {duration: 300}});
}

function downloadPng(view) {
  const source = view.canvas.querySelector("canvas");
  const image = document.createElement("canvas");
  image.width = source.width;
  image.height = source.height;
  const context = image.getContext("2d");
  context.fillStyle = "#ffffff"; // vis draws on a transparent canvas
  context.fillRect(0, 0, image.width, image.height);
  context.drawImage(source, 0, 0);
  const link = document.createElement("a");
  link.href = image.toDataURL("image/png");
  link.download = "relgraph-network.png";
  link.click();
}

function createView(parentElement) {
  const root = parentElement.querySelector(".rg-network");
  const view = {
    root,
    canvas: root.querySelector(".rg-canvas"),
    legend: root.querySelector(".rg-legend"),
    find: root.querySelector(".rg-find"),
    found: root.querySelector(".rg-found"),
    nodes: new vis.DataSet([]),
    edges: new vis.DataSet([]),
    setTriggerValue: null,
    engaged: false,
  };
  view.network = new vis.Network(view.canvas, {nodes: view.nodes, edges: view.edges},
    {interaction: {zoomView: false}});
  root.relgraphNetwork = view.network; // for browser tests and benchmarks: where a node is drawn
  view.network.on("stabilizationIterationsDone", () => {
    view.network.setOptions({physics: false});
    markDrawn(view);
  });
  view.network.on("click", ({nodes}) => {
    if (!nodes.length) return;
    view.lastClicked = nodes[0];
    view.setTriggerValue("click", {id: nodes[0], positions: roundedPositions(view.network)});
  });
  view.canvas.addEventListener("pointerdown", () => engage(view, true));
  view.canvas.addEventListener("pointerleave", () => engage(view, isFullScreen(view)));
  root.addEventListener("fullscreenchange", () => {
    const full = isFullScreen(view);
    root.classList.toggle("rg-full", full);
    view.canvas.style.height = full ? "" : `${view.height}px`;
    engage(view, full);
    view.network.redraw();
    view.network.fit();
  });
  view.find.addEventListener("input", () => search(view));
  root.querySelector(".rg-png").addEventListener("click", () => downloadPng(view));
  root.querySelector(".rg-full-screen").addEventListener("click", () => toggleFullScreen(view));
  return view;
}

function update(view, {nodes, edges, options, legend, height}) {
  view.height = height;
  if (!isFullScreen(view)) view.canvas.style.height = `${height}px`;
  const onScreen = new Set(view.nodes.getIds());
  const incremental = nodes.some((node) => onScreen.has(node.id));
  const keep = new Set(nodes.map((node) => node.id));
  view.edges.clear(); // edges are cheap: redraw them all
  view.nodes.remove(view.nodes.getIds().filter((id) => !keep.has(id)));
  const gathered = incremental && placeNewNodes(view, nodes, edges);
  // Physics only when there is no layout yet: a fresh picture without positions from Python.
  const physics = !incremental && options.physics.enabled;
  view.root.dataset.drawn = "false";
  view.network.setOptions({...options, physics: {...options.physics, enabled: physics},
    interaction: {...options.interaction, zoomView: view.engaged}});
  view.nodes.update(nodes.map(withTooltip));
  view.edges.update(edges.map(withTooltip));
  showLegend(view, legend);
  if (physics) {
    // A bounded layout run; "stabilizationIterationsDone" then switches physics off.
    view.network.stabilize(options.physics.stabilization.iterations);
  } else {
    // A fresh picture, or a page of a folded hub drawn beside it: show it all.
    if (!incremental || gathered) view.network.fit({animation: gathered ? {duration: 300} : false});
    markDrawn(view);
  }
  search(view);
}

export default function (component) {
  const {data, parentElement, setTriggerValue} = component;
  let view = views.get(parentElement);
  if (!view) {
    view = createView(parentElement);
    views.set(parentElement, view);
  }
  view.setTriggerValue = setTriggerValue;
  update(view, data);
  // Streamlit may also call this cleanup for a superseded update; only a removed element goes.
  return () => {
    if (parentElement.isConnected) return;
    view.network.destroy();
    views.delete(parentElement);
  };
}
