"""A station's URL to the stream mpv plays: `.pls` and `.m3u` files are fetched (bounded in
size and time) and their first http(s) entry used; anything else is the stream itself.

tapedeck resolves them rather than mpv, so mpv's playlist stays the controller's [current,
next], and an entry that names a local file (file://, /etc/...) is never opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from player.config_sections import url_problem

PLAYLIST_SUFFIXES = (".pls", ".m3u")  # .m3u8 is HLS: mpv plays it as a stream
MAX_DEPTH = 3  # a playlist that names a playlist ... at most this deep


class StationUnreachable(Exception):  # noqa: N818 - the station's state, as the page says it
    """The station's playlist could not be read or named no stream; the message says why."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 64 * 1024
    timeout: float = 8.0  # seconds for the whole fetch


def is_playlist(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(PLAYLIST_SUFFIXES)


def entries(text: str, base: str) -> list[str]:
    """The http(s) URLs a .pls or .m3u lists, in order (relative ones against `base`)."""
    if text.lstrip().lower().startswith("[playlist]"):
        found = _pls_entries(text)
    else:
        found = [line.strip() for line in text.splitlines()]
        found = [line for line in found if line and not line.startswith("#")]
    absolute = (urljoin(base, entry) for entry in found)
    return [url for url in absolute if url_problem(url) is None]


def _pls_entries(text: str) -> list[str]:
    import configparser  # here: only a station given as a .pls needs it (a start never does)

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    section = next((s for s in parser.sections() if s.lower() == "playlist"), None)
    if section is None:
        return []
    files = [(k, v) for k, v in parser.items(section) if k.startswith("file")]
    files.sort(key=lambda kv: int(kv[0][4:]) if kv[0][4:].isdigit() else 1 << 30)
    return [value.strip() for _, value in files]


async def stream_url(url: str, limits: FetchLimits | None = None) -> str:
    """The stream to play for station `url` (StationUnreachable when there is none)."""
    limits = limits or FetchLimits()
    for _ in range(MAX_DEPTH):
        if not is_playlist(url):
            return url
        found = entries(await _fetch(url, limits), url)
        if not found:
            raise StationUnreachable("its playlist names no http(s) stream")
        url = found[0]
    raise StationUnreachable("its playlists name playlists too deep")


async def _fetch(url: str, limits: FetchLimits) -> str:
    timeout = aiohttp.ClientTimeout(total=limits.timeout)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, allow_redirects=True, max_redirects=3) as resp,
        ):
            if resp.status != 200:
                raise StationUnreachable(f"its playlist answered HTTP {resp.status}")
            body = await resp.content.read(limits.max_bytes + 1)
    except (TimeoutError, aiohttp.ClientError, ValueError) as err:
        raise StationUnreachable(
            f"its playlist could not be fetched ({type(err).__name__})"
        ) from err
    if len(body) > limits.max_bytes:
        raise StationUnreachable(f"its playlist is larger than {limits.max_bytes} bytes")
    return body.decode("utf-8", errors="replace")
