"""Who is using the app, checked on the server for every page and action."""

from __future__ import annotations

import streamlit as st

from graph.access import Action, Forbidden, User, local_user, require

__all__ = ["current_user", "require_action"]


def current_user() -> User:
    """The user of this session: without sign-in configured, the one local user (an admin)."""
    return local_user()


def require_action(action: Action) -> User:
    """The current user, after checking on the server that they may do `action`; else a message and stop."""
    user = current_user()
    try:
        require(user, action)
    except Forbidden as exc:
        st.error(str(exc), icon=":material/lock:")
        st.stop()
    return user
