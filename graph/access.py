"""Who may do what: the roles of design.md and the action each one allows, checked by every caller.

A viewer sees the pages and runs named queries; an analyst also writes free read-only Cypher and
exports; an admin also writes, loads and wipes. Without sign-in (the local default, loopback
only) the one user is an admin. With sign-in, a user's role comes from a claim of their identity
token or from a roles file, else from a configured default; a user with none of these has no
access, since an identity provider such as Google signs in anyone with an account.
"""

from __future__ import annotations

import enum
import getpass
import ipaddress
import os
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import UserError

__all__ = ["PROXY_HEADERS", "REQUIRED", "Action", "Forbidden", "Role", "RolePolicy", "User", "is_local_browser",
           "is_loopback", "local_user", "require", "signed_in_user"]


class Role(enum.IntEnum):
    """A user's role; each includes everything the ones below it may do."""

    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @classmethod
    def named(cls, name: str, where: str) -> Role:
        """The role called `name` (any case); UserError saying `where` it was read for any other name."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise UserError(f"{where}: {name!r} is not a role: use viewer, analyst or admin") from None


class Action(enum.StrEnum):
    """What a user asks to do, as the checks and the audit name it."""

    VIEW = "view the pages"
    NAMED_QUERY = "run named queries"
    CYPHER = "run free Cypher"
    EXPORT = "export data"
    WRITE = "write to the database"
    LOAD = "load data"
    WIPE = "wipe the database"


REQUIRED: dict[Action, Role] = {
    Action.VIEW: Role.VIEWER, Action.NAMED_QUERY: Role.VIEWER,
    Action.CYPHER: Role.ANALYST, Action.EXPORT: Role.ANALYST,
    Action.WRITE: Role.ADMIN, Action.LOAD: Role.ADMIN, Action.WIPE: Role.ADMIN,
}
"""The least role that may do each action."""


@dataclass(frozen=True)
class User:
    """A user as the checks and the audit see them: who (a name or e-mail) and their role."""

    name: str
    role: Role

    def can(self, action: Action) -> bool:
        return self.role >= REQUIRED[action]


class Forbidden(UserError):
    """The user's role does not allow the action."""


def local_user() -> User:
    """The one user of a deployment without sign-in (the command line, or the app on loopback): an admin."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, e.g. in a bare container
        name = "local"
    return User(name=name, role=Role.ADMIN)


def require(user: User, action: Action) -> None:
    """Raise Forbidden unless `user` may do `action`.

    Examples
    --------
    >>> require(User("ann", Role.ANALYST), Action.CYPHER)
    >>> require(User("vic", Role.VIEWER), Action.CYPHER)
    Traceback (most recent call last):
    ...
    graph.access.Forbidden: vic is a viewer and may not run free Cypher: that needs the analyst role.
    """
    if not user.can(action):
        needed = REQUIRED[action].name.lower()
        raise Forbidden(f"{user.name} is {_article(user.role)} and may not {action}: that needs the {needed} role.")


def _article(role: Role) -> str:
    name = role.name.lower()
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


@dataclass(frozen=True)
class RolePolicy:
    """How a signed-in user's role is found: the highest of the roles named by the token's `claim`
    and by the roles `file` (e-mail -> role), else `default`, else no access."""

    claim: str = "groups"
    file: Path | None = None
    default: Role | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> RolePolicy:
        """The policy of $RELGRAPH_ROLES_CLAIM (default ``groups``), $RELGRAPH_ROLES_FILE and $RELGRAPH_DEFAULT_ROLE."""
        default = environ.get("RELGRAPH_DEFAULT_ROLE", "").strip()
        file = environ.get("RELGRAPH_ROLES_FILE", "").strip()
        return cls(claim=environ.get("RELGRAPH_ROLES_CLAIM", "").strip() or "groups",
                   file=Path(file) if file else None,
                   default=Role.named(default, "RELGRAPH_DEFAULT_ROLE") if default else None)

    def roles_file(self) -> dict[str, Role]:
        """The roles file read now (so edits apply at once): lower-case e-mail -> role.

        It is TOML, one line a user: ``"ann@example.com" = "admin"``. Raises UserError naming the
        file when it cannot be read or names an unknown role, so that a broken file grants nothing.
        """
        if self.file is None:
            return {}
        try:
            entries = tomllib.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"the roles file {self.file} cannot be read: {exc}") from None
        roles = {}
        for email, name in entries.items():
            where = f"the roles file {self.file}: {email}"
            if not isinstance(name, str):
                raise UserError(f'{where}: the role must be a string such as "viewer"')
            roles[email.strip().lower()] = Role.named(name, where)
        return roles


def signed_in_user(claims: Mapping[str, Any], policy: RolePolicy) -> User | None:
    """The user whose identity token holds `claims`, with the role `policy` gives them; None when it gives none.

    The claim may hold one role name or a list (a ``groups`` claim), compared without case; values
    that are no role name are ignored. The roles file is consulted by e-mail unless the provider
    says the e-mail is not verified, since an unverified address proves nothing.

    Examples
    --------
    >>> signed_in_user({"email": "ann@example.com", "groups": ["staff", "analyst"]}, RolePolicy())
    User(name='ann@example.com', role=<Role.ANALYST: 2>)
    >>> signed_in_user({"email": "bob@example.com", "groups": ["staff"]}, RolePolicy()) is None
    True
    """
    values = claims.get(policy.claim) or []
    values = [values] if isinstance(values, str) else values
    roles = [Role[v.upper()] for v in values if isinstance(v, str) and v.upper() in Role.__members__]
    email = str(claims.get("email") or "").strip().lower()
    if email and claims.get("email_verified") is not False and email in (by_email := policy.roles_file()):
        roles.append(by_email[email])
    role = max(roles, default=policy.default)
    if role is None:
        return None
    return User(name=email or str(claims.get("preferred_username") or claims.get("sub") or "unknown"), role=role)


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) names this machine's loopback interface only.

    An empty host or ``0.0.0.0`` means every interface, so it is not loopback; a name counts when
    every address it resolves to is loopback (``localhost``).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0"), is_loopback("")
    (True, True, False, False)
    """
    host = host.strip().strip("[]")
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
"""Headers a reverse proxy adds: the browser behind it is elsewhere, though the connection is local."""


def is_local_browser(address: str | None, headers: Mapping[str, str], published_on: str = "") -> bool:
    """Whether a browser session comes from this machine, so that the app may serve it without sign-in.

    `address` is the client's address (None when it connected to localhost); `headers` its request
    headers; `published_on` the host address a container's port is published on (docker-compose
    sets $RELGRAPH_PUBLISHED_ON), which then decides. A request that came through a reverse proxy
    is not local, even from a proxy on this machine: it stands for a browser somewhere else.

    Examples
    --------
    >>> is_local_browser(None, {}), is_local_browser("10.1.2.3", {}), is_local_browser("127.0.0.1", {})
    (True, False, True)
    >>> is_local_browser("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"})
    False
    >>> is_local_browser(None, {}, published_on="0.0.0.0")
    False
    """
    if published_on.strip():
        return is_loopback(published_on)
    if any(header.lower() in {h.lower() for h in PROXY_HEADERS} for header in headers):
        return False
    return address is None or is_loopback(address)
