"""The network watcher on fake /proc and /sys trees."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from cache.net import (
    Network,
    NetworkSettings,
    NetworkWatcher,
    default_route_interface,
    interface_kind,
    interface_up,
    parse_nm_metered,
)
from cache.net.tools import run_tool
from cache.planner import NetworkKind
from tests.fakes.sysfs import FakeSystem


@pytest.fixture
def fake(tmp_path: Path) -> FakeSystem:
    return FakeSystem(tmp_path)


async def _ssid(_iface: str) -> str | None:
    return "home"


async def _no_nm(_iface: str) -> bool | None:
    return None


def _watcher(
    fake: FakeSystem, settings: NetworkSettings | None = None, **kw: object
) -> NetworkWatcher:
    args: dict[str, object] = {
        "ssid_reader": _ssid, "metered_reader": _no_nm, "probe": _reachable_when_routed(fake), **kw
    }  # fmt: skip
    return NetworkWatcher(settings or NetworkSettings(), root=fake.root, **args)  # type: ignore[arg-type]


def _reachable_when_routed(fake: FakeSystem) -> Callable[[], Awaitable[bool]]:
    """A server out on the internet: it answers whenever the default route's link is up."""

    async def probe() -> bool:
        iface = default_route_interface(fake.root)
        return iface is not None and interface_up(fake.root, iface)

    return probe


@pytest.mark.parametrize(
    ("name", "kwargs", "kind"),
    [
        ("wlan0", {"wireless": True}, NetworkKind.WIFI),
        ("wlp2s0", {"devtype": "wlan"}, NetworkKind.WIFI),
        ("wwan0", {}, NetworkKind.CELLULAR),
        ("mob0", {"devtype": "wwan"}, NetworkKind.CELLULAR),
        ("ppp0", {"link_type": 512}, NetworkKind.CELLULAR),
        ("usb0", {"driver": "rndis_host"}, NetworkKind.CELLULAR),
        ("enx0", {"driver": "ipheth"}, NetworkKind.CELLULAR),
        ("eth0", {}, NetworkKind.ETHERNET),
        ("tun0", {"link_type": 65534}, NetworkKind.UNKNOWN),
    ],
)
def test_interface_kinds(
    fake: FakeSystem, name: str, kwargs: dict[str, object], kind: NetworkKind
) -> None:
    fake.iface(name, **kwargs)  # type: ignore[arg-type]
    assert interface_kind(fake.root, name) is kind


def test_default_route_is_the_lowest_metric_one(fake: FakeSystem) -> None:
    assert default_route_interface(fake.root) is None
    fake.routes({"wlan0": 600, "eth0": 100})
    assert default_route_interface(fake.root) == "eth0"


def test_ipv6_default_route_when_there_is_no_ipv4_one(fake: FakeSystem) -> None:
    line = f"{'0' * 32} 00 {'0' * 32} 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 wlan0\n"
    (fake.root / "proc/net/ipv6_route").write_text(line)
    assert default_route_interface(fake.root) == "wlan0"


def test_interface_up_prefers_the_injected_reader(fake: FakeSystem) -> None:
    fake.iface("eth0", state="down")
    assert not interface_up(fake.root, "eth0")
    assert interface_up(fake.root, "eth0", lambda _n: True)
    assert not interface_up(fake.root, "eth0", lambda _n: None)


async def test_wifi_network_object(fake: FakeSystem) -> None:
    fake.iface("wlan0", wireless=True)
    fake.routes({"wlan0": 600})
    net = await _watcher(fake).poll()
    assert net.to_json() == {
        "kind": "wifi",
        "interface": "wlan0",
        "metered": False,
        "ssid": "home",
        "server_reachable": True,
        "downloads_allowed": True,
        "reason": "downloading on Wi-Fi",
    }
    assert net.to_state().kind is NetworkKind.WIFI


async def test_cellular_waits_for_wifi_unless_allowed(fake: FakeSystem) -> None:
    fake.iface("wwan0")
    fake.routes({"wwan0": 700})
    watcher = _watcher(fake)
    net = await watcher.poll()
    assert (net.kind, net.metered, net.downloads_allowed) == (NetworkKind.CELLULAR, True, False)
    assert net.reason == "waiting for Wi-Fi" and watcher.wait_reason() == "waiting for Wi-Fi"
    allowed = await _watcher(fake, NetworkSettings(wifi_only=False)).poll()
    assert allowed.downloads_allowed and allowed.reason == "downloading on mobile data (metered)"


async def test_overrides_mark_interfaces_and_ssids_metered(fake: FakeSystem) -> None:
    fake.iface("wlan0", wireless=True)
    fake.iface("eth0")
    fake.routes({"wlan0": 600})
    by_ssid = await _watcher(fake, NetworkSettings(metered_ssids=("home",))).poll()
    assert by_ssid.metered and not by_ssid.downloads_allowed
    fake.routes({"eth0": 100})
    by_iface = await _watcher(fake, NetworkSettings(metered_interfaces=("eth0",))).poll()
    assert by_iface.metered and by_iface.kind is NetworkKind.ETHERNET


