"""A faithful fake Jellyfin (12.0 defaults) built from shared/reference/servers.md, with fault knobs.

What it reproduces: the `Authorization: MediaBrowser ...` header rules (400 without Client/Device/
DeviceId/Version at login, 401 on bad credentials or tokens, a new login with the same DeviceId
revoking the old token, legacy `X-Emby-Token`/`api_key` ignored unless `legacy_auth`, `?ApiKey=`
accepted), PascalCase JSON with nulls left out and 32-hex ids, `/Items` queries, images, and
playlists (`/Items?IncludeItemTypes=Playlist`, `/Playlists/{id}/Items`, tests/fakes/jellyfin_playlists.py),
`/Items/{id}/Download` with ASP.NET's range handling (206 + Content-Range, 416 `bytes */len`,
multi-range answered 200 in full, If-Range compared with Last-Modified, no ETag, Content-Disposition),
403 without download permission.

Content is generated from (seed, offset), so a 1 GiB file costs ~2 MiB of memory.

Fault knobs (`fake.add_fault(Fault(...))`), each used by the next `times` download requests
(for one item only when `Fault.item_id` is set):
truncate after N bytes, ignore Range, ignore only If-Range, change the file after N bytes, an HTTP status (5xx, 429 with
Retry-After), stall after N bytes, connection reset after N bytes, wrong Content-Length.
Every download request is recorded (`fake.downloads`) with its Range/If-Range and the bytes sent
(`fake.bytes_served(item_id)` sums them). Other knobs: `fake.rate` throttles file bodies to so many
bytes per second (read per piece, so a test may change it mid-transfer), `fake.ignore_sort` answers
`/Items` in insertion order whatever `SortBy` says, and `add_track(..., payload=b"...")` serves given
bytes (a real audio file mpv can play) instead of generated ones.

Run standalone (the benchmark does, so the server has a process of its own):
    python -m tests.fakes.jellyfin --size BYTES   # prints one JSON line: url, item_id, token
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import socket
import struct
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote, unquote_plus

from aiohttp import web

from tests.fakes.jellyfin_playlists import (
    FakePlaylist,
    entries_response,
    new_playlist,
    playlist_dto,
)
from tests.fakes.jellyfin_sessions import KEEPALIVE_TIMEOUT, SessionHub

SERVER_ID = "97a9003303d7461395074680d9046935"
PERIOD = 1_048_583  # a prime just above 1 MiB: offset errors show up as wrong bytes
CHUNK = 512 * 1024
THROTTLED_CHUNK = 64 * 1024  # pieces of a throttled body: a killed client leaves little in flight
TICKS = 10_000_000
MIME = {"flac": "audio/flac", "mp3": "audio/mpeg", "aac": "audio/aac", "ogg": "audio/ogg"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
)


def new_id() -> str:
    return uuid.uuid4().hex


class _Patterns:
    """Deterministic bytes per seed: a random block of PERIOD bytes, stored twice for wrap-around."""

    def __init__(self) -> None:
        self._cache: dict[int, bytes] = {}

    def block(self, seed: int) -> bytes:
        if seed not in self._cache:
            one = random.Random(seed).randbytes(PERIOD)
            self._cache[seed] = one + one
        return self._cache[seed]


_PATTERNS = _Patterns()


def content(seed: int, offset: int, length: int) -> bytes:
    """`length` bytes of the file with `seed`, from `offset`."""
    block = _PATTERNS.block(seed)
    out = bytearray()
    while length > 0:
        start = offset % PERIOD
        take = min(length, PERIOD)
        out += block[start : start + take]
        offset, length = offset + take, length - take
    return bytes(out)


def chunks(seed: int, start: int, end: int, size: int = CHUNK) -> Iterator[memoryview]:
    """The bytes [start, end) as views into the pattern (no copying)."""
    view = memoryview(_PATTERNS.block(seed))
    while start < end:
        pos = start % PERIOD
        take = min(size, end - start, PERIOD)
        yield view[pos : pos + take]
        start += take


@dataclass
class FakeUser:
    name: str
    password: str
    id: str = field(default_factory=new_id)
    can_download: bool = True


@dataclass
class FakeAlbum:
    id: str
    name: str
    artists: tuple[str, ...]
    year: int | None
    saved: datetime = field(default_factory=lambda: datetime.now(UTC))  # DateLastSaved


@dataclass
class FakeTrack:
    id: str
    name: str
    album_id: str
    index: int | None
    disc: int | None
    size: int
    container: str = "flac"
    artists: tuple[str, ...] = ("Fake Artist",)
    seed: int = 1
    mtime: int = 1_700_000_000  # whole seconds, like ASP.NET's Last-Modified
    runtime_seconds: float = 180.0
    payload: bytes | None = None  # the file's bytes when given, instead of generated ones
    saved: datetime = field(default_factory=lambda: datetime.now(UTC))  # DateLastSaved

    def data(self, offset: int = 0, length: int | None = None) -> bytes:
        """The file's bytes (for assertions)."""
        length = self.size - offset if length is None else length
        if self.payload is not None:
            return self.payload[offset : offset + length]
        return content(self.seed, offset, length)

    @property
    def file_name(self) -> str:
        return f"{self.index or 0:02d} - {self.name}.{self.container}"


