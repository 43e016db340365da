"""`tapedeck downloads`: the download list, and `--watch` with progress bars redrawn in place.

`--watch` polls `GET /api/v1/downloads` once a second rather than following the events WebSocket:
the standard library has no WebSocket client, a hand-rolled one (handshake, masking, fragments,
ping/pong) would be more code to get right than this whole command, and one small local request a
second costs the device nothing. Polling also survives a service restart without any reconnect logic.
"""

from __future__ import annotations

import contextlib
import time
import unicodedata
from collections.abc import Callable
from typing import Any, TextIO

from player.cli.http import ClientError

Download = dict[str, Any]
Fetch = Callable[[], dict[str, Any]]
ICONS = {
    "downloading": "⇣",
    "pending": "…",
    "paused": "⏸",
    "completed": "✓",
    "failed": "✗",
    "cancelled": "⊘",
}
UNFINISHED = frozenset({"pending", "downloading"})
WATCHED = "pending,downloading,paused"
EIGHTHS = " ▏▎▍▌▋▊▉"
KEEP_FINISHED = 5  # finished downloads stay on the watch screen, the latest few


def human_bytes(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"  # unreachable; keeps mypy sure of a str


def progress_bar(progress: float, width: int) -> str:
    """A bar of `width` cells with eighth-cell resolution."""
    eighths = round(max(0.0, min(1.0, progress)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (EIGHTHS[part] if part else "")
    return bar + "░" * (width - len(bar))


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide East Asian characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells, with an ellipsis when cut."""
    if cell_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _right(d: Download, bar_width: int) -> str:
    status, progress = d["status"], float(d.get("progress") or 0.0)
    if status == "downloading":
        done = f"{human_bytes(d.get('bytes_downloaded'))}/{human_bytes(d.get('file_size'))}"
        return f"{progress_bar(progress, bar_width)} {progress * 100:3.0f}%  {done}"
    if status == "pending":
        return d.get("wait_reason") or "queued"
    if status == "paused":
        return f"paused at {progress * 100:.0f}%"
    if status == "completed":
        return f"done  {human_bytes(d.get('file_size') or d.get('bytes_downloaded'))}"
    if status == "failed":
        retries = d.get("retry_count") or 0
        extra = f" (after {retries} retr{'y' if retries == 1 else 'ies'})" if retries else ""
        return f"failed: {d.get('error_message') or 'unknown error'}{extra}"
    return str(status)


def format_download(d: Download, width: int = 80) -> str:
    """One line: icon, title — album, then the status part (a bar while downloading)."""
    bar_width = max(8, min(30, width // 4))
    right = _right(d, bar_width)
    left = f"{ICONS.get(d['status'], '?')} {d.get('title') or d['item_id']}"
    if d.get("album"):
        left += f" — {d['album']}"
    room = max(4, width - cell_width(right) - 2)
    shown = fit(left, room)
    return fit(shown + " " * (room - cell_width(shown)) + "  " + right, width)


def format_summary(page: dict[str, Any]) -> str:
    return (
        f"{page.get('active_count', 0)} downloading · {page.get('queued_count', 0)} queued · "
        f"{page.get('total', len(page['downloads']))} in all"
    )


def format_downloads(page: dict[str, Any], width: int = 80) -> str:
    """The list for `tapedeck downloads`."""
    if not page["downloads"]:
        return "No downloads."
    lines = [format_download(d, width) for d in page["downloads"]]
    return "\n".join([*lines, format_summary(page)])


class Screen:
    """Redraws a block of lines in place on a terminal (ANSI cursor movement)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._drawn = 0

    def draw(self, lines: list[str]) -> None:
        # Up to the block's first line, clear to the end of the screen, write the new block.
        up = f"\x1b[{self._drawn}F" if self._drawn else ""
        self._out.write(up + "\x1b[J" + "".join(f"{line}\n" for line in lines))
        self._out.flush()
        self._drawn = len(lines)


class Watch:
    """The state of `downloads --watch`: what is active now and what finished while watching."""

    def __init__(self, fetch: Fetch, fetch_one: Callable[[int], Download]) -> None:
        self._fetch = fetch
        self._fetch_one = fetch_one
        self._seen: dict[int, Download] = {}
        self.finished: dict[int, Download] = {}
        self.page: dict[str, Any] = {"downloads": []}

    def refresh(self) -> None:
        """Fetch the active list; look up, once, each download that left it since last time."""
        self.page = self._fetch()
        current = {d["id"]: d for d in self.page["downloads"]}
        for gone in sorted(self._seen.keys() - current.keys()):
            with contextlib.suppress(ClientError):  # deleted meanwhile: nothing to show
                self.finished[gone] = self._fetch_one(gone)
        self._seen = current
        while len(self.finished) > KEEP_FINISHED:
            del self.finished[next(iter(self.finished))]

    @property
    def done(self) -> bool:
        return not any(d["status"] in UNFINISHED for d in self.page["downloads"])

    def lines(self, width: int) -> list[str]:
        rows = [*self.finished.values(), *self.page["downloads"]]
        return [format_download(d, width - 1) for d in rows] + [format_summary(self.page)]


def watch(
    state: Watch,
    out: TextIO,
    *,
    tty: bool,
    width: Callable[[], int],
    interval: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> None:
    """Show live progress until nothing is left to download (or `rounds` polls, for tests)."""
    screen = Screen(out)
    printed: dict[int, tuple[str, int]] = {}
    count = 0
    while rounds is None or count < rounds:
        state.refresh()
        if tty:
            screen.draw(state.lines(width()))
        else:
            _print_changes(state, out, printed)
        if state.done:
            print("Nothing left to download.", file=out)
            return
        count += 1
        sleep(interval)


def _print_changes(state: Watch, out: TextIO, printed: dict[int, tuple[str, int]]) -> None:
    """Without a terminal: one plain line per download whenever its status or tenth changes."""
    for d in [*state.finished.values(), *state.page["downloads"]]:
        key = (d["status"], int(float(d.get("progress") or 0) * 10))
        if printed.get(d["id"]) != key:
            printed[d["id"]] = key
            print(format_download(d, 100), file=out, flush=True)
