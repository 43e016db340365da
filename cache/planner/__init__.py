"""The pure pre-cache planner: snapshot in, plan out; the `seed` and `smart` policies."""

from cache.errors import ConfigError
from cache.planner.config import CacheConfig, PolicyName
from cache.planner.plan import Cancel, Evict, Fetch, Plan, Reason, Wait
from cache.planner.policy import Policy, make_policy
from cache.planner.seed import SeedPolicy
from cache.planner.smart import SmartPolicy
from cache.planner.snapshot import (
    DiskState,
    FileState,
    Item,
    NetState,
    NetworkKind,
    Origin,
    PlayRecord,
    Snapshot,
)

__all__ = [
    "CacheConfig",
    "Cancel",
    "ConfigError",
    "DiskState",
    "Evict",
    "Fetch",
    "FileState",
    "Item",
    "NetState",
    "NetworkKind",
    "Origin",
    "Plan",
    "PlayRecord",
    "Policy",
    "PolicyName",
    "Reason",
    "SeedPolicy",
    "SmartPolicy",
    "Snapshot",
    "Wait",
    "make_policy",
]
