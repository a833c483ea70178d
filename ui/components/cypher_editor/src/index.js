// relgraph's Cypher editor: Neo4j's CodeMirror 6 Cypher editor in a Streamlit (components v2) element.
//
// Python sends {value, version, schema, readOnly, label, placeholder, height}. `version` changes
// whenever Python puts a new query in the editor (a named query, a history entry, a favourite);
// otherwise the editor keeps what the user typed. This sends back:
//   state "text":  {text, version} when the editor loses focus, so the page's buttons see the text;
//   trigger "run": {text, version, mode: "run"} on Ctrl+Enter (Cmd+Enter on a Mac).
// The schema (labels, relationship types, property keys, parameters, functions, procedures) feeds
// the editor's completion; its linter marks syntax errors as the user types.
import { createCypherEditor } from "@neo4j-cypher/codemirror";
import { EditorView } from "@codemirror/view";
import neo4jCss from "@neo4j-cypher/codemirror/css/cypher-codemirror.css";

const editors = new WeakMap(); // parentElement -> {api, root, version, ...}

function sameSchema(a, b) {
  return JSON.stringify(a || {}) === JSON.stringify(b || {});
}

function currentText(view) {
  return view.api.codemirror.state.doc.toString();
}

function sendText(view) {
  const text = currentText(view);
  if (text === view.sent) return;
  view.sent = text;
  view.setStateValue("text", {text, version: view.version});
}

function create(parentElement, data) {
  const root = parentElement.querySelector(".rg-cypher");
  const style = document.createElement("style");
  style.textContent = neo4jCss; // inside the element's own (shadow) root, where the editor lives
  root.prepend(style);
  root.querySelector(".rg-cypher-label").textContent = data.label;
  const host = root.querySelector(".rg-cypher-host");
  const attributes = {"aria-label": data.label};
  if (data.readOnly) attributes["aria-disabled"] = "true";
  const {editor: api} = createCypherEditor(host, {
    value: data.value,
    autofocus: false,
    lint: true,
    theme: "light",
    lineNumberFormatter: (line) => String(line),
    placeholder: data.placeholder,
    readOnly: data.readOnly,
    schema: data.schema,
    preExtensions: [EditorView.contentAttributes.of(attributes)],
  });
  const view = {api, root, version: data.version, schema: data.schema, readOnly: data.readOnly, sent: data.value};
  // Ctrl/Cmd+Enter runs: caught before CodeMirror, whose default keymap would insert a line.
  root.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    event.stopPropagation();
    const text = currentText(view);
    view.sent = text;
    view.setTriggerValue("run", {text, version: view.version, mode: "run"});
  }, true);
  root.addEventListener("focusout", (event) => {
    if (!root.contains(event.relatedTarget)) sendText(view);
  });
  root.dataset.ready = "true";
  return view;
}

function update(view, data) {
  view.root.style.setProperty("--rg-cypher-height", `${data.height}px`);
  if (data.version !== view.version) {
    view.version = data.version;
    view.sent = data.value;
    view.api.setValue(data.value);
  }
  if (!sameSchema(data.schema, view.schema)) {
    view.schema = data.schema;
    view.api.setSchema(data.schema);
  }
  if (data.readOnly !== view.readOnly) {
    view.readOnly = data.readOnly;
    view.api.setReadOnly(data.readOnly);
  }
}

export default function (component) {
  const {data, parentElement, setStateValue, setTriggerValue} = component;
  let view = editors.get(parentElement);
  if (!view) {
    view = create(parentElement, data);
    editors.set(parentElement, view);
  }
  view.setStateValue = setStateValue;
  view.setTriggerValue = setTriggerValue;
  update(view, data);
  // Streamlit may also call this cleanup for a superseded update; only a removed element goes.
  return () => {
    if (parentElement.isConnected) return;
    view.api.destroy();
    editors.delete(parentElement);
  };
}
