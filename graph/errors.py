"""Errors a user can act on: the CLI turns them into a message and exit status 2."""

__all__ = ["UserError"]


class UserError(ValueError):
    """Bad input, a refused query or an impossible request, in plain words that name no interface.

    ``field`` names the parameter the error is about, as the library calls it (``"p"``, ``"top"``,
    ``"timeout"``); the CLI adds the flag's name for it, a page the widget's label, so that the
    library itself never speaks of ``--flags`` or buttons.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
