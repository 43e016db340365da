"""A fake slskd (servers.md §2) on aiohttp, with version knobs, a scripted transfer state machine and faults.

Tests drive transfers through `FakeSlskd.set_state` / `progress` / `complete` / `fail`, or set
`auto_advance` so every listing moves each transfer one step along slskd's real path.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

API_KEY = "fake-slskd-api-key-0123456789"
BUSY = "Only one concurrent operation is permitted. Wait until the previous request completes"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# The path a transfer takes in 0.26 when nothing goes wrong.
STEPS = (
    "Queued, Locally",
    "Queued, Remotely",
    "Initializing",
    "InProgress",
    "Completed, Succeeded",
)


@dataclass
class Peer:
    """A Soulseek user sharing files: remote path → content."""

    username: str
    files: dict[str, bytes]
    has_free_upload_slot: bool = True
    queue_length: int = 0
    upload_speed: int = 1_000_000
    bit_rates: dict[str, int] = field(default_factory=dict)
    online: bool = True


@dataclass
class FakeTransfer:
    id: str
    username: str
    filename: str
    size: int
    state: str
    requested_at: datetime
    bytes_transferred: int = 0
    average_speed: float = 0.0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    exception: str | None = None
    removed: bool = False
    batch_id: str | None = None


@dataclass
class FakeSearch:
    id: str
    text: str
    started_at: datetime
    polls: int = 0
    complete: bool = False
    responses: list[dict[str, Any]] = field(default_factory=list)


def _ts(value: datetime, z: bool) -> str:
    text = value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"  # .NET's 7 digits
    return text + "Z" if z else text


def _timespan(seconds: float) -> str:
    whole = int(seconds)
    frac = round((seconds - whole) * 10**7)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{frac:07d}"


def _dirname(remote: str) -> str:
    return remote.rsplit("\\", 1)[0] if "\\" in remote else ""


class FakeSlskd:
    """State and knobs of the fake; `app()` builds the aiohttp application."""

    def __init__(
        self, *, version: tuple[int, int] = (0, 26), downloads_dir: Path | None = None
    ) -> None:
        self.version = version
        self.downloads_dir = downloads_dir
        self.api_key = API_KEY
        self.flat_shape = False  # files directly under the user instead of under directories
        self.search_polls_to_complete = 2
        self.auto_advance = False
        self.fail_status: int | None = None  # every request answers this (401, 500, ...)
        self.busy_next = 0  # the next N enqueue/search requests answer 429
        self.delay = 0.0  # slow answers
        self.listing_gate: asyncio.Event | None = None  # listings wait for this when set
        self.hidden: set[str] = set()  # transfer ids dropped from listings
        self.peers: dict[str, Peer] = {}
        self.transfers: dict[str, FakeTransfer] = {}
        self.searches: dict[str, FakeSearch] = {}
        self.events: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.usernames_seen: list[str] = []
        self._ticks = itertools.count(638_000_000_000_000_000)
        self._search_lock = asyncio.Semaphore(1)
        self._enqueue_lock = asyncio.Semaphore(2)

    @property
    def has_batches(self) -> bool:
        return self.version >= (0, 26)

    # -- test controls -----------------------------------------------------------------------

    def add_peer(self, peer: Peer) -> Peer:
        self.peers[peer.username] = peer
        return peer

    def by_name(self, filename: str) -> FakeTransfer:
        """The newest live transfer of `filename`."""
        found = [t for t in self.transfers.values() if t.filename == filename and not t.removed]
        return max(found, key=lambda t: t.requested_at)

    def set_state(self, tid: str, state: str) -> FakeTransfer:
        t = self.transfers[tid]
        t.state = state
        now = datetime.now(UTC)
        if state in ("Initializing", "InProgress") and t.started_at is None:
            t.started_at = now
        if state.startswith("Completed"):
            t.ended_at = now
            t.average_speed = t.average_speed if state.endswith("Succeeded") else 0.0
        return t

    def progress(self, tid: str, done: int, speed: float = 500_000.0) -> FakeTransfer:
        t = self.set_state(tid, "InProgress")
        t.bytes_transferred, t.average_speed = done, speed
        return t

    def complete(self, tid: str, content: bytes | None = None) -> FakeTransfer:
        """Finish a transfer and write its file where slskd would (content overrides the peer's bytes)."""
        t = self.transfers[tid]
        data = content if content is not None else self.peers[t.username].files[t.filename]
        t.bytes_transferred = t.size
        self.set_state(tid, "Completed, Succeeded")
        if self.downloads_dir is not None:
            local = self._write(t, data)
            self._event(t, local)
        return t

    def fail(self, tid: str, state: str = "Completed, Errored", exception: str = "boom") -> None:
        self.set_state(tid, state).exception = exception

    def change_id(self, tid: str) -> str:
        """Give a transfer a new id (as a re-enqueue after completion would)."""
        t = self.transfers.pop(tid)
        t.id = str(uuid.uuid4())
        self.transfers[t.id] = t
        return t.id

    def _write(self, t: FakeTransfer, data: bytes) -> Path:
        assert self.downloads_dir is not None
        parts = t.filename.split("\\")
        folder = parts[-2].replace("/", "_") if len(parts) > 1 else ""
        name = parts[-1].replace("/", "_")
        target = self.downloads_dir / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # slskd's default `rename` strategy
            target = target.with_name(f"{target.stem}_{next(self._ticks)}{target.suffix}")
        target.write_bytes(data)
        return target

    def _event(self, t: FakeTransfer, local: Path) -> None:
        data = {
            "localFilename": str(local),
            "remoteFilename": t.filename,
            "transfer": self._json(t),
        }
        self.events.insert(0, {
            "timestamp": _ts(datetime.now(UTC), z=False), "type": "DownloadFileComplete",
            "data": json.dumps(data), "id": str(uuid.uuid4()),
        })  # fmt: skip

    def _advance_all(self) -> None:
        for t in list(self.transfers.values()):
            if t.removed or t.state.startswith("Completed") or t.state not in (*STEPS, "Requested"):
                continue
            step = STEPS.index(t.state) + 1 if t.state in STEPS else 1
            if STEPS[step] == "InProgress":
                self.progress(t.id, t.size // 2)
            elif STEPS[step].startswith("Completed"):
                self.complete(t.id)
            else:
                self.set_state(t.id, STEPS[step])

    # -- JSON --------------------------------------------------------------------------------

    def _json(self, t: FakeTransfer) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": t.id, "username": t.username, "direction": "Download", "filename": t.filename,
            "size": t.size, "state": t.state, "requestedAt": _ts(t.requested_at, z=False),
            "enqueuedAt": _ts(t.requested_at, z=False), "bytesTransferred": t.bytes_transferred,
            "averageSpeed": t.average_speed, "removed": t.removed,
            "bytesRemaining": t.size - t.bytes_transferred,
            "percentComplete": 100.0 * t.bytes_transferred / t.size if t.size else 0.0,
        }  # fmt: skip
        if t.started_at:
            body["startedAt"] = _ts(t.started_at, z=True)
            body["elapsedTime"] = _timespan((datetime.now(UTC) - t.started_at).total_seconds())
        if t.ended_at:
            body["endedAt"] = _ts(t.ended_at, z=True)
        if t.exception:
            body["exception"] = t.exception
        if t.average_speed > 0:  # slskd leaves remainingTime out at speed 0
            body["remainingTime"] = _timespan((t.size - t.bytes_transferred) / t.average_speed)
        if self.version < (0, 26):
            body["startOffset"] = 0
        if (0, 24) <= self.version < (0, 26):
            body["stateDescription"] = t.state
        if self.version >= (0, 25):
            body["attempts"] = 1
            if t.batch_id:
                body["batchId"] = t.batch_id
        return body

    def _listing(self) -> list[dict[str, Any]]:
        users: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for t in self.transfers.values():
            if t.removed or t.id in self.hidden:
                continue
            users.setdefault(t.username, {}).setdefault(_dirname(t.filename), []).append(
                self._json(t)
            )
        if self.flat_shape:
            return [
                {"username": u, "files": [f for files in dirs.values() for f in files]}
                for u, dirs in users.items()
            ]
        return [
            {"username": u, "directories": [
                {"directory": d, "fileCount": len(files), "files": files} for d, files in dirs.items()
            ]}
            for u, dirs in users.items()
        ]  # fmt: skip

    # -- the application ---------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        r, base = app.router, "/api/v0"
        r.add_post(f"{base}/searches", self._search_start)
        r.add_get(f"{base}/searches/{{id}}", self._search_get)
        r.add_get(f"{base}/searches/{{id}}/responses", self._search_responses)
        r.add_get(f"{base}/transfers/downloads", self._list)
        if self.has_batches:  # literal routes win over {username}, as in ASP.NET
            r.add_post(f"{base}/transfers/downloads/batches", self._enqueue_batch)
        r.add_delete(f"{base}/transfers/downloads/all/completed", self._clear_completed)
        r.add_get(f"{base}/transfers/downloads/{{username}}", self._list_user)
        r.add_post(f"{base}/transfers/downloads/{{username}}", self._enqueue_legacy)
        r.add_get(f"{base}/transfers/downloads/{{username}}/{{id}}", self._get_one)
        r.add_delete(f"{base}/transfers/downloads/{{username}}/{{id}}", self._delete_one)
        if self.version >= (0, 22):
            r.add_get(f"{base}/events", self._events)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.headers.get("X-API-Key") != self.api_key:
            return web.Response(status=401)
        if self.fail_status is not None:
            return web.Response(status=self.fail_status, text="fake failure")
        if "username" in request.match_info:
            self.usernames_seen.append(request.match_info["username"])
        response: web.StreamResponse = await handler(request)
        return response

    async def _exclusive(
        self, lock: asyncio.Semaphore, request: web.Request, fn: Any
    ) -> web.Response:
        if self.busy_next > 0:
            self.busy_next -= 1
            return web.Response(status=429, text=BUSY)
        if lock.locked():
            return web.Response(status=429, text=BUSY)
        async with lock:
            result: web.Response = await fn(request)
            return result

    # searches

    async def _search_start(self, request: web.Request) -> web.Response:
        return await self._exclusive(self._search_lock, request, self._do_search)

    async def _do_search(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("searchText") or "").strip()
        if not text:
            return web.json_response({"errors": {"searchText": ["required"]}}, status=400)
        search = FakeSearch(str(body.get("id") or uuid.uuid4()), text, datetime.now(UTC))
        self.searches[search.id] = search
        return web.json_response(self._search_json(search))

    def _search_json(self, s: FakeSearch) -> dict[str, Any]:
        found = self._matches(s.text)
        live = len(found) if s.polls else 0
        body: dict[str, Any] = {
            "id": s.id, "searchText": s.text, "startedAt": _ts(s.started_at, z=True),
            "isComplete": s.complete, "state": "Completed, TimedOut" if s.complete else
            ("InProgress" if s.polls else "Requested"), "responseCount": live,
            "fileCount": sum(len(r["files"]) for r in found) if s.polls else 0,
            "lockedFileCount": 0, "responses": [], "token": 1234567,
        }  # fmt: skip
        if s.complete:
            body["endedAt"] = _ts(datetime.now(UTC), z=True)
        return body

    def _matches(self, text: str) -> list[dict[str, Any]]:
        words = text.casefold().split()
        out = []
        for peer in self.peers.values():
            files = [
                self._file_json(peer, name, data) for name, data in peer.files.items()
                if all(w in name.casefold() for w in words)
            ]  # fmt: skip
            if files and peer.online:
                out.append({
                    "username": peer.username, "files": files, "fileCount": len(files),
                    "hasFreeUploadSlot": peer.has_free_upload_slot, "lockedFileCount": 0,
                    "lockedFiles": [], "queueLength": peer.queue_length, "token": 1234567,
                    "uploadSpeed": peer.upload_speed,
                })  # fmt: skip
        return out

    @staticmethod
    def _file_json(peer: Peer, name: str, data: bytes) -> dict[str, Any]:
        ext = name.rsplit(".", 1)[-1].lower()
        body: dict[str, Any] = {"code": 1, "extension": ext, "filename": name, "size": len(data),
                                "length": 200, "isLocked": False}  # fmt: skip
        if name in peer.bit_rates:
            body["bitRate"] = peer.bit_rates[name]
        elif ext == "flac":
            body |= {"bitDepth": 16, "sampleRate": 44100}
        return body

    async def _search_get(self, request: web.Request) -> web.Response:
        search = self.searches.get(request.match_info["id"])
        if search is None:
            return web.Response(status=404)
        search.polls += 1
        if search.polls >= self.search_polls_to_complete and not search.complete:
            search.complete = True  # responses are stored only now, as in SearchService
            search.responses = self._matches(search.text)
        return web.json_response(self._search_json(search))

    async def _search_responses(self, request: web.Request) -> web.Response:
        search = self.searches.get(request.match_info["id"])
        if search is None:
            return web.Response(status=404)
        return web.json_response(search.responses)

    # transfers

    async def _list(self, request: web.Request) -> web.Response:
        if self.listing_gate is not None:
            await self.listing_gate.wait()
        if self.auto_advance:
            self._advance_all()
        return web.json_response(self._listing())

    async def _list_user(self, request: web.Request) -> web.Response:
        user = request.match_info["username"]
        entry = [u for u in self._listing() if u["username"] == user]
        return web.json_response(entry[0]) if entry else web.Response(status=404)

    async def _get_one(self, request: web.Request) -> web.Response:
        tid = request.match_info["id"]
        if not _GUID.match(tid):
            return web.Response(status=400, text="id is not a guid")
        t = self.transfers.get(tid)  # by id only; the username segment is ignored
        return web.json_response(self._json(t)) if t else web.Response(status=404)

    async def _delete_one(self, request: web.Request) -> web.Response:
        tid = request.match_info["id"]
        if not _GUID.match(tid):
            return web.Response(status=400, text="id is not a guid")
        t = self.transfers.get(tid)
        if t is not None:
            if t.state.startswith("Completed"):
                t.removed = t.removed or request.query.get("remove") == "true"
            else:  # cancelling an in-flight one does not remove it
                self.set_state(tid, "Completed, Cancelled")
        return web.Response(status=204)

    async def _clear_completed(self, request: web.Request) -> web.Response:
        for t in self.transfers.values():
            if t.state.startswith("Completed"):
                t.removed = True
        return web.Response(status=204)

    def _create(
        self, username: str, files: list[dict[str, Any]], batch: str | None
    ) -> tuple[list[FakeTransfer], list[str]]:
        made, failed = [], []
        for f in files:
            name = str(f["filename"])
            old = [t for t in self.transfers.values() if t.username == username
                   and t.filename == name and not t.removed]  # fmt: skip
            if any(not t.state.startswith("Completed") for t in old):
                failed.append(name)  # "Skipped: Already in progress"
                continue
            for t in old:
                t.removed = True
            start = "Queued, Locally" if self.version >= (0, 26) else "Requested"
            t = FakeTransfer(str(uuid.uuid4()), username, name, int(f.get("size") or 0), start,
                             datetime.now(UTC), batch_id=batch)  # fmt: skip
            self.transfers[t.id] = t
            made.append(t)
        return made, failed

    async def _enqueue_legacy(self, request: web.Request) -> web.Response:
        return await self._exclusive(self._enqueue_lock, request, self._do_legacy)

    async def _do_legacy(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, list):  # e.g. a batches body sent to a pre-0.26 slskd
            return web.json_response(
                {"title": "One or more validation errors occurred."}, status=400
            )
        if not body:
            return web.Response(status=400, text="At least one file is required")
        peer = self.peers.get(request.match_info["username"])
        if peer is None or not peer.online:
            return web.Response(status=500, text="User is offline")
        made, failed = self._create(peer.username, body, None)
        if self.version < (0, 24):
            return web.Response(status=201)
        failures: list[Any] = [{} for _ in failed] if self.version >= (0, 26) else failed
        return web.json_response({"enqueued": [self._json(t) for t in made], "failed": failures},
                                 status=201)  # fmt: skip

    async def _enqueue_batch(self, request: web.Request) -> web.Response:
        return await self._exclusive(self._enqueue_lock, request, self._do_batch)

    async def _do_batch(self, request: web.Request) -> web.Response:
        body = await request.json()
        files = body.get("files") if isinstance(body, dict) else None
        if not files:
            return web.json_response({"title": "files required"}, status=400)
        peer = self.peers.get(str(body.get("username")))
        if peer is None or not peer.online:
            return web.Response(status=404, text="User is offline")
        batch_id = str(uuid.uuid4())
        made, failed = self._create(peer.username, files, batch_id)
        batch = {"id": batch_id, "username": peer.username, "direction": "Download",
                 "createdAt": _ts(datetime.now(UTC), z=False),
                 "transfers": [self._json(t) for t in made], "options": {}}  # fmt: skip
        status = 201 if not failed else (207 if made else 200)
        failures = [{"filename": n, "message": "Skipped: Already in progress"} for n in failed]
        return web.json_response({"batch": batch, "failures": failures}, status=status)

    async def _events(self, request: web.Request) -> web.Response:
        offset = int(request.query.get("offset", "0"))
        limit = int(request.query.get("limit", "100"))
        page = self.events[offset : offset + limit]
        return web.json_response(page, headers={"X-Total-Count": str(len(self.events))})
