"""Typed views of slskd's JSON (servers.md §2): transfers, searches, enqueue results, events.

slskd leaves null properties out, writes some timestamps without `Z` although they are UTC, and writes
durations as .NET TimeSpan strings; every parser here tolerates all of that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NewType

from cache.slskd.errors import SlskdProtocolError

TransferId = NewType("TransferId", str)
SearchId = NewType("SearchId", str)

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$")
_FRACTION = re.compile(r"\.(\d+)")


def parse_timestamp(value: object) -> datetime | None:
    """Parse an ISO timestamp with or without `Z`; slskd's zone-less ones are UTC too."""
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    # .NET writes 7 fractional digits; keep 6 so any Python parses it.
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as err:
        raise SlskdProtocolError(f"bad timestamp {value!r}") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_timespan(value: object) -> float | None:
    """Parse a .NET TimeSpan ("[d.]hh:mm:ss[.fffffff]") into seconds."""
    if not isinstance(value, str):
        return None
    match = _TIMESPAN.match(value)
    if match is None:
        raise SlskdProtocolError(f"bad duration {value!r}")
    days, hours, minutes, seconds, fraction = match.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (float("0." + fraction) if fraction else 0.0)


def remote_basename(remote: str) -> str:
    """The file name of a peer's path; peers use `\\` (Windows) or `/`, so split on both."""
    return re.split(r"[\\/]", remote)[-1]


