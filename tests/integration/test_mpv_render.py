"""Acceptance: real libmpv, rendering to a WAV file that is then checked sample by sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import Renderer, media
from tests.tones import (
    RATE,
    Pcm,
    find_frames,
    read_wav,
    rms,
    write_tone_parts,
    zero_crossing_frequency,
)

pytestmark = pytest.mark.mpv

FREQ = 441.7
FIRST = 37_813  # frames: the cut lies on no round number of ms, blocks or periods
SECOND = 50_021


async def render_to_end(r: Renderer) -> Pcm:
    """Shut the engine down (closing mpv's output finishes the WAV header) and read the file."""
    await r.engine.shutdown()
    pcm = read_wav(r.out)
    assert (pcm.rate, pcm.channels, pcm.bits) == (RATE, 2, 16), "mpv converted the format"
    return pcm


async def test_gapless_join_is_sample_exact(renderer: Renderer, tmp_path: Path) -> None:
    (first, second), whole = write_tone_parts(tmp_path, [FIRST, SECOND], freq=FREQ)
    a, b = media(first, FIRST, RATE), media(second, SECOND, RATE)
    await renderer.engine.play(a, None, paused=True)
    await renderer.started(a)
    await renderer.engine.set_next(b)  # the join under test: next queued via set_next
    await renderer.engine.set_paused(False)
    await renderer.finished(b)
    pcm = await render_to_end(renderer)

    offset = find_frames(pcm, whole)
    assert offset is not None, "the tone's first samples are not in the output"
    start = offset * pcm.channels
    rendered = pcm.samples[start : start + len(whole)]
    assert len(rendered) == len(whole), "samples were dropped"
    mismatch = next(
        (i for i, (x, y) in enumerate(zip(rendered, whole, strict=True)) if x != y), None
    )
    assert mismatch is None, f"differs from frame {mismatch // 2} on (join at frame {FIRST})"
    # Nothing inserted around it either: anything else mpv wrote is silence.
    assert not any(pcm.samples[:start])
    assert not any(pcm.samples[start + len(whole) :])


async def test_audio_is_really_rendered(renderer: Renderer, tmp_path: Path) -> None:
    (path,), _ = write_tone_parts(tmp_path, [RATE], freq=FREQ)
    ref = media(path, RATE, RATE)
    await renderer.engine.play(ref, None)
    await renderer.finished(ref)
    pcm = await render_to_end(renderer)

    left = pcm.channel(0)
    expected_rms = 0.4 * 32767 / 2**0.5
    assert rms(left) == pytest.approx(expected_rms, rel=0.02)
    assert zero_crossing_frequency(left, pcm.rate) == pytest.approx(FREQ, rel=0.005)


async def test_volume_is_applied_in_software(renderer: Renderer, tmp_path: Path) -> None:
    (path,), _ = write_tone_parts(tmp_path, [RATE // 2], freq=FREQ)
    ref = media(path, RATE // 2, RATE)
    await renderer.engine.set_volume(50)
    await renderer.engine.play(ref, None)
    await renderer.finished(ref)
    pcm = await render_to_end(renderer)
    # mpv's software volume is cubic: 50 % is a gain of 0.125.
    assert max(abs(s) for s in pcm.channel(0)) == pytest.approx(0.4 * 32767 * 0.125, rel=0.02)


async def test_muted_renders_silence(renderer: Renderer, tmp_path: Path) -> None:
    (path,), _ = write_tone_parts(tmp_path, [RATE // 2], freq=FREQ)
    ref = media(path, RATE // 2, RATE)
    await renderer.engine.set_muted(True)
    await renderer.engine.play(ref, None)
    await renderer.finished(ref)
    pcm = await render_to_end(renderer)
    assert pcm.frames >= RATE // 2  # it did play, ...
    assert not any(pcm.samples)  # ... in silence
