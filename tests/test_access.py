"""Roles: who may do what, how a signed-in user's role is found, and the app's gate before any page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.access import (
    Action,
    Forbidden,
    Role,
    RolePolicy,
    User,
    is_local_browser,
    is_loopback,
    local_user,
    require,
    signed_in_user,
)
from graph.errors import UserError
from tests.conftest import REPO
from tests.test_app_overview import use_server
from ui import auth

ANN = {"sub": "1", "email": "Ann@Example.com", "email_verified": True}


@pytest.mark.parametrize(("role", "allowed"), [
    (Role.VIEWER, {Action.VIEW, Action.NAMED_QUERY}),
    (Role.ANALYST, {Action.VIEW, Action.NAMED_QUERY, Action.CYPHER, Action.EXPORT}),
    (Role.ADMIN, set(Action)),
])
def test_each_role_allows_its_actions_and_no_more(role: Role, allowed: set[Action]) -> None:
    user = User("u", role)
    for action in Action:
        assert user.can(action) == (action in allowed)
        if action not in allowed:
            with pytest.raises(Forbidden, match=f"may not {action}"):
                require(user, action)


def test_the_local_user_is_an_admin() -> None:
    assert local_user().role is Role.ADMIN


@pytest.mark.parametrize(("claim", "role"), [
    ("viewer", Role.VIEWER), ("Analyst", Role.ANALYST), (["staff", "viewer", "admin"], Role.ADMIN),
    (["staff"], None), ([], None), (None, None), ([1, {"x": 2}], None),
])
def test_role_from_a_claim(claim: object, role: Role | None) -> None:
    user = signed_in_user({**ANN, "groups": claim}, RolePolicy())
    assert (user and user.role) == role
    if user:
        assert user.name == "ann@example.com"


def test_the_claim_is_configurable() -> None:
    policy = RolePolicy.from_env({"RELGRAPH_ROLES_CLAIM": "roles"})
    assert signed_in_user({**ANN, "groups": ["admin"], "roles": ["viewer"]}, policy).role is Role.VIEWER


def test_role_from_the_roles_file(tmp_path: Path) -> None:
    file = tmp_path / "roles.toml"
    file.write_text('"ann@example.com" = "admin"\n"BOB@example.com" = "Viewer"\n')
    policy = RolePolicy.from_env({"RELGRAPH_ROLES_FILE": str(file)})
    assert signed_in_user(ANN, policy).role is Role.ADMIN
    assert signed_in_user({"email": "bob@example.com"}, policy).role is Role.VIEWER
    assert signed_in_user({"email": "eve@example.com"}, policy) is None
    # The higher of claim and file wins; an unverified e-mail takes nothing from the file.
    assert signed_in_user({**ANN, "groups": "viewer"}, policy).role is Role.ADMIN
    assert signed_in_user({**ANN, "email_verified": False, "groups": "viewer"}, policy).role is Role.VIEWER
    assert signed_in_user({**ANN, "email_verified": False}, policy) is None


def test_the_default_role(tmp_path: Path) -> None:
    policy = RolePolicy.from_env({"RELGRAPH_DEFAULT_ROLE": "viewer"})
    assert signed_in_user({"sub": "x"}, policy) == User("x", Role.VIEWER)
    assert signed_in_user({"sub": "x", "groups": ["analyst"]}, policy).role is Role.ANALYST


@pytest.mark.parametrize(("environ", "message"), [
    ({"RELGRAPH_DEFAULT_ROLE": "superuser"}, "RELGRAPH_DEFAULT_ROLE: 'superuser' is not a role"),
])
def test_a_bad_setting_is_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(UserError, match=message):
        RolePolicy.from_env(environ)


@pytest.mark.parametrize(("text", "message"), [
    (None, "cannot be read"),
    ("ann@example.com = admin\n", "cannot be read"),
    ('"ann@example.com" = "root"\n', "ann@example.com: 'root' is not a role"),
    ('"ann@example.com" = ["admin"]\n', "ann@example.com: the role must be a string"),
    (b"\xff\xfe", "cannot be read"),
])
def test_a_broken_roles_file_grants_nothing(tmp_path: Path, text: str | bytes | None, message: str) -> None:
    file = tmp_path / "roles.toml"
    if isinstance(text, bytes):
        file.write_bytes(text)
    elif text is not None:
        file.write_text(text)
    with pytest.raises(UserError, match=message):
        signed_in_user(ANN, RolePolicy(file=file))


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("", False), ("192.168.1.10", False), ("no-such-host.invalid", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def test_without_sign_in_a_remote_browser_sees_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Served through a port published beyond loopback with no sign-in, the app shows a refusal and no page."""
    monkeypatch.setenv("RELGRAPH_PUBLISHED_ON", "0.0.0.0")
    at = _app().run()
    assert [e.value for e in at.error] and "no sign-in configured" in at.error[0].value
    assert not at.exception
    assert [t.value for t in at.title] == ["relgraph"]  # the frame's title only: no page ran