class FaultKind(StrEnum):
    TRUNCATE = "truncate"  # send `after` bytes, then close the connection cleanly
    IGNORE_RANGE = "ignore_range"  # answer 200 with the whole file whatever Range says
    CHANGE = "change"  # send `after` bytes, then the file changes (new bytes, Last-Modified)
    STATUS = "status"  # answer `status` (with Retry-After if set) instead of the file
    STALL = "stall"  # send `after` bytes, then send nothing more until the client gives up
    RESET = "reset"  # send `after` bytes, then reset the connection (RST)
    WRONG_LENGTH = "wrong_length"  # Content-Length off by `delta`, then close after the body
    IGNORE_IF_RANGE = "ignore_if_range"  # honour Range but not If-Range (a careless proxy)


@dataclass
class Fault:
    kind: FaultKind
    after: int = 0
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    delta: int = 0
    new_size: int | None = None  # CHANGE: the file's size after the change
    item_id: str | None = None  # only requests for this item take the fault; None: any item


@dataclass
class DownloadRecord:
    """One file request, recorded when it arrives and updated as bytes go out."""

    item_id: str
    range: str | None
    if_range: str | None
    fault: FaultKind | None
    status: int = 0
    bytes_sent: int = 0


class TransferCount:
    """How many file bodies are being sent at this moment, and the most there ever were at once
    (a test of `max_concurrent_downloads` reads `most`)."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    @contextlib.contextmanager
    def counted(self) -> Iterator[None]:
        """Count one transfer for the length of a `with` block."""
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            yield
        finally:
            self.now -= 1


class FakeJellyfin:
    """The server's state and its aiohttp app; `start()` serves it on 127.0.0.1."""

    def __init__(
        self, *, legacy_auth: bool = False, keepalive_timeout: float = KEEPALIVE_TIMEOUT
    ) -> None:
        self.legacy_auth = legacy_auth
        self.users: dict[str, FakeUser] = {}
        self.api_keys: set[str] = set()
        self.sessions: dict[str, tuple[str, str]] = {}  # token -> (user id, device id)
        self.albums: dict[str, FakeAlbum] = {}
        self.tracks: dict[str, FakeTrack] = {}
        self.playlists: dict[str, FakePlaylist] = {}
        self.faults: list[Fault] = []
        self.downloads: list[DownloadRecord] = []
        self.logins: list[dict[str, str]] = []
        self.reports: list[tuple[str, Any]] = []  # (path, JSON body) of playback reports
        self.played: list[tuple[str, str | None]] = []  # (item id, datePlayed)
        # The parsed `Authorization: MediaBrowser` fields of each report and played mark, in order.
        self.report_auth: list[dict[str, str]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.rate: float | None = None  # bytes per second for file bodies; None: unthrottled
        self.transfers = TransferCount()  # file bodies being sent now, and the most at once
        self.ignore_sort = False  # True: /Items in insertion order, like a server ignoring SortBy
        # (method, path, what) of every request carrying legacy auth (api_key, X-Emby-*)
        self.legacy_attempts: list[tuple[str, str, str]] = []
        self.hub = SessionHub(self._identify, self._expand, keepalive_timeout=keepalive_timeout)
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- knobs ----------------------------------------------------------------------------

    def add_user(self, name: str, password: str, *, can_download: bool = True) -> FakeUser:
        user = FakeUser(name, password, can_download=can_download)
        self.users[user.id] = user
        return user

    def add_album(
        self,
        name: str,
        sizes: list[int] | None = None,
        *,
        artists: tuple[str, ...] = ("Fake Artist",),
        year: int | None = 2020,
        discs: list[int] | None = None,
        container: str = "flac",
    ) -> tuple[FakeAlbum, list[FakeTrack]]:
        """An album with one track per size (track numbers 1.., disc 1 unless `discs` says)."""
        album = FakeAlbum(new_id(), name, artists, year)
        self.albums[album.id] = album
        tracks = []
        for number, size in enumerate(sizes or [], start=1):
            disc = discs[number - 1] if discs else 1
            tracks.append(
                self.add_track(
                    f"Song {number}",
                    album.id,
                    size,
                    index=number,
                    disc=disc,
                    container=container,
                    artists=artists,
                )
            )
        return album, tracks

    def add_track(
        self,
        name: str,
        album_id: str,
        size: int,
        *,
        index: int | None = None,
        disc: int | None = 1,
        container: str = "flac",
        artists: tuple[str, ...] = ("Fake Artist",),
        payload: bytes | None = None,
    ) -> FakeTrack:
        """A track of `size` generated bytes, or of `payload` (then `size` is its length)."""
        track = FakeTrack(
            new_id(),
            name,
            album_id,
            index,
            disc,
            len(payload) if payload is not None else size,
            container,
            artists,
            seed=random.Random(name + album_id).randrange(1 << 30),
            payload=payload,
        )
        self.tracks[track.id] = track
        return track

    def add_playlist(
        self, name: str, item_ids: list[str], *, media_type: str = "Audio"
    ) -> FakePlaylist:
        """A playlist of these tracks in this order (repeats allowed)."""
        playlist = new_playlist(name, item_ids, media_type)
        self.playlists[playlist.id] = playlist
        return playlist

    def change_file(self, item_id: str, new_size: int | None = None) -> FakeTrack:
        """The file on the server is replaced: new bytes, a later Last-Modified, maybe a new size."""
        track = self.tracks[item_id]
        track.seed += 1
        track.mtime += 60
        track.saved = datetime.now(UTC)
        if new_size is not None:
            track.size = new_size
        return track

    def add_fault(self, fault: Fault) -> None:
        self.faults.append(fault)

    def bytes_served(self, item_id: str) -> int:
        """Every body byte sent for `item_id` so far, over all its requests."""
        return sum(r.bytes_sent for r in self.downloads if r.item_id == item_id)

    def _take_fault(self, item_id: str | None = None) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.item_id in (None, item_id):
                fault.times -= 1
                return fault
        return None

    # --- serving ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.middlewares.append(self._record)
        r = app.router
        r.add_get("/System/Info/Public", self._info)
        r.add_post("/Users/AuthenticateByName", self._authenticate)
        r.add_get("/Items", self._items)
        r.add_get("/Playlists/{id}/Items", self._playlist_items)
        r.add_get("/Items/{id}/Images/{kind}", self._image)
        r.add_get("/Items/{id}/Download", self._download)
        r.add_get("/Audio/{id}/universal", self._stream)
        r.add_get("/Audio/{id}/stream", self._stream)
        r.add_post("/Sessions/Playing", self._report)
        r.add_post("/Sessions/Playing/Progress", self._report)
        r.add_post("/Sessions/Playing/Stopped", self._report)
        r.add_post("/UserPlayedItems/{id}", self._mark_played)
        self.hub.install(app)
        return app

    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 at `port` (0: a free one; pass the old port to restart the fake
        after close() where its clients expect it); returns the base URL."""
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        self._release.set()  # let stalled handlers finish
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        legacy = _legacy_auth_in(request)
        if legacy:
            self.legacy_attempts.append((request.method, request.path, legacy))
        response: web.StreamResponse = await handler(request)
        return response

    # --- authentication ------------------------------------------------------------------------

    def _auth_fields(self, request: web.Request) -> dict[str, str]:
        header = request.headers.get("Authorization", "")
        if not header and self.legacy_auth:
            header = request.headers.get("X-Emby-Authorization", "")
        scheme, _, rest = header.partition(" ")
        allowed = {"mediabrowser"} | ({"emby"} if self.legacy_auth else set())
        if scheme.lower() not in allowed:
            return {}
        pairs = re.findall(r'(\w+)=(?:"([^"]*)"|([^,]*))', rest)
        return {k: unquote_plus(q or b).strip() for k, q, b in pairs}

    def _token(self, request: web.Request) -> str:
        token = self._auth_fields(request).get("Token", "")
        query = {k.lower(): v for k, v in request.query.items()}
        if not token and self.legacy_auth:
            token = request.headers.get("X-Emby-Token", "") or request.headers.get(
                "X-MediaBrowser-Token", ""
            )
        if not token:
            token = query.get("apikey", "")
        if not token and self.legacy_auth:
            token = query.get("api_key", "")
        return token

    def _user(self, request: web.Request) -> FakeUser | None:
        """The caller's user; None for an API key. Raises 401 when unauthenticated."""
        token = self._token(request)
        if token in self.api_keys:
            return None
        session = self.sessions.get(token)
        if not token or session is None:
            raise web.HTTPUnauthorized()
        return self.users[session[0]]

    def _identify(self, request: web.Request) -> tuple[str, str, dict[str, str]]:
        """(user id, device id, auth fields) of the caller's session; 401 when unauthenticated."""
        token = self._token(request)
        fields = self._auth_fields(request)
        if token in self.api_keys:
            return "", f"apikey-{token[:8]}", fields
        session = self.sessions.get(token)
        if not token or session is None:
            raise web.HTTPUnauthorized()
        return session[0], session[1], fields

    def _expand(self, ids: list[str]) -> list[str]:
        """Album ids become their tracks in disc/track order (the server does it before a Play)."""
        out: list[str] = []
        for item in ids:
            if item in self.albums:
                tracks = [t for t in self.tracks.values() if t.album_id == item]
                tracks.sort(key=lambda t: (t.disc or 0, t.index or 0, t.name))
                out += [t.id for t in tracks]
            else:
                out.append(item)
        return out

    async def _info(self, request: web.Request) -> web.Response:
        return _json(
            {
                "LocalAddress": self.url,
                "ServerName": "fake",
                "Version": "12.0.0",
                "ProductName": "Jellyfin Server",
                "Id": SERVER_ID,
                "StartupWizardCompleted": True,
            }
        )

    async def _authenticate(self, request: web.Request) -> web.Response:
        fields = self._auth_fields(request)
        for key in ("Client", "Device", "DeviceId", "Version"):
            if not fields.get(key):
                return web.Response(status=400, text=f"Value cannot be null or empty. ({key})")
        body = {k.lower(): v for k, v in (await request.json()).items()}
        user = next((u for u in self.users.values() if u.name == body.get("username")), None)
        if user is None or user.password != body.get("pw"):
            return web.Response(status=401, text="Invalid username or password entered.")
        device = fields["DeviceId"]
        # A login from the same device revokes that device's earlier tokens.
        for token, (uid, dev) in list(self.sessions.items()):
            if uid == user.id and dev == device:
                del self.sessions[token]
        token = new_id()
        self.sessions[token] = (user.id, device)
        self.logins.append(fields)
        return _json(
            {
                "User": {
                    "Name": user.name,
                    "ServerId": SERVER_ID,
                    "Id": user.id,
                    "HasPassword": True,
                    "Policy": {
                        "IsAdministrator": False,
                        "EnableContentDownloading": user.can_download,
                    },
                },
                "SessionInfo": {
                    "Id": new_id(),
                    "UserId": user.id,
                    "UserName": user.name,
                    "Client": fields["Client"],
                    "DeviceName": fields["Device"],
                    "DeviceId": device,
                    "ApplicationVersion": fields["Version"],
                },
                "AccessToken": token,
                "ServerId": SERVER_ID,
            }
        )

    # --- items -------------------------------------------------------------------------------

    def _track_dto(self, track: FakeTrack, fields: set[str]) -> dict[str, Any]:
        album = self.albums.get(track.album_id)
        dto: dict[str, Any] = {
            "Name": track.name,
            "ServerId": SERVER_ID,
            "Id": track.id,
            "Type": "Audio",
            "MediaType": "Audio",
            "IsFolder": False,
            "Container": track.container,
            "RunTimeTicks": int(track.runtime_seconds * TICKS),
            "IndexNumber": track.index,
            "ParentIndexNumber": track.disc,
            "Artists": list(track.artists),
            "ArtistItems": [{"Name": a, "Id": new_id()} for a in track.artists],
            "Album": album.name if album else None,
            "AlbumId": track.album_id,
            "AlbumArtist": track.artists[0] if track.artists else None,
            "ProductionYear": album.year if album else None,
            "LocationType": "FileSystem",
        }
        if "mediasources" in fields:
            dto["MediaSources"] = [
                {
                    "Protocol": "File",
                    "Id": track.id,
                    "Type": "Default",
                    "Path": f"/data/music/{track.file_name}",
                    "Container": track.container,
                    "Size": track.size,
                    "Name": track.name,
                    "IsRemote": False,
                    "RunTimeTicks": int(track.runtime_seconds * TICKS),
                    "SupportsDirectPlay": True,
                    "SupportsDirectStream": True,
                    "SupportsTranscoding": True,
                }
            ]
        if "sortname" in fields:
            dto["SortName"] = track.name.lower()
        return {k: v for k, v in dto.items() if v is not None}

    def _album_dto(
        self, album: FakeAlbum, fields: set[str], tracks: list[FakeTrack]
    ) -> dict[str, Any]:
        dto: dict[str, Any] = {
            "Name": album.name,
            "ServerId": SERVER_ID,
            "Id": album.id,
            "Type": "MusicAlbum",
            "IsFolder": True,
            "ProductionYear": album.year,
            "Artists": list(album.artists),
            "AlbumArtists": [{"Name": a, "Id": new_id()} for a in album.artists],
            "RunTimeTicks": sum(int(t.runtime_seconds * TICKS) for t in tracks),
        }
        if "childcount" in fields:
            dto["ChildCount"] = len(tracks)
        return {k: v for k, v in dto.items() if v is not None}

    async def _items(self, request: web.Request) -> web.Response:
        self._user(request)
        q = {k.lower(): v for k, v in request.query.items()}
        fields = {f.strip().lower() for f in q.get("fields", "").split(",") if f.strip()}
        kinds = {k.strip() for k in q.get("includeitemtypes", "Audio,MusicAlbum").split(",")}
        groups: list[tuple[str, list[Any]]] = []
        if "MusicAlbum" in kinds:
            groups.append(("album", list(self.albums.values())))
        if "Audio" in kinds:
            groups.append(("track", list(self.tracks.values())))
        if "Playlist" in kinds:
            groups.append(("playlist", list(self.playlists.values())))
        matches = _ItemFilter.of(q)
        start = int(q.get("startindex", "0"))
        limit = int(q["limit"]) if "limit" in q else None
        if self.ignore_sort and matches.takes_all:
            # a bench's 50,000 tracks: the page is cut from the lists without a pass over them
            total, page = sum(len(objs) for _, objs in groups), _cut(groups, start, limit)
        else:
            found = [(kind, o) for kind, objs in groups for o in objs if matches((kind, o))]
            if not self.ignore_sort:
                found.sort(key=_sort_key(q.get("sortby", "SortName")))
            total, page = len(found), found[start : None if limit is None else start + limit]
        by_album = self._tracks_by_album() if any(k == "album" for k, _ in page) else {}
        items = [self._dto(kind, o, fields, by_album) for kind, o in page]
        return _json({"Items": items, "TotalRecordCount": total, "StartIndex": start})

    def _tracks_by_album(self) -> dict[str, list[FakeTrack]]:
        """Every album's tracks, gathered in one pass (a bench's page of albums out of 50,000
        tracks would otherwise read all of them once per album)."""
        out: dict[str, list[FakeTrack]] = {}
        for track in self.tracks.values():
            out.setdefault(track.album_id, []).append(track)
        return out

    def _dto(
        self, kind: str, obj: Any, fields: set[str], by_album: dict[str, list[FakeTrack]]
    ) -> dict[str, Any]:
        if kind == "album":
            return self._album_dto(obj, fields, by_album.get(obj.id, []))
        if kind == "playlist":
            return playlist_dto(obj, self._runtime)
        return self._track_dto(obj, fields)

    def _runtime(self, item_id: str) -> float:
        track = self.tracks.get(item_id)
        return track.runtime_seconds if track else 0.0

    async def _playlist_items(self, request: web.Request) -> web.Response:
        self._user(request)
        q = {k.lower(): v for k, v in request.query.items()}
        fields = {f.strip().lower() for f in q.get("fields", "").split(",") if f.strip()}

        def dto(item_id: str) -> dict[str, Any] | None:
            track = self.tracks.get(item_id)
            return self._track_dto(track, fields) if track else None

        found = self.playlists.get(request.match_info["id"].replace("-", ""))
        return entries_response(request, found, dto)

    async def _image(self, request: web.Request) -> web.Response:
        item = request.match_info["id"]
        if item not in self.albums and item not in self.tracks:
            return web.Response(status=404)
        return web.Response(body=PNG, content_type="image/png")

    # --- files ----------------------------------------------------------------------------------

    async def _download(self, request: web.Request) -> web.StreamResponse:
        user = self._user(request)
        if user is not None and not user.can_download:
            return web.Response(status=403)
        track = self.tracks.get(request.match_info["id"])
        if track is None:
            return web.Response(status=404)
        return await self._serve_file(request, track, attachment=True)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self._user(request)
        track = self.tracks.get(request.match_info["id"])
        if track is None:
            return web.Response(status=404)
        return await self._serve_file(request, track, attachment=False)

    async def _serve_file(
        self, request: web.Request, track: FakeTrack, *, attachment: bool
    ) -> web.StreamResponse:
        fault = self._take_fault(track.id)
        record = DownloadRecord(
            track.id,
            request.headers.get("Range"),
            request.headers.get("If-Range"),
            fault.kind if fault else None,
        )
        self.downloads.append(record)
        return await self._respond(request, track, attachment, fault, record)

    async def _respond(
        self,
        request: web.Request,
        track: FakeTrack,
        attachment: bool,
        fault: Fault | None,
        record: DownloadRecord,
    ) -> web.StreamResponse:
        if fault is not None and fault.kind == FaultKind.STATUS:
            record.status = fault.status
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return web.Response(status=fault.status, headers=headers)
        size, seed = track.size, track.seed
        last_modified = datetime.fromtimestamp(track.mtime, UTC)
        ignore = fault is not None and fault.kind == FaultKind.IGNORE_RANGE
        if_range = fault is None or fault.kind != FaultKind.IGNORE_IF_RANGE
        byte_range = None if ignore else _requested_range(request, size, last_modified, if_range)
        headers = {
            "Accept-Ranges": "bytes",
            "Last-Modified": format_datetime(last_modified, True),
            "Content-Type": MIME.get(track.container, "application/octet-stream"),
        }
        if attachment:
            headers["Content-Disposition"] = _content_disposition(track.file_name)
        if byte_range == "unsatisfiable":
            record.status = 416
            headers["Content-Range"] = f"bytes */{size}"
            return web.Response(status=416, headers=headers)
        start, end = byte_range if isinstance(byte_range, tuple) else (0, size)
        resp = web.StreamResponse(status=206 if isinstance(byte_range, tuple) else 200)
        resp.headers.update(headers)
        if isinstance(byte_range, tuple):
            resp.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        length = end - start
        if fault is not None and fault.kind == FaultKind.WRONG_LENGTH:
            length += fault.delta
        resp.content_length = length
        record.status = resp.status
        await resp.prepare(request)
        await self._send_body(request, resp, track, seed, start, end, fault, record)
        return resp

    async def _send_body(
        self,
        request: web.Request,
        resp: web.StreamResponse,
        track: FakeTrack,
        seed: int,
        start: int,
        end: int,
        fault: Fault | None,
        record: DownloadRecord,
    ) -> None:
        cut = end
        if fault is not None and fault.kind in _CUTTING:
            cut = min(end, start + fault.after)
        with self.transfers.counted():
            for chunk in self._body(track, seed, start, cut):
                # Paced before the write, so the count ends with the last byte: a client that has
                # it all may start its next transfer at once without looking like an overlap.
                if self.rate:
                    await asyncio.sleep(len(chunk) / self.rate)
                await resp.write(chunk)
                record.bytes_sent += len(chunk)
        if fault is None or fault.kind in (FaultKind.IGNORE_RANGE, FaultKind.IGNORE_IF_RANGE):
            await resp.write_eof()
            return
        if fault.kind == FaultKind.CHANGE:
            self.change_file(track.id, fault.new_size)
        elif fault.kind == FaultKind.STALL:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), timeout=60)
        _drop_connection(request, reset=fault.kind == FaultKind.RESET)

    def _body(self, track: FakeTrack, seed: int, start: int, end: int) -> Iterator[memoryview]:
        """The bytes [start, end) of the file, in small pieces while throttled."""
        size = THROTTLED_CHUNK if self.rate else CHUNK
        if track.payload is None:
            yield from chunks(seed, start, end, size)
            return
        view = memoryview(track.payload)
        for pos in range(start, end, size):
            yield view[pos : min(pos + size, end)]

    # --- playback reports -------------------------------------------------------------------------

    async def _report(self, request: web.Request) -> web.Response:
        self._user(request)
        body = await request.json()
        self.reports.append((request.path, body))
        self.report_auth.append(self._auth_fields(request))
        self.hub.on_report(request, request.path, body)
        return web.Response(status=204)

    async def _mark_played(self, request: web.Request) -> web.Response:
        self._user(request)
        item = request.match_info["id"]
        if item not in self.tracks:
            return web.Response(status=404)
        self.played.append((item, request.query.get("datePlayed")))
        self.report_auth.append(self._auth_fields(request))
        return _json(
            {
                "PlaybackPositionTicks": 0,
                "PlayCount": 1,
                "IsFavorite": False,
                "Played": True,
                "Key": item,
                "ItemId": item,
            }
        )


