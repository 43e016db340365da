"""Subsonic error answers (always inside HTTP 200) as cache/ errors."""

from __future__ import annotations

from typing import Any, ClassVar

from cache.errors import (
    SourceAuthError,
    SourceBadRequestError,
    SourceError,
    SourceForbiddenError,
    SourceNotFoundError,
    SourceUnavailableError,
)


class SubsonicCredentialsError(SourceAuthError):
    """The server refused our user, password or API key (codes 40-44): a person must fix the
    config, so retrying soon is pointless and the API says `unauthorized`."""

    code: ClassVar[str] = "unauthorized"
    http_status: ClassVar[int] = 401

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.subsonic_code = code


class SubsonicError(SourceError):
    """A failed envelope, with the server's code kept for the auth fallback."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.subsonic_code = code


_CREDENTIALS = frozenset({40, 41, 42, 43, 44})


def error_from(body: Any, what: str) -> SourceError:
    """The error a failed `subsonic-response` stands for."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    code = code if isinstance(code, int) else 0
    message = f"the Subsonic server refused {what}: {error.get('message') or 'no reason'} ({code})"
    if code in _CREDENTIALS:
        return SubsonicCredentialsError(message, code)
    if code == 50:
        return SourceForbiddenError(message)
    if code == 70:
        return SourceNotFoundError(message)
    if code in (20, 30):
        return SourceBadRequestError(message)
    return SubsonicError(message, code)


def envelope(data: Any, what: str) -> dict[str, Any]:
    """The `subsonic-response` of a JSON body, or the error it carries."""
    body = data.get("subsonic-response") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise SourceUnavailableError(f"the Subsonic server gave no subsonic-response to {what}")
    if body.get("status") != "ok":
        raise error_from(body, what)
    return body
