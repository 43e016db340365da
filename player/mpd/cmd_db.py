"""The database: browsing (lsinfo, listall), filters (find, search, list, count), covers, update."""

from __future__ import annotations

from collections.abc import Sequence

from player.mpd.cmd_queue import add_songs
from player.mpd.database import is_remote
from player.mpd.deck import Client, Deck, command
from player.mpd.filters import Predicate, parse_filter
from player.mpd.protocol import AckCode, AckError, Answer, parse_int, parse_range
from player.mpd.songs import Song, canonical_tag, write_song

PACE_EVERY = 100  # songs between two looks at the other clients during a long answer


# -- browsing ----------------------------------------------------------------------------------
@command("lsinfo", 0, 1)
async def lsinfo(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    snap = await deck.database.current()
    uri = args[0] if args else ""
    song = snap.by_uri.get(uri.strip("/"))
    if song is not None:
        write_song(out, song, client.tags)
        return
    folders, songs = snap.listing(uri)
    for folder in folders:
        out.add("directory", folder)
    await _write_songs(out, songs, client)


async def _write_songs(out: Answer, songs: Sequence[Song], client: Client) -> None:
    for i, song in enumerate(songs):
        write_song(out, song, client.tags)
        if i % PACE_EVERY == PACE_EVERY - 1:
            await out.pace()


async def _walk(deck: Deck, client: Client, uri: str, out: Answer, *, info: bool) -> None:
    """Every folder and song under `uri` (the local tree, then the other sources' songs)."""
    snap = await deck.database.current()
    uri = uri.strip("/")
    if uri in snap.by_uri:
        _file(out, snap.by_uri[uri], client, info)
        return
    if uri not in snap.folders:
        raise AckError(AckCode.NO_EXIST, "No such directory")
    # Depth first as MPD does: a folder's songs, then each child folder's line and contents.
    stack: list[str] = [uri]
    written = 0
    while stack:
        path = stack.pop()
        if path != uri:
            out.add("directory", path)
        folder = snap.folders[path]
        for song in folder.songs:
            _file(out, song, client, info)
            written += 1
            if written % PACE_EVERY == 0:
                await out.pace()
        stack.extend(sorted(folder.folders, reverse=True))
    if uri == "":
        await _write_songs(out, [s for s in snap.songs if is_remote(s.uri)], client)


def _file(out: Answer, song: Song, client: Client, info: bool) -> None:
    if info:
        write_song(out, song, client.tags)
    else:
        out.add("file", song.uri)


@command("listall", 0, 1)
async def listall(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _walk(deck, client, args[0] if args else "", out, info=False)


@command("listallinfo", 0, 1)
async def listallinfo(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _walk(deck, client, args[0] if args else "", out, info=True)


# -- filters ------------------------------------------------------------------------------------
async def _matching(deck: Deck, args: list[str], *, fold: bool) -> list[Song]:
    predicate, used = parse_filter(args, fold=fold)
    rest = args[used:]
    snap = await deck.database.current()
    songs = [s for s in snap.songs if predicate(s)]
    while rest:
        if len(rest) < 2:
            raise AckError(AckCode.ARG, "Too few arguments")
        key, value, rest = rest[0], rest[1], rest[2:]
        if key == "sort":
            songs = _sorted(songs, value)
        elif key == "window":
            start, end = parse_range(value, len(songs))
            songs = songs[start:end]
        else:
            raise AckError(AckCode.ARG, f"Unknown argument: {key}")
    return songs


def _sorted(songs: list[Song], key: str) -> list[Song]:
    descending = key.startswith("-")
    tag = canonical_tag(key.lstrip("-"))
    if tag is None:
        raise AckError(AckCode.ARG, "Unknown sort tag")
    return sorted(songs, key=lambda s: s.tags.get(tag, ("",))[0], reverse=descending)


@command("find", 1, None)
async def find(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _write_songs(out, await _matching(deck, args, fold=False), client)


@command("search", 1, None)
async def search(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _write_songs(out, await _matching(deck, args, fold=True), client)


@command("findadd", 1, None)
async def findadd(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    songs = await _matching(deck, args, fold=False)
    if songs:
        await add_songs(deck, songs)


@command("searchadd", 1, None)
async def searchadd(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    songs = await _matching(deck, args, fold=True)
    if songs:
        await add_songs(deck, songs)


def _tag_arg(name: str) -> str:
    if name.lower() == "file":
        return "file"
    tag = canonical_tag(name)
    if tag is None:
        raise AckError(AckCode.ARG, f"Unknown tag type: {name}")
    return tag


def _values(song: Song, tag: str) -> tuple[str, ...]:
    return (song.uri,) if tag == "file" else song.tags.get(tag, ())


def _grouping(args: list[str]) -> tuple[list[str], list[str]]:
    """Split trailing `group TAG` pairs off the arguments."""
    groups: list[str] = []
    while len(args) >= 2 and args[-2].lower() == "group":
        groups.insert(0, _tag_arg(args[-1]))
        args = args[:-2]
    return args, groups


def _list_filter(kind: str, args: list[str]) -> Predicate:
    if len(args) == 1 and not args[0].startswith("(") and kind == "Album":
        args = ["Artist", args[0]]  # the old `list album ARTIST`
    predicate, used = parse_filter(args, fold=False)
    if used != len(args):
        raise AckError(AckCode.ARG, "Too many arguments")
    return predicate


@command("list", 1, None)
async def list_tags(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    kind = _tag_arg(args[0])
    rest, groups = _grouping(args[1:])
    predicate = _list_filter(kind, rest)
    snap = await deck.database.current()
    rows: set[tuple[str, ...]] = set()
    for song in snap.songs:
        if predicate(song):
            rows.update(_combinations(song, [*groups, kind]))
    previous: tuple[str, ...] = ()
    for i, row in enumerate(sorted(rows)):
        for level, (tag, value) in enumerate(zip([*groups, kind], row, strict=True)):
            if level == len(groups) or previous[: level + 1] != row[: level + 1]:
                out.add(tag, value)
        previous = row
        if i % PACE_EVERY == PACE_EVERY - 1:
            await out.pace()


def _combinations(song: Song, tags: list[str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [()]
    for tag in tags:
        values = _values(song, tag) or ("",)
        rows = [(*row, value) for row in rows for value in values]
    return [row for row in rows if row[-1] != ""]


@command("count", 0, None)
async def count(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    rest, groups = _grouping(args)
    if len(groups) > 1:
        raise AckError(AckCode.ARG, "Too many group arguments")
    predicate, used = parse_filter(rest, fold=False)
    if used != len(rest):
        raise AckError(AckCode.ARG, "Too many arguments")
    snap = await deck.database.current()
    songs = [s for s in snap.songs if predicate(s)]
    if not groups:
        _totals(out, songs)
        return
    by_value: dict[str, list[Song]] = {}
    for song in songs:
        for value in _values(song, groups[0]) or ("",):
            by_value.setdefault(value, []).append(song)
    for value in sorted(by_value):
        out.add(groups[0], value)
        _totals(out, by_value[value])


def _totals(out: Answer, songs: Sequence[Song]) -> None:
    out.add("songs", len(songs))
    out.add("playtime", round(sum(s.track.duration for s in songs)))


# -- covers -------------------------------------------------------------------------------------
async def _picture(deck: Deck, client: Client, args: list[str], out: Answer, typed: bool) -> None:
    snap = await deck.database.current()
    song = snap.by_uri.get(args[0].strip("/"))
    if song is None:
        raise AckError(AckCode.NO_EXIST, "No such file")
    offset = parse_int(args[1])
    image = await deck.covers.get(song.track.album_id)
    if image is None:
        if typed:
            return  # readpicture: a song without a picture answers just OK
        raise AckError(AckCode.NO_EXIST, "No file exists")
    if not 0 <= offset <= len(image.data):
        raise AckError(AckCode.ARG, "Offset too large")
    out.add("size", len(image.data))
    if typed:
        out.add("type", image.content_type)
    out.binary(image.data[offset : offset + client.binary_limit])


@command("albumart", 2, 2)
async def albumart(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _picture(deck, client, args, out, typed=False)


@command("readpicture", 2, 2)
async def readpicture(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    await _picture(deck, client, args, out, typed=True)


@command("binarylimit", 1, 1, public=True)
async def binarylimit(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    limit = parse_int(args[0])
    if limit < 64:
        raise AckError(AckCode.ARG, "Value too small")
    client.binary_limit = min(limit, 1024 * 1024)


# -- update -------------------------------------------------------------------------------------
@command("update", 0, 1)
async def update(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    out.add("updating_db", deck.updater.start())


@command("rescan", 0, 1)
async def rescan(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    out.add("updating_db", deck.updater.start())
