"""The one interface every pre-cache policy offers, and the factory that picks one by name."""

from __future__ import annotations

from typing import Protocol

from cache.planner.config import CacheConfig, PolicyName
from cache.planner.plan import Plan
from cache.planner.seed import SeedPolicy
from cache.planner.smart import SmartPolicy
from cache.planner.snapshot import Snapshot


class Policy(Protocol):
    """Turns a snapshot into a plan. No I/O; the service and the simulator call it the same way."""

    config: CacheConfig

    def plan(self, snap: Snapshot) -> Plan:
        """What to fetch, cancel and evict now."""
        ...


def make_policy(config: CacheConfig, name: PolicyName | None = None) -> Policy:
    """A fresh policy object (`name` overrides `config.policy`)."""
    chosen = name if name is not None else config.policy
    if chosen is PolicyName.SEED:
        return SeedPolicy(config)
    return SmartPolicy(config)
