"""`tapedeck playlists [NAME] [--append]`: the library's playlists, or one of them played (a cron
line, a shell alias: "put the morning playlist on")."""

from __future__ import annotations

import argparse
from typing import Any

from player.cli.http import ClientError, Connection

LISTED = 500  # playlists one call lists (the API's page limit)


def add_playlist_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("name", nargs="?", help="play the playlist of this name (case ignored)")
    cmd.add_argument("--append", action="store_true", help="add it to the end of the queue instead")


def run_playlists(conn: Connection, args: argparse.Namespace) -> Any:
    """The list, or the Queue once the named playlist was queued."""
    listed: dict[str, Any] = conn.call("GET", f"/library/playlists?limit={LISTED}")
    if not args.name:
        return listed
    chosen = pick(listed["items"], args.name)
    body = {"playlist_id": chosen["id"], "mode": "append" if args.append else "replace"}
    return conn.call("POST", "/queue", body | {"play": not args.append})


def pick(playlists: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The playlist of that name; else the only one whose name holds it (ClientError otherwise)."""
    wanted = name.casefold()
    exact = [p for p in playlists if p["name"].casefold() == wanted]
    found = exact or [p for p in playlists if wanted in p["name"].casefold()]
    if len(found) == 1 or exact:
        return found[0]
    names = ", ".join(sorted(p["name"] for p in found or playlists)) or "none"
    which = "several playlists match" if found else "no playlist has that name"
    raise ClientError(f"{which} ({name!r}); the playlists: {names}")


def format_playlists(listed: dict[str, Any]) -> str:
    """One line per playlist: name, tracks, length, source."""
    if not listed["items"]:
        return "No playlists in the library."
    lines = []
    for p in listed["items"]:
        minutes = round(p["duration"] / 60)
        lines.append(f"{p['name']}  ({p['track_count']} tracks, {minutes} min, {p['source']})")
    return "\n".join(lines)
