"""A streamed start in the model of shared/traces.md: bytes arriving, playback waiting for them.

The track's bytes arrive from its start at its share of the link (the link divided by the running
downloads plus this stream; nothing while offline). Playback consumes size / duration bytes per
second and waits, silent, whenever it would pass the bytes that have arrived. Without
stream-through the player reads ahead at most READ_AHEAD seconds of audio; with it the whole track
is fetched at once. The flow is continuous (fluid): while the buffer is empty and bytes trickle in
slower than playback needs, playback moves at the arrival rate and the rest of the time is silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from cache.planner.snapshot import Item

READ_AHEAD = 30.0  # seconds of audio a player buffers from a plain stream
EPSILON = 1e-6  # bytes; floating-point slack at the phase boundaries
MAX_PHASES = 32  # a segment has at most a handful of phase changes; bounded, never a stall


@dataclass(slots=True)
class Stream:
    """One streamed start: bytes arrived, bytes played, seconds spent silent."""

    item: Item
    through: bool  # stream-through: the whole track is fetched (and may be kept)
    arrived: float = 0.0
    consumed: float = 0.0
    silent: float = 0.0

    @property
    def rate(self) -> float:
        """Bytes of audio played per second."""
        return self.item.size / self.item.duration

    @property
    def all_arrived(self) -> bool:
        """Whether every byte of the track is there."""
        return self.arrived >= self.item.size - EPSILON

    @property
    def finished(self) -> bool:
        """Whether the whole track has been played."""
        return self.consumed >= self.item.size - EPSILON

    def advance(self, seconds: float, link: float) -> float:
        """Listen for `seconds` while bytes may arrive at `link` bytes/s; return the bytes fetched."""
        fetched = 0.0
        left = seconds
        for _ in range(MAX_PHASES):
            if left <= 0 or self.finished:
                break
            fill, play = self._rates(link)
            step = min(left, self._until_change(fill, play))
            self.arrived = min(float(self.item.size), self.arrived + fill * step)
            self.consumed = min(self.arrived, self.consumed + play * step)
            self.silent += step * (1.0 - play / self.rate)
            fetched += fill * step
            left -= step
        return fetched

    def _cap(self) -> float:
        """How far the bytes may run ahead of playback."""
        if self.through:
            return float(self.item.size)
        return min(float(self.item.size), self.consumed + READ_AHEAD * self.rate)

    def _rates(self, link: float) -> tuple[float, float]:
        """(bytes/s arriving, bytes/s played) in the current phase."""
        if self.arrived >= self._cap() - EPSILON:
            # at the cap: the full track, or a full read-ahead that refills only as it is played
            fill = 0.0 if self.all_arrived else min(link, self.rate)
        else:
            fill = link
        buffered = self.arrived - self.consumed > EPSILON
        play = self.rate if buffered else min(fill, self.rate)
        return fill, play

    def _until_change(self, fill: float, play: float) -> float:
        """Seconds until the phase changes (a bound reached), or infinity."""
        times = [float("inf")]
        if fill > 0 and not self.all_arrived:
            times.append((self.item.size - self.arrived) / fill)
        buffered = self.arrived - self.consumed
        if buffered > EPSILON and play > fill:
            times.append(buffered / (play - fill))
        cap = self._cap()
        if fill > play and self.arrived < cap - EPSILON and not self.through:
            times.append((cap - self.arrived) / (fill - play))
        if play > 0:
            times.append((self.item.size - self.consumed) / play)
        return max(min(times), 1e-9)
