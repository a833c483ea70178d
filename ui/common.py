"""What every page shares: the cached database connection, the unreachable-Neo4j banner, caching."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.config import settings_from_env
from graph.db import Database, Unavailable, connect
from graph.errors import UserError

__all__ = ["data_version", "database", "neo4j_guard"]


@st.cache_resource(show_spinner=False)
def _cached_database() -> Database:
    # A failure raises and is not cached, so the next rerun tries again: the app recovers by
    # itself once Neo4j is back, without a restart.
    return connect(settings_from_env())


def database() -> Database:
    """The process-wide Database (one driver per process), connected on first use."""
    return _cached_database()


def data_version(db: Database) -> str:
    """The database's current data version: cached analyses are keyed on it."""
    return db.data_version()


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
