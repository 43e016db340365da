"""Finding a completed slskd file on disk, checking it, and bringing it into the cache atomically.

Blocking file work lives here in plain functions; the tracker runs them in a worker thread.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from cache.slskd.wire import remote_basename, remote_parent

_UNSAFE = re.compile(r"[\0/]")  # what slskd replaces with `_` on Linux
_EXT = re.compile(r"^[a-z0-9]{1,8}$")


class LandingOutcome(StrEnum):
    LANDED = "landed"
    NOT_FOUND = "not_found"
    WRONG_SIZE = "wrong_size"


@dataclass(frozen=True, slots=True)
class LandingResult:
    """What happened; `relpath` (relative to cache_dir) only when the file landed."""

    outcome: LandingOutcome
    relpath: str | None = None
    detail: str = ""


def slskd_local_path(downloads_dir: Path, remote_filename: str) -> Path:
    """slskd's default final path: `<downloads>/<the peer's parent folder>/<file name>`."""
    parent = remote_basename(remote_parent(remote_filename))
    name = _UNSAFE.sub("_", remote_basename(remote_filename))
    folder = _UNSAFE.sub("_", parent)
    return downloads_dir / folder / name if folder else downloads_dir / name


def cache_relpath(item_id: str, remote_filename: str) -> str:
    """Where a landed file lives inside cache_dir, derived from ids only."""
    name = remote_basename(remote_filename)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    suffix = f".{ext}" if _EXT.match(ext) else ""
    return f"media/slskd/{item_id[:2]}/{item_id}{suffix}"


def candidate_paths(
    downloads_dir: Path, remote_filename: str, event_local: str | None
) -> list[Path]:
    """Places to look, best first: the events log's path, then slskd's path rule and its renames."""
    paths: list[Path] = []
    if event_local:
        paths.append(Path(event_local))
        # slskd may see its downloads dir under another root (a container): try each tail of its path.
        parts = PurePosixPath(event_local.replace("\\", "/")).parts[1:]
        paths += [downloads_dir.joinpath(*parts[i:]) for i in range(len(parts))]
    rule = slskd_local_path(downloads_dir, remote_filename)
    paths.append(rule)
    # A name collision makes slskd save `<stem>_<ticks><ext>`; newest first.
    pattern = re.compile(re.escape(rule.stem) + r"_\d+" + re.escape(rule.suffix) + "$")
    if rule.parent.is_dir():
        renamed = [p for p in rule.parent.iterdir() if pattern.match(p.name)]
        paths += sorted(renamed, key=lambda p: p.name, reverse=True)
    return paths


def locate(paths: list[Path], size: int) -> tuple[Path | None, str]:
    """The first existing file of exactly `size` bytes; else None and why."""
    wrong: list[str] = []
    for path in paths:
        try:
            actual = path.stat().st_size if path.is_file() else None
        except OSError:
            actual = None
        if actual == size:
            return path, ""
        if actual is not None:
            wrong.append(f"{path.name} has {actual} bytes, expected {size}")
    return None, "; ".join(wrong)


def land(
    downloads_dir: Path,
    cache_dir: Path,
    *,
    item_id: str,
    remote_filename: str,
    size: int,
    event_local: str | None,
    move: bool = False,
) -> LandingResult:
    """Find the completed file, verify its size, copy it into the cache atomically (blocking)."""
    source, why = locate(candidate_paths(downloads_dir, remote_filename, event_local), size)
    if source is None:
        outcome = LandingOutcome.WRONG_SIZE if why else LandingOutcome.NOT_FOUND
        return LandingResult(outcome, detail=why or "file not found in slskd's downloads")
    relpath = cache_relpath(item_id, remote_filename)
    copied = atomic_copy(source, cache_dir / relpath, size)
    if copied != size:
        # The file changed under us while copying; nothing was put in place.
        return LandingResult(
            LandingOutcome.WRONG_SIZE, detail=f"copied {copied} bytes, expected {size}"
        )
    if move:
        source.unlink(missing_ok=True)
    return LandingResult(LandingOutcome.LANDED, relpath=relpath)


def atomic_copy(source: Path, dest: Path, expected_size: int) -> int:
    """Copy via temp file + fsync + rename + directory fsync; answer the bytes copied.

    A copy of any other length than `expected_size` is discarded and never renamed into place.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
    try:
        with source.open("rb") as src, tmp.open("wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
            written = out.tell()
        if written != expected_size:
            tmp.unlink()
            return written
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return written
