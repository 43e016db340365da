"""The errors `cache` raises to its callers.

Each class names the API error object it maps to (`code`, `http_status` of api.md), so the web layer
translates them without a lookup table of its own: `{"error": {"code": e.code, "message": str(e)}}`.
Messages are sentences a person understands; they never contain tokens or passwords.
"""

from __future__ import annotations

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
