"""One HTTP attempt at one download: resume a `.part` file with Range + If-Range, or start over.

Jellyfin serves `/Items/{id}/Download` through ASP.NET's file result: 206 with Content-Range for a
single range, 416 `bytes */len` when the range cannot be satisfied, a full 200 for multi-range or when
If-Range (a date, compared with Last-Modified; there is no ETag) no longer matches. Each outcome
below follows from that. The attempt raises a `TransferError` saying whether to retry; the retry
policy and the bookkeeping belong to the caller.
"""

from __future__ import annotations

import errno
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Protocol

import aiohttp

from cache.downloads.models import DownloadConfig
from cache.downloads.source import DownloadRequest
from cache.downloads.writer import PartWriter, WriterFactory

_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+|\*)$")
_UNSATISFIED_RANGE = re.compile(r"^bytes\s+\*/(\d+)$")
_READ_BUFFER = 256 * 1024  # aiohttp drops what is buffered when a connection breaks: keep it small


class TransferError(Exception):
    """An attempt ended without a complete file; `str(err)` is a sentence for error_message."""


class TransientError(TransferError):
    """Worth retrying: connection trouble, a stall, a 5xx/429, a short or inconsistent body."""

    def __init__(self, message: str, retry_after: float | None = None, now: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.now = now  # retry at once (the part was reset and the server is fine)


class SizeMismatchError(TransientError):
    """The server's idea of the file size disagrees with the catalogue."""

    def __init__(self, message: str, reported: int) -> None:
        super().__init__(message)
        self.reported = reported


class PermanentError(TransferError):
    """Retrying cannot help (403, 404, 400, other 4xx)."""


class ErrorDocumentError(PermanentError):
    """An answer of 200/206 that is the server's error envelope, not the file (never written)."""


class AuthRejectedError(TransferError):
    """401: the caller may log in again once and retry."""


class DiskFullError(TransferError):
    """ENOSPC while writing; the part file was cut back to the last whole write."""


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What an answer said about the file before its body was read."""

    status: int
    start: int  # where the body goes in the file
    total: int | None  # the file's full size according to this answer
    last_modified: str | None
    mime_type: str | None


class TransferHooks(Protocol):
    async def on_response(self, info: ResponseInfo) -> int | None:
        """Record the answer; return the size the file must have, or raise SizeMismatchError."""
        ...

    async def on_progress(self, done: int, total: int | None) -> None: ...


@dataclass(frozen=True, slots=True)
class Attempt:
    request: DownloadRequest
    part: Path
    last_modified: str | None  # the validator the existing part was fetched under
    size: int | None = None  # the file's size when the part was fetched, if known
    trust_length: bool = True  # False: a transcode's Content-Length is an estimate (Subsonic's)


async def run_attempt(
    session: aiohttp.ClientSession,
    attempt: Attempt,
    hooks: TransferHooks,
    config: DownloadConfig,
    open_writer: WriterFactory,
) -> ResponseInfo:
    """Fetch the rest of the file into `attempt.part`; returns the final answer once it is whole."""
    offset = _resume_offset(attempt)
    headers = dict(attempt.request.headers)
    if offset:
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = attempt.last_modified or ""
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=config.connect_timeout, sock_read=config.read_timeout
    )
    try:
        async with session.get(
            attempt.request.url,
            headers=headers,
            timeout=timeout,
            auto_decompress=False,
            read_bufsize=_READ_BUFFER,
        ) as resp:
            info = _interpret(resp, offset, attempt)
            expected = await hooks.on_response(info)
            if resp.status == 416:
                return info  # the part already holds the whole file
            size = await _receive(resp, attempt.part, info, expected, hooks, config, open_writer)
            return ResponseInfo(info.status, 0, size, info.last_modified, info.mime_type)
    except TimeoutError as err:
        raise TransientError("the server stopped sending (read timeout)") from err
    except aiohttp.ClientPayloadError as err:
        raise TransientError("the connection ended before the whole file arrived") from err
    except aiohttp.ClientError as err:
        raise TransientError(f"cannot reach the server ({type(err).__name__})") from err


def _resume_offset(attempt: Attempt) -> int:
    try:
        size = attempt.part.stat().st_size
    except FileNotFoundError:
        return 0
    # Without a validator a resumed file could splice two versions together: start over instead.
    return size if attempt.last_modified else 0


def validator(resp: aiohttp.ClientResponse) -> str | None:
    """What identifies this version of the file: a strong ETag, else Last-Modified (Jellyfin)."""
    etag = resp.headers.get("ETag", "")
    if etag and not etag.startswith("W/"):
        return etag  # a weak tag may not be used in If-Range
    return resp.headers.get("Last-Modified")


def _check_same_file(attempt: Attempt, seen: str | None, total: int | None) -> None:
    """A resumed answer must be of the file the part came from, else the bytes would splice two
    versions: a server or proxy may ignore If-Range and answer 206 from a changed file."""
    same_version = seen == attempt.last_modified
    same_size = total is None or not attempt.size or total == attempt.size
    if not (same_version and same_size):
        _reset(attempt.part)
        raise TransientError(
            "the file changed on the server since the partial download; starting over", now=True
        )


def _interpret(resp: aiohttp.ClientResponse, offset: int, attempt: Attempt) -> ResponseInfo:
    """Turn the status line and headers into where to write, or an error."""
    status = resp.status
    last_modified = validator(resp)
    mime = resp.headers.get("Content-Type")
    part = attempt.part
    error_types = attempt.request.error_types
    if status in (200, 206) and error_types and (mime or "").startswith(error_types):
        raise ErrorDocumentError(f"the server answered an error document ({mime}), not the file")
    if status == 206:
        match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
        if not match or int(match.group(1)) != offset:
            _reset(part)
            raise TransientError("the server answered a different range; starting over", now=True)
        total = None if match.group(3) == "*" else int(match.group(3))
        if offset:
            _check_same_file(attempt, last_modified, total)
        return ResponseInfo(status, offset, total, last_modified, mime)
    if status == 200:
        # A 200 to a Range request means the file changed (If-Range failed) or ranges are ignored.
        length = resp.content_length if attempt.trust_length else None
        return ResponseInfo(status, 0, length, last_modified, mime)
    if status == 416:
        match = _UNSATISFIED_RANGE.match(resp.headers.get("Content-Range", ""))
        if offset and match and int(match.group(1)) == offset:
            if last_modified is not None:  # Jellyfin sends it on a 416 too
                _check_same_file(attempt, last_modified, offset)
            return ResponseInfo(status, offset, offset, last_modified, mime)
        _reset(part)
        raise TransientError("the server refused the resume range; starting over", now=True)
    raise _status_error(resp)


def _status_error(resp: aiohttp.ClientResponse) -> TransferError:
    status = resp.status
    if status == 401:
        return AuthRejectedError("the server rejected our session (401)")
    if status == 403:
        return PermanentError(
            "the server does not allow this user to download (403 Forbidden); "
            "enable 'Allow media downloading' for the user"
        )
    if status == 404:
        return PermanentError("the server no longer has this item (404 Not Found)")
    if status == 429:
        return TransientError("the server asked us to slow down (429)", _retry_after(resp))
    if status >= 500 or status == 408:
        return TransientError(f"server error ({status} {resp.reason})", _retry_after(resp))
    if 400 <= status < 500:
        return PermanentError(f"the server refused the download ({status} {resp.reason})")
    return TransientError(f"unexpected answer ({status} {resp.reason})")


def _retry_after(resp: aiohttp.ClientResponse) -> float | None:
    value = resp.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _reset(part: Path) -> None:
    part.unlink(missing_ok=True)


async def _receive(
    resp: aiohttp.ClientResponse,
    part: Path,
    info: ResponseInfo,
    expected: int | None,
    hooks: TransferHooks,
    config: DownloadConfig,
    open_writer: WriterFactory,
) -> int:
    """Stream the body into the part file; returns its final size once complete."""
    total = info.total if info.total is not None else expected
    writer = open_writer(part, info.start)
    try:
        done = await _copy(resp, writer, info.start, total, hooks, config)
        if total is not None and done != total:
            raise TransientError(f"short read: got {done} of {total} bytes")
        return done
    finally:
        writer.close()


async def _copy(
    resp: aiohttp.ClientResponse,
    writer: PartWriter,
    done: int,
    total: int | None,
    hooks: TransferHooks,
    config: DownloadConfig,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    content = resp.content
    next_mark = done + config.progress_bytes
    last_emit = clock() - config.progress_interval  # the first 1 MiB mark is reported at once
    while chunk := await content.readany():
        try:
            writer.write(chunk)
        except OSError as err:
            writer.truncate(done)  # drop the half-written chunk: the part stays a clean prefix
            if err.errno == errno.ENOSPC:
                raise DiskFullError("the disk is full") from err
            raise
        done += len(chunk)
        if done >= next_mark and (now := clock()) - last_emit >= config.progress_interval:
            last_emit, next_mark = now, done + config.progress_bytes
            await hooks.on_progress(done, total)
    return done
