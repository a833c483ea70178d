"""Who may do what: the roles of design.md and the action each one allows, checked by every caller.

A viewer sees the pages and runs named queries; an analyst also writes free read-only Cypher and
exports; an admin also writes, loads and wipes. Without sign-in (the local default, loopback
only) the one user is an admin.
"""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass

from graph.errors import UserError

__all__ = ["REQUIRED", "Action", "Forbidden", "Role", "User", "local_user", "require"]


class Role(enum.IntEnum):
    """A user's role; each includes everything the ones below it may do."""

    VIEWER = 1
    ANALYST = 2
    ADMIN = 3


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
