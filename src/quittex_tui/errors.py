"""One exception root for everything the user must read.

Every failure a person can cause or fix (bad archive, wrong password, server down) is raised as a
`QuittexError` carrying a plain message and a hint of what to do. The CLI prints both and exits 2;
the TUI shows them in a modal. Nothing else should reach the user as a traceback.
Messages must never contain secrets (app passwords, tokens): build them from names, not values.
"""

from __future__ import annotations


class QuittexError(Exception):
    """A failure explained in words: `message` says what happened, `hint` what to do about it."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ArchiveError(QuittexError):
    """The X archive cannot be read (corrupt, truncated, hostile, not an archive, unsupported)."""


class InputError(QuittexError):
    """A command-line argument or user-supplied file is wrong."""


class AuthError(QuittexError):
    """Login failed, a token was revoked, a handle does not resolve."""


class ServiceError(QuittexError):
    """A server is down or keeps failing after retries."""


class StateError(QuittexError):
    """The saved migration state cannot be read or belongs to another archive."""
