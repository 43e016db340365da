"""The network rule: whether a transfer of one origin may use the link. Written once, here; the
policies plan with it and the gate (cache/gate.py) holds transfers with it."""

from __future__ import annotations

from cache.planner.config import CacheConfig
from cache.planner.plan import Wait
from cache.planner.snapshot import NetState, NetworkKind, Origin


def is_unmetered(net: NetState) -> bool:
    """Online and not metered: Wi-Fi, Ethernet, an unknown link (a VPN, a bridge), or a cellular
    modem on a flat rate. The watcher marks cellular metered unless `[network]
    unmetered_interfaces` names it, so the flag, not the kind, is what counts."""
    return net.kind is not NetworkKind.OFFLINE and not net.metered


def network_wait(net: NetState, config: CacheConfig, origin: Origin) -> Wait | None:
    """None when a transfer of this origin may use `net`, else the sentence saying why not."""
    if net.kind is NetworkKind.OFFLINE:
        return Wait.NETWORK
    if not net.server_reachable:
        return Wait.SERVER
    if is_unmetered(net) or not config.wifi_only:
        return None
    if origin is Origin.USER and config.pins_on_metered:
        return None
    return Wait.WIFI
