"""What every page shares: the banner that replaces a traceback when Neo4j cannot be used, and the
line that says what data the figures on a page were computed for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import streamlit as st
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.errors import Unavailable, UserError
from graph.store.config import settings_from_env
from ui import data_access

__all__ = ["analysis_caption", "error_text", "neo4j_guard"]


def error_text(error: UserError, widgets: Mapping[str, str] | None = None) -> str:
    """A library error as the page says it: led by the label of the widget its field comes from, if any."""
    label = (widgets or {}).get(error.field or "")
    return f"{label}: {error}" if label else str(error)


@contextmanager
def neo4j_guard(widgets: Mapping[str, str] | None = None) -> Iterator[None]:
    """Show a banner that says what to do instead of a traceback when Neo4j cannot be used.

    ``widgets`` maps the fields of the library's errors (``"p"``, ``"write"``) to the labels of the
    page's widgets that set them, so that an error names what the user can change.
    """
    try:
        yield
    except (Unavailable, ServiceUnavailable, SessionExpired) as exc:
        message = str(exc) if isinstance(exc, Unavailable) else (
            f"Lost the connection to Neo4j at {settings_from_env().uri}: start it with `relgraph db start` "
            "(or `make run`).")
        st.error(f"**Neo4j is unreachable.** {message} This page recovers by itself once it is back.",
                 icon=":material/cloud_off:")
        st.button("Try again", key="neo4j-retry")
        st.stop()
    except UserError as exc:
        st.error(error_text(exc, widgets), icon=":material/error:")
        st.stop()


def analysis_caption() -> None:
    """Say when the figures shown were computed and for which data (always the data now: a page
    waits for the analysis of new data rather than show the old one's)."""
    stored = data_access.analysis()
    when = stored.computed_at.replace("T", " ")[:16]
    st.caption(f":material/analytics: Figures computed {when} UTC in {stored.seconds:,.1f} s for data version "
               f"`{stored.key}`, the data as it is now. They are computed again after every load.")
