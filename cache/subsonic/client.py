"""The Subsonic REST calls tapedeck makes, with the auth fallback and errors inside HTTP 200."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

import aiohttp

from cache.errors import SourceUnavailableError
from cache.quality import Profile
from cache.sources.base import DownloadRequest
from cache.subsonic.auth import (
    BASE_VERSION,
    CLIENT_NAME,
    TOKEN_REFUSED,
    AuthMethod,
    SubsonicConfig,
    credentials,
)
from cache.subsonic.errors import SubsonicCredentialsError, SubsonicError, envelope

log = logging.getLogger(__name__)
# What a Subsonic error document comes as (JSON with f=json; XML from servers that ignore f).
ERROR_TYPES = ("application/json", "text/xml", "application/xml")
Params = dict[str, str] | list[tuple[str, str]]


class SubsonicClient:
    """One server: learns its API version from `ping` and the auth method that works, once."""

    def __init__(self, config: SubsonicConfig, session: aiohttp.ClientSession) -> None:
        self.config = config
        self._http = session
        self._base = config.url.rstrip("/") + "/rest/"
        self.method = config.first_method
        self.version = ""  # the server's, from ping; "" until then
        self._ready = asyncio.Lock()

    async def ensure_ready(self) -> None:
        """Ping once (per success) to learn the version and settle the auth method."""
        async with self._ready:
            if self.version:
                return
            body = await self._ping()
            version = body.get("version")
            self.version = str(version) if version else BASE_VERSION
            log.info(
                "Subsonic server %s: API %s, %s auth", self.config.url, self.version, self.method
            )

    async def _ping(self) -> dict[str, Any]:
        try:
            return await self._get("ping", {}, BASE_VERSION)
        except (SubsonicError, SubsonicCredentialsError) as err:
            if self.method is not AuthMethod.TOKEN or err.subsonic_code not in TOKEN_REFUSED:
                raise
        log.info("Subsonic server %s refuses token auth: using the password", self.config.url)
        self.method = AuthMethod.PASSWORD
        return await self._get("ping", {}, BASE_VERSION)

    def _query(self, params: Params, version: str) -> list[tuple[str, str]]:
        common = {"v": version, "c": CLIENT_NAME, "f": "json"}
        common |= credentials(self.config, self.method)
        extra = list(params.items()) if isinstance(params, dict) else list(params)
        return list(common.items()) + extra

    async def call(self, method: str, params: Params | None = None) -> dict[str, Any]:
        """`/rest/<method>`: the envelope of a successful answer, else the error it holds."""
        await self.ensure_ready()
        return await self._get(method, params or {}, self.version)

    async def _get(self, method: str, params: Params, version: str) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        query = self._query(params, version)
        try:
            async with self._http.get(self._base + method, params=query, timeout=timeout) as resp:
                if resp.status >= 500:
                    raise SourceUnavailableError(f"Subsonic {method}: HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise SourceUnavailableError(
                f"the Subsonic server at {self.config.url} is unreachable ({type(err).__name__})"
            ) from err
        return envelope(data, method)

    async def media_url(self, method: str, params: dict[str, str]) -> str:
        """An authorised URL for a binary answer (stream, download, getCoverArt); the salt is new
        for each URL, and the URL is never logged."""
        await self.ensure_ready()
        return self._base + method + "?" + urlencode(self._query(params, self.version))

    async def download_request(self, server_id: str) -> DownloadRequest:
        """`download?id=`: the original file, never transcoded."""
        url = await self.media_url("download", {"id": server_id})
        return DownloadRequest(url, error_types=ERROR_TYPES)

    async def transcode_request(self, server_id: str, profile: Profile) -> DownloadRequest:
        """`stream?format=&maxBitRate=&estimateContentLength=true`: a transcoded copy (its
        Content-Length only an estimate; the download judges it by its decoded duration)."""
        params = {"id": server_id, "format": profile.codec.value, "maxBitRate": str(profile.kbps)}
        url = await self.media_url("stream", params | {"estimateContentLength": "true"})
        return DownloadRequest(url, error_types=ERROR_TYPES)

    async def stream_url(self, server_id: str) -> str:
        """`stream?id=&format=raw`: the original bytes, so mpv can seek with Range."""
        return await self.media_url("stream", {"id": server_id, "format": "raw"})

    async def cover(self, cover_id: str) -> tuple[bytes, str]:
        """`getCoverArt?id=`: the image bytes and type (an error document is an error)."""
        url = await self.media_url("getCoverArt", {"id": cover_id, "size": "600"})
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        try:
            async with self._http.get(url, timeout=timeout) as resp:
                body = await resp.read()
                ctype = resp.headers.get("Content-Type", "application/octet-stream")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SourceUnavailableError(f"Subsonic cover: {type(err).__name__}") from err
        if resp.status != 200 or not ctype.startswith("image/"):
            raise SourceUnavailableError(f"Subsonic has no cover {cover_id} (HTTP {resp.status})")
        return body, ctype

    async def scrobble(self, server_id: str, time_ms: int) -> None:
        """`scrobble?submission=true`: one play at its real time (ms since the epoch)."""
        params = {"id": server_id, "time": str(time_ms), "submission": "true"}
        await self.call("scrobble", params)

    def forget_server(self) -> None:
        """Ping again before the next call (after the server was unreachable: it may be another
        version now)."""
        self.version = ""
