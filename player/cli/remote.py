"""Small clients of a running service: `tapedeck status`, `play`, `next`, `queue`, `downloads`,
`playlists`, `pair`.

Every command takes `--url` (default `$TAPEDECK_URL`, else http://127.0.0.1:8080), `--json` (print
the raw answer) and `--token` (default `$TAPEDECK_TOKEN`; needed when the device has pairing on).
Without a token, a command aimed at this machine uses the service's local key when the user can read
it, so `sudo tapedeck status` works on the device itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from player.cli.downloads import WATCHED, Watch, format_downloads, watch
from player.cli.http import DEFAULT_URL, ClientError, Connection, is_local_url
from player.cli.pair import (
    add_pair_arguments,
    find_local_key,
    run_pair,
    state_dir_candidates,
    try_local_key,
)
from player.cli.playlists import add_playlist_arguments, format_playlists, run_playlists

TRANSPORT = {
    "play": "play",
    "pause": "pause",
    "toggle": "toggle",
    "next": "next",
    "prev": "previous",
    "stop": "stop",
}
DOWNLOAD_STATUSES = ("pending", "downloading", "paused", "completed", "failed", "cancelled")
LOCAL_ONLY_PAIR_STEPS = frozenset({"approve", "list", "revoke"})

__all__ = ["ClientError", "add_client_commands", "format_player", "format_queue", "run_client"]


def _common(cmd: argparse.ArgumentParser, env: Mapping[str, str]) -> None:
    cmd.add_argument("--url", default=env.get("TAPEDECK_URL", DEFAULT_URL), help="the service")
    cmd.add_argument("--json", action="store_true", help="print the raw JSON answer")
    cmd.add_argument("--token", default=env.get("TAPEDECK_TOKEN"), help="a paired client's token")


def add_client_commands(sub: Any, env: Mapping[str, str] | None = None) -> None:
    """Add the client subcommands to the `tapedeck` parser."""
    env = os.environ if env is None else env
    plain = [("status", "what is playing"), ("queue", "the play queue")]
    for name, help_text in plain + [(n, f"{v} (player command)") for n, v in TRANSPORT.items()]:
        _common(sub.add_parser(name, help=help_text), env)
    vol = sub.add_parser("volume", help="set the volume (0-100) or change it (+5, -5)")
    vol.add_argument("value")
    _common(vol, env)
    dl = sub.add_parser("downloads", help="the downloads, or live progress with --watch")
    dl.add_argument("--status", help=f"comma-separated: {', '.join(DOWNLOAD_STATUSES)}")
    dl.add_argument("--origin", choices=("user", "auto"))
    dl.add_argument("--limit", type=int, default=100)
    dl.add_argument("--watch", action="store_true", help="progress bars until all are done")
    dl.add_argument("--interval", type=float, default=1.0, help="seconds between polls (--watch)")
    _common(dl, env)
    playlists = sub.add_parser("playlists", help="the playlists, or play one: playlists NAME")
    add_playlist_arguments(playlists)
    _common(playlists, env)
    pair = sub.add_parser("pair", help="pair clients with a device that has pairing on")
    add_pair_arguments(pair, lambda step: _common(step, env))


def run_client(
    args: argparse.Namespace,
    out: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run one client command: 0 on success, 1 with a message on stderr, 130 when interrupted."""
    out = out or sys.stdout
    try:
        conn = connection_for(args, dict(os.environ))
        result = _dispatch(conn, args, out, sleep)
    except ClientError as err:
        print(f"tapedeck: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=out)
        return 130
    if result is not None:
        print(
            json.dumps(result, indent=2) if args.json else _format(args.command, result), file=out
        )
    return 0


def connection_for(args: argparse.Namespace, env: dict[str, str]) -> Connection:
    """The connection with credentials: --token, else the device's local key where it applies."""
    if args.command == "pair" and args.pair_command in LOCAL_ONLY_PAIR_STEPS:
        if not is_local_url(args.url):
            raise ClientError(f"`pair {args.pair_command}` works only on the device itself")
        return Connection(args.url, local_key=find_local_key(state_dir_candidates(args, env)))
    if args.token or args.command == "pair" or not is_local_url(args.url):
        return Connection(args.url, token=args.token)
    probe = argparse.Namespace(state_dir=None, config=None)
    return Connection(args.url, local_key=try_local_key(probe, env))


def _dispatch(
    conn: Connection, args: argparse.Namespace, out: TextIO, sleep: Callable[[float], None]
) -> Any:
    """The command's JSON answer to print, or None when the command printed its own output."""
    command = args.command
    if command == "status":
        return conn.call("GET", "/player")
    if command == "queue":
        return conn.call("GET", "/queue")
    if command == "volume":
        return conn.call("POST", "/player/volume", volume_body(args.value))
    if command == "downloads":
        return _downloads(conn, args, out, sleep)
    if command == "pair":
        return run_pair(conn, args, out, sleep)
    if command == "playlists":
        return run_playlists(conn, args)
    return conn.call("POST", f"/player/{TRANSPORT[command]}")


def volume_body(value: str) -> dict[str, int]:
    try:
        number = int(value)
    except ValueError as err:
        raise ClientError(
            f"the volume must be a number (0-100) or a change (+5, -5): {value!r}"
        ) from err
    return {"delta": number} if value[:1] in "+-" else {"volume": number}


def downloads_query(args: argparse.Namespace, *, watching: bool = False) -> str:
    statuses = args.status or (WATCHED if watching else "")
    unknown = {s for s in statuses.split(",") if s} - set(DOWNLOAD_STATUSES)
    if unknown:
        raise ClientError(
            f"unknown status {', '.join(sorted(unknown))}; use {', '.join(DOWNLOAD_STATUSES)}"
        )
    parts = [f"limit={args.limit}"]
    if statuses:
        parts.append(f"status={statuses}")
    if args.origin:
        parts.append(f"origin={args.origin}")
    return "/downloads?" + "&".join(parts)


def _downloads(
    conn: Connection, args: argparse.Namespace, out: TextIO, sleep: Callable[[float], None]
) -> Any:
    if not args.watch:
        return conn.call("GET", downloads_query(args))
    if args.json:
        raise ClientError("--watch draws progress bars; leave out --json")
    path = downloads_query(args, watching=True)
    state = Watch(lambda: conn.call("GET", path), lambda i: conn.call("GET", f"/downloads/{i}"))
    tty = out.isatty()
    if tty:
        out.write("\x1b[?25l")  # hide the cursor while redrawing
    try:
        watch(state, out, tty=tty, width=_width, interval=args.interval, sleep=sleep)
    finally:
        if tty:
            out.write("\x1b[?25h")
    return None


def _width() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def _format(command: str, result: Any) -> str:
    if command == "queue" or (command == "playlists" and "entries" in result):
        return format_queue(result)
    if command == "playlists":
        return format_playlists(result)
    if command == "downloads":
        return format_downloads(result, _width())
    return format_player(result)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def format_player(player: dict[str, Any]) -> str:
    """One line: state, track, artists, album, position, volume, where it plays from."""
    item = player.get("item")
    icon = {"playing": "▶", "paused": "⏸", "stopped": "■"}.get(player["state"], "?")
    if not item:
        return f"{icon} {player['state']}  (volume {player['volume']})"
    artists = ", ".join(item["artists"])
    where = f" [{player['playing_from']}]" if player.get("playing_from") else ""
    times = f"{_clock(player['position'])} / {_clock(player.get('duration'))}"
    return f"{icon} {item['title']} — {artists} ({item['album']})  {times}  vol {player['volume']}{where}"


def format_queue(queue: dict[str, Any]) -> str:
    """The queue, numbered from 1, with ▶ on the current entry."""
    if not queue["entries"]:
        return "The queue is empty."
    lines = []
    for i, entry in enumerate(queue["entries"]):
        mark = "▶" if i == queue["index"] else " "
        item = entry["item"]
        lines.append(
            f"{mark} {i + 1:3d}. {item['title']} — {', '.join(item['artists'])}  {_clock(item['duration'])}"
        )
    return "\n".join(lines)
