"""A Jellyfin client: login and token reuse, browsing, search, images, stream and download requests.

Every request carries `Authorization: MediaBrowser ..., Token="..."` (never `X-Emby-Token` or `api_key`,
which Jellyfin 12 turns off). A 401 on a saved token leads to one fresh login and one retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp

from cache.downloads.source import DownloadRequest
from cache.errors import (
    SourceAuthError,
    SourceBadRequestError,
    SourceError,
    SourceForbiddenError,
    SourceNotFoundError,
    SourceUnavailableError,
)
from cache.jellyfin.auth import ClientIdentity, JellyfinState, SavedSession, auth_header
from cache.jellyfin.convert import album_from_dto, track_from_dto, transcode_query
from cache.jellyfin.playstate import PlaybackState
from cache.models import Album, AlbumId, ItemId, SourceKind, Track
from cache.plays import iso_utc
from cache.quality import Profile

log = logging.getLogger(__name__)

TRACK_ORDER = "ParentIndexNumber,IndexNumber,SortName"
STREAM_CONTAINERS = "flac,mp3,opus,ogg,m4a,aac,wav"


@dataclass(frozen=True, slots=True)
class JellyfinConfig:
    """The `[jellyfin]` section: a user name and password, or an API key."""

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)
    client_name: str = "tapedeck"
    device_name: str = "tapedeck"
    version: str = "0.1.0"
    timeout: float = 30.0


class JellyfinClient:
    """One Jellyfin server seen as a tapedeck media source (implements `MediaSource`)."""

    def __init__(
        self, config: JellyfinConfig, state: JellyfinState, session: aiohttp.ClientSession
    ) -> None:
        self._config = config
        self._base = config.url.rstrip("/")
        self._state = state
        self._http = session
        self._identity = ClientIdentity(
            config.client_name, config.device_name, state.device_id(), config.version
        )
        self._token = config.api_key or ""
        self._user_id = ""
        self._login_lock = asyncio.Lock()

    @property
    def kind(self) -> SourceKind:
        return SourceKind.JELLYFIN

    @property
    def user_id(self) -> str:
        """The logged-in user's id ('' with an API key or before the first login)."""
        return self._user_id

    @property
    def device_id(self) -> str:
        return self._identity.device_id

    # --- authentication -------------------------------------------------------------------

    async def ensure_auth(self) -> str:
        """A token: the API key, the saved token, or a fresh login."""
        if self._token:
            return self._token
        async with self._login_lock:
            if not self._token:
                saved = self._state.load_session(self._base, self._config.username)
                if saved is not None:
                    self._token, self._user_id = saved.token, saved.user_id
                else:
                    await self._login()
        return self._token

    async def refresh_auth(self, rejected: DownloadRequest) -> None:
        """Log in again after a 401, unless another request already did since `rejected` was made."""
        await self._relogin(_token_of(rejected.headers))

    async def renew_token(self, rejected: str) -> None:
        """Log in again because `rejected` was refused (the remote-control socket's 401)."""
        await self._relogin(rejected)

    async def _relogin(self, rejected_token: str) -> None:
        if self._config.api_key:
            raise SourceAuthError("Jellyfin rejected the configured API key")
        async with self._login_lock:
            # Logging in revokes the old token, so concurrent 401s must lead to one login, not many.
            if self._token and self._token != rejected_token:
                return
            self._state.forget_session()
            self._token = ""
            await self._login()

    async def _login(self) -> None:
        body = {"Username": self._config.username, "Pw": self._config.password}
        headers = {"Authorization": auth_header(self._identity)}
        status, data = await self._send("POST", "/Users/AuthenticateByName", None, body, headers)
        if status == 401:
            raise SourceAuthError("Jellyfin rejected the user name or password")
        _raise_for_status(status, data, "log in")
        self._token = str(data["AccessToken"])
        self._user_id = str(data.get("User", {}).get("Id", ""))
        self._state.save_session(
            SavedSession(self._base, self._config.username, self._user_id, self._token)
        )
        log.info("logged in to Jellyfin as %s", self._config.username)

    def auth_headers(self, token: str) -> dict[str, str]:
        """Headers for an authorised request with `token`."""
        return {"Authorization": auth_header(self._identity, token)}

    # --- requests ---------------------------------------------------------------------------

    async def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET an authorised JSON resource; one re-login on 401; errors become SourceError."""
        return await self.call("GET", path, params)

    async def call(
        self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        """Any authorised call; returns the decoded JSON body, or None for an empty one."""
        token = await self.ensure_auth()
        status, data = await self._send(method, path, params, body, self.auth_headers(token))
        if status == 401:
            await self._relogin(token)
            headers = self.auth_headers(self._token)
            status, data = await self._send(method, path, params, body, headers)
            if status == 401:
                raise SourceAuthError("Jellyfin rejected our session even after logging in again")
        _raise_for_status(status, data, f"{method} {path}")
        return data

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        body: Any,
        headers: dict[str, str],
    ) -> tuple[int, Any]:
        timeout = aiohttp.ClientTimeout(total=self._config.timeout)
        try:
            async with self._http.request(
                method,
                self._base + path,
                params=params,
                json=body,
                headers=headers,
                timeout=timeout,
            ) as resp:
                raw = await resp.read()
                ctype = resp.headers.get("Content-Type", "")
                if raw and "json" in ctype:
                    return resp.status, await resp.json(content_type=None)
                return resp.status, raw.decode("utf-8", "replace")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SourceUnavailableError(
                f"Jellyfin at {self._base} is unreachable ({err!r})"
            ) from err

    # --- browsing ----------------------------------------------------------------------------

    async def albums(
        self, search: str | None = None, start: int = 0, limit: int | None = None
    ) -> tuple[list[Album], int]:
        """A page of albums sorted by name, and the total count."""
        params = {"IncludeItemTypes": "MusicAlbum", "Recursive": "true", "SortBy": "SortName"}
        params |= {"Fields": "ChildCount,SortName", "StartIndex": str(start)}
        if search:
            params["SearchTerm"] = search
        if limit is not None:
            params["Limit"] = str(limit)
        data = await self.get_json("/Items", params)
        return [album_from_dto(i) for i in data["Items"]], int(data.get("TotalRecordCount", 0))

    async def album(self, album_id: AlbumId) -> Album:
        """One album (without its tracks)."""
        params = {"Ids": album_id, "Fields": "ChildCount,SortName"}
        items = (await self.get_json("/Items", params))["Items"]
        if not items:
            raise SourceNotFoundError(f"Jellyfin has no album {album_id}")
        return album_from_dto(items[0])

    async def album_tracks(self, album_id: AlbumId) -> list[Track]:
        """The album's tracks in disc/track order."""
        params = {"ParentId": album_id, "IncludeItemTypes": "Audio", "Recursive": "true"}
        params |= {"SortBy": TRACK_ORDER, "Fields": "MediaSources"}
        data = await self.get_json("/Items", params)
        # Sorted here too: the order is a promise to the caller, not only a request to the server.
        return sorted((track_from_dto(i) for i in data["Items"]), key=album_order)

    async def tracks(self, start: int = 0, limit: int = 500) -> tuple[list[Track], int]:
        """A page of every track in the library (for the catalogue sync)."""
        params = {"IncludeItemTypes": "Audio", "Recursive": "true", "SortBy": "SortName"}
        params |= {"Fields": "MediaSources", "StartIndex": str(start), "Limit": str(limit)}
        data = await self.get_json("/Items", params)
        return [track_from_dto(i) for i in data["Items"]], int(data.get("TotalRecordCount", 0))

    async def track(self, item_id: ItemId) -> Track:
        """One track with fresh size and container."""
        data = await self.get_json("/Items", {"Ids": item_id, "Fields": "MediaSources"})
        items = [i for i in data["Items"] if i.get("Type") == "Audio"]
        if not items:
            raise SourceNotFoundError(f"Jellyfin has no track {item_id}")
        return track_from_dto(items[0])

    async def search(self, term: str, limit: int = 50) -> tuple[list[Track], list[Album]]:
        """Tracks and albums whose names match `term`."""
        common = {"SearchTerm": term, "Recursive": "true", "Limit": str(limit)}
        tracks = await self.get_json(
            "/Items", common | {"IncludeItemTypes": "Audio", "Fields": "MediaSources"}
        )
        albums = await self.get_json("/Items", common | {"IncludeItemTypes": "MusicAlbum"})
        return [track_from_dto(i) for i in tracks["Items"]], [
            album_from_dto(i) for i in albums["Items"]
        ]

    async def image(self, item_id: str, max_width: int = 600) -> tuple[bytes, str]:
        """The primary image's bytes and content type."""
        path = f"/Items/{quote(item_id, safe='')}/Images/Primary"
        timeout = aiohttp.ClientTimeout(total=self._config.timeout)
        try:
            async with self._http.get(
                self._base + path, params={"maxWidth": str(max_width)}, timeout=timeout
            ) as resp:
                body = await resp.read()
                _raise_for_status(resp.status, "", f"GET {path}")
                return body, resp.headers.get("Content-Type", "application/octet-stream")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SourceUnavailableError(
                f"Jellyfin at {self._base} is unreachable ({err!r})"
            ) from err

    # --- media -------------------------------------------------------------------------------

    async def stream_url(self, item_id: ItemId) -> str:
        """A URL mpv can open without extra headers (the token rides as `ApiKey`, accepted by 12.0)."""
        token = await self.ensure_auth()
        query = {"DeviceId": self.device_id, "Container": STREAM_CONTAINERS, "ApiKey": token}
        if self._user_id:
            query["UserId"] = self._user_id
        return f"{self._base}/Audio/{quote(item_id, safe='')}/universal?{urlencode(query)}"

    async def download_request(self, item_id: ItemId) -> DownloadRequest:
        """`GET /Items/{id}/Download` with the token in the Authorization header, not the URL."""
        token = await self.ensure_auth()
        url = f"{self._base}/Items/{quote(item_id, safe='')}/Download"
        return DownloadRequest(url, self.auth_headers(token))

    async def transcode_request(self, item_id: ItemId, profile: Profile) -> DownloadRequest:
        """`GET /Audio/{id}/universal` with no direct-play container, so it always transcodes
        (progressive http, the profile's codec and bitrate); the token in the header."""
        token = await self.ensure_auth()
        query = transcode_query(profile, self.device_id, self._user_id)
        url = f"{self._base}/Audio/{quote(item_id, safe='')}/universal?{urlencode(query)}"
        return DownloadRequest(url, self.auth_headers(token))

    # --- playback reporting -----------------------------------------------------------------

    async def report_playing(self, state: PlaybackState) -> None:
        """`POST /Sessions/Playing`: a play session started (the server counts the play now)."""
        await self.call("POST", "/Sessions/Playing", body=state.progress_body())

    async def report_progress(self, state: PlaybackState) -> None:
        """`POST /Sessions/Playing/Progress`: position and pause state of a live session."""
        await self.call("POST", "/Sessions/Playing/Progress", body=state.progress_body())

    async def report_stopped(self, state: PlaybackState, *, failed: bool = False) -> None:
        """`POST /Sessions/Playing/Stopped`: the session ended at `state.position`."""
        await self.call("POST", "/Sessions/Playing/Stopped", body=state.stop_body(failed=failed))

    async def mark_played(self, item_id: ItemId, date_played: datetime) -> None:
        """`POST /UserPlayedItems/{id}?datePlayed=...`: a play that happened at `date_played`."""
        params = {"datePlayed": iso_utc(date_played)}
        if self._user_id:
            params["userId"] = self._user_id
        await self.call("POST", f"/UserPlayedItems/{quote(item_id, safe='')}", params)


def album_order(track: Track) -> tuple[int, int, str, str]:
    """Disc, then track number, then title (the catalogue's order: no disc is disc 1, no number
    goes last)."""
    disc = track.disc_number if track.disc_number is not None else 1
    number = track.track_number if track.track_number is not None else 1_000_000
    return (disc, number, track.title.casefold(), track.id)


def _token_of(headers: Mapping[str, str]) -> str:
    value = headers.get("Authorization", "")
    marker = 'Token="'
    start = value.find(marker)
    return value[start + len(marker) :].split('"', 1)[0] if start >= 0 else ""


def _raise_for_status(status: int, data: Any, what: str) -> None:
    if status < 400:
        return
    detail = data if isinstance(data, str) and data else f"HTTP {status}"
    message = f"Jellyfin refused to {what}: {detail}"
    if status == 400:
        raise SourceBadRequestError(message)
    if status == 401:
        raise SourceAuthError(message)
    if status == 403:
        raise SourceForbiddenError(message)
    if status == 404:
        raise SourceNotFoundError(message)
    if status == 429 or status >= 500:
        raise SourceUnavailableError(message)
    raise SourceError(message)
