"""Which copy to keep: the transcode settings and the never-transcode rules (issue 20)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cache.planner import CacheConfig, ConfigError
from cache.quality import Codec, Profile, choose, expected_size, parse_setting

GB = 1_000_000_000


@dataclass(frozen=True)
class File:
    container: str
    size: int
    duration: float


def kbps(container: str, rate: int, seconds: float = 200.0) -> File:
    return File(container, int(rate * 1000 / 8 * seconds), seconds)


def test_settings_parse_to_profiles_or_off() -> None:
    assert parse_setting("off") is None
    assert parse_setting("opus:128") == Profile(Codec.OPUS, 128)
    assert str(parse_setting("aac:256")) == "aac:256"
    for bad in ("m4a:128", "opus", "opus:", "opus:12", "opus:9999", "mp3:1e3", 128, None):
        with pytest.raises(ValueError):
            parse_setting(bad)


def test_containers_are_written_front_to_back() -> None:
    opus, mp3, aac = (parse_setting(f"{c}:128") for c in ("opus", "mp3", "aac"))
    assert opus and (opus.container, opus.extension, opus.mime_type) == ("ogg", "opus", "audio/ogg")
    assert mp3 and (mp3.container, mp3.extension) == ("mp3", "mp3")
    assert aac and (aac.container, aac.extension, aac.mime_type) == ("aac", "aac", "audio/aac")


def test_only_a_lossless_source_above_the_target_is_transcoded() -> None:
    opus160 = Profile(Codec.OPUS, 160)
    assert choose(opus160, kbps("flac", 900)) == opus160
    assert choose(opus160, kbps("mp3", 128)) is None  # already below the target
    assert choose(opus160, kbps("mp3", 320)) is None  # lossy: never re-encoded
    assert choose(opus160, kbps("flac", 150)) is None  # a tiny FLAC (speech) stays as it is
    assert choose(opus160, File("flac", 0, 200.0)) is None  # unknown size: nothing to compare
    assert choose(opus160, File("flac", 10**7, 0.0)) is None  # no duration: cannot be judged
    assert choose(None, kbps("flac", 900)) is None


def test_expected_size_is_bitrate_times_duration_or_the_original() -> None:
    flac = kbps("flac", 1000, 100.0)
    assert expected_size(Profile(Codec.OPUS, 128), flac) == 1_600_000
    assert expected_size(None, flac) == flac.size
    assert expected_size(Profile(Codec.OPUS, 128), kbps("mp3", 128)) == kbps("mp3", 128).size


def test_transcode_auto_follows_the_storage_limit_unless_set() -> None:
    assert CacheConfig(storage_limit=16 * GB).transcode_auto_in_force == "opus:128"
    assert CacheConfig(storage_limit=64 * GB).transcode_auto_in_force == "off"
    assert CacheConfig(storage_limit=16 * GB, transcode_auto="off").transcode_profile(True) is None
    mine = CacheConfig(transcode="mp3:192", storage_limit=64 * GB)
    assert mine.transcode_profile(False) == Profile(Codec.MP3, 192)
    assert mine.transcode_profile(True) is None


def test_bad_settings_are_refused_by_name() -> None:
    with pytest.raises(ConfigError) as info:
        CacheConfig.from_mapping({"transcode": "m4a:256", "transcode_auto": "opus:1"})
    assert {p.path for p in info.value.problems} == {"transcode", "transcode_auto"}
    assert CacheConfig.from_mapping({"transcode_auto": None}).transcode_auto is None
