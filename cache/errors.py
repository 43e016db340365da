"""The errors `cache` raises to its callers.

Each class names the API error object it maps to (`code`, `http_status` of api.md), so the web layer
translates them without a lookup table of its own: `{"error": {"code": e.code, "message": str(e)}}`.
Messages are sentences a person understands; they never contain tokens or passwords.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


class CacheError(Exception):
    """Base of every error raised by the `cache` package."""

    code: ClassVar[str] = "internal"
    http_status: ClassVar[int] = 500


class SourceError(CacheError):
    """A media source (Jellyfin, slskd, ...) could not do what was asked."""

    code: ClassVar[str] = "upstream_unavailable"
    http_status: ClassVar[int] = 502


class SourceUnavailableError(SourceError):
    """The source cannot be reached or answered with a server error; trying later may work."""

    code: ClassVar[str] = "upstream_unavailable"
    http_status: ClassVar[int] = 503


class SourceAuthError(SourceError):
    """The source rejected our credentials even after logging in again."""

    code: ClassVar[str] = "upstream_unavailable"
    http_status: ClassVar[int] = 502


class SourceForbiddenError(SourceError):
    """The source user lacks a permission (for Jellyfin downloads: EnableContentDownloading)."""

    code: ClassVar[str] = "forbidden"
    http_status: ClassVar[int] = 403


class SourceNotFoundError(SourceError):
    """The source does not know the item."""

    code: ClassVar[str] = "not_found"
    http_status: ClassVar[int] = 404


class SourceBadRequestError(SourceError):
    """The source refused the request as malformed (an item that cannot be downloaded, ...)."""

    code: ClassVar[str] = "unprocessable"
    http_status: ClassVar[int] = 422


class NotFoundError(CacheError):
    """A cache object (a download, a track in the catalogue) does not exist."""

    code: ClassVar[str] = "not_found"
    http_status: ClassVar[int] = 404


class InvalidStateError(CacheError):
    """The command does not apply to the object in its current state (deleting an active download)."""

    code: ClassVar[str] = "conflict"
    http_status: ClassVar[int] = 409


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One mistake in a setting, with the key's path (`cache.storage_limit`, `gpio.buttons[0].pin`)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def under(self, prefix: str) -> ConfigProblem:
        """The same problem seen from an enclosing table."""
        return ConfigProblem(f"{prefix}.{self.path}" if self.path else prefix, self.message)


class ConfigError(CacheError):
    """Settings with mistakes, every one reported at once: the config file at start (then
    `source` names the file and the service exits non-zero) or a PATCH body (a 422)."""

    code: ClassVar[str] = "unprocessable"
    http_status: ClassVar[int] = 422

    def __init__(self, problems: Sequence[ConfigProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        if source is None:
            super().__init__("; ".join(str(p) for p in self.problems))
        else:
            lines = "\n".join(f"  {p}" for p in self.problems)
            super().__init__(f"{source}: {len(self.problems)} problem(s):\n{lines}")
