"""Start-up loads only what is configured (issue 14): a service with nothing optional set never
imports zeroconf, gpiozero, psutil, mutagen, the MPD server, the remote sources' clients or the
command-line client, neither to get READY nor afterwards (its first scan, its stop); python-mpv
(and with it libmpv) loads with the first play."""

from __future__ import annotations

from pathlib import Path

from tests.integration.service import ServiceProcess, free_port
from tests.tones import RATE, tone, write_wav

# Each only when its part is configured or used: zeroconf (+ ifaddr, psutil's address list) for
# [zeroconf], gpiozero for [gpio], mutagen for files the own readers leave to it, psutil for a
# Host header naming an IP address, the rest for their sections.
NOT_CONFIGURED = (
    "mpv",  # until something plays (player/engine/deferred.py)
    "zeroconf",
    "ifaddr",
    "gpiozero",
    "psutil",
    "mutagen",
    "player.mpd.server",
    "player.mpd.protocol",
    "player.cli.remote",
    "cache.jellyfin.client",
    "cache.jellyfin.catalogue",
    "cache.subsonic.client",
    "cache.slskd",
    "cache.local.demo",
    "cache.simulate",
    "configparser",  # a .pls station's parser
    "difflib",  # the config's did-you-mean
    "player.web.openapi",  # the API document, built when it is asked for
    "cache.jellyfin.remote.messages",  # the Jellyfin apps' requests, for remote_control
)


def _modules_of_a_run(
    root: Path, extra: dict[str, dict[str, object]], *, play: bool = False
) -> set[str]:
    out = root / "modules.txt"
    service = ServiceProcess(
        root,
        module="tests.integration.modules_at_exit",
        env={"TAPEDECK_MODULES_OUT": str(out)},
        extra=extra,
    )
    with service:
        albums = service.api("GET", "/library/albums")["items"]
        if play:
            service.wait_until(lambda: service.api("GET", "/library/albums")["items"], 30, 0.1)
            albums = service.api("GET", "/library/albums")["items"]
            body = {"album_id": albums[0]["id"], "mode": "replace", "play": True}
            service.api("POST", "/queue", body)
            service.wait_until(lambda: service.api("GET", "/player")["state"] == "playing", 30, 0.1)
    assert service.process is not None and service.process.returncode == 0, service.log_tail()
    return set(out.read_text().split())


def _loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_nothing_optional_configured_imports_nothing_optional(tmp_path: Path) -> None:
    (tmp_path / "music").mkdir(parents=True)
    modules = _modules_of_a_run(tmp_path, {"library": {"demo": False}})
    assert "aiohttp" in modules and "player.wiring" in modules  # the probe saw the real service
    assert [name for name in NOT_CONFIGURED if _loaded(modules, name)] == []


def test_configured_parts_are_loaded(tmp_path: Path) -> None:
    """The other side (the probe is not blind): the MPD server loads once [mpd] is enabled,
    python-mpv once something plays."""
    album = tmp_path / "music" / "Artist" / "Album"
    album.mkdir(parents=True)
    write_wav(album / "01 - One.wav", tone(RATE * 20))  # long enough to be seen playing
    extra: dict[str, dict[str, object]] = {"mpd": {"enabled": True, "port": free_port()}}
    modules = _modules_of_a_run(tmp_path, extra, play=True)
    assert _loaded(modules, "player.mpd.server") and "mpv" in modules
