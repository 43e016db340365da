"""Pairing: a phone asks, a person at the device approves, the phone collects a bearer token once.

The request bookkeeping (`PairingRequests`) is pure: no I/O, time from an injected clock, so expiry is
tested without sleeping. `Pairing` joins it with the token file (`player.pairing.store`).

A request id is a capability: whoever polls an approved request first gets the token. Ids are
therefore 128 random bits, handed only to the client that opened the request and to the device's
own administrator (`tapedeck pair list`), and never written to the log in full.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NewType

from player.pairing.store import PairedDevice, TokenStore

log = logging.getLogger(__name__)

RequestId = NewType("RequestId", str)
MIN_PREFIX = 4  # `tapedeck pair approve 3fA9`: a unique prefix of at least this many characters


class PairingState(StrEnum):
    """What `GET /api/v1/pairing/{request_id}` reports."""

    WAITING = "waiting"
    APPROVED = "approved"
    EXPIRED = "expired"


class PairingError(Exception):
    """A pairing operation that cannot be done; `status` and `code` are the API's answer."""

    status = 409
    code = "conflict"


class TooManyRequestsError(PairingError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnknownRequestError(PairingError):
    status = 404
    code = "not_found"


class NothingToApproveError(PairingError):
    status = 404
    code = "not_found"


class AmbiguousApprovalError(PairingError):
    """Several requests wait and none was named: approving one at random could admit an intruder."""


class NotWaitingError(PairingError):
    """The named request was already approved, or expired."""


@dataclass(frozen=True, slots=True)
class PairingRequest:
    """One client's request to pair, as the device remembers it."""

    request_id: RequestId
    name: str
    opened: float  # clock seconds
    approved: float | None = None
    collected: bool = False
    client: str = ""  # the address it came from: each client has its own share of the room

    def state(self, now: float, ttl: float) -> PairingState:
        """Waiting for `ttl` seconds after opening; once approved, collectable for another `ttl`."""
        if self.approved is None:
            return PairingState.WAITING if now - self.opened < ttl else PairingState.EXPIRED
        if self.collected or now - self.approved < ttl:
            return PairingState.APPROVED
        return PairingState.EXPIRED

    def short_id(self) -> str:
        """Enough of the id to tell requests apart in a log line, far too little to poll with."""
        return self.request_id[:6]


def _new_request_id() -> str:
    # Hex, not URL-safe base64: people type its first six characters after `tapedeck pair approve`,
    # and a code starting with "-" would be taken for an option (it made a test flaky, 1 in 64).
    return secrets.token_hex(16)


class PairingRequests:
    """The open requests, each waiting at most `ttl` seconds.

    One client (an address) has at most `max_waiting` requests waiting; past that it gets 429.
    The room as a whole holds `max_total`: when it is full, the busiest client's oldest request
    makes way, so a client on the LAN cannot keep the owner's phone out by filling it.
    """

    def __init__(
        self,
        *,
        ttl: float = 60.0,
        max_waiting: int = 4,
        max_total: int = 16,
        keep: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        new_id: Callable[[], str] = _new_request_id,
    ) -> None:
        self.ttl = ttl
        self._max_waiting = max_waiting
        self._max_total = max(max_total, max_waiting)
        self._keep = keep  # how long an answered or expired request still answers its poll
        self._clock = clock
        self._new_id = new_id
        self._requests: dict[RequestId, PairingRequest] = {}

    def open(self, name: str, client: str = "") -> PairingRequest:
        """A new waiting request; TooManyRequestsError when this client's share is taken."""
        self._purge()
        waiting = self.waiting()
        mine = [r for r in waiting if r.client == client]
        if len(mine) >= self._max_waiting:
            retry = max(1.0, mine[0].opened + self.ttl - self._clock())
            raise TooManyRequestsError(
                f"{len(mine)} pairing requests are already waiting; try again in {retry:.0f} s",
                retry,
            )
        if len(waiting) >= self._max_total:
            self._make_room(waiting)
        request = PairingRequest(RequestId(self._new_id()), name, self._clock(), client=client)
        self._requests[request.request_id] = request
        return request

    def _make_room(self, waiting: list[PairingRequest]) -> None:
        counts: dict[str, int] = {}
        for request in waiting:
            counts[request.client] = counts.get(request.client, 0) + 1
        busiest = max(counts, key=lambda c: counts[c])
        oldest = next(r for r in waiting if r.client == busiest)  # `waiting` is oldest first
        log.warning(
            "pairing room full: dropped the oldest request from %s", busiest or "the device"
        )
        del self._requests[oldest.request_id]

    def now(self) -> float:
        return self._clock()

    def state(self, request_id: str) -> PairingState:
        return self._get(request_id).state(self._clock(), self.ttl)

    def waiting(self) -> list[PairingRequest]:
        """The requests a person could approve now, oldest first."""
        now = self._clock()
        found = [r for r in self._requests.values() if r.state(now, self.ttl) == "waiting"]
        return sorted(found, key=lambda r: r.opened)

    def approve(self, request_id: str | None = None) -> PairingRequest:
        """Approve the named request (id or unique prefix), or the only waiting one when unnamed."""
        request = self._only_waiting() if request_id is None else self._find(request_id)
        state = request.state(self._clock(), self.ttl)
        if state != PairingState.WAITING:
            raise NotWaitingError(f"the request from '{request.name}' is {state}, not waiting")
        approved = replace(request, approved=self._clock())
        self._requests[request.request_id] = approved
        return approved

    def collect(self, request_id: str) -> PairingRequest | None:
        """The approved request, marked collected, if its token was not handed out yet."""
        request = self._get(request_id)
        if request.collected or request.state(self._clock(), self.ttl) != "approved":
            return None
        self._requests[request.request_id] = replace(request, collected=True)
        return request

    def uncollect(self, request: PairingRequest) -> None:
        """Undo `collect` when the token could not be stored, so the client's next poll retries."""
        self._requests[request.request_id] = replace(request, collected=False)

    def _get(self, request_id: str) -> PairingRequest:
        self._purge()
        try:
            return self._requests[RequestId(request_id)]
        except KeyError:
            raise UnknownRequestError("no such pairing request (or it ended long ago)") from None

    def _find(self, id_or_prefix: str) -> PairingRequest:
        self._purge()
        if id_or_prefix in self._requests:
            return self._requests[RequestId(id_or_prefix)]
        matches = [r for r in self._requests.values() if r.request_id.startswith(id_or_prefix)]
        if len(id_or_prefix) < MIN_PREFIX or not matches:
            raise UnknownRequestError(f"no pairing request starts with '{id_or_prefix}'")
        if len(matches) > 1:
            raise AmbiguousApprovalError(
                f"several requests start with '{id_or_prefix}'; give more of it"
            )
        return matches[0]

    def _only_waiting(self) -> PairingRequest:
        waiting = self.waiting()
        if not waiting:
            raise NothingToApproveError("no pairing request is waiting")
        if len(waiting) > 1:
            names = ", ".join(f"'{r.name}'" for r in waiting)
            raise AmbiguousApprovalError(
                f"{len(waiting)} requests are waiting ({names}); name the one to approve"
            )
        return waiting[0]

    def _purge(self) -> None:
        now = self._clock()
        for request in list(self._requests.values()):
            if now - request.opened > self._keep:
                del self._requests[request.request_id]


class Pairing:
    """The device's pairing state: requests in memory, tokens on disk, and the local admin key."""

    def __init__(self, requests: PairingRequests, tokens: TokenStore, local_key: str) -> None:
        self.requests = requests
        self.tokens = tokens
        self.local_key = local_key

    def open_request(self, name: str, client: str = "") -> PairingRequest:
        request = self.requests.open(name, client)
        log.info("pairing requested by '%s' (%s…)", name, request.short_id())
        return request

    def approve(self, request_id: str | None = None) -> PairingRequest:
        request = self.requests.approve(request_id)
        log.info("pairing of '%s' (%s…) approved", request.name, request.short_id())
        return request

    def approve_pending(self) -> PairingRequest | None:
        """The play button's long press: approve the one waiting request, if exactly one waits."""
        try:
            return self.approve()
        except PairingError as err:
            log.warning("pairing button pressed, nothing approved: %s", err)
            return None

    async def collect_token(self, request_id: str) -> tuple[PairingState, str | None]:
        """The request's state, and its token the first time an approved request is polled."""
        request = self.requests.collect(request_id)  # on the loop: two polls cannot both win
        if request is None:
            return self.requests.state(request_id), None
        try:
            token = await asyncio.to_thread(self.tokens.add, request.name)
        except OSError:
            self.requests.uncollect(request)
            raise
        log.info("'%s' collected its token", request.name)
        return PairingState.APPROVED, token

    async def revoke(self, name: str) -> int:
        """Forget every token paired under `name`; how many there were."""
        count = await asyncio.to_thread(self.tokens.revoke, name)
        if count:
            log.info("revoked %d token(s) of '%s'", count, name)
        return count

    def verify(self, token: str) -> PairedDevice | None:
        return self.tokens.verify(token)

    def is_local_key(self, key: str) -> bool:
        return secrets.compare_digest(key.encode(), self.local_key.encode())
