"""Errors a user can act on: the CLI turns them into a message and exit status 2."""

__all__ = ["Unavailable", "UserError"]


class UserError(ValueError):
    """Bad input, a refused query or an impossible request, in plain words that name no interface.

    ``field`` names the parameter the error is about, as the library calls it (``"p"``, ``"top"``,
    ``"timeout"``); the CLI adds the flag's name for it, a page the widget's label, so that the
    library itself never speaks of ``--flags`` or buttons.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class Unavailable(Exception):
    """Neo4j cannot be reached; the message says what to do (start it, or point NEO4J_URI at it).

    It lives here, beside UserError, so that the CLI can catch it without importing the driver.
    """
