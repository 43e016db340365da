"""Zeroconf advertising, checked by a real mDNS browser; both sides bound to 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from zeroconf import IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from player.system.discovery import (
    MPD_SERVICE_TYPE,
    SERVICE_TYPES,
    Advertisement,
    Advertiser,
    DiscoveryConfig,
    instance_name,
    local_addresses,
    stable_device_id,
)
from tests.polling import until

LOOPBACK = ("127.0.0.1",)
WAIT = 15.0  # bound for anything that should happen soon (probing alone takes ~1 s)
TXT = {b"path": b"/", b"api": b"/api/v1", b"version": b"1.2.3", b"id": b"dev-42"}


class Browser:
    """A real DNS-SD browser for both service types, recording what it sees."""

    def __init__(self, aiozc: AsyncZeroconf) -> None:
        self.aiozc = aiozc
        self.seen: dict[str, ServiceStateChange] = {}
        self.changed = asyncio.Event()

    def on_change(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        self.seen[name] = state_change
        self.changed.set()

    async def until(self, check: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while not check():
                self.changed.clear()
                await self.changed.wait()

    def present(self, *names: str) -> bool:
        return all(
            self.seen.get(n) in (ServiceStateChange.Added, ServiceStateChange.Updated)
            for n in names
        )

    def gone(self, *names: str) -> bool:
        return all(self.seen.get(n) == ServiceStateChange.Removed for n in names)

    async def resolve(self, name: str) -> AsyncServiceInfo:
        kind = next(k for k in SERVICE_TYPES if name.endswith(k))
        info = AsyncServiceInfo(kind, name)
        assert await info.async_request(self.aiozc.zeroconf, 3000), f"{name} did not resolve"
        return info

    async def resolve_until(self, name: str, check: Callable[[AsyncServiceInfo], bool]) -> None:
        """Resolve again until `check` holds: caches may briefly answer with older records."""
        async with asyncio.timeout(WAIT):
            while not check(await self.resolve(name)):
                self.changed.clear()
                with contextlib.suppress(TimeoutError):  # usually the re-announcement arrives
                    await asyncio.wait_for(self.changed.wait(), 0.25)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    aiozc = AsyncZeroconf(interfaces=list(LOOPBACK), ip_version=IPVersion.V4Only)
    watcher = Browser(aiozc)
    browse = AsyncServiceBrowser(aiozc.zeroconf, list(SERVICE_TYPES), handlers=[watcher.on_change])
    yield watcher
    await browse.async_cancel()
    await aiozc.async_close()


class Running:
    """An Advertiser whose `run()` is a task between `start()` and `stop()` (the service's
    supervisor does the same)."""

    def __init__(self, advertiser: Advertiser) -> None:
        self.advertiser = advertiser
        self._task: asyncio.Task[None] | None = None

    @property
    def published_names(self) -> tuple[str, ...]:
        return self.advertiser.published_names

    def start(self) -> None:
        self._task = asyncio.create_task(self.advertiser.run())

    async def stop(self) -> None:
        self.advertiser.stop()
        if self._task is not None:
            await asyncio.wait_for(self._task, 5.0)


def running(config: DiscoveryConfig, ad: Advertisement, **kwargs: Any) -> Running:
    return Running(Advertiser(config, ad, **kwargs))


@pytest.fixture
async def advertisers() -> AsyncIterator[list[Running]]:
    started: list[Running] = []
    yield started
    for advertiser in started:
        await advertiser.stop()


def unique_name() -> str:
    return f"Kitchen {uuid.uuid4().hex[:6]}"


def advertisement(name: str, port: int = 8765) -> Advertisement:
    return Advertisement(name, port, version="1.2.3", device_id="dev-42", hostname="tapedeck-test")


def full_names(name: str) -> list[str]:
    return [f"{name}.{kind}" for kind in SERVICE_TYPES]


async def test_browse_finds_both_services_with_port_and_txt_then_they_go(
    browser: Browser, advertisers: list[Running]
) -> None:
    name = unique_name()
    advertiser = running(DiscoveryConfig(interfaces=LOOPBACK), advertisement(name))
    advertisers.append(advertiser)
    advertiser.start()
    assert advertiser.published_names == ()  # start() returned before publishing anything

    await browser.until(lambda: browser.present(*full_names(name)))
    for full in full_names(name):
        info = await browser.resolve(full)
        assert info.port == 8765
        assert info.properties == TXT
        assert info.parsed_addresses() == ["127.0.0.1"]
        assert info.server == "tapedeck-test.local."
    assert sorted(advertiser.published_names) == sorted(full_names(name))

    await advertiser.stop()
    await browser.until(lambda: browser.gone(*full_names(name)))  # goodbye packets observed


async def test_follows_address_changes(browser: Browser, advertisers: list[Running]) -> None:
    name = unique_name()
    addresses: list[frozenset[str]] = [frozenset()]  # offline at boot: nothing to announce
    advertiser = running(
        DiscoveryConfig(interfaces=LOOPBACK),
        advertisement(name),
        poll_interval=0.05,
        addresses=lambda: addresses[-1],
    )
    advertisers.append(advertiser)
    advertiser.start()
    await asyncio.sleep(0.3)
    assert not [n for n in browser.seen if n.startswith(name)]
    assert advertiser.published_names == ()

    addresses.append(frozenset({"127.0.0.1"}))  # the network came up
    await browser.until(lambda: browser.present(*full_names(name)))

    addresses.append(frozenset({"127.0.0.1", "127.0.0.2"}))  # another address appeared
    for full in full_names(name):
        await browser.resolve_until(
            full, lambda info: sorted(info.parsed_addresses()) == ["127.0.0.1", "127.0.0.2"]
        )


async def test_name_conflict_gets_a_new_name(browser: Browser, advertisers: list[Running]) -> None:
    name = unique_name()
    first = running(DiscoveryConfig(interfaces=LOOPBACK), advertisement(name, port=8001))
    second = running(DiscoveryConfig(interfaces=LOOPBACK), advertisement(name, port=8002))
    advertisers.extend([first, second])
    first.start()
    await browser.until(lambda: browser.present(*full_names(name)))
    second.start()

    def renamed() -> list[str]:  # other tests on this machine may announce on 127.0.0.1 too
        return sorted(n for n in browser.seen if n.startswith(name) and n not in full_names(name))

    await browser.until(lambda: len(renamed()) == 2)
    assert sorted(second.published_names) == renamed()
    for full in renamed():
        assert (await browser.resolve(full)).port == 8002
    for full in full_names(name):
        assert (await browser.resolve(full)).port == 8001


async def test_disabled_publishes_nothing() -> None:
    advertiser = running(DiscoveryConfig(enabled=False), advertisement(unique_name()))
    advertiser.start()
    await advertiser.stop()
    assert advertiser.published_names == ()


def test_local_addresses() -> None:
    assert local_addresses(["127.0.0.1"]) == {"127.0.0.1"}
    assert local_addresses(["203.0.113.9"]) == frozenset()  # configured but not on this machine
    assert "127.0.0.1" not in local_addresses()


def test_stable_device_id_survives_restarts(tmp_path: Path) -> None:
    first = stable_device_id(tmp_path)
    assert stable_device_id(tmp_path) == first
    assert (tmp_path / "device-id").read_text().strip() == first
    other = tmp_path / "other"
    other.mkdir()
    assert stable_device_id(other) != first


def test_instance_name_fits_a_dns_label() -> None:
    assert instance_name("Kitchen") == "Kitchen"
    assert instance_name("  \x07 ") == "tapedeck"
    long = instance_name("Küche " * 20)
    assert len(long.encode()) <= 63
    assert long.startswith("Küche Küche")


async def test_the_mpd_server_is_announced_as_mpd_tcp(advertisers: list[Running]) -> None:
    aiozc = AsyncZeroconf(interfaces=list(LOOPBACK), ip_version=IPVersion.V4Only)
    watcher = Browser(aiozc)
    browse = AsyncServiceBrowser(aiozc.zeroconf, [MPD_SERVICE_TYPE], handlers=[watcher.on_change])
    try:
        name = unique_name()
        ad = Advertisement(
            name, 8765, version="1.2.3", device_id="dev-42", hostname="tapedeck-test",
            mpd_port=6612,
        )  # fmt: skip
        advertiser = Running(Advertiser(DiscoveryConfig(interfaces=LOOPBACK), ad))
        advertisers.append(advertiser)
        advertiser.start()
        full = f"{name}.{MPD_SERVICE_TYPE}"
        await watcher.until(lambda: watcher.present(full))
        info = AsyncServiceInfo(MPD_SERVICE_TYPE, full)
        assert await info.async_request(aiozc.zeroconf, 3000)
        assert info.port == 6612 and info.server == "tapedeck-test.local."
        # published_names is set once the announcement is done, a moment after probing
        await until(lambda: full in advertiser.published_names, tries=int(WAIT * 100))
    finally:
        await browse.async_cancel()
        await aiozc.async_close()
