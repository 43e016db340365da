"""Real MPD clients against the real service: mpc, ncmpcpp in tmux, python-mpd2's asyncio client."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from mpd.asyncio import MPDClient as AsyncMPDClient

from tests.integration.service import ServiceProcess
from tests.mpd.conftest import connect, mpd_port
from tests.mpd.music import COVER_PNG, SONGS

FIRST = f"{SONGS[0].folder}/{SONGS[0].name}"


def mpc(service: ServiceProcess, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = ["mpc", "-h", "127.0.0.1", "-p", str(mpd_port(service)), *args]
    done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    assert b"MPD 0.21 required" not in done.stderr, done.stderr  # the version gate of mpc 0.34
    assert done.returncode == 0, (args, done.stderr)
    return done


def _until(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.mark.skipif(shutil.which("mpc") is None, reason="Debian's mpc")
def test_mpc_queues_plays_pauses_searches_sets_volume_and_fetches_art(
    tapedeck: ServiceProcess,
) -> None:
    mpc(tapedeck, "clear")
    mpc(tapedeck, "findadd", "album", "First Album")
    queue = tapedeck.api("GET", "/queue")
    assert [e["item"]["title"] for e in queue["entries"]] == ["Morning", "Noon", "Night"]
    assert b"[playing]" in mpc(tapedeck, "play").stdout
    _until(lambda: tapedeck.api("GET", "/player")["state"] == "playing")
    assert b"[paused]" in mpc(tapedeck, "pause").stdout
    assert tapedeck.api("GET", "/player")["state"] == "paused"
    found = mpc(tapedeck, "search", "title", "morn").stdout.decode().splitlines()
    assert found == [FIRST, "Cello Trio/Strings/03 - Morning Dew.flac"]
    mpc(tapedeck, "volume", "40")
    assert tapedeck.api("GET", "/player")["volume"] == 40
    mpc(tapedeck, "volume", "+5")
    assert b"volume: 45%" in mpc(tapedeck, "volume").stdout
    assert mpc(tapedeck, "albumart", FIRST).stdout == COVER_PNG
    grouped = mpc(tapedeck, "list", "album", "group", "albumartist").stdout.decode()
    assert grouped.split() == [
        "Alpha",
        "Band",
        "First",
        "Album",
        "Second",
        "Album",
        "Cello",
        "Trio",
        "Strings",
    ]


@pytest.mark.skipif(
    shutil.which("ncmpcpp") is None or shutil.which("tmux") is None, reason="ncmpcpp in tmux"
)
def test_ncmpcpp_shows_the_queue_and_the_playing_song(
    tapedeck: ServiceProcess, tmp_path: Path
) -> None:
    client = connect(mpd_port(tapedeck))
    client.clear()
    client.add("Alpha Band/First Album")
    client.play(1)
    client.disconnect()
    home = tmp_path / "home"
    home.mkdir()
    tmux = ["tmux", "-L", f"tapedeck-{os.getpid()}-{tmp_path.name}"]
    env = {**os.environ, "HOME": str(home), "TERM": "xterm"}
    command = f"ncmpcpp -h 127.0.0.1 -p {mpd_port(tapedeck)}"
    subprocess.run([*tmux, "new-session", "-d", "-s", "t", "-x", "120", "-y", "30", command],
                   env=env, check=True, timeout=20)  # fmt: skip
    try:
        screen = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "t"], capture_output=True, text=True,
                env=env, timeout=10, check=True,
            ).stdout  # fmt: skip
            if "Playing:" in screen and "Night" in screen:
                break
            time.sleep(0.3)
        assert all(title in screen for title in ("Morning", "Noon", "Night")), screen
        assert 'Playing: Alpha Band "First Album" (2001) - Noon' in screen, screen
    finally:
        subprocess.run([*tmux, "kill-server"], env=env, timeout=20, check=False)


async def test_home_assistant_style_asyncio_client(tapedeck: ServiceProcess) -> None:
    """What Home Assistant's mpd integration does, with the same library (python-mpd2, asyncio)."""
    client = AsyncMPDClient()
    await client.connect("127.0.0.1", mpd_port(tapedeck))
    try:
        commands = await client.commands()
        assert {"readpicture", "albumart", "getvol", "seekcur", "setvol"} <= set(commands)
        assert await client.listplaylists() == []
        await client.clear()
        await client.add("Alpha Band/First Album")
        await client.repeat(0)
        await client.random(0)
        await client.play()
        status = await client.status()
        assert status["state"] == "play" and "volume" in status
        song = await client.currentsong()
        assert song["title"] == "Morning" and song["file"] == FIRST
        picture = await client.readpicture(song["file"])
        assert picture["binary"] == COVER_PNG and picture["type"] == "image/png"
        await client.setvol(35)
        await client.pause(1)
        assert (await client.status())["state"] == "pause"
        await client.pause(0)
        assert (await client.status())["state"] == "play"
        await client.seekcur(5)
        assert float((await client.status())["elapsed"]) >= 5.0
        await client.next()
        assert (await client.currentsong())["title"] == "Noon"
        assert (await client.status())["volume"] == "35"
        await client.stop()
        assert (await client.status())["state"] == "stop"
    finally:
        client.disconnect()