_CUTTING = {
    FaultKind.TRUNCATE,
    FaultKind.CHANGE,
    FaultKind.STALL,
    FaultKind.RESET,
    FaultKind.WRONG_LENGTH,
}


def _legacy_auth_in(request: web.Request) -> str:
    """Which legacy way of authorising the request uses, if any ('' for none)."""
    for name in request.headers:
        if name.lower().startswith("x-emby-") or name.lower() == "x-mediabrowser-token":
            return name
    if any(k.lower() == "api_key" for k in request.query):
        return "api_key"
    if request.headers.get("Authorization", "").lower().startswith("emby "):
        return "Emby scheme"
    return ""


def _json(body: Any) -> web.Response:
    return web.Response(text=json.dumps(body), content_type="application/json")


@dataclass(frozen=True, slots=True)
class _ItemFilter:
    """The filters of one /Items query, read from it once (a page of 50,000 tracks is tested
    against them item by item)."""

    ids: frozenset[str]
    parent: str
    saved_since: datetime | None  # `MinDateLastSaved`: only items saved at or after it
    term: str

    @classmethod
    def of(cls, q: dict[str, str]) -> _ItemFilter:
        ids = frozenset(i.replace("-", "") for i in q.get("ids", "").split(",") if i)
        parent = q.get("parentid", "").replace("-", "")
        return cls(
            ids, parent, _iso_time(q.get("mindatelastsaved")), q.get("searchterm", "").lower()
        )

    @property
    def takes_all(self) -> bool:
        """Whether no filter is set: every item of the kinds asked for matches."""
        return not (self.ids or self.parent or self.saved_since or self.term)

    def __call__(self, found: tuple[str, Any]) -> bool:
        kind, obj = found
        if self.ids and obj.id not in self.ids:
            return False
        if self.parent and not (kind == "track" and obj.album_id == self.parent):
            return False
        if self.saved_since is not None and obj.saved < self.saved_since:
            return False
        return not self.term or self.term in obj.name.lower()


