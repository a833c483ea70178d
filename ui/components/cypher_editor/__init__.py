"""The Cypher editor component: Neo4j's CodeMirror Cypher editor in the page, its text and runs back to Python.

The editor is ``@neo4j-cypher/codemirror`` (the editor inside ``@neo4j-cypher/react-codemirror``,
without React): highlighting, completion from the schema it is given, and inline syntax errors.
It ships prebuilt as one ES module, ``dist/cypher_editor.js``, built from ``package-lock.json`` by
``make editor`` (see the README); nothing is fetched from a network when the page loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.components.v2.bidi_component import ComponentResult

__all__ = ["BUNDLE", "mount_cypher_editor"]

_HERE = Path(__file__).parent
BUNDLE = _HERE / "dist" / "cypher_editor.js"

_component = st.components.v2.component(
    "relgraph_cypher_editor",
    html=(_HERE / "editor.html").read_text(encoding="utf-8"),
    css=(_HERE / "editor.css").read_text(encoding="utf-8"),
    js=BUNDLE.read_text(encoding="utf-8"),
)


def mount_cypher_editor(value: str, version: int, schema: dict[str, Any], *, key: str, label: str,
                        read_only: bool, height: int, placeholder: str,
                        on_text: Callable[[], None], on_run: Callable[[], None]) -> ComponentResult:
    """Mount the editor holding ``value``; a new ``version`` replaces what the user typed with ``value``.

    ``schema`` is what completion offers: ``labels``, ``relationshipTypes``, ``propertyKeys``,
    ``parameters`` (names without ``$``), ``functions`` and ``procedures`` (``{name, signature}``).
    ``result.text`` is ``{text, version}`` once the editor lost focus; ``result.run`` is
    ``{text, version, mode}`` for the rerun after Ctrl/Cmd+Enter.
    """
    data = {"value": value, "version": version, "schema": schema, "label": label, "readOnly": read_only,
            "height": height, "placeholder": placeholder}
    return _component(data=data, key=key, height=height + 40, on_text_change=on_text, on_run_change=on_run)
