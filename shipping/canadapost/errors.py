"""Exceptions raised by the Canada Post client."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One entry of Canada Post's `messages` error document."""

    code: str
    description: str

    def __str__(self) -> str:
        return f"{self.code} — {self.description}"


class CanadaPostException(Exception):
    """Base of every failure of a call to Canada Post."""


class CanadaPostError(CanadaPostException):
    """Canada Post rejected the request.

    `messages` contains Canada Post's own codes and descriptions, and str() is
    the sentence staff see.
    """

    def __init__(self, messages: list[Message], *, status_code: int | None = None):
        self.messages = messages
        self.status_code = status_code
        details = "; ".join(str(message) for message in messages)
        super().__init__(f"Canada Post rejected the request: {details}")


class CanadaPostUnavailable(CanadaPostException):
    """Canada Post timed out, refused the connection or kept failing (5xx).

    Raised only after the last attempt, so the caller can fall back (to the
    rate table for quotes) or try again later.
    """


class CanadaPostConfigurationError(CanadaPostException):
    """A CANADAPOST_* setting is missing or invalid."""
