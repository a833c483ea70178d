"""Errors a user can act on: the CLI turns them into a message and exit status 2."""

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input, a refused query or an impossible request: the message says what to do."""
