"""Errors of the slskd package. Each is a `CacheError`, so the web layer's error middleware answers
with its `code` and `http_status`: every "slskd cannot serve us" case is `upstream_unavailable`."""

from __future__ import annotations

from typing import ClassVar

from cache.errors import CacheError


class SlskdError(CacheError):
    """Anything that went wrong talking to slskd or tracking its transfers."""

    code: ClassVar[str] = "upstream_unavailable"
    http_status: ClassVar[int] = 502


class SlskdUnavailableError(SlskdError):
    """slskd cannot serve us right now: unreachable, refusing our key, or failing (5xx)."""

    http_status: ClassVar[int] = 503


class SlskdNotConfiguredError(SlskdUnavailableError):
    """No slskd is configured (`[slskd] url` is empty)."""


class SlskdAuthError(SlskdUnavailableError):
    """slskd answered 401/403: the API key is wrong or our address is outside its CIDR."""

    http_status: ClassVar[int] = 502


class SlskdBusyError(SlskdUnavailableError):
    """slskd kept answering 429 (one enqueue/search at a time) after every retry."""


class SlskdNotFoundError(SlskdError):
    """The search, transfer or user (offline, for the batches endpoint) does not exist."""

    code: ClassVar[str] = "not_found"
    http_status: ClassVar[int] = 404


class SlskdRequestError(SlskdError):
    """slskd rejected the request as invalid (400); a bug on our side or a bad file name."""

    code: ClassVar[str] = "unprocessable"
    http_status: ClassVar[int] = 422


class SlskdProtocolError(SlskdError):
    """slskd answered with a body we cannot read."""
