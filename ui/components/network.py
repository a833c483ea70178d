"""The bidirectional network component: vis-network in the page, clicks and positions back to Python.

vis-network is inlined from pyvis's bundled copy (no CDN, works offline). The browser caches the
module by content, so the library is evaluated once per page however often the view redraws.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.components.v2.bidi_component import ComponentResult

__all__ = ["mount_network"]

_HERE = Path(__file__).parent


def _library() -> str:
    js = resources.files("pyvis").joinpath("lib", "vis-9.1.2", "vis-network.min.js").read_text(encoding="utf-8")
    # The source map is not shipped; without this line the browser's devtools ask for it.
    return js.replace("//# sourceMappingURL=vis-network.min.js.map", "")


_component = st.components.v2.component(
    "relgraph_network",
    html=(_HERE / "network.html").read_text(encoding="utf-8"),
    css=(_HERE / "network.css").read_text(encoding="utf-8"),
    # vis-network's UMD wrapper sets globalThis.vis when loaded as a module; our module follows it.
    js=_library() + "\n" + (_HERE / "network.js").read_text(encoding="utf-8"),
)


def mount_network(data: dict[str, Any], *, key: str, height: int, on_click: Callable[[], None]) -> ComponentResult:
    """Mount the view with ``data`` from graph.visual.vis_data; ``result.click`` is ``{id, positions}``."""
    # Room for the toolbar above the canvas and the legend below it.
    return _component(data={**data, "height": height}, key=key, height=height + 90, on_click_change=on_click)
