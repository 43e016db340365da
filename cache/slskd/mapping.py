"""Pure tracking logic: slskd state strings → categories, both listing shapes, transfer matching.

Fixes over the design it follows (design/slskd-tracking.md):
- state flags are compared as whole tokens, and TimedOut/Rejected/Aborted count as failures (the design left
  them "queued" forever) and Initializing as downloading;
- the basename fallback splits on `\\` too (os.path.basename keeps a peer's whole Windows path on Linux),
  requires the same peer, and never hands a transfer claimed by id to another download.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from cache.slskd.errors import SlskdProtocolError
from cache.slskd.wire import Transfer, TransferId, remote_basename


class TransferCategory(StrEnum):
    """What a transfer state means to tapedeck."""

    QUEUED = "queued"
    DOWNLOADING = "downloading"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (
            TransferCategory.COMPLETED,
            TransferCategory.FAILED,
            TransferCategory.CANCELLED,
        )


_LONG_AGO = datetime.min.replace(tzinfo=UTC)
_CANCELLED = frozenset({"Cancelled", "Canceled"})
_FAILED = frozenset({"Failed", "Errored", "TimedOut", "Rejected", "Aborted"})
_ACTIVE = frozenset({"InProgress", "Initializing"})


def map_state(state: str) -> TransferCategory:
    """Map slskd's `", "`-joined flag names to a category, terminal outcomes first."""
    flags = {part.strip() for part in state.split(",")}
    if flags & _CANCELLED:
        return TransferCategory.CANCELLED
    if flags & _FAILED:
        return TransferCategory.FAILED
    if "Succeeded" in flags:
        return TransferCategory.COMPLETED
    if "Completed" in flags:
        # Terminal without an outcome flag never appears in slskd; calling it queued would wait forever.
        return TransferCategory.FAILED
    if flags & _ACTIVE:
        return TransferCategory.DOWNLOADING
    return TransferCategory.QUEUED


def is_bulk_clearable(state: str) -> bool:
    """Succeeded or cancelled: safe to clear with `DELETE …/all/completed` once recorded."""
    return map_state(state) in (TransferCategory.COMPLETED, TransferCategory.CANCELLED)


def flatten_downloads(payload: object) -> list[Transfer]:
    """Every Transfer of `GET /transfers/downloads`, whether files hang off directories or the user."""
    if not isinstance(payload, list):
        raise SlskdProtocolError("the downloads listing is not an array")
    seen: dict[str, Transfer] = {}
    for user in payload:
        if not isinstance(user, dict):
            raise SlskdProtocolError("a downloads listing entry is not an object")
        username = str(user.get("username") or "")
        for obj in _files_of(user):
            transfer = Transfer.from_json(obj, username)
            seen.setdefault(transfer.id, transfer)
    return list(seen.values())


def _files_of(user: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    direct = user.get("files")
    if isinstance(direct, list):
        yield from (f for f in direct if isinstance(f, dict))
    directories = user.get("directories")
    if isinstance(directories, list):
        for directory in directories:
            files = directory.get("files") if isinstance(directory, dict) else None
            if isinstance(files, list):
                yield from (f for f in files if isinstance(f, dict))


K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Wanted(Generic[K]):
    """A tracked download as the matcher sees it: its key, peer, peer's path and last known id."""

    key: K
    username: str
    filename: str
    transfer_id: TransferId | None


@dataclass(frozen=True, slots=True)
class Match:
    """The transfer found for a download; `corrected` when its id differs from the stored one."""

    transfer: Transfer
    corrected: bool


def match_transfers(wanted: Sequence[Wanted[K]], transfers: Sequence[Transfer]) -> dict[K, Match]:
    """Pair downloads with transfers: by id first, then by peer + basename; one transfer each."""
    by_id = {t.id: t for t in transfers}
    claimed: set[TransferId] = set()
    result: dict[K, Match] = {}
    for w in wanted:
        hit = by_id.get(w.transfer_id) if w.transfer_id else None
        if hit is not None and hit.id not in claimed:
            claimed.add(hit.id)
            result[w.key] = Match(hit, corrected=False)
    # Exact paths are handed out before bare names, so a same-named track of another album
    # cannot take the transfer that exactly matches a later download.
    for exact in (True, False):
        for w in wanted:
            if w.key in result:
                continue
            fallback = _by_name(w, transfers, claimed, exact)
            if fallback is not None:
                claimed.add(fallback.id)
                result[w.key] = Match(fallback, corrected=fallback.id != w.transfer_id)
    return result


def _by_name(
    w: Wanted[Any], transfers: Sequence[Transfer], claimed: set[TransferId], exact: bool
) -> Transfer | None:
    name = remote_basename(w.filename).casefold()
    pool = [
        t
        for t in transfers
        if t.id not in claimed
        and not t.removed
        and t.username == w.username
        and (t.filename == w.filename if exact else remote_basename(t.filename).casefold() == name)
    ]
    # The newest record wins: a re-enqueue creates a new one.
    return max(pool, key=lambda t: t.requested_at or _LONG_AGO) if pool else None


@dataclass(frozen=True, slots=True)
class MissingVerdict:
    """The grace period's answer after one successful poll."""

    missing_polls: int
    gone: bool


def missing_after_poll(found: bool, missing_polls: int, limit: int = 3) -> MissingVerdict:
    """Count consecutive successful polls without the transfer; `gone` at `limit`. Found resets."""
    if found:
        return MissingVerdict(0, gone=False)
    count = missing_polls + 1
    return MissingVerdict(count, gone=count >= limit)
