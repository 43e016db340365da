"""Playback, status, volume, options and outputs."""

from __future__ import annotations

import time

from player.mpd.deck import Client, Deck, command
from player.mpd.protocol import AckCode, AckError, Answer, parse_bool, parse_float, parse_int
from player.mpd.songs import playing_song, write_entry
from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.entry import EntryId
from player.playback.queue import QueueError, Repeat

_STATE = {PlayState.PLAYING: "play", PlayState.PAUSED: "pause", PlayState.STOPPED: "stop"}
OUTPUT_NAME = "tapedeck"


def song_id(entry_id: str) -> int:
    """MPD ids are numbers; queue entry ids are `e<number>`."""
    return int(entry_id[1:]) if entry_id[1:].isdigit() else 0


def entry_of(text: str) -> EntryId:
    return EntryId(f"e{parse_int(text)}")


def position_of(deck: Deck, entry_id: EntryId) -> int:
    try:
        return deck.controller.queue.position_of(entry_id)
    except QueueError:
        raise AckError(AckCode.NO_EXIST, "No such song") from None


def elapsed(deck: Deck) -> float:
    ctl = deck.controller
    live = ctl.engine.position() if ctl.state is PlayState.PLAYING else None
    return live if live is not None else ctl.position


@command("status")
async def status(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    ctl = deck.controller
    queue = ctl.queue
    out.pairs(
        [
            ("volume", ctl.volume),
            ("repeat", int(ctl.repeat is not Repeat.OFF)),
            ("random", int(ctl.shuffle)),
            ("single", int(ctl.repeat is Repeat.ONE)),
            ("consume", 0),
            ("partition", "default"),
            ("playlist", queue.version + 1),  # MPD's first version is 1
            ("playlistlength", len(queue.entries)),
            ("mixrampdb", 0),
            ("state", _STATE[ctl.state]),
        ]
    )
    current = queue.current
    if current is not None and ctl.state is not PlayState.STOPPED:
        _current_fields(deck, out, queue.index or 0, current.entry_id)
    elif current is not None and deck.hub.has_current:
        out.add("song", queue.index)
        out.add("songid", song_id(current.entry_id))
        _next_fields(deck, out)
    if deck.updater.job is not None:
        out.add("updating_db", deck.updater.job)


def _current_fields(deck: Deck, out: Answer, index: int, entry_id: str) -> None:
    ctl = deck.controller
    duration = ctl.duration if ctl.duration is not None else ctl.queue.entries[index].duration
    position = elapsed(deck)
    out.add("song", index)
    out.add("songid", song_id(entry_id))
    out.add("time", f"{round(position)}:{round(duration or 0)}")
    out.add("elapsed", f"{position:.3f}")
    out.add("duration", f"{duration or 0:.3f}")
    _next_fields(deck, out)


def _next_fields(deck: Deck, out: Answer) -> None:
    ctl = deck.controller
    following = ctl.queue.following(ctl.repeat)
    if following is not None:
        out.add("nextsong", following)
        out.add("nextsongid", song_id(ctl.queue.entries[following].entry_id))


@command("currentsong")
async def currentsong(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    ctl = deck.controller
    current = ctl.queue.current
    if current is None or ctl.state is PlayState.STOPPED:
        return
    snap = await deck.database.current()
    song = playing_song(snap.song(current.item), ctl.stream_title)
    write_entry(out, song, client.tags, ctl.queue.index or 0, song_id(current.entry_id))


@command("stats")
async def stats(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    snap = await deck.database.current()
    artists = {a for s in snap.songs for a in s.track.artists}
    albums = {s.track.album for s in snap.songs if s.track.album}
    out.pairs(
        [
            ("uptime", round(time.monotonic() - deck.started)),
            ("playtime", round(deck.hub.clock.seconds)),
            ("artists", len(artists)),
            ("albums", len(albums)),
            ("songs", len(snap.songs)),
            ("db_playtime", snap.playtime),
            ("db_update", round(deck.updater.finished_at)),
        ]
    )


# -- transport -------------------------------------------------------------------------------
async def _play_at(deck: Deck, index: int) -> None:
    if not 0 <= index < len(deck.controller.queue.entries):
        raise AckError(AckCode.ARG, "Bad song index")
    await deck.submit(c.QueueJump(index))
    if deck.controller.state is not PlayState.PLAYING:
        await deck.submit(c.Play())


@command("play", 0, 1)
async def play(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    index = parse_int(args[0]) if args else -1
    if index < 0:
        await deck.submit(c.Play())
    else:
        await _play_at(deck, index)


@command("playid", 0, 1)
async def playid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if not args or parse_int(args[0]) < 0:
        await deck.submit(c.Play())
    else:
        await _play_at(deck, position_of(deck, entry_of(args[0])))


@command("pause", 0, 1)
async def pause(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if not args:
        await deck.submit(c.Toggle())
    elif parse_bool(args[0]):
        await deck.submit(c.Pause())
    elif deck.controller.state is PlayState.PAUSED:
        await deck.submit(c.Play())


@command("stop")
async def stop(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await deck.submit(c.Stop())


@command("next")
async def next_song(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await deck.submit(c.Next())


@command("previous")
async def previous(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await deck.submit(c.Previous())


@command("seek", 2, 2)
async def seek(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    index, where = parse_int(args[0]), parse_float(args[1])
    if index != deck.controller.queue.index or deck.controller.state is PlayState.STOPPED:
        await _play_at(deck, index)
    await deck.submit(c.Seek(max(0.0, where)))


@command("seekid", 2, 2)
async def seekid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    index = position_of(deck, entry_of(args[0]))
    await seek(deck, client, [str(index), args[1]], out)


@command("seekcur", 1, 1)
async def seekcur(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if deck.controller.state is PlayState.STOPPED:
        raise AckError(AckCode.PLAYER_SYNC, "Not playing")
    where = parse_float(args[0])
    if args[0][:1] in "+-":
        where += elapsed(deck)
    await deck.submit(c.Seek(max(0.0, where)))


# -- volume and options ----------------------------------------------------------------------
@command("setvol", 1, 1)
async def setvol(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    volume = parse_int(args[0])
    if not 0 <= volume <= 100:
        raise AckError(AckCode.ARG, "Invalid volume value")
    await deck.submit(c.SetVolume(volume=volume))


@command("volume", 1, 1)
async def volume(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    delta = parse_int(args[0])
    if not -100 <= delta <= 100:
        raise AckError(AckCode.ARG, "Invalid volume value")
    await deck.submit(c.SetVolume(delta=delta))


@command("getvol")
async def getvol(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    out.add("volume", deck.controller.volume)


@command("repeat", 1, 1)
async def repeat(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    on, now = parse_bool(args[0]), deck.controller.repeat
    wanted = (Repeat.ONE if now is Repeat.ONE else Repeat.ALL) if on else Repeat.OFF
    await deck.submit(c.SetOptions(repeat=wanted))


@command("single", 1, 1)
async def single(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    # tapedeck has repeat-one, which is MPD's single + repeat; single alone (stop after the
    # song) and "oneshot" are not something the player does.
    if args[0] == "oneshot":
        raise AckError(AckCode.ARG, "single oneshot is not supported")
    on = parse_bool(args[0])
    if on:
        await deck.submit(c.SetOptions(repeat=Repeat.ONE))
    elif deck.controller.repeat is Repeat.ONE:
        await deck.submit(c.SetOptions(repeat=Repeat.ALL))


@command("random", 1, 1)
async def random(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await deck.submit(c.SetOptions(shuffle=parse_bool(args[0])))


@command("consume", 1, 1)
async def consume(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if parse_bool(args[0]):
        raise AckError(AckCode.ARG, "consume is not supported")


@command("crossfade", 1, 1)
async def crossfade(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if parse_int(args[0]) != 0:
        raise AckError(AckCode.ARG, "crossfade is not supported (playback is gapless)")


@command("replay_gain_status")
async def replay_gain_status(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    out.add("replay_gain_mode", "off")


# -- the one output: enabled means not muted -------------------------------------------------
@command("outputs")
async def outputs(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    out.pairs(
        [
            ("outputid", 0),
            ("outputname", OUTPUT_NAME),
            ("plugin", "mpv"),
            ("outputenabled", int(not deck.controller.muted)),
        ]
    )


async def _set_output(deck: Deck, args: list[str], enabled: bool | None) -> None:
    if parse_int(args[0]) != 0:
        raise AckError(AckCode.NO_EXIST, "No such audio output")
    muted = deck.controller.muted if enabled is None else not enabled
    await deck.submit(c.SetOptions(muted=not muted if enabled is None else muted))


@command("enableoutput", 1, 1)
async def enableoutput(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _set_output(deck, args, True)


@command("disableoutput", 1, 1)
async def disableoutput(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _set_output(deck, args, False)


@command("toggleoutput", 1, 1)
async def toggleoutput(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _set_output(deck, args, None)
