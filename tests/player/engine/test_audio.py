"""Audio settings and the choice of mpv output (no libmpv needed)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from player.engine import create_engine
from player.engine.audio import (
    AudioSettings,
    ReplayGainMode,
    has_sound_card,
    mpv_options,
    output_options,
)
from player.engine.fake import FakeEngine


def machine(tmp_path: Path, *, cards: str | None = None, snd: list[str] | None = None) -> Path:
    """A fake filesystem root with /proc/asound/cards and /dev/snd as given."""
    if cards is not None:
        (tmp_path / "proc" / "asound").mkdir(parents=True)
        (tmp_path / "proc" / "asound" / "cards").write_text(cards)
    if snd is not None:
        (tmp_path / "dev" / "snd").mkdir(parents=True)
        for name in snd:
            (tmp_path / "dev" / "snd" / name).touch()
    return tmp_path


PI_CARDS = " 0 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones\n"


def test_sound_card_found_in_proc(tmp_path: Path) -> None:
    assert has_sound_card(machine(tmp_path, cards=PI_CARDS))


def test_sound_card_found_in_dev(tmp_path: Path) -> None:
    assert has_sound_card(machine(tmp_path, snd=["controlC0", "pcmC0D0p"]))


@pytest.mark.parametrize(
    ("cards", "snd"),
    [(None, None), ("--- no soundcards ---\n", None), ("", ["seq", "timer"])],
)
def test_no_sound_card(tmp_path: Path, cards: str | None, snd: list[str] | None) -> None:
    assert not has_sound_card(machine(tmp_path, cards=cards, snd=snd))


def test_auto_without_card_uses_null_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="player.engine.audio"):
        options = output_options("auto", untimed=False, probe_root=machine(tmp_path))
    assert options["ao"] == "null"
    assert len(caplog.records) == 1
    assert "no sound card" in caplog.records[0].getMessage()


def test_auto_with_card_uses_default_device(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="player.engine.audio"):
        options = output_options(
            "auto", untimed=False, probe_root=machine(tmp_path, cards=PI_CARDS)
        )
    assert "ao" not in options
    assert "audio-device" not in options
    assert not caplog.records


def test_explicit_outputs() -> None:
    assert output_options("null", untimed=True) == {"ao": "null", "ao-null-untimed": "yes"}
    pcm = output_options("pcm:/tmp/x.wav", untimed=False)
    assert pcm == {"ao": "pcm", "ao-pcm-file": "/tmp/x.wav", "ao-pcm-waveheader": "yes"}
    assert output_options("alsa/hw:CARD=Headphones", untimed=False) == {
        "audio-device": "alsa/hw:CARD=Headphones"
    }


def test_mpv_options_are_audio_only_gapless_and_small() -> None:
    settings = AudioSettings(output="null", replaygain=ReplayGainMode.ALBUM, volume_max=130)
    options = mpv_options(settings)
    expected = {
        "vid": "no",
        "video": "no",
        "audio-display": "no",
        "idle": "yes",
        "terminal": "no",
        "input-default-bindings": "no",
        "gapless-audio": "yes",
        "prefetch-playlist": "yes",
        "replaygain": "album",
        "volume-max": "130",
        "demuxer-max-bytes": str(2 * 1024 * 1024),
    }
    assert expected.items() <= options.items()
    assert mpv_options(AudioSettings(output="null"))["replaygain"] == "no"


def test_settings_accept_plain_strings_and_reject_nonsense() -> None:
    assert AudioSettings(replaygain="track").replaygain is ReplayGainMode.TRACK  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        AudioSettings(replaygain="loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="volume_max"):
        AudioSettings(volume_max=50)
    with pytest.raises(ValueError, match="pcm"):
        AudioSettings(output="pcm:")


def test_create_engine_picks_fake_or_mpv() -> None:
    assert isinstance(create_engine(AudioSettings(), fake=True), FakeEngine)
    engine = create_engine(AudioSettings(output="null"))
    assert type(engine).__name__ == "MpvEngine"  # not started: libmpv is only loaded, not created
