"""Stored playlists: the library's playlists (a server's, the music folder's .m3u files), read-only.

MPD names a stored playlist by its name alone; two playlists of one name (from two sources) are
told apart by the source in brackets, so every name a client lists can be loaded.
"""

from __future__ import annotations

from cache.models import Playlist
from player.mpd.cmd_queue import add_songs
from player.mpd.deck import Client, Deck, command
from player.mpd.protocol import AckCode, AckError, Answer, parse_int, parse_range
from player.mpd.songs import write_song

MAX_PLAYLISTS = 1000  # listed; a library with more is not browsed through MPD's flat list


async def _named(deck: Deck) -> dict[str, Playlist]:
    found, _ = await deck.library.playlists.page(0, MAX_PLAYLISTS)
    names: dict[str, Playlist] = {}
    for playlist in found:
        name = playlist.name
        if name in names:
            name = f"{name} [{playlist.source}]"
        names.setdefault(name, playlist)
    return names


async def _entries(deck: Deck, name: str) -> Playlist:
    listed = (await _named(deck)).get(name)
    found = None if listed is None else await deck.library.playlists.get(listed.id)
    if found is None:
        raise AckError(AckCode.NO_EXIST, "No such playlist")
    return found


@command("listplaylists")
async def listplaylists(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    for name in await _named(deck):
        out.add("playlist", name)


@command("listplaylist", 1, 2)
async def listplaylist(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    playlist = await _entries(deck, args[0])
    snap = await deck.database.current()
    for track in playlist.entries or ():
        out.add("file", snap.song(track).uri)


@command("listplaylistinfo", 1, 2)
async def listplaylistinfo(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    playlist = await _entries(deck, args[0])
    snap = await deck.database.current()
    for track in playlist.entries or ():
        write_song(out, snap.song(track), client.tags)


@command("load", 1, 3)
async def load(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    """`load NAME [START:END] [POSITION]`: the playlist's songs (or a range of them) added."""
    playlist = await _entries(deck, args[0])
    snap = await deck.database.current()
    songs = [snap.song(t) for t in playlist.entries or ()]
    if len(args) > 1:
        start, end = parse_range(args[1], len(songs))
        songs = songs[start:end]
    position = parse_int(args[2]) if len(args) > 2 else None
    if songs:
        await add_songs(deck, songs, position)
