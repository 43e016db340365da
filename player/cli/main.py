"""The `tapedeck` command: `serve`, `simulate`, small clients of the running service, and the
Snapcast controlscript (`snapcast-plugin`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from player.system import startup


def _parser(*, clients: bool = True) -> argparse.ArgumentParser:
    """The command line; `clients=False` leaves out the remote-control commands (and their
    modules: `serve` starts at every boot and never needs them)."""
    parser = argparse.ArgumentParser(
        prog="tapedeck", description="An offline-first music appliance."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service")
    serve.add_argument("--config", help="the TOML config file (default: $TAPEDECK_CONFIG or none)")
    serve.add_argument("--log-level", default=os.environ.get("TAPEDECK_LOG", "INFO"))
    sim = sub.add_parser("simulate", help="replay a listening trace against a pre-cache policy")
    sim.add_argument("trace")
    sim.add_argument("--policy", default="smart")
    sim.add_argument("--config")
    if clients:
        from player.cli.remote import add_client_commands
        from player.cli.snapplugin import add_plugin_command

        add_client_commands(sub)
        add_plugin_command(sub, os.environ)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser(clients=argv[:1] != ["serve"]).parse_args(argv)
    if args.command == "serve":
        startup.begin()  # until READY (player/system/startup.py)
        try:
            return _serve(args)
        finally:
            startup.up()  # a start that ended before READY
    if args.command == "simulate":
        from cache.simulate import main as simulate_main

        sim_argv = [args.trace, "--policy", args.policy] + (
            ["--config", args.config] if args.config else []
        )
        return simulate_main(sim_argv)
    if args.command == "snapcast-plugin":
        from player.cli.snapplugin import run_plugin

        return run_plugin(args)
    from player.cli.remote import run_client

    return run_client(args)


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        if sys.stderr.isatty()
        else "%(levelname)s %(name)s: %(message)s",
    )
    from player.config import config_path_from, load_config
    from player.confload import ConfigError

    try:
        config = load_config(config_path_from(args.config, os.environ))
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    from player.service import serve
    from player.system.memory import limit_malloc_arenas

    limit_malloc_arenas()
    return asyncio.run(serve(config))
