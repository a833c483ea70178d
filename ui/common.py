"""What every page shares: the banner that replaces a traceback when Neo4j cannot be used."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.errors import UserError
from graph.store.config import settings_from_env
from graph.store.db import Unavailable

__all__ = ["neo4j_guard"]


@contextmanager
def neo4j_guard() -> Iterator[None]:
    """Show a banner that says what to do instead of a traceback when Neo4j cannot be used."""
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
        st.error(str(exc), icon=":material/error:")
        st.stop()