def _cut(
    groups: list[tuple[str, list[Any]]], start: int, limit: int | None
) -> list[tuple[str, Any]]:
    """Items `start` to `start + limit` of the groups one after the other, with their kinds."""
    page: list[tuple[str, Any]] = []
    for kind, objs in groups:
        if limit is not None and len(page) >= limit:
            break
        end = None if limit is None else start + limit - len(page)
        page += [(kind, o) for o in objs[start:end]]
        start = max(0, start - len(objs))
    return page


def _iso_time(text: str | None) -> datetime | None:
    """A Jellyfin date (ISO-8601 with 7 fraction digits), or None for none."""
    if not text:
        return None
    whole, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{whole}.{(fraction + '000000')[:6]}").replace(tzinfo=UTC)


def _sort_key(sort_by: str) -> Any:
    keys = [k.strip() for k in sort_by.split(",") if k.strip()]

    def key(found: tuple[str, Any]) -> tuple[Any, ...]:
        _kind, obj = found
        values: list[Any] = []
        for name in keys:
            if name == "ParentIndexNumber":
                values.append(getattr(obj, "disc", None) or 0)
            elif name == "IndexNumber":
                values.append(getattr(obj, "index", None) or 0)
            else:
                values.append(obj.name.lower())
        return tuple(values)

    return key


