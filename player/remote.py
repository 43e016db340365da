"""Small clients of a running service: `tapedeck status`, `play`, `next`, `queue`, ..."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

TRANSPORT = {
    "play": "play",
    "pause": "pause",
    "toggle": "toggle",
    "next": "next",
    "prev": "previous",
    "stop": "stop",
}


def add_client_commands(sub: Any) -> None:
    for name, help_text in [
        ("status", "what is playing"),
        ("queue", "the play queue"),
        *[(n, f"{v} (player command)") for n, v in TRANSPORT.items()],
    ]:
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--url", default=os.environ.get("TAPEDECK_URL", "http://127.0.0.1:8080"))
        cmd.add_argument("--json", action="store_true", help="print the raw JSON answer")
    vol = sub.add_parser("volume", help="set the volume (0-100) or change it (+5, -5)")
    vol.add_argument("value")
    vol.add_argument("--url", default=os.environ.get("TAPEDECK_URL", "http://127.0.0.1:8080"))
    vol.add_argument("--json", action="store_true")


class ClientError(Exception):
    pass


def request(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base.rstrip('/')}/api/v1{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as err:
        detail = json.loads(err.read().decode() or "{}").get("error", {}).get("message", err.reason)
        raise ClientError(f"{err.code}: {detail}") from err
    except urllib.error.URLError as err:
        raise ClientError(f"cannot reach tapedeck at {base}: {err.reason}") from err
    return json.loads(text) if text else None


def run_client(args: argparse.Namespace) -> int:
    try:
        result = _dispatch(args)
    except ClientError as err:
        print(f"tapedeck: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.command == "queue":
        print(format_queue(result))
    else:
        print(format_player(result))
    return 0


def _dispatch(args: argparse.Namespace) -> Any:
    if args.command == "status":
        return request(args.url, "GET", "/player")
    if args.command == "queue":
        return request(args.url, "GET", "/queue")
    if args.command == "volume":
        value = args.value
        body = {"delta": int(value)} if value[:1] in "+-" else {"volume": int(value)}
        return request(args.url, "POST", "/player/volume", body)
    return request(args.url, "POST", f"/player/{TRANSPORT[args.command]}")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def format_player(player: dict[str, Any]) -> str:
    item = player.get("item")
    icon = {"playing": "▶", "paused": "⏸", "stopped": "■"}.get(player["state"], "?")
    if not item:
        return f"{icon} {player['state']}  (volume {player['volume']})"
    artists = ", ".join(item["artists"])
    where = f" [{player['playing_from']}]" if player.get("playing_from") else ""
    times = f"{_clock(player['position'])} / {_clock(player.get('duration'))}"
    return f"{icon} {item['title']} — {artists} ({item['album']})  {times}  vol {player['volume']}{where}"


def format_queue(queue: dict[str, Any]) -> str:
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
