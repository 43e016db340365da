"""An async client for slskd's REST API (servers.md §2), on an aiohttp session the caller owns."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from cache.slskd import errors
from cache.slskd.mapping import flatten_downloads
from cache.slskd.wire import (
    EnqueueResult,
    FileCompleteEvent,
    FileRequest,
    Search,
    SearchId,
    SearchResponse,
    Transfer,
    TransferId,
)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
_DOWNLOADS = "transfers/downloads"


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Where slskd is and how patiently to talk to it."""

    url: str
    api_key: str
    request_timeout: float = 15.0
    busy_retries: int = (
        6  # 429s: slskd runs one search / two enqueues at a time, with no Retry-After
    )
    busy_delay: float = 0.25  # doubled after each 429
    enqueue_mode: str = "auto"  # "auto" | "batches" (0.26+) | "legacy"


class SlskdClient:
    """Typed calls to slskd. Every failure surfaces as a `cache.slskd.errors.SlskdError`."""

    def __init__(
        self, session: aiohttp.ClientSession, config: ClientConfig, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._session = session
        self._config = config
        self._sleep = sleep
        self._base = config.url.rstrip("/") + "/api/v0/"
        # None until the first enqueue tells us whether this slskd has the batches endpoint.
        self._batches: bool | None = {"batches": True, "legacy": False}.get(config.enqueue_mode)

    # -- plumbing ----------------------------------------------------------------------------

    def _url(self, *segments: str) -> URL:
        # Usernames may hold `/`, `%` or spaces; slskd decodes the raw segment once, so encode once.
        path = "/".join(quote(s, safe="") for s in segments)
        return URL(self._base + path, encoded=True)

    async def _request(
        self,
        method: str,
        segments: Sequence[str],
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any, int | None]:
        """Send one request, retrying 429s; answer (status, parsed body or None, X-Total-Count)."""
        delay = self._config.busy_delay
        for attempt in range(self._config.busy_retries + 1):
            status, data, total = await self._send(method, self._url(*segments), body, params)
            if status != 429:
                return status, data, total
            if attempt < self._config.busy_retries:
                await self._sleep(delay)
                delay *= 2
        raise errors.SlskdBusyError(f"slskd stayed busy (429) for {method} {'/'.join(segments)}")

    async def _send(
        self, method: str, url: URL, body: Any, params: dict[str, str] | None
    ) -> tuple[int, Any, int | None]:
        headers = {"X-API-Key": self._config.api_key, "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self._config.request_timeout)
        try:
            async with self._session.request(
                method, url, json=body, params=params, headers=headers, timeout=timeout
            ) as resp:
                text = await resp.text()
                total = resp.headers.get("X-Total-Count")
                status = resp.status
        except TimeoutError as err:
            raise errors.SlskdUnavailableError(
                f"slskd is unreachable: no answer within {self._config.request_timeout:g} s"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            raise errors.SlskdUnavailableError(f"slskd is unreachable: {err}") from err
        _raise_for(status, text)
        if status == 429:  # plain text; the caller retries
            return status, None, None
        return status, _parse_json(text, status), int(total) if total and total.isdigit() else None

    # -- searches ----------------------------------------------------------------------------

    async def start_search(self, text: str, *, timeout_ms: int = 15000) -> Search:
        """Start a search (200 with the Search). `searchTimeout` is milliseconds despite slskd's docs."""
        body = {"searchText": text, "searchTimeout": timeout_ms}
        _, data, _ = await self._request("POST", ["searches"], body=body)
        return Search.from_json(_obj(data))

    async def get_search(self, search_id: SearchId) -> Search:
        """A search's state; raises SlskdNotFoundError for an unknown id."""
        _, data, _ = await self._request("GET", ["searches", search_id])
        return Search.from_json(_obj(data))

    async def search_responses(self, search_id: SearchId) -> list[SearchResponse]:
        """The responses; slskd keeps this `[]` until the search is complete."""
        _, data, _ = await self._request("GET", ["searches", search_id, "responses"])
        return [SearchResponse.from_json(r) for r in _list(data)]

    async def wait_search(
        self, search_id: SearchId, *, interval: float = 0.5, max_polls: int = 120
    ) -> Search:
        """Poll until complete (bounded); the last state if it never completed."""
        search = await self.get_search(search_id)
        for _ in range(max_polls):
            if search.is_complete:
                break
            await self._sleep(interval)
            search = await self.get_search(search_id)
        return search

    # -- transfers ---------------------------------------------------------------------------

    async def list_downloads(self) -> list[Transfer]:
        """Every (not removed) download, flattened from either listing shape."""
        _, data, _ = await self._request("GET", _DOWNLOADS.split("/"))
        return flatten_downloads(data if data is not None else [])

    async def get_download(self, username: str, transfer_id: TransferId) -> Transfer | None:
        """One transfer by id (slskd ignores the username but routes need it); None if unknown."""
        try:
            _, data, _ = await self._request("GET", [*_DOWNLOADS.split("/"), username, transfer_id])
        except errors.SlskdNotFoundError:
            return None
        return Transfer.from_json(_obj(data), username)

    async def cancel(self, username: str, transfer_id: TransferId, *, remove: bool = False) -> None:
        """Cancel (and with `remove`, soft-delete a finished one). Unknown ids still give 204."""
        params = {"remove": "true" if remove else "false"}
        await self._request(
            "DELETE", [*_DOWNLOADS.split("/"), username, transfer_id], params=params
        )

    async def clear_completed(self) -> None:
        """Soft-remove every finished download, succeeded or failed (`DELETE …/all/completed`)."""
        await self._request("DELETE", [*_DOWNLOADS.split("/"), "all", "completed"])

    async def enqueue(self, username: str, files: Sequence[FileRequest]) -> EnqueueResult:
        """Enqueue files from one peer: the batches endpoint where it exists, the legacy one otherwise."""
        if not files:
            raise errors.SlskdRequestError("nothing to enqueue")
        if self._batches is not False:
            try:
                result = await self._enqueue_batch(username, files)
            except errors.SlskdRequestError:
                if self._batches:
                    raise
                # Before 0.26 `POST …/batches` reaches the legacy route as user "batches" and is a 400.
                log.info("slskd has no batches endpoint; using the legacy enqueue")
                self._batches = False
            else:
                self._batches = True
                return result
        return await self._enqueue_legacy(username, files)

    async def _enqueue_batch(self, username: str, files: Sequence[FileRequest]) -> EnqueueResult:
        body = {"username": username, "files": [f.to_json() for f in files]}
        _, data, _ = await self._request("POST", [*_DOWNLOADS.split("/"), "batches"], body=body)
        obj = _obj(data)
        batch = obj.get("batch")
        if not isinstance(batch, dict):
            raise errors.SlskdRequestError("the batches answer holds no batch")
        transfers = tuple(Transfer.from_json(t, username) for t in _list(batch.get("transfers")))
        failed = tuple(_failed_name(f) for f in _list(obj.get("failures") or []))
        return EnqueueResult(transfers, failed, confirmed=True)

    async def _enqueue_legacy(self, username: str, files: Sequence[FileRequest]) -> EnqueueResult:
        body = [f.to_json() for f in files]
        _, data, _ = await self._request("POST", [*_DOWNLOADS.split("/"), username], body=body)
        if data is None:  # ≤ 0.23: 201 and no body
            return EnqueueResult((), (), confirmed=False)
        obj = _obj(data)
        transfers = tuple(Transfer.from_json(t, username) for t in _list(obj.get("enqueued") or []))
        failed = tuple(_failed_name(f) for f in _list(obj.get("failed") or []))
        return EnqueueResult(transfers, failed, confirmed=True)

    # -- events ------------------------------------------------------------------------------

    async def file_complete_events(self, *, limit: int = 200) -> list[FileCompleteEvent]:
        """The newest `DownloadFileComplete` events (slskd ≥ 0.22), newest first."""
        params = {"offset": "0", "limit": str(limit)}
        _, data, _ = await self._request("GET", ["events"], params=params)
        found = (FileCompleteEvent.from_event(e) for e in _list(data) if isinstance(e, dict))
        return [e for e in found if e is not None]

    async def local_filename(self, transfer: Transfer, *, limit: int = 200) -> str | None:
        """Where slskd saved a completed transfer, from the events log (the only exact source)."""
        events = await self.file_complete_events(limit=limit)
        for event in events:
            if event.transfer_id == transfer.id:
                return event.local_filename
        for event in events:
            same_user = not event.username or event.username == transfer.username
            if same_user and event.remote_filename == transfer.filename:
                return event.local_filename
        return None


def _raise_for(status: int, text: str) -> None:
    if status < 400 or status == 429:  # 429 is retried by the caller
        return
    message = f"slskd answered {status}: {text[:200]}"
    if status in (401, 403):
        raise errors.SlskdAuthError(f"slskd refused our API key ({status}); check [slskd] api_key")
    if status == 404:
        raise errors.SlskdNotFoundError(message)
    if status in (400, 405, 409, 415, 422):
        raise errors.SlskdRequestError(message)
    raise errors.SlskdUnavailableError(f"slskd is failing: {message}")


def _parse_json(text: str, status: int) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as err:
        raise errors.SlskdProtocolError(f"slskd answered {status} with non-JSON") from err


def _obj(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise errors.SlskdProtocolError("expected a JSON object from slskd")
    return data


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise errors.SlskdProtocolError("expected a JSON array from slskd")
    return data


def _failed_name(entry: Any) -> str:
    # 0.24/0.25: a file name; 0.26 legacy: probably `{}`; batches: {filename, message}.
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return str(entry.get("filename") or entry.get("Filename") or "")
    return ""