def _requested_range(
    request: web.Request, size: int, last_modified: datetime, honour_if_range: bool = True
) -> tuple[int, int] | str | None:
    """ASP.NET's rules: one range or none; If-Range (a date) must not be older than the file."""
    header = request.headers.get("Range")
    if not header or size == 0:
        return None
    if_range = request.headers.get("If-Range") if honour_if_range else None
    if if_range is not None:
        try:
            if parsedate_to_datetime(if_range) < last_modified:
                return None
        except (TypeError, ValueError):
            return None  # an entity tag: we never send one, so it cannot match
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or match.group(1) == match.group(2) == "":
        return None  # multi-range or malformed: ignored, the whole file comes back
    first, last = match.group(1), match.group(2)
    if first == "":
        return (max(0, size - int(last)), size)
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return (start, end)


def _content_disposition(name: str) -> str:
    clean = name.replace('"', "")
    ascii_name = "".join(c if 32 <= ord(c) < 127 else "_" for c in clean)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"


def _drop_connection(request: web.Request, *, reset: bool) -> None:
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if reset and sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()


async def _serve_forever(size: int) -> None:
    fake = FakeJellyfin()
    fake.add_user("bench", "bench")
    _album, (track,) = fake.add_album("Bench", [size])
    url = await fake.start()
    token = new_id()
    fake.api_keys.add(token)
    print(
        json.dumps({"url": url, "item_id": track.id, "token": token, "seed": track.seed}),
        flush=True,
    )
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await fake.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="serve one generated file from a fake Jellyfin")
    parser.add_argument("--size", type=int, required=True)
    asyncio.run(_serve_forever(parser.parse_args().size))


if __name__ == "__main__":
    main()
