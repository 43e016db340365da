"""`tapedeck snapcast-plugin`: the command line of the Snapcast controlscript (player/snapcast/).

snapserver 0.26 runs a controlscript as `<path> "--stream=ID" --snapcast-port=N --snapcast-host=H`
and has no way to pass more arguments, so the venv also holds `tapedeck-snapcast-plugin` (`main`
below), a path for snapserver.conf that means `tapedeck snapcast-plugin` with the defaults; another
URL or a token takes a wrapper script. snapserver's own options are accepted and unused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from player.cli.http import DEFAULT_URL, ClientError, is_local_url
from player.cli.pair import find_local_key, state_dir_candidates


def main() -> int:
    """The `tapedeck-snapcast-plugin` entry point: `tapedeck snapcast-plugin ARGS`."""
    from player.cli.main import main as tapedeck

    return tapedeck(["snapcast-plugin", *sys.argv[1:]])


def add_plugin_command(sub: argparse._SubParsersAction, env: Mapping[str, str]) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser(
        "snapcast-plugin", help="the Snapcast controlscript (snapserver runs it, not a person)"
    )
    cmd.add_argument("--url", default=env.get("TAPEDECK_URL", DEFAULT_URL), help="the service")
    cmd.add_argument("--token", default=env.get("TAPEDECK_TOKEN"), help="a paired client's token")
    cmd.add_argument("--state-dir", help="the service's state directory (holds its local key)")
    cmd.add_argument("--config", help="the service's config file (names its state directory)")
    cmd.add_argument(
        "--public-url",
        help="how Snapcast's clients reach tapedeck, for cover art "
        "(default: http://<hostname>.local:<port> for a loopback --url)",
    )
    cmd.add_argument("--log-level", default=env.get("TAPEDECK_LOG", "WARNING"))
    for own in ("--stream", "--snapcast-host", "--snapcast-port"):  # snapserver's, unused
        cmd.add_argument(own, help=argparse.SUPPRESS)


def public_base(url: str, public_url: str | None) -> str:
    """Where other machines fetch cover art: --public-url, else this device's mDNS name."""
    if public_url:
        return public_url
    if not is_local_url(url):
        return url
    parts = urllib.parse.urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{socket.gethostname()}.local{port}"


def run_plugin(args: argparse.Namespace) -> int:
    from player.snapcast.controlscript import Options, run
    from player.snapcast.tapedeck_link import credentials_for

    logging.basicConfig(
        level=str(args.log_level).upper(),
        stream=sys.stderr,  # stdout is snapserver's JSON-RPC
        format="snapcast-plugin %(levelname)s: %(message)s",
    )
    candidates = state_dir_candidates(args, dict(os.environ)) if not args.token else []
    options = Options(
        url=args.url,
        credentials=credentials_for(args.token, lambda: _local_key(args.url, candidates)),
        art_base=public_base(args.url, args.public_url),
    )
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run(options))
    return 130


def _local_key(url: str, candidates: list[Path]) -> str | None:
    """The service's current local key (it changes at every start), when it applies and is readable."""
    if not candidates or not is_local_url(url):
        return None
    try:
        return find_local_key(candidates)
    except ClientError:
        return None
