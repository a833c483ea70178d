"""Who is using the app, checked on the server for every page and action.

With sign-in configured (an ``[auth]`` section in Streamlit's secrets.toml, as `st.login`
documents it) the user is whoever signed in, with the role graph.access.RolePolicy gives them;
a visitor who is not signed in, or has no role, sees a page saying so and nothing else. Without
sign-in the app has one user, the local admin, and serves only this machine: a browser on any
other host is refused, however the server was started.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import NoReturn

import streamlit as st

from graph.access import Action, Forbidden, RolePolicy, User, is_local_browser, local_user, require, signed_in_user
from graph.errors import UserError

__all__ = ["account_box", "current_user", "require_action", "signed_in", "signin_configured"]

_USER: ContextVar[User | None] = ContextVar("relgraph_user", default=None)


def signin_configured() -> bool:
    """Whether Streamlit's secrets hold an ``[auth]`` section: st.user then says whether someone is signed in."""
    return "is_logged_in" in st.user


@contextlib.contextmanager
def signed_in() -> Iterator[User]:
    """The user of this session, settled once for a script run (app.py wraps each run in it): inside,
    :func:`current_user` returns them without checking the session again. Anyone else gets the
    sign-in page, or a refusal, and the run stops here."""
    user = current_user()
    token = _USER.set(user)
    try:
        yield user
    finally:
        _USER.reset(token)


def current_user() -> User:
    """The user of this session; anyone else gets the sign-in page, or a refusal, and the run stops here.
    Within :func:`signed_in`, the user it settled."""
    settled = _USER.get()
    if settled is not None:
        return settled
    if signin_configured():
        if not st.user.is_logged_in:
            _sign_in_page()
        try:
            user = signed_in_user(st.user.to_dict(), RolePolicy.from_env())
        except UserError as exc:  # a broken roles file or default role grants nothing
            _refuse(f"Sign-in is misconfigured: {exc}. Tell whoever runs this app.", signed_in=True)
        if user is None:
            _refuse(f"You are signed in as {st.user.get('email') or st.user.get('sub')}, but you have no role in "
                    "relgraph. Ask an administrator for the viewer, analyst or admin role.", signed_in=True)
        return user
    if not _local_client():
        _refuse("This app has no sign-in configured, so it serves only the machine it runs on. To share it, "
                "configure sign-in (an [auth] section in .streamlit/secrets.toml; see the README).", signed_in=False)
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


def account_box(user: User) -> None:
    """Who is signed in, with which role, and a way out; nothing for the local user without sign-in."""
    if not signin_configured():
        return
    with st.sidebar:
        st.caption(f"Signed in as **{user.name}** ({user.role.name.lower()})")
        st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="auth-sign-out")


def _local_client() -> bool:
    """Whether this browser session comes from this machine (see graph.access.is_local_browser)."""
    address = st.context.ip_address  # None for a loopback client; no string at all in AppTest, which has no network
    return is_local_browser(address if isinstance(address, str) else None, st.context.headers,
                            os.environ.get("RELGRAPH_PUBLISHED_ON", ""))


def _providers() -> list[str | None]:
    """The providers to offer: the unnamed one of ``[auth]``, else each ``[auth.NAME]`` section."""
    section = st.secrets["auth"]
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if isinstance(value, Mapping)]


def _sign_in_page() -> NoReturn:
    st.title("relgraph")
    st.write("Sign in to explore the relationship graph.")
    for provider in _providers():
        label = "Sign in" if provider is None else f"Sign in with {provider}"
        st.button(label, type="primary", on_click=st.login, args=(provider,), icon=":material/login:",
                  key=f"auth-sign-in-{provider}")
    st.stop()


def _refuse(message: str, *, signed_in: bool) -> NoReturn:
    st.title("relgraph")
    st.error(message, icon=":material/lock:")
    if signed_in:
        st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="auth-sign-out")
    st.stop()