async def test_networkmanager_metered_flag_is_used_when_present(fake: FakeSystem) -> None:
    fake.iface("wlan0", wireless=True)
    fake.routes({"wlan0": 600})

    async def nm_yes(_iface: str) -> bool | None:
        return True

    assert (await _watcher(fake, metered_reader=nm_yes).poll()).metered
    off = NetworkSettings(use_networkmanager=False)
    assert not (await _watcher(fake, off, metered_reader=nm_yes).poll()).metered


async def test_no_route_or_link_down_is_offline(fake: FakeSystem) -> None:
    net = await _watcher(fake).poll()
    assert (net.kind, net.downloads_allowed, net.reason) == (
        NetworkKind.OFFLINE,
        False,
        "waiting for a network",
    )
    fake.iface("eth0", state="down")
    fake.routes({"eth0": 100})
    assert (await _watcher(fake).poll()).kind is NetworkKind.OFFLINE


async def test_a_server_on_a_lan_without_a_default_route(fake: FakeSystem) -> None:
    async def lan_server() -> bool:
        return True

    net = await _watcher(fake, probe=lan_server).poll()
    assert (net.kind, net.server_reachable, net.downloads_allowed) == (
        NetworkKind.UNKNOWN,
        True,
        True,
    )


async def test_unreachable_server(fake: FakeSystem) -> None:
    fake.iface("eth0")
    fake.routes({"eth0": 100})

    async def down() -> bool:
        return False

    net = await _watcher(fake, probe=down).poll()
    assert (net.server_reachable, net.downloads_allowed, net.reason) == (
        False,
        False,
        "server unreachable",
    )


async def test_restrictive_changes_are_immediate_and_relaxing_ones_debounced(
    fake: FakeSystem,
) -> None:
    fake.iface("wlan0", wireless=True)
    fake.iface("wwan0")
    fake.routes({"wlan0": 600})
    now = [0.0]
    seen: list[Network] = []
    watcher = _watcher(fake, NetworkSettings(debounce=10.0), clock=lambda: now[0])
    watcher.subscribe(seen.append)
    await watcher.poll()
    fake.routes({"wwan0": 700})
    now[0] = 1.0
    assert (await watcher.poll()).kind is NetworkKind.CELLULAR  # at once: pause transfers now
    fake.routes({"wlan0": 600})
    now[0] = 2.0
    assert (await watcher.poll()).kind is NetworkKind.CELLULAR  # Wi-Fi must hold first
    now[0] = 8.0
    assert (await watcher.poll()).kind is NetworkKind.CELLULAR
    now[0] = 12.5
    assert (await watcher.poll()).kind is NetworkKind.WIFI
    assert [n.kind for n in seen] == [NetworkKind.WIFI, NetworkKind.CELLULAR, NetworkKind.WIFI]


async def test_a_flapping_link_restarts_the_debounce(fake: FakeSystem) -> None:
    fake.iface("wlan0", wireless=True)
    fake.routes({})
    now = [0.0]
    watcher = _watcher(fake, NetworkSettings(debounce=5.0), clock=lambda: now[0])
    await watcher.poll()
    for t, routes in ((1.0, {"wlan0": 1}), (4.0, {}), (5.0, {"wlan0": 1}), (9.0, {"wlan0": 1})):
        now[0] = t
        fake.routes(routes)
        await watcher.poll()
    assert watcher.current.kind is NetworkKind.OFFLINE
    now[0] = 10.5
    assert (await watcher.poll()).kind is NetworkKind.WIFI


async def test_run_loop_reports_changes_and_stops_on_cancel(fake: FakeSystem) -> None:
    fake.iface("eth0")
    fake.routes({"eth0": 100})
    changed = asyncio.Event()
    watcher = _watcher(fake, NetworkSettings(interval=0.01, debounce=0.0))
    watcher.subscribe(lambda n: changed.set() if n.kind is NetworkKind.OFFLINE else None)
    task = asyncio.create_task(watcher.run())
    try:
        await asyncio.sleep(0.03)
        assert watcher.current.kind is NetworkKind.ETHERNET
        fake.routes({})
        await asyncio.wait_for(changed.wait(), 2.0)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_parse_nm_metered() -> None:
    assert parse_nm_metered("GENERAL.METERED:yes (guessed)\n") is True
    assert parse_nm_metered("GENERAL.METERED:no\n") is False
    assert parse_nm_metered("GENERAL.METERED:unknown\n") is None
    assert parse_nm_metered("") is None


async def test_missing_tools_give_none() -> None:
    assert await run_tool("tapedeck-no-such-tool-xyz") is None
    assert await run_tool("false") is None
    assert (await run_tool("echo", "hi")) == "hi\n"
