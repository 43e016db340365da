"""One download from start to an end state: attempts, retries with backoff, and the final rename.

The job owns its row while it runs. It ends in `completed`, `failed` or (disk full) `paused`; the
manager stops it by cancelling its task, which leaves the row `downloading` and the part file a
clean prefix, for the manager to move on from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from cache.downloads.models import (
    Download,
    DownloadConfig,
    DownloadEventKind,
    DownloadStatus,
    WaitReason,
)
from cache.downloads.paths import absolute, part_path, relative_media_path
from cache.downloads.source import DownloadRequest, FetchSource, TranscodeSource
from cache.downloads.store import DownloadStore, now_iso
from cache.downloads.transcoded import TranscodeHooks, check_duration, refusing_documents
from cache.downloads.transfer import (
    Attempt,
    AuthRejectedError,
    DiskFullError,
    ErrorDocumentError,
    PermanentError,
    ResponseInfo,
    SizeMismatchError,
    TransferHooks,
    TransientError,
    run_attempt,
)
from cache.downloads.writer import WriterFactory, fsync_dir, fsync_file
from cache.errors import SourceError, SourceUnavailableError
from cache.models import ItemId
from cache.quality import ORIGINAL, Profile, parse_setting

log = logging.getLogger(__name__)

Emit = Callable[[DownloadEventKind, Download], object]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobContext:
    """What every job shares; built once by the manager."""

    store: DownloadStore
    cache_dir: Path
    session: aiohttp.ClientSession
    config: DownloadConfig
    open_writer: WriterFactory
    sleep: Sleep
    emit: Emit
    on_disk_full: Callable[[], None]


class _Hooks:
    """Persists what each answer says, so a restart resumes under the right validator."""

    def __init__(self, ctx: JobContext, job: DownloadJob) -> None:
        self._ctx, self._job = ctx, job

    async def on_response(self, info: ResponseInfo) -> int | None:
        row = self._job.row
        expected = row.file_size or None
        if info.total is not None and expected is not None and info.total != expected:
            expected = await self._job.confirm_size(info.total)
        if info.start == 0:
            # Starting over: the old bytes go before the new validator is recorded, so a crash
            # in between can never resume old bytes under the new file's date.
            self._job.part.unlink(missing_ok=True)
        self._job.row = (
            await self._ctx.store.update(
                row.id,
                last_modified=info.last_modified,
                mime_type=info.mime_type or row.mime_type,
                file_size=expected if expected is not None else info.total,
            )
            or row
        )
        return expected if expected is not None else info.total

    async def on_progress(self, done: int, total: int | None) -> None:
        await self._job.record_progress(done, total)


class DownloadJob:
    """Runs one download row to completion, failure, or a disk-full pause."""

    def __init__(self, ctx: JobContext, row: Download, source: FetchSource) -> None:
        if row.file_path is None:
            raise ValueError(f"download {row.id} has no file path")
        self._ctx = ctx
        self.row = row
        self._source = source
        self.final = absolute(ctx.cache_dir, row.file_path)
        self.part = part_path(self.final)
        self._profile: Profile | None = None
        if row.quality != ORIGINAL:
            if not isinstance(source, TranscodeSource):
                raise ValueError(f"download {row.id}: its source cannot transcode")
            self._profile = parse_setting(row.quality)

    async def run(self) -> None:
        """Attempt, retry and finish; never raises except CancelledError."""
        self.final.parent.mkdir(parents=True, exist_ok=True)
        if self._already_complete():
            await self._complete(self.row.file_size or 0, from_part=False)
            return
        try:
            await self._attempts()
        except DiskFullError:
            await self._pause_disk_full()
        except (PermanentError, SourceError) as err:
            await self._fail(str(err))
        except OSError as err:
            await self._fail(f"cannot write the file ({err.strerror or err})")

    def _already_complete(self) -> bool:
        # A crash between the rename and the database update leaves the file in place (a
        # transcode's row holds an estimate until then: its file is fetched again).
        size = self.row.file_size
        whole = bool(size) and self.final.is_file() and self.final.stat().st_size == size
        return whole and self._profile is None

    async def _attempts(self) -> None:
        retries = self.row.retry_count
        request: DownloadRequest | None = None
        relogged = False
        while True:
            try:
                request = request or await self._request()
                info = await self._attempt(request)
            except AuthRejectedError:
                if relogged:
                    raise PermanentError(
                        "the server rejected our session even after logging in"
                    ) from None
                await self._source.refresh_auth(request or DownloadRequest(""))
                request, relogged = None, True
                continue
            except ErrorDocumentError as err:
                if self._profile is None:
                    raise
                await self._fall_back_to_original(err)  # it cannot make the smaller copy
                request = None
                continue
            except TransientError as err:
                if retries >= self._ctx.config.max_retries:
                    raise PermanentError(f"{err} (gave up after {retries} retries)") from err
                retries += 1
                await self._wait_before_retry(err, retries)
                continue
            await self._complete(info.total or 0, from_part=True)
            return

    async def _attempt(self, request: DownloadRequest) -> ResponseInfo:
        hooks: TransferHooks = _Hooks(self._ctx, self)
        attempt = Attempt(request, self.part, self.row.last_modified, self.row.file_size)
        if self._profile is not None:  # a transcode: from zero, no validator, no length
            hooks = TranscodeHooks(self.part, self, self.row.file_size)
            attempt = Attempt(request, self.part, None, None, trust_length=False)
        info = await run_attempt(
            self._ctx.session, attempt, hooks, self._ctx.config, self._ctx.open_writer
        )
        if self._profile is not None:
            await check_duration(self.part, await self._duration())
            self.row = await self._update(file_size=info.total, mime_type=self._profile.mime_type)
        return info

    async def _duration(self) -> float:
        """The item's duration according to its source (Jellyfin's RunTimeTicks)."""
        try:
            return (await self._source.track(ItemId(self.row.item_id))).duration
        except SourceError as err:
            raise TransientError(f"cannot check the transcoded copy ({err})") from err

    async def _request(self) -> DownloadRequest:
        item = ItemId(self.row.item_id)
        try:
            if self._profile is not None and isinstance(self._source, TranscodeSource):
                return refusing_documents(await self._source.transcode_request(item, self._profile))
            return await self._source.download_request(item)
        except SourceUnavailableError as err:
            raise TransientError(str(err)) from err

    async def _fall_back_to_original(self, err: ErrorDocumentError) -> None:
        """The server cannot make the smaller copy: the row becomes one of the original file
        (its path, size and quality), so what lands is exactly what the row says."""
        try:
            track = await self._source.track(ItemId(self.row.item_id))
        except SourceError as lookup:
            raise TransientError(f"cannot look the original up ({lookup})") from lookup
        log.info("download %s: %s; fetching the original instead", self.row.id, err)
        self.part.unlink(missing_ok=True)
        relative = relative_media_path(self.row.source, self.row.item_id, track.container)
        self.row = await self._update(
            quality=ORIGINAL, file_path=relative, file_size=track.size or None, mime_type=None
        )
        self._profile = None
        self.final = absolute(self._ctx.cache_dir, relative)
        self.part = part_path(self.final)

    async def _wait_before_retry(self, err: TransientError, retries: int) -> None:
        config = self._ctx.config
        if err.now:
            delay = 0.0
        elif err.retry_after is not None:
            delay = min(err.retry_after, config.max_retry_after)
        else:
            delay = config.retry_delays[min(retries, len(config.retry_delays)) - 1]
        log.info("download %s: %s; retry %d in %.1f s", self.row.id, err, retries, delay)
        self.row = await self._update(
            retry_count=retries, error_message=str(err), wait_reason=WaitReason.RETRYING.value
        )
        self._ctx.emit(DownloadEventKind.PROGRESS, self.row)
        await self._ctx.sleep(delay)
        self.row = await self._update(wait_reason=None)

    async def confirm_size(self, reported: int) -> int:
        """The answer's size differs from the catalogue's: accept it only if the source agrees."""
        try:
            fresh = await self._source.track(ItemId(self.row.item_id))
        except SourceError as err:
            raise TransientError(f"cannot confirm the file size ({err})") from err
        if fresh.size != reported:
            self.part.unlink(missing_ok=True)
            raise SizeMismatchError(
                f"size mismatch: the server sent a file of {reported} bytes "
                f"but the item is {fresh.size} bytes",
                reported,
            )
        return reported

    async def record_progress(self, done: int, total: int | None) -> None:
        progress = min(done / total, 1.0) if total else 0.0
        self.row = await self._update(bytes_downloaded=done, progress=progress)
        self._ctx.emit(DownloadEventKind.PROGRESS, self.row)

    async def _complete(self, size: int, *, from_part: bool) -> None:
        if from_part:
            actual = self.part.stat().st_size
            expected = self.row.file_size
            if actual != size or (expected is not None and actual != expected):
                self.part.unlink(missing_ok=True)
                raise PermanentError(
                    f"size check failed: {actual} bytes on disk, expected {expected}"
                )
            await asyncio.to_thread(fsync_file, self.part)
            self.part.replace(self.final)
            await asyncio.to_thread(fsync_dir, self.final.parent)
        self.row = await self._update(
            status=DownloadStatus.COMPLETED,
            progress=1.0,
            bytes_downloaded=size,
            file_size=size,
            completed_at=now_iso(),
            error_message=None,
            wait_reason=None,
        )
        self._ctx.emit(DownloadEventKind.COMPLETED, self.row)

    async def _fail(self, message: str) -> None:
        log.warning("download %s (%s) failed: %s", self.row.id, self.row.item_id, message)
        self.row = await self._update(
            status=DownloadStatus.FAILED, error_message=message, wait_reason=None
        )
        self._ctx.emit(DownloadEventKind.FAILED, self.row)

    async def _pause_disk_full(self) -> None:
        size = self.part.stat().st_size if self.part.exists() else 0
        self.row = await self._update(
            status=DownloadStatus.PAUSED,
            bytes_downloaded=size,
            wait_reason=WaitReason.DISK_FULL.value,
        )
        self._ctx.emit(DownloadEventKind.PAUSED, self.row)
        self._ctx.on_disk_full()

    async def _update(self, **fields: object) -> Download:
        return await self._ctx.store.update(self.row.id, **fields) or self.row