def remote_parent(remote: str) -> str:
    """The peer's directory of `remote` (everything before the file name)."""
    parts = re.split(r"[\\/]", remote)
    return remote[: len(remote) - len(parts[-1]) - 1] if len(parts) > 1 else ""


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Transfer:
    """One file transfer (a download) as slskd reports it."""

    id: TransferId
    username: str
    filename: str  # the peer's path, backslash-separated, exactly as in search results
    size: int
    state: str
    bytes_transferred: int = 0
    average_speed: float = 0.0  # bytes per second
    percent_complete: float = 0.0
    remaining_time: float | None = None  # seconds; absent while averageSpeed is 0
    requested_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    place_in_queue: int | None = None
    exception: str | None = None
    attempts: int = 0
    removed: bool = False

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], username: str = "") -> Transfer:
        """Build from a Transfer object; `username` fills in when the object lacks one."""
        try:
            return cls(
                id=TransferId(str(obj["id"])),
                username=str(obj.get("username") or username),
                filename=str(obj["filename"]),
                size=int(obj.get("size", 0)),
                state=str(obj.get("state", "None")),
                bytes_transferred=int(obj.get("bytesTransferred", 0)),
                average_speed=float(obj.get("averageSpeed", 0.0)),
                percent_complete=float(obj.get("percentComplete", 0.0)),
                remaining_time=parse_timespan(obj.get("remainingTime")),
                requested_at=parse_timestamp(obj.get("requestedAt")),
                started_at=parse_timestamp(obj.get("startedAt")),
                ended_at=parse_timestamp(obj.get("endedAt")),
                place_in_queue=_opt_int(obj, "placeInQueue"),
                exception=obj.get("exception"),
                attempts=int(obj.get("attempts", 0)),
                removed=bool(obj.get("removed", False)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise SlskdProtocolError(f"unreadable transfer: {err}") from err

    @property
    def progress(self) -> float:
        """Fraction 0..1 from the byte counts (the design's `progress` field does not exist)."""
        if self.size <= 0:
            return 0.0
        return min(1.0, max(0.0, self.bytes_transferred / self.size))

    @property
    def eta_seconds(self) -> float | None:
        """slskd's `remainingTime`, else bytes remaining over the average speed, else unknown."""
        if self.remaining_time is not None:
            return self.remaining_time
        if self.average_speed > 0:
            return max(0, self.size - self.bytes_transferred) / self.average_speed
        return None


@dataclass(frozen=True, slots=True)
class Search:
    """A search's status; its responses are fetched separately once it is complete."""

    id: SearchId
    search_text: str
    state: str
    is_complete: bool
    response_count: int
    file_count: int

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Search:
        try:
            state = str(obj.get("state", "None"))
            return cls(
                id=SearchId(str(obj["id"])),
                search_text=str(obj.get("searchText", "")),
                state=state,
                is_complete=bool(obj.get("isComplete", False)) or state.startswith("Completed"),
                response_count=int(obj.get("responseCount", 0)),
                file_count=int(obj.get("fileCount", 0)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise SlskdProtocolError(f"unreadable search: {err}") from err


@dataclass(frozen=True, slots=True)
class SearchFile:
    """One file of a search response; absent attributes are None."""

    filename: str
    size: int
    extension: str = ""
    bit_rate: int | None = None
    bit_depth: int | None = None
    sample_rate: int | None = None
    length: int | None = None  # seconds
    is_locked: bool = False

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], locked: bool = False) -> SearchFile:
        filename = str(obj["filename"])
        name = remote_basename(filename)
        ext = str(obj.get("extension") or "") or (name.rpartition(".")[2] if "." in name else "")
        return cls(
            filename=filename,
            size=int(obj.get("size", 0)),
            extension=ext.lower().lstrip("."),
            bit_rate=_opt_int(obj, "bitRate"),
            bit_depth=_opt_int(obj, "bitDepth"),
            sample_rate=_opt_int(obj, "sampleRate"),
            length=_opt_int(obj, "length"),
            is_locked=bool(obj.get("isLocked", locked)),
        )


@dataclass(frozen=True, slots=True)
class SearchResponse:
    """One peer's answer to a search."""

    username: str
    files: tuple[SearchFile, ...]
    has_free_upload_slot: bool
    queue_length: int
    upload_speed: int  # bytes per second

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> SearchResponse:
        try:
            files = [SearchFile.from_json(f) for f in obj.get("files") or ()]
            files += [SearchFile.from_json(f, locked=True) for f in obj.get("lockedFiles") or ()]
            return cls(
                username=str(obj["username"]),
                files=tuple(files),
                has_free_upload_slot=bool(obj.get("hasFreeUploadSlot", False)),
                queue_length=int(obj.get("queueLength", 0)),
                upload_speed=int(obj.get("uploadSpeed", 0)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise SlskdProtocolError(f"unreadable search response: {err}") from err


@dataclass(frozen=True, slots=True)
class FileRequest:
    """A file to enqueue: the peer's path and its size."""

    filename: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"filename": self.filename, "size": self.size}


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """What an enqueue did. `enqueued` is empty when slskd ≤ 0.23 answered 201 with no body."""

    enqueued: tuple[Transfer, ...]
    failed: tuple[str, ...]  # file names when slskd names them; "" for 0.26's `{}` entries
    confirmed: bool  # False when slskd said nothing beyond 201 (the ids come from the next poll)


@dataclass(frozen=True, slots=True)
class FileCompleteEvent:
    """A `DownloadFileComplete` entry of the events log: where slskd put the file."""

    local_filename: str
    remote_filename: str
    username: str
    transfer_id: TransferId | None
    timestamp: datetime | None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> FileCompleteEvent | None:
        """Parse one log entry; None for other event types or unreadable data."""
        if event.get("type") != "DownloadFileComplete":
            return None
        data = event.get("data")
        try:
            # `data` is a JSON string inside the JSON (the same payload webhooks get).
            payload = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            return None
        if not isinstance(payload, dict) or "localFilename" not in payload:
            return None
        transfer = payload.get("transfer") or {}
        tid = transfer.get("id")
        return cls(
            local_filename=str(payload["localFilename"]),
            remote_filename=str(payload.get("remoteFilename") or transfer.get("filename") or ""),
            username=str(transfer.get("username") or ""),
            transfer_id=TransferId(str(tid)) if tid else None,
            timestamp=parse_timestamp(event.get("timestamp")),
        )
