"""The same python-mpd2 script against Debian's real mpd 0.23 and tapedeck, answers compared.

Both serve the same folder of tagged FLAC files. Ids, times and versions are normalised; every
difference that remains is one of the deliberate exceptions listed below, and the test fails
when a new difference appears or a listed one disappears (then the list must be updated).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mpd import MPDClient

from player.mpd.songs import TAG_NAMES
from tests.integration.service import ServiceProcess
from tests.mpd.conftest import RawClient, RealMpd, connect, mpd_port, needs_mpd, wait_scanned

pytestmark = [needs_mpd]

# Fields only one side has, on purpose:
ONLY_MPD = {
    # tapedeck does not decode to learn the sample format or bit rate (mpv does, out of sight).
    "format", "bitrate", "audio",
}  # fmt: skip
ONLY_TAPEDECK: set[str] = set()
# Always different by nature: wall-clock values and MPD's own numbering.
# (python-mpd2 gives field names in lower case.)
VOLATILE = {"last-modified", "elapsed", "time", "playlist", "uptime", "playtime", "db_update"}
IDS = {"id", "songid", "nextsongid"}

# Commands whose answers differ on purpose (see each note), compared by their own rule.
EXCEPTIONS = {
    "tagtypes": "tapedeck keeps 7 of MPD's tags (no Genre, sort or MusicBrainz tags in the "
    "catalogue); they come in MPD's order, so the list is MPD's with the others left out",
    "lsinfo /": "the root also holds the virtual folders Albums/ and Artists/ (other sources' "
    "tracks are browsed there)",
    "idle after random": "tapedeck's random shuffles the queue itself (the phone page shows the "
    "order that will play), so the playlist changes too; MPD keeps the order and plays at random",
}
IDLE_DIFFERENCES = {"options": (["options", "playlist"], ["options"])}  # (tapedeck, MPD)


def _norm_value(key: str, value: Any, ids: dict[str, int]) -> Any:
    if key in IDS:
        return ids.setdefault(str(value), len(ids))
    return value


def normalise(answer: Any, ids: dict[str, int]) -> Any:
    """Drop volatile fields and the documented one-sided ones, renumber ids."""
    if isinstance(answer, list):
        return [normalise(item, ids) for item in answer]
    if isinstance(answer, dict):
        return {
            k: _norm_value(k, v, ids)
            for k, v in sorted(answer.items())
            if k not in VOLATILE | ONLY_MPD | ONLY_TAPEDECK
        }
    return answer


def one_sided(answer: Any) -> set[str]:
    keys: set[str] = set()
    for item in answer if isinstance(answer, list) else [answer]:
        if isinstance(item, dict):
            keys |= set(item)
    return keys


Step = tuple[str, Callable[[MPDClient], Any]]

SCRIPT: list[Step] = [
    ("clear", lambda c: c.clear()),
    ("setvol 50", lambda c: c.setvol(50)),
    ("repeat 0", lambda c: c.repeat(0)),
    ("random 0", lambda c: c.random(0)),
    ("status (empty)", lambda c: c.status()),
    ("lsinfo album", lambda c: c.lsinfo("Alpha Band/First Album")),
    ("lsinfo artist", lambda c: c.lsinfo("Alpha Band")),
    ("find filter", lambda c: c.find("(Artist == 'Alpha Band')")),
    ("find legacy", lambda c: c.find("album", "Strings")),
    ("find and", lambda c: c.find("((Artist == 'Alpha Band') AND (Date == '2004'))")),
    ("find not", lambda c: c.find("(!(AlbumArtist == 'Alpha Band'))")),
    ("find regex", lambda c: c.find("(Title =~ '^N')")),
    ("search legacy", lambda c: c.search("title", "morn")),
    ("search filter", lambda c: c.search("(Title contains 'MORN')")),
    ("search any", lambda c: c.search("any", "cello")),
    ("list album group", lambda c: c.list("album", "group", "albumartist")),
    ("list artist", lambda c: c.list("artist")),
    ("list date filter", lambda c: c.list("date", "(Album == 'Strings')")),
    ("list title filter", lambda c: c.list("title", "(Artist =~ '^Cello')")),
    ("count legacy", lambda c: c.count("artist", "Alpha Band")),
    ("count filter", lambda c: c.count("(Album == 'First Album')")),
    ("count group", lambda c: c.count("group", "artist")),
    ("add album", lambda c: c.add("Alpha Band/First Album")),
    ("add song", lambda c: c.add("Cello Trio/Strings/01 - Bow.flac")),
    ("playlistinfo", lambda c: c.playlistinfo()),
    ("playlistinfo range", lambda c: c.playlistinfo("1:3")),
    ("status (stopped)", lambda c: c.status()),
    ("play 1", lambda c: c.play(1)),
    ("currentsong", lambda c: c.currentsong()),
    ("pause 1", lambda c: c.pause(1)),
    ("status (paused)", lambda c: c.status()),
    ("setvol 40", lambda c: c.setvol(40)),
    ("getvol", lambda c: raw_object(c, "getvol")),
    ("repeat 1", lambda c: c.repeat(1)),
    ("status (options)", lambda c: c.status()),
    ("playlistid", lambda c: c.playlistid(3)),
    ("move 1 2", lambda c: c.move(1, 2)),
    ("playlistinfo after move", lambda c: c.playlistinfo()),
    ("plchanges after a move", lambda c: _plchanges_after_move(c)),
    ("plchangesposid after a move", lambda c: _plchanges_after_move(c, posid=True)),
    ("bad command", lambda c: _ack(c, "foo")),
    ("bad args", lambda c: _ack(c, "play", "x")),
    ("no such song", lambda c: _ack(c, "add", "nowhere.flac")),
    ("stop", lambda c: c.stop()),
    ("status (stopped again)", lambda c: c.status()),
]


def _plchanges_after_move(client: MPDClient, posid: bool = False) -> Any:
    """The songs changed by one move, asked with the version from before it (each server's own)."""
    version = client.status()["playlist"]
    client.move(0, 1)
    return client.plchangesposid(version) if posid else client.plchanges(version)


def raw_object(client: MPDClient, command: str, *args: str) -> Any:
    """A command python-mpd2 3.1 has no method for (getvol is 0.23)."""
    client._write_command(command, list(args))
    return client._parse_object(client._read_lines())


def _ack(client: MPDClient, *command: str) -> str:
    try:
        client._write_command(command[0], list(command[1:]))
        client._parse_nothing(client._read_lines())
    except Exception as err:  # python-mpd2's CommandError: compare the ACK's code and command
        text = str(err)
        return text.split("}")[0]
    return "OK"


def _same_tags(client: MPDClient) -> None:
    """Real MPD sends only the tags tapedeck keeps, so song blocks compare one to one."""
    client.tagtypes("clear")
    client.tagtypes("enable", *TAG_NAMES)


def _run(port: int, keep_tags: bool) -> tuple[dict[str, Any], dict[str, set[str]], list[str]]:
    client = connect(port)
    if keep_tags:
        _same_tags(client)
    answers: dict[str, Any] = {}
    keys: dict[str, set[str]] = {}
    ids: dict[str, int] = {}
    for name, step in SCRIPT:
        raw = step(client)
        keys[name] = one_sided(raw)
        answers[name] = normalise(raw, ids)
    answers["lsinfo /"] = [d.get("directory") for d in client.lsinfo()]
    client.tagtypes("all")
    tags = list(client.tagtypes())
    client.disconnect()
    return answers, keys, tags


def test_tapedeck_answers_like_real_mpd(real_mpd: RealMpd, tapedeck: ServiceProcess) -> None:
    theirs, their_keys, their_tags = _run(real_mpd.port, keep_tags=True)
    ours, our_keys, our_tags = _run(mpd_port(tapedeck), keep_tags=False)

    assert our_tags == list(TAG_NAMES) == [t for t in their_tags if t in TAG_NAMES], EXCEPTIONS[
        "tagtypes"
    ]
    assert ours.pop("lsinfo /") == [*theirs.pop("lsinfo /"), "Albums", "Artists"]
    different = {name for name in theirs if theirs[name] != ours[name]}
    details = "\n".join(
        f"{n}:\n  mpd:      {theirs[n]}\n  tapedeck: {ours[n]}" for n in sorted(different)
    )
    assert not different, f"answers differ:\n{details}"
    for name in theirs:
        extra_ours = our_keys[name] - their_keys[name] - ONLY_TAPEDECK - VOLATILE
        extra_theirs = their_keys[name] - our_keys[name] - ONLY_MPD - VOLATILE
        assert not extra_ours and not extra_theirs, (name, extra_ours, extra_theirs)
    assert any(their_keys[n] & ONLY_MPD for n in theirs), "an ONLY_MPD field no longer differs"


def _idle_changes(port: int, action: Callable[[MPDClient], Any]) -> list[str]:
    watcher, actor = RawClient(port), connect(port)
    try:
        watcher.send("idle\n")
        time.sleep(0.2)  # the idle must be registered before the change
        action(actor)
        time.sleep(0.3)  # let every subsystem of the change arrive before the answer is read
        lines = watcher.answer()
        if lines == ["OK"] or not lines:
            return []
        return sorted(line.removeprefix("changed: ") for line in lines if line != "OK")
    finally:
        watcher.close()
        actor.disconnect()


IDLE_SCRIPT: list[Step] = [
    ("queue add", lambda c: c.add("Alpha Band/Second Album")),
    ("play", lambda c: c.play(0)),
    ("pause", lambda c: c.pause(1)),
    ("volume", lambda c: c.setvol(33)),
    ("options", lambda c: c.random(1)),
    ("move", lambda c: c.move(0, 1)),
    ("stop", lambda c: c.stop()),
    ("clear", lambda c: c.clear()),
]


def test_idle_events_match_real_mpd(real_mpd: RealMpd, tapedeck: ServiceProcess) -> None:
    wait_scanned(mpd_port(tapedeck), settled=True)
    for port in (real_mpd.port, mpd_port(tapedeck)):
        client = connect(port)
        client.clear()
        client.random(0)
        client.setvol(50)
        client.disconnect()
    theirs = {name: _idle_changes(real_mpd.port, step) for name, step in IDLE_SCRIPT}
    ours = {name: _idle_changes(mpd_port(tapedeck), step) for name, step in IDLE_SCRIPT}
    for name, (expected_ours, expected_theirs) in IDLE_DIFFERENCES.items():
        assert (ours.pop(name), theirs.pop(name)) == (expected_ours, expected_theirs), EXCEPTIONS[
            "idle after random"
        ]
    assert ours == theirs
