"""The queue: add, delete, move, swap, and reading it (playlistinfo, plchanges)."""

from __future__ import annotations

from player.mpd.cmd_player import entry_of, position_of, song_id
from player.mpd.database import Snapshot
from player.mpd.deck import Client, Deck, command
from player.mpd.protocol import AckCode, AckError, Answer, parse_int, parse_range
from player.mpd.songs import Song, write_entry
from player.playback import commands as c
from player.playback.commands import QueueMode
from player.playback.entry import Entry, EntryId

MAX_ADD = 100_000  # songs added by one command; a folder of the whole library still fits


async def resolve_uri(deck: Deck, uri: str) -> list[Song]:
    snap = await deck.database.current()
    songs = snap.resolve(uri)
    if not songs:
        raise AckError(AckCode.NO_EXIST, "No such song")
    return songs[:MAX_ADD]


async def add_songs(deck: Deck, songs: list[Song], pos: int | None = None) -> list[Entry]:
    """Append (or insert at `pos`) and return the new entries."""
    queue = deck.controller.queue
    if pos is not None and not 0 <= pos <= len(queue.entries):
        raise AckError(AckCode.ARG, "Bad song index")
    added: list[Entry] = []  # told by the add itself: no scan of a 20,000-entry queue
    await deck.submit(
        c.QueueAdd(tuple(s.track for s in songs), QueueMode.APPEND, added=added.extend)
    )
    if pos is not None:
        for offset, entry in enumerate(added):
            await deck.submit(c.QueueMove(entry.entry_id, pos + offset))
    return added


def _position_arg(deck: Deck, text: str) -> int:
    """An insert position: absolute, or `+N` (after the current song) / `-N` (before it)."""
    if text[:1] not in "+-":
        return parse_int(text)
    current = deck.controller.queue.index
    if current is None:
        raise AckError(AckCode.ARG, "No current song")
    offset = parse_int(text[1:])
    return current + 1 + offset if text[0] == "+" else current - offset


@command("add", 1, 2)
async def add(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    pos = _position_arg(deck, args[1]) if len(args) > 1 else None
    await add_songs(deck, await resolve_uri(deck, args[0]), pos)


@command("addid", 1, 2)
async def addid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    snap = await deck.database.current()
    song = snap.by_uri.get(args[0].strip("/"))
    if song is None:
        raise AckError(AckCode.NO_EXIST, "No such song")
    pos = _position_arg(deck, args[1]) if len(args) > 1 else None
    new = await add_songs(deck, [song], pos)
    if new:
        out.add("Id", song_id(new[0].entry_id))


@command("clear")
async def clear(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await deck.submit(c.QueueClear())


def _entries_in(deck: Deck, text: str) -> list[Entry]:
    entries = deck.controller.queue.entries
    start, end = parse_range(text, len(entries))
    if start >= len(entries) or (":" not in text and start < 0):
        raise AckError(AckCode.ARG, "Bad song index")
    return entries[start : min(end, len(entries))]


@command("delete", 1, 1)
async def delete(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    for entry in _entries_in(deck, args[0]):
        await deck.submit(c.QueueRemove(entry.entry_id))


@command("deleteid", 1, 1)
async def deleteid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    entry_id = entry_of(args[0])
    position_of(deck, entry_id)
    await deck.submit(c.QueueRemove(entry_id))


async def _move(deck: Deck, entry_id: EntryId, to: int) -> None:
    if not 0 <= to < len(deck.controller.queue.entries):
        raise AckError(AckCode.ARG, "Bad song index")
    await deck.submit(c.QueueMove(entry_id, to))


@command("move", 2, 2)
async def move(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    moving = _entries_in(deck, args[0])
    to = parse_int(args[1])
    if to < 0 or to + len(moving) > len(deck.controller.queue.entries):
        raise AckError(AckCode.ARG, "Bad song index")
    for offset, entry in enumerate(moving):
        await _move(deck, entry.entry_id, to + offset)


@command("moveid", 2, 2)
async def moveid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    entry_id = entry_of(args[0])
    position_of(deck, entry_id)
    await _move(deck, entry_id, parse_int(args[1]))


async def _swap(deck: Deck, a: EntryId, b: EntryId) -> None:
    pos_a, pos_b = position_of(deck, a), position_of(deck, b)
    if pos_a == pos_b:
        return
    low, high = (a, b) if pos_a < pos_b else (b, a)
    low_pos, high_pos = min(pos_a, pos_b), max(pos_a, pos_b)
    await _move(deck, low, high_pos)
    await _move(deck, high, low_pos)


@command("swap", 2, 2)
async def swap(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    entries = deck.controller.queue.entries
    a, b = parse_int(args[0]), parse_int(args[1])
    if not (0 <= a < len(entries) and 0 <= b < len(entries)):
        raise AckError(AckCode.ARG, "Bad song index")
    await _swap(deck, entries[a].entry_id, entries[b].entry_id)


@command("swapid", 2, 2)
async def swapid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _swap(deck, entry_of(args[0]), entry_of(args[1]))


# -- reading the queue -------------------------------------------------------------------------
async def write_entries(
    out: Answer, snap: Snapshot, client: Client, rows: list[tuple[int, Entry]]
) -> None:
    for i, (pos, entry) in enumerate(rows):
        write_entry(out, _song(snap, entry), client.tags, pos, song_id(entry.entry_id))
        if i % 100 == 99:
            await out.pace()  # a 20,000-entry queue must not hold the other clients up


def _song(snap: Snapshot, entry: Entry) -> Song:
    # Found by id: the entry's track is built again only for a song the database does not have.
    found = snap.by_id.get(entry.item_id)
    return found if found is not None else snap.song(entry.item)


@command("playlistinfo", 0, 1)
async def playlistinfo(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    entries = deck.controller.queue.entries
    if args:
        start, end = parse_range(args[0], len(entries))
        if start >= len(entries) and (":" not in args[0] or start > len(entries)):
            raise AckError(AckCode.ARG, "Bad song index")
    else:
        start, end = 0, len(entries)
    snap = await deck.database.current()
    await write_entries(out, snap, client, _rows(entries, start, end))


@command("playlistid", 0, 1)
async def playlistid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    entries = deck.controller.queue.entries
    snap = await deck.database.current()
    if not args:
        await write_entries(out, snap, client, _rows(entries, 0, len(entries)))
        return
    pos = position_of(deck, entry_of(args[0]))
    await write_entries(out, snap, client, [(pos, entries[pos])])


def _rows(entries: list[Entry], start: int, end: int) -> list[tuple[int, Entry]]:
    """(position, entry) of a range only: `playlistinfo 5:10` copies five rows, not the queue."""
    return [(pos, entries[pos]) for pos in range(max(0, start), min(end, len(entries)))]


def _changes(deck: Deck, args: list[str]) -> list[tuple[int, Entry]]:
    since = parse_int(args[0]) - 1  # MPD's versions are one ahead of the queue's own
    rows = deck.controller.queue.changed_since(since)
    if len(args) > 1:
        start, end = parse_range(args[1], len(deck.controller.queue.entries))
        rows = [(pos, e) for pos, e in rows if start <= pos < end]
    return rows


@command("plchanges", 1, 2)
async def plchanges(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    snap = await deck.database.current()
    await write_entries(out, snap, client, _changes(deck, args))


@command("plchangesposid", 1, 2)
async def plchangesposid(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    for pos, entry in _changes(deck, args):
        out.add("cpos", pos)
        out.add("Id", song_id(entry.entry_id))
