"""`tapedeck simulate TRACE [--policy seed|smart|oracle|queue-oracle] [--config FILE]
[--[no-]stream-through]`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from cache.errors import CacheError
from cache.planner.config import CacheConfig, PolicyName
from cache.planner.policy import Policy, make_policy
from cache.simulate.engine import Simulator
from cache.simulate.metrics import Metrics
from cache.simulate.oracle import OraclePolicy, QueueOraclePolicy
from cache.simulate.trace import TICKS_PER_SECOND, Trace, parse_trace

POLICIES = (*(p.value for p in PolicyName), "oracle", "queue-oracle")


def load_config(path: Path | None) -> tuple[CacheConfig, bool]:
    """The `[cache]` section of a tapedeck TOML file; also whether it sets storage_limit itself."""
    if path is None:
        return CacheConfig(), False
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CacheError(f"cannot read config {path}: {err}") from err
    section: Any = doc.get("cache", {})
    if not isinstance(section, dict):
        raise CacheError(f"{path}: [cache] must be a table")
    return CacheConfig.from_mapping(section), "storage_limit" in section


def simulate(
    trace: Trace, policy_name: str, config: CacheConfig, stream_through: bool = False
) -> Metrics:
    """Run one policy over a trace and return its figures (`stream_through`: streamed tracks are
    fetched whole as they play and kept when allowed)."""
    policy: Policy | OraclePolicy
    if policy_name in ("oracle", "queue-oracle"):
        plays = [
            (e.tick / TICKS_PER_SECOND, trace.tracks[e.item_id])
            for e in trace.events
            if e.item_id and e.type == "play"
        ]
        kind = OraclePolicy if policy_name == "oracle" else QueueOraclePolicy
        policy = kind(config, plays)
    else:
        policy = make_policy(config, PolicyName(policy_name))
    return Simulator(trace, policy, config, policy_name, stream_through).run()


def run_file(
    path: Path,
    policy_name: str,
    config_path: Path | None = None,
    stream_through: bool | None = False,
) -> dict[str, Any]:
    """Parse, configure (the trace's storage limit unless the config sets one) and simulate
    (`stream_through` None: as the config says, like the device)."""
    config, own_limit = load_config(config_path)
    if stream_through is None:
        stream_through = config.stream_through
    with path.open(encoding="utf-8") as fh:
        trace = parse_trace(fh)
    if not own_limit:
        config = dataclasses.replace(config, storage_limit=trace.world.storage_limit)
    return simulate(trace, policy_name, config, stream_through).to_json()


def main(argv: list[str]) -> int:
    """Print the JSON object of shared/traces.md; 2 on a bad trace or config."""
    parser = argparse.ArgumentParser(prog="tapedeck simulate", description=__doc__)
    parser.add_argument("trace", type=Path)
    parser.add_argument("--policy", choices=POLICIES, default=None)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument(
        "--stream-through",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="streamed tracks are fetched once into the cache (default: cache.stream_through)",
    )
    args = parser.parse_args(argv)
    try:
        name = args.policy or str(load_config(args.config)[0].policy)
        result = run_file(args.trace, name, args.config, args.stream_through)
    except (CacheError, OSError) as err:
        print(f"tapedeck simulate: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0