def test_the_user_is_settled_once_per_run(db, neo4j_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """app.py checks who the user is once (ui.auth.signed_in); the page's own checks get that user."""
    use_server(monkeypatch, neo4j_settings)
    checks: list[int] = []
    check = auth._local_client
    monkeypatch.setattr(auth, "_local_client", lambda: checks.append(1) or check())
    at = _app().run().switch_page("ui/cypher.py")
    checks.clear()
    at.run()
    assert not at.exception and at.button and len(checks) == 1


def _signed_in(groups: list[str], page: str = "app.py") -> AppTest:
    """The app, or one page's module run directly, for a signed-in user in `groups`; what it is sent then
    goes to the server as a crafted message would, whatever the browser's widgets allow."""
    at = AppTest.from_file(str(REPO / page), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "u@example.test", "email_verified": True, "groups": groups}
    return at.run()


def _errors(at: AppTest) -> list[str]:
    """The error messages shown, without the backslashes that escape markdown in them."""
    return [e.value.replace("\\", "") for e in at.error]


def _run_console(at: AppTest, **state: object) -> AppTest:
    """Set the console's widgets through the session state, past their `disabled`, and press Run."""
    for key, value in state.items():
        at.session_state[key] = value
    next(b for b in at.button if b.label == "Run").click()
    return at.run()


@pytest.mark.parametrize("query", [{}, {"id": "P-JOHN-SMITH"}, {"disrupt": "C-ABC-STEEL"}, {"query": "top_customers"}])
def test_an_anonymous_visitor_gets_the_sign_in_page(query: dict[str, str]) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": False}
    at.secrets["auth"] = {"client_id": "relgraph"}
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert [t.value for t in at.title] == ["relgraph"]


def test_a_signed_in_user_without_a_role_sees_nothing() -> None:
    at = _signed_in(["staff"])
    assert "you have no role in relgraph" in _errors(at)[0]
    assert [b.label for b in at.button] == ["Sign out"]


def test_a_viewer_is_refused_free_cypher_sent_past_the_disabled_editor(db, neo4j_settings, monkeypatch) -> None:
    use_server(monkeypatch, neo4j_settings)  # the page reads the schema for the editor's completion
    at = _signed_in(["viewer"], "ui/cypher.py")
    assert at.toggle(key="cypher-writes").disabled  # the editor is read-only too: tests/browser/test_signin_browser.py
    _run_console(at, **{"cypher-text": "MATCH (n) RETURN n.name"})
    assert any("u@example.test is a viewer and may not run free Cypher" in e for e in _errors(at))


@pytest.mark.parametrize(("groups", "role"), [(["viewer"], "a viewer"), (["analyst"], "an analyst")])
def test_writes_sent_past_the_disabled_toggle_are_refused(db, neo4j_settings, monkeypatch, groups: list[str],
                                                          role: str) -> None:
    """Even where the deployment allows writes, and with Neo4j there to take them, only an admin writes."""
    use_server(monkeypatch, neo4j_settings)
    monkeypatch.setenv("RELGRAPH_ALLOW_WRITES", "1")
    at = _signed_in(groups, "ui/cypher.py")
    assert at.toggle(key="cypher-writes").disabled
    _run_console(at, **{"cypher-text": "CREATE (:Person {personId: 'X'})", "cypher-writes": True})
    assert any(f"u@example.test is {role} and may not write to the database" in e for e in _errors(at))
    assert not db.read("MATCH (p:Person {personId: 'X'}) RETURN p")


@pytest.mark.parametrize("groups", [["viewer"], ["analyst"]])
def test_the_data_page_opened_directly_needs_an_admin(groups: list[str]) -> None:
    at = _signed_in(groups, "ui/data.py")
    assert any("may not load data" in e for e in _errors(at))
    assert not at.button and not at.get("file_uploader")



@pytest.mark.parametrize("groups", [["viewer"], ["analyst"], ["admin"]])
def test_the_overview_of_a_graph_opens_for_every_role(db, neo4j_settings, monkeypatch, groups: list[str]) -> None:
    """The Overview links only to pages the user has: the Data page exists for admins alone."""
    use_server(monkeypatch, neo4j_settings)
    db.write("CREATE (:Person:Customer {personId: 'p1', name: 'Ann'})-[:PLACED]->(:Order {orderId: 'o1', total: 5.0})"
             "-[:SOLD_BY]->(:Company {companyId: 'c1', name: 'Shop'})")
    at = _signed_in(groups)
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["People"] == "1"


@pytest.mark.parametrize("address, headers, published, local", [
    (None, {}, "", True),
    ("127.0.0.1", {}, "", True),
    ("192.0.2.10", {}, "", False),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, "", False),  # a reverse proxy on this machine
    (None, {"forwarded": "for=203.0.113.7"}, "", False),
    (None, {"X-Real-IP": "127.0.0.1"}, "", False),
    (None, {}, "0.0.0.0", False),  # a container published beyond loopback
    (None, {}, "127.0.0.1", True),
])
def test_only_a_browser_on_this_machine_is_local(address, headers, published, local) -> None:
    assert is_local_browser(address, headers, published) is local


def test_the_access_module_examples() -> None:
    import doctest

    import graph.access

    assert doctest.testmod(graph.access).failed == 0
