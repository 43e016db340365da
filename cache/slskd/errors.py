"""Errors of the slskd package; the API layer maps `SlskdUnavailableError` to `upstream_unavailable`."""

from __future__ import annotations


class SlskdError(Exception):
    """Anything that went wrong talking to slskd or tracking its transfers."""


class SlskdUnavailableError(SlskdError):
    """slskd cannot serve us right now: unreachable, refusing our key, or failing (5xx)."""


class SlskdAuthError(SlskdUnavailableError):
    """slskd answered 401/403: the API key is wrong or our address is outside its CIDR."""


class SlskdBusyError(SlskdUnavailableError):
    """slskd kept answering 429 (one enqueue/search at a time) after every retry."""


class SlskdNotFoundError(SlskdError):
    """The search, transfer or user (offline, for the batches endpoint) does not exist."""


class SlskdRequestError(SlskdError):
    """slskd rejected the request as invalid (400); a bug on our side or a bad file name."""


class SlskdProtocolError(SlskdError):
    """slskd answered with a body we cannot read."""
