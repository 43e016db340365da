"""A tiny synthesiser for the demo library: plucked arpeggios over a held bass, 16-bit mono PCM.

Fast without numpy because almost nothing runs per sample in Python:
- a note is a wavetable holding a whole number of cycles, repeated with C-level `array` operations,
  times its envelope in one `map(operator.mul, ...)` pass; each distinct note is rendered once;
- arpeggio notes never overlap (each fades to zero within its step), so a bar's melody is its notes
  concatenated, and a bar costs one more pass to add the bass under it; each distinct bar is mixed once
  and a piece is its bars concatenated;
- samples are mixed as int32 scaled by 65536, so the 16-bit output is just the high half of each
  int32, taken by slicing the bytes (no per-sample conversion).
Every envelope ends at exactly zero, so notes and bars join without clicks.
"""

from __future__ import annotations

import math
import operator
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

SAMPLE_RATE = 22050
_TABLE_PEAK = 24000  # wavetable peak; x envelope (sample peak * 65536 / peak) fits int32 when mixed
_ARP_PEAK = 11000  # output sample peaks; their sum stays under 32767
_BASS_PEAK = 8000
_BLOCK = 64  # the decay changes every _BLOCK samples (0.07 dB steps: inaudible)
_BASS_STEPS = 2  # the bass pulses every this many steps
_RING_SECONDS = 1.8
Timbre = tuple[float, ...]  # amplitudes of the 1st, 2nd, ... partials
_PLUCK: Timbre = (1.0, 0.22, 0.08)
_RING: Timbre = (0.9, 0.2, 0.06, 0.8, 0.0, 0.0, 0.0, 0.15)
_HIGH_HALF = 1 if sys.byteorder == "little" else 0


@dataclass(frozen=True, slots=True)
class Piece:
    """A short piece: chords (semitones from the key), an arpeggio pattern over them."""

    key: int  # MIDI note of the arpeggio's root
    chords: tuple[tuple[int, ...], ...]  # each: 4 offsets, low to high; the first is the root
    pattern: tuple[int, ...]  # indexes into a chord, one per step; its length is a bar
    step: float  # seconds per arpeggio step
    seconds: float  # rough length before the closing chord


def _freq(midi: int) -> float:
    return 440.0 * math.pow(2.0, (midi - 69) / 12)


class Renderer:
    """Renders pieces at one sample rate, reusing wavetables and notes between pieces."""

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate = rate
        self._tables: dict[tuple[int, Timbre], array[int]] = {}
        self._envs: dict[tuple[int, float, int], array[int]] = {}
        self._notes: dict[tuple[int, int, float, int, Timbre], array[int]] = {}
        self._steps: dict[tuple[int, int, int, int], array[int]] = {}

    def render(self, piece: Piece) -> array[int]:
        """The piece as signed 16-bit mono samples (native byte order)."""
        step_n = round(piece.step * self.rate)
        bar_seconds = piece.step * len(piece.pattern)
        count = max(len(piece.chords), round(piece.seconds / bar_seconds))
        bars = [self._bar(piece, chord, step_n) for chord in piece.chords]
        pcm = array("h")
        for b in range(count):
            pcm += bars[b % len(bars)]
        return pcm + self._closing(piece, piece.chords[0], step_n)

    def _bar(self, piece: Piece, chord: Sequence[int], step_n: int) -> array[int]:
        bass = piece.key + chord[0] - 12
        bar = array("h")
        for i, index in enumerate(piece.pattern):
            bar += self._step(piece.key + chord[index], bass, i % _BASS_STEPS, step_n)
        return bar

    def _step(self, midi: int, bass: int, segment: int, step_n: int) -> array[int]:
        """One step: a plucked note over one segment of a bass note lasting _BASS_STEPS steps.

        Patterns revisit the same (note, bass segment) pairs, so most steps come from the cache.
        """
        key = (midi, bass, segment, step_n)
        if key not in self._steps:
            low = self._note(bass, _BASS_STEPS * step_n, 0.5, _BASS_PEAK)
            start = segment * step_n
            self._steps[key] = _mix(
                self._note(midi, step_n, 0.12, _ARP_PEAK), low[start : start + step_n]
            )
        return self._steps[key]

    def _closing(self, piece: Piece, chord: Sequence[int], step_n: int) -> array[int]:
        """The chord rolled up once, then its root ringing in two octaves at once."""
        bass = piece.key + chord[0] - 12
        out = array("h")
        for i, offset in enumerate(chord):
            out += self._step(piece.key + offset, bass, i % _BASS_STEPS, step_n)
        # One tone whose 4th harmonic is the root two octaves up: a two-note ring for the
        # price of one note, with no mixing pass.
        ring = self._note(bass, round(_RING_SECONDS * self.rate), 0.7, _ARP_PEAK, _RING)
        return out + _high_half(ring)

    def _note(
        self, midi: int, n: int, decay: float, peak: int, timbre: Timbre = _PLUCK
    ) -> array[int]:
        """`n` samples of the tone at `midi` under its envelope, as int32 scaled by 65536."""
        key = (midi, n, decay, peak, timbre)
        if key not in self._notes:
            table = self._table(midi, timbre)
            wave = (table * (n // len(table) + 1))[:n]
            env = self._envelope(n, decay, peak * 65536 // _TABLE_PEAK)
            self._notes[key] = array("i", map(operator.mul, wave, env))
        return self._notes[key]

    def _table(self, midi: int, timbre: Timbre) -> array[int]:
        """A whole number of cycles (about 20 ms) of a tone, so repeating it stays in tune
        (within 2 cents)."""
        key = (midi, timbre)
        if key not in self._tables:
            freq = _freq(midi)
            cycles = max(1, round(freq * 0.02))
            length = round(cycles * self.rate / freq)
            step = 2 * math.pi * cycles / length
            peak = _TABLE_PEAK / sum(timbre)  # the partials' peaks can at most add up
            partials = tuple(enumerate(timbre, start=1))
            self._tables[key] = array(
                "i",
                (
                    int(peak * sum(a * math.sin(h * x) for h, a in partials if a))
                    for x in (i * step for i in range(length))
                ),
            )
        return self._tables[key]

    def _envelope(self, n: int, decay: float, amp: int) -> array[int]:
        """A short attack, an exponential decay, a linear fade to exactly zero at the end."""
        key = (n, decay, amp)
        if key in self._envs:
            return self._envs[key]
        attack = min(n // 4, int(0.006 * self.rate))
        fade = min(n // 4, int(0.03 * self.rate))
        factor = math.exp(-_BLOCK / (decay * self.rate))
        env = array("i", (amp * i // attack for i in range(attack)))
        level, body_end = float(amp), n - fade
        while len(env) < body_end:
            env += array("i", [int(level)]) * min(_BLOCK, body_end - len(env))
            level *= factor
        env += array("i", (int(level * (fade - i) / fade) for i in range(1, fade + 1)))
        self._envs[key] = env
        return env


def _mix(a: array[int], b: array[int]) -> array[int]:
    """Two equally long int32 signals (scaled by 65536) summed to 16-bit samples."""
    return _high_half(array("i", map(operator.add, a, b)))


def _high_half(scaled: array[int]) -> array[int]:
    """16-bit samples from int32 ones scaled by 65536: the high half of each, by slicing bytes."""
    return array("h", scaled.tobytes())[_HIGH_HALF::2]
