"""`tapedeck pair ...`: ask to pair from any machine; approve, list and revoke on the device itself.

Approving, listing and revoking prove they run on the device with the local key the service writes to
its state directory (see `player.web.auth`), so they must run as root or as the service's user.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from player.cli.http import ClientError, Connection
from player.config import config_path_from, load_config
from player.confload import ConfigError
from player.pairing.store import LOCAL_KEY_FILE, read_local_key

SYSTEM_STATE_DIR = Path("/var/lib/tapedeck")  # the systemd unit's StateDirectory=


def add_pair_arguments(
    pair: argparse.ArgumentParser, common: Callable[[argparse.ArgumentParser], None]
) -> None:
    """The `pair` steps, each with the shared options (`common`) and where to find the local key."""
    steps = pair.add_subparsers(dest="pair_command", required=True)
    request = steps.add_parser("request", help="ask the device for a token for this client")
    request.add_argument("name", help="what this client is called, e.g. 'laptop'")
    approve = steps.add_parser("approve", help="on the device: approve a waiting request")
    approve.add_argument(
        "request_id", nargs="?", help="its id or a unique prefix (default: the only one waiting)"
    )
    listing = steps.add_parser("list", help="on the device: waiting requests and paired clients")
    revoke = steps.add_parser("revoke", help="on the device: revoke a paired client's tokens")
    revoke.add_argument("name")
    for step in (request, approve, listing, revoke):
        common(step)
        step.add_argument("--state-dir", help="the service's state directory (holds its local key)")
        step.add_argument("--config", help="the service's config file (names its state directory)")


def state_dir_candidates(args: argparse.Namespace, env: dict[str, str]) -> list[Path]:
    """Where the local key may be: --state-dir alone, else the config's state dir and systemd's."""
    if args.state_dir:
        return [Path(args.state_dir)]
    found = []
    # A broken config is the service's problem; systemd's directory may still be right.
    with contextlib.suppress(ConfigError):
        found.append(load_config(config_path_from(args.config, env), env).state_dir)
    return [*found, SYSTEM_STATE_DIR]


def find_local_key(candidates: Iterable[Path]) -> str:
    """The running service's local key, or a ClientError that says what to do."""
    denied: list[Path] = []
    looked: list[Path] = []
    for state_dir in candidates:
        looked.append(state_dir / LOCAL_KEY_FILE)
        try:
            return read_local_key(state_dir)
        except PermissionError:
            denied.append(state_dir / LOCAL_KEY_FILE)
        except OSError:
            continue
    if denied:
        raise ClientError(
            f"cannot read {denied[0]}: run this as root or as the tapedeck user "
            "(sudo tapedeck pair ...)"
        )
    where = ", ".join(str(p) for p in looked)
    raise ClientError(
        f"no local key found (looked for {where}). Is tapedeck running on this machine with "
        "security.pairing = true? Use --state-dir to name its state directory."
    )


def try_local_key(args: argparse.Namespace, env: dict[str, str]) -> str | None:
    """The local key when this user can read it; None otherwise (ordinary commands don't insist)."""
    try:
        return find_local_key(state_dir_candidates(args, env))
    except ClientError:
        return None


def run_pair(
    conn: Connection, args: argparse.Namespace, out: TextIO, sleep: Callable[[float], None]
) -> Any:
    """Do the `pair` step: print readable output and return None, or with --json return the answer."""
    step = args.pair_command
    if step == "request":
        return request_token(conn, args.name, out, sleep, quiet=args.json)
    if step == "approve":
        body = {"request_id": args.request_id} if args.request_id else {}
        result = conn.call("POST", "/pairing/local/approve", body)
        text = f"Approved '{result['name']}': it receives its token on its next poll."
    elif step == "list":
        result = {
            **conn.call("GET", "/pairing/local/requests"),
            **conn.call("GET", "/pairing/local/devices"),
        }
        text = format_pairing_list(result)
    else:
        result = conn.call("POST", "/pairing/local/revoke", {"name": args.name})
        count = result["revoked"]
        text = f"Revoked {count} token{'s' if count != 1 else ''} of '{args.name}'."
    if not args.json:
        print(text, file=out)
        return None
    return result


def request_token(
    conn: Connection,
    name: str,
    out: TextIO,
    sleep: Callable[[float], None] = time.sleep,
    *,
    quiet: bool = False,
    interval: float = 1.0,
) -> dict[str, Any] | None:
    """Ask to pair, then poll until a person approves on the device or the request expires."""
    opened = conn.call("POST", "/pairing", {"name": name})
    if not quiet:
        print(
            f"Asked to pair as '{name}'. Within {opened.get('expires_in', 60):g} s, hold the play "
            "button on the device or run `sudo tapedeck pair approve` on it…",
            file=out,
            flush=True,
        )
    rounds = int(float(opened.get("expires_in", 60)) / interval) + 5  # the service expires it first
    for _ in range(rounds):
        poll: dict[str, Any] = conn.call("GET", f"/pairing/{opened['request_id']}")
        if poll["state"] == "approved":
            _got_token(poll, out, quiet)
            return poll if quiet else None
        if poll["state"] == "expired":
            break
        sleep(interval)
    raise ClientError("nobody approved the request in time; try again")


def _got_token(poll: dict[str, Any], out: TextIO, quiet: bool) -> None:
    if "token" not in poll:
        raise ClientError("the request was approved, but its token was already collected")
    if not quiet:
        print("Paired. Keep this token secret; use it with:", file=out)
        print(f"  export TAPEDECK_TOKEN={poll['token']}", file=out)


def format_pairing_list(data: dict[str, Any]) -> str:
    """Waiting requests (with the id to approve) and the paired clients."""
    lines = []
    if data["requests"]:
        lines.append("Waiting for approval:")
        for req in data["requests"]:
            lines.append(
                f"  {req['request_id'][:8]}  {req['name']:<24}  {req['expires_in']:.0f} s left"
            )
    else:
        lines.append("No pairing request is waiting.")
    if data["devices"]:
        lines.append("Paired clients:")
        for dev in data["devices"]:
            lines.append(f"  {dev['name']:<24}  since {dev['created_at']}")
    else:
        lines.append("No client is paired.")
    return "\n".join(lines)
