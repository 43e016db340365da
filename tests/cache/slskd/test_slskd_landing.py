"""Landing completed files: where slskd puts them, size checks, atomic copies."""

from __future__ import annotations

from pathlib import Path

from cache.slskd.landing import (
    LandingOutcome,
    cache_relpath,
    land,
    slskd_local_path,
)

REMOTE = "@@s\\Music\\Artist\\Album\\01 - x.flac"
ITEM = "ab" + "0" * 30


def _put(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_path_rule_and_cache_path(tmp_path: Path) -> None:
    assert slskd_local_path(tmp_path, REMOTE) == tmp_path / "Album" / "01 - x.flac"
    assert slskd_local_path(tmp_path, "a\\b/c\\d.mp3") == tmp_path / "c" / "d.mp3"
    assert cache_relpath(ITEM, REMOTE) == f"media/slskd/ab/{ITEM}.flac"
    assert cache_relpath(ITEM, "noext") == f"media/slskd/ab/{ITEM}"


def test_lands_by_path_rule(tmp_path: Path) -> None:
    downloads, cache = tmp_path / "dl", tmp_path / "cache"
    _put(downloads / "Album" / "01 - x.flac", b"x" * 100)
    result = land(
        downloads, cache, item_id=ITEM, remote_filename=REMOTE, size=100, event_local=None
    )
    assert result.outcome is LandingOutcome.LANDED
    assert result.relpath is not None
    assert (cache / result.relpath).read_bytes() == b"x" * 100
    assert not list((cache / result.relpath).parent.glob("*.part"))
    assert (downloads / "Album" / "01 - x.flac").exists()  # copied, not moved


def test_event_path_under_another_root_and_move(tmp_path: Path) -> None:
    downloads, cache = tmp_path / "dl", tmp_path / "cache"
    _put(downloads / "Album" / "01 - x_6380001.flac", b"y" * 10)
    _put(downloads / "Album" / "01 - x.flac", b"old" * 2)  # an older file of another size
    result = land(
        downloads, cache, item_id=ITEM, remote_filename=REMOTE, size=10,
        event_local="/app/downloads/Album/01 - x_6380001.flac", move=True,
    )  # fmt: skip
    assert result.outcome is LandingOutcome.LANDED
    assert result.relpath is not None
    assert (cache / result.relpath).read_bytes() == b"y" * 10
    assert not (downloads / "Album" / "01 - x_6380001.flac").exists()


def test_rename_found_without_events(tmp_path: Path) -> None:
    downloads, cache = tmp_path / "dl", tmp_path / "cache"
    _put(downloads / "Album" / "01 - x.flac", b"a" * 5)
    _put(downloads / "Album" / "01 - x_6380000000.flac", b"b" * 7)
    result = land(downloads, cache, item_id=ITEM, remote_filename=REMOTE, size=7, event_local=None)
    assert result.outcome is LandingOutcome.LANDED


def test_wrong_size_never_lands(tmp_path: Path) -> None:
    downloads, cache = tmp_path / "dl", tmp_path / "cache"
    _put(downloads / "Album" / "01 - x.flac", b"x" * 99)
    result = land(
        downloads, cache, item_id=ITEM, remote_filename=REMOTE, size=100, event_local=None
    )
    assert result.outcome is LandingOutcome.WRONG_SIZE
    assert "99" in result.detail
    assert not cache.exists() or not any(p.is_file() for p in cache.rglob("*"))


def test_missing_file(tmp_path: Path) -> None:
    result = land(
        tmp_path, tmp_path / "c", item_id=ITEM, remote_filename=REMOTE, size=1, event_local=None
    )
    assert result.outcome is LandingOutcome.NOT_FOUND
